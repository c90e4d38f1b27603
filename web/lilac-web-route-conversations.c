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

static gboolean
lilac_web_route_messages_parse (LilacWebRequest *request,
                                const char     **account,
                                const char     **to,
                                const char     **conversation,
                                const char     **text,
                                GError         **error)
{
  static const char *const allowed[] = { "account", "to", "conversation", "text", NULL };
  gsize max_message = request->server->settings.max_message;

  if (!lilac_json_check_members (request->body, allowed, error))
    return FALSE;
  *text = lilac_json_get_string (request->body, "text", TRUE, max_message, error);
  if (*text == NULL)
    return FALSE;
  if ((*text)[0] == '\0')
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT, "the message is empty");
      return FALSE;
    }
  *conversation = lilac_json_get_string (request->body, "conversation", FALSE, 32, error);
  if (*conversation != NULL)
    return TRUE;
  if (*error != NULL)
    return FALSE;
  *account = lilac_json_get_string (request->body, "account", TRUE, 32, error);
  *to = *account != NULL ? lilac_json_get_string (request->body, "to", TRUE, 1024, error) : NULL;
  if (*to != NULL && (*to)[0] == '\0')
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT, "the field \"to\" is empty");
      return FALSE;
    }
  return *to != NULL;
}

static void
lilac_web_route_messages_create (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  const char *account = NULL, *to = NULL, *conversation = NULL, *text = NULL;

  if (!lilac_web_route_messages_parse (request, &account, &to, &conversation, &text, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_request_pause (request);
  lilac_im_session_send_message_async (request->session, account, to, conversation, text, NULL,
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

static void
lilac_web_route_chats_create (LilacWebRequest *request)
{
  static const char *const allowed[] = { "account", "room", "nick", "password", NULL };
  g_autoptr(GError) local_error = NULL;
  const char *account = NULL, *room = NULL, *nick = NULL, *password = NULL;

  if (lilac_json_check_members (request->body, allowed, &local_error) &&
      (account = lilac_json_get_string (request->body, "account", TRUE, 32, &local_error)) != NULL &&
      (room = lilac_json_get_string (request->body, "room", TRUE, 1024, &local_error)) != NULL)
    {
      nick = lilac_json_get_string (request->body, "nick", FALSE, 256, &local_error);
      if (local_error == NULL)
        password = lilac_json_get_string (request->body, "password", FALSE, 1024, &local_error);
      if (local_error == NULL && room[0] == '\0')
        g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                             "the field \"room\" is empty");
    }
  if (local_error != NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_request_pause (request);
  lilac_im_session_join_chat_async (request->session, account, room, nick, password, NULL,
                                    lilac_web_route_chats_joined_cb, lilac_web_request_ref (request));
}

static void
lilac_web_route_typing_set (LilacWebRequest *request)
{
  static const char *const allowed[] = { "conversation", "state", NULL };
  g_autoptr(GError) local_error = NULL;
  const char *conversation = NULL, *state = NULL;

  if (lilac_json_check_members (request->body, allowed, &local_error) &&
      (conversation = lilac_json_get_string (request->body, "conversation", TRUE, 32,
                                             &local_error)) != NULL &&
      (state = lilac_json_get_string (request->body, "state", TRUE, 16, &local_error)) != NULL)
    lilac_im_session_set_typing (request->session, conversation, state, &local_error);
  if (local_error != NULL)
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

static void
lilac_web_route_conversations_read (LilacWebRequest *request)
{
  static const char *const allowed[] = { "seq", NULL };
  g_autoptr(GError) local_error = NULL;
  gint64 seq = 0;

  if (lilac_json_check_members (request->body, allowed, &local_error) &&
      lilac_json_get_int (request->body, "seq", 0, &seq, &local_error))
    {
      if (seq < 0)
        g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                             "the field \"seq\" must not be negative");
      else
        lilac_im_session_mark_read (request->session, request->params[0], (guint64) seq,
                                    &local_error);
    }
  if (local_error != NULL)
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
