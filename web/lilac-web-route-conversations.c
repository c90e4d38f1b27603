/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Commands on conversations: sending a message, joining a chat room. Both
 * wait for the worker to take the command before answering 202.
 */
#include "config.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-web-response.h"
#include "lilac-web-route-input.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"

static void
lilac_web_route_messages_sent_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(LilacWebRequest) request = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) answer = json_object_new ();

  id = lilac_im_session_send_message_finish (LILAC_IM_SESSION (source), result, &local_error);
  if (id == NULL)
    lilac_web_response_error (request->msg, local_error);
  else
    {
      json_object_set_string_member (answer, "id", id);
      lilac_web_response_object (request->msg, SOUP_STATUS_ACCEPTED, answer);
    }
  lilac_web_request_resume (request);
}

/**
 * lilac_web_route_messages_parse:
 *
 * Reads a `POST /messages` body: a conversation, or an account and a buddy.
 */
gboolean
lilac_web_route_messages_parse (JsonObject      *body,
                                gsize            max_message,
                                LilacWebMessage *message,
                                GError         **error)
{
  static const char *const allowed[] = { "account", "to", "conversation", "text", NULL };

  if (!lilac_json_check_members (body, allowed, error) ||
      (message->text = lilac_json_get_string (body, "text", TRUE, max_message, error)) == NULL)
    return FALSE;
  if (message->text[0] == '\0')
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT, "the message is empty");
      return FALSE;
    }
  if (!lilac_json_get_optional_string (body, "conversation", 32, &message->conversation, error))
    return FALSE;
  return message->conversation != NULL ||
         ((message->account = lilac_json_get_string (body, "account", TRUE, 32, error)) != NULL &&
          (message->to = lilac_json_get_text (body, "to", 1024, error)) != NULL);
}

static void
lilac_web_route_messages_create (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebMessage message = { NULL };

  if (!lilac_web_route_messages_parse (request->body, request->server->settings.max_message,
                                       &message, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_request_pause (request);
  lilac_im_session_send_message_async (request->session, message.account, message.to,
                                       message.conversation, message.text, NULL,
                                       lilac_web_route_messages_sent_cb,
                                       lilac_web_request_ref (request));
}

static void
lilac_web_route_chats_joined_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LilacWebRequest) request = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) answer = json_object_new ();

  id = lilac_im_session_join_chat_finish (LILAC_IM_SESSION (source), result, &local_error);
  if (id == NULL)
    lilac_web_response_error (request->msg, local_error);
  else
    {
      json_object_set_string_member (answer, "conversation", id);
      lilac_web_response_object (request->msg, SOUP_STATUS_ACCEPTED, answer);
    }
  lilac_web_request_resume (request);
}

/**
 * lilac_web_route_chats_parse:
 *
 * Reads a `POST /chats` body.
 */
gboolean
lilac_web_route_chats_parse (JsonObject   *body,
                             LilacWebChat *chat,
                             GError      **error)
{
  static const char *const allowed[] = { "account", "room", "nick", "password", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (chat->account = lilac_json_get_string (body, "account", TRUE, 32, error)) != NULL &&
         (chat->room = lilac_json_get_text (body, "room", 1024, error)) != NULL &&
         lilac_json_get_optional_string (body, "nick", 256, &chat->nick, error) &&
         lilac_json_get_optional_string (body, "password", 1024, &chat->password, error);
}

static void
lilac_web_route_chats_create (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebChat chat = { NULL };

  if (!lilac_web_route_chats_parse (request->body, &chat, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_request_pause (request);
  lilac_im_session_join_chat_async (request->session, chat.account, chat.room, chat.nick,
                                    chat.password, NULL, lilac_web_route_chats_joined_cb,
                                    lilac_web_request_ref (request));
}

/**
 * lilac_web_route_typing_parse:
 *
 * Reads a `POST /typing` body (the session checks the state).
 */
gboolean
lilac_web_route_typing_parse (JsonObject     *body,
                              LilacWebTyping *typing,
                              GError        **error)
{
  static const char *const allowed[] = { "conversation", "state", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (typing->conversation = lilac_json_get_string (body, "conversation", TRUE, 32, error)) != NULL &&
         (typing->state = lilac_json_get_string (body, "state", TRUE, 16, error)) != NULL;
}

static void
lilac_web_route_typing_set (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebTyping typing = { NULL };

  if (!lilac_web_route_typing_parse (request->body, &typing, &local_error) ||
      !lilac_im_session_set_typing (request->session, typing.conversation, typing.state,
                                    &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_empty (request->msg, SOUP_STATUS_NO_CONTENT);
}

static void
lilac_web_route_conversations_close (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;

  if (!lilac_im_session_close_conversation (request->session, request->params[0], &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_empty (request->msg, SOUP_STATUS_NO_CONTENT);
}

/**
 * lilac_web_route_read_parse:
 *
 * Reads a `POST /conversations/{id}/read` body: the seq read up to (0: all).
 */
gboolean
lilac_web_route_read_parse (JsonObject *body,
                            guint64    *seq,
                            GError    **error)
{
  static const char *const allowed[] = { "seq", NULL };
  gint64 value = 0;

  if (!lilac_json_check_members (body, allowed, error) ||
      !lilac_json_get_int (body, "seq", 0, &value, error))
    return FALSE;
  if (value < 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the field \"seq\" must not be negative");
      return FALSE;
    }
  *seq = (guint64) value;
  return TRUE;
}

static void
lilac_web_route_conversations_read (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  guint64 seq = 0;

  if (!lilac_web_route_read_parse (request->body, &seq, &local_error) ||
      !lilac_im_session_mark_read (request->session, request->params[0], seq, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_empty (request->msg, SOUP_STATUS_NO_CONTENT);
}

const LilacWebRoute lilac_web_routes_conversations[] = {
  { "POST", "/typing", lilac_web_route_typing_set,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "DELETE", "/conversations/{}", lilac_web_route_conversations_close,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF },
  { "POST", "/conversations/{}/read", lilac_web_route_conversations_read,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "POST", "/messages", lilac_web_route_messages_create,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "POST", "/chats", lilac_web_route_chats_create,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { NULL }
};
