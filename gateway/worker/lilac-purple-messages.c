/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Messages in and out. Every message libpurple writes to a conversation goes
 * through the write_conv UI operation (the worker sets neither write_im nor
 * write_chat, so nothing is written twice) and becomes one message event
 * with plain text. Our own messages come back the same way, flagged SEND:
 * an IM while it is sent, an IRC channel message likewise, an XMPP room
 * message when the room reflects it; that echo carries the id of the
 * MESSAGE_SEND it confirms.
 */
#include "config.h"

#include "lilac-purple-messages.h"

#include "lilac-error.h"
#include "lilac-purple-conversations.h"
#include "lilac-purple-core.h"
#include "lilac-purple-markup.h"
#include "lilac-wire-protocol.h"
#include "lilac-worker-body.h"

#define LILAC_PURPLE_MESSAGES_SYSTEM \
  (PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_ERROR | PURPLE_MESSAGE_NOTIFY)
/* sent by us, but not by this send: history replayed by a room, or another client */
#define LILAC_PURPLE_MESSAGES_NOT_ECHO \
  (LILAC_PURPLE_MESSAGES_SYSTEM | PURPLE_MESSAGE_DELAYED | PURPLE_MESSAGE_REMOTE_SEND)

static const char *
lilac_purple_messages_sender (PurpleConversation *conv,
                              const char         *who,
                              PurpleMessageFlags  flags)
{
  PurpleAccount *account = purple_conversation_get_account (conv);
  PurpleConnection *gc;
  const char *name;

  if (!(flags & PURPLE_MESSAGE_SEND) || purple_conversation_get_type (conv) == PURPLE_CONV_TYPE_CHAT)
    return who != NULL ? who : "";
  /* libpurple writes our own IMs with the peer's name as "who" */
  gc = purple_account_get_connection (account);
  name = gc != NULL ? purple_connection_get_display_name (gc) : NULL;
  return name != NULL ? name : purple_account_get_username (account);
}

/**
 * lilac_purple_messages_write:
 * @conv: the conversation written to
 * @who: the sender (for our own IMs, the peer)
 * @alias: the sender's alias
 * @message: the message, libpurple HTML
 * @flags: its flags
 * @mtime: when it was sent
 *
 * The write_conv UI operation: reports the message as a message event.
 */
void
lilac_purple_messages_write (PurpleConversation *conv,
                             const char         *who,
                             const char         *alias,
                             const char         *message,
                             PurpleMessageFlags  flags,
                             time_t              mtime)
{
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;
  JsonObject *ref;

  if (flags & PURPLE_MESSAGE_INVISIBLE)
    {
      g_debug ("a message marked invisible is not reported");
      return;
    }
  ref = lilac_purple_conversations_ref (conv);
  if (ref == NULL)
    return;
  text = lilac_purple_markup_to_plain (message);
  event = lilac_purple_event_new ("message");
  json_object_set_object_member (event, "conversation", ref);
  json_object_set_string_member (event, "from", lilac_purple_messages_sender (conv, who, flags));
  json_object_set_string_member (event, "text", text);
  json_object_set_string_member (event, "direction", (flags & PURPLE_MESSAGE_SEND) ? "out" : "in");
  if (flags & LILAC_PURPLE_MESSAGES_SYSTEM)
    json_object_set_boolean_member (event, "system", TRUE);
  json_object_set_int_member (event, "time", (gint64) (mtime > 0 ? mtime : time (NULL)) * 1000);
  if ((flags & PURPLE_MESSAGE_SEND) && !(flags & LILAC_PURPLE_MESSAGES_NOT_ECHO))
    id = lilac_purple_conversations_take_pending (conv, text);
  if (id != NULL)
    json_object_set_string_member (event, "message", id);
  lilac_purple_emit (event);
}

static PurpleConversation *
lilac_purple_messages_open (const LilacPurpleConversationRef *ref,
                            GError                          **error)
{
  PurpleConversation *conv;

  if (ref->type == PURPLE_CONV_TYPE_IM)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, ref->account, ref->name);
  else
    {
      conv = lilac_purple_conversations_find (ref, error);
      if (conv == NULL)
        return NULL;
      if (purple_conv_chat_has_left (PURPLE_CONV_CHAT (conv)))
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND,
                       "not in the chat \"%s\"", ref->name);
          return NULL;
        }
    }
  if (conv == NULL || conv->ui_data == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                   "no conversation with \"%s\"", ref->name);
      return NULL;
    }
  return conv;
}

/**
 * lilac_purple_messages_send:
 * @body: a MESSAGE_SEND body: {"account","type","name","text","message"}
 * @error: return location for a #GError
 *
 * Sends plain text to an IM (opening it when needed) or a joined chat.
 *
 * Returns: (transfer full) (nullable): the reply, {"conversation":REF}
 */
JsonObject *
lilac_purple_messages_send (JsonObject *body,
                            GError    **error)
{
  LilacPurpleConversationRef ref;
  PurpleConversation *conv;
  g_autofree char *html = NULL;
  const char *text, *id;
  JsonObject *reply;

  if (!lilac_worker_body_get_string (body, "text", TRUE, LILAC_WIRE_MAX_FRAME, &text, error) ||
      !lilac_worker_body_get_string (body, "message", TRUE, LILAC_WORKER_BODY_MAX_ID, &id, error) ||
      !lilac_purple_conversations_parse_ref (body, TRUE, &ref, error))
    return NULL;
  conv = lilac_purple_messages_open (&ref, error);
  if (conv == NULL)
    return NULL;
  html = lilac_purple_markup_from_plain (text);
  lilac_purple_conversations_push_pending (conv, id, text);
  if (ref.type == PURPLE_CONV_TYPE_CHAT)
    purple_conv_chat_send (PURPLE_CONV_CHAT (conv), html);
  else
    {
      purple_conv_im_send (PURPLE_CONV_IM (conv), html);
      /* libpurple writes an IM's echo during a successful send */
      if (lilac_purple_conversations_drop_pending (conv, id))
        {
          g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE,
                               "the message could not be sent");
          return NULL;
        }
    }
  reply = json_object_new ();
  json_object_set_object_member (reply, "conversation", lilac_purple_conversations_ref (conv));
  return reply;
}
