/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Conversation UI operations and what hangs on them. On the wire a
 * conversation is {"account","type","name"} with libpurple's normalized
 * name. Each conversation keeps that reference in its ui_data from creation,
 * because libpurple frees the name before it tells the UI a conversation is
 * destroyed, and because a conversation may be renamed (an IRC nick change):
 * the gateway then sees the old conversation closed and the new one opened.
 *
 * The conversation also holds the MESSAGE_SEND ids waiting for their echo:
 * an IM echo is written while the send runs, a chat echo may come later (an
 * XMPP room reflects our message), so the ids wait in a queue and each echo
 * takes the oldest one with the same text, or else the oldest one.
 */
#include "config.h"

#include "lilac-purple-conversations.h"

#include "lilac-error.h"
#include "lilac-purple-accounts.h"
#include "lilac-purple-chats.h"
#include "lilac-purple-core.h"
#include "lilac-purple-messages.h"
#include "lilac-worker-body.h"

/* an echo that takes longer than this will not come */
#define LILAC_PURPLE_PENDING_TTL_US (120 * G_USEC_PER_SEC)
#define LILAC_PURPLE_PENDING_MAX 64

typedef struct {
  char *id;         /* (owned) the gateway's message id */
  char *text;       /* (owned) the plain text sent */
  gint64 sent_at;   /* monotonic time of the send */
} LilacPurplePending;

typedef struct {
  char *account_id;             /* (owned) */
  PurpleConversationType type;
  char *name;                   /* (owned) the normalized name the gateway knows */
  GQueue pending;               /* (owned) LilacPurplePending, oldest first */
} LilacPurpleConversation;

static int lilac_purple_conversations_handle;

/* --------------------------------------------------------------- State */

static void
lilac_purple_pending_free (LilacPurplePending *pending)
{
  g_free (pending->id);
  g_free (pending->text);
  g_free (pending);
}

static void
lilac_purple_conversation_free (LilacPurpleConversation *state)
{
  if (state->pending.length > 0)
    g_debug ("%u sends closed without an echo", state->pending.length);
  g_queue_clear_full (&state->pending, (GDestroyNotify) lilac_purple_pending_free);
  g_free (state->account_id);
  g_free (state->name);
  g_free (state);
}

static void
lilac_purple_conversations_emit (const char              *type,
                                 LilacPurpleConversation *state,
                                 const char              *title)
{
  g_autoptr(JsonObject) event = lilac_purple_event_new (type);

  json_object_set_object_member (event, "conversation",
                                 lilac_purple_conversations_ref_new (state->account_id,
                                                                     state->type,
                                                                     state->name));
  if (title != NULL)
    json_object_set_string_member (event, "title", title);
  lilac_purple_emit (event);
}

static void
lilac_purple_conversations_emit_opened (PurpleConversation      *conv,
                                        LilacPurpleConversation *state)
{
  const char *title = purple_conversation_get_title (conv);

  lilac_purple_conversations_emit ("conversation.opened", state,
                                   title != NULL ? title : state->name);
}

static void
lilac_purple_conversations_create_cb (PurpleConversation *conv)
{
  PurpleAccount *account = purple_conversation_get_account (conv);
  const char *account_id = lilac_purple_accounts_get_id (account);
  LilacPurpleConversation *state;

  if (account_id == NULL)
    return;
  state = g_new0 (LilacPurpleConversation, 1);
  state->account_id = g_strdup (account_id);
  state->type = purple_conversation_get_type (conv);
  state->name = g_strdup (purple_normalize (account, purple_conversation_get_name (conv)));
  g_queue_init (&state->pending);
  conv->ui_data = state;
  lilac_purple_conversations_emit_opened (conv, state);
}

static void
lilac_purple_conversations_destroy_cb (PurpleConversation *conv)
{
  LilacPurpleConversation *state = conv->ui_data;

  if (state == NULL)
    return;
  conv->ui_data = NULL;
  lilac_purple_conversations_emit ("conversation.closed", state, NULL);
  lilac_purple_conversation_free (state);
}

static void
lilac_purple_conversations_expire (LilacPurpleConversation *state)
{
  gint64 now = g_get_monotonic_time ();

  while (state->pending.length > 0)
    {
      LilacPurplePending *oldest = g_queue_peek_head (&state->pending);

      if (now - oldest->sent_at < LILAC_PURPLE_PENDING_TTL_US &&
          state->pending.length <= LILAC_PURPLE_PENDING_MAX)
        return;
      g_debug ("send %s got no echo", oldest->id);
      lilac_purple_pending_free (g_queue_pop_head (&state->pending));
    }
}

/* ------------------------------------------------------- Signals */

static void
lilac_purple_conversations_topic_cb (PurpleConversation *conv,
                                     const char         *who,
                                     const char         *topic,
                                     gpointer            user_data)
{
  g_autoptr(JsonObject) event = NULL;
  JsonObject *ref = lilac_purple_conversations_ref (conv);

  if (ref == NULL)
    return;
  event = lilac_purple_event_new ("chat.topic");
  json_object_set_object_member (event, "conversation", ref);
  json_object_set_string_member (event, "topic", topic != NULL ? topic : "");
  lilac_purple_emit (event);
}

/* user_data is the wire state: "typing", "paused" or "none" */
static void
lilac_purple_conversations_typing_cb (PurpleAccount *account,
                                      const char    *name,
                                      gpointer       user_data)
{
  const char *account_id = lilac_purple_accounts_get_id (account);
  g_autoptr(JsonObject) event = NULL;

  if (account_id == NULL || name == NULL)
    return;
  event = lilac_purple_event_new ("typing");
  json_object_set_object_member (event, "conversation",
                                 lilac_purple_conversations_ref_new (account_id,
                                                                     PURPLE_CONV_TYPE_IM,
                                                                     purple_normalize (account,
                                                                                       name)));
  json_object_set_string_member (event, "from", name);
  json_object_set_string_member (event, "state", user_data);
  lilac_purple_emit (event);
}

static PurpleConversationUiOps lilac_purple_conversations_ops = {
  .create_conversation = lilac_purple_conversations_create_cb,
  .destroy_conversation = lilac_purple_conversations_destroy_cb,
  .write_conv = lilac_purple_messages_write,
  .chat_add_users = lilac_purple_chats_add_users,
  .chat_rename_user = lilac_purple_chats_rename_user,
  .chat_remove_users = lilac_purple_chats_remove_users,
};

/* ------------------------------------------------------------- Public API */

/**
 * lilac_purple_conversations_get_ui_ops:
 *
 * Returns: (transfer none): the conversation UI operations
 */
PurpleConversationUiOps *
lilac_purple_conversations_get_ui_ops (void)
{
  return &lilac_purple_conversations_ops;
}

/**
 * lilac_purple_conversations_init:
 *
 * Follows topics and typing. Call from the core's ui_init.
 */
void
lilac_purple_conversations_init (void)
{
  static const struct {
    const char *signal;
    const char *state;
  } typing[] = {
    { "buddy-typing", "typing" },
    { "buddy-typed", "paused" },
    { "buddy-typing-stopped", "none" },
  };
  void *conversations = purple_conversations_get_handle ();

  purple_signal_connect (conversations, "chat-topic-changed", &lilac_purple_conversations_handle,
                         PURPLE_CALLBACK (lilac_purple_conversations_topic_cb), NULL);
  for (unsigned i = 0; i < G_N_ELEMENTS (typing); i++)
    purple_signal_connect (conversations, typing[i].signal, &lilac_purple_conversations_handle,
                           PURPLE_CALLBACK (lilac_purple_conversations_typing_cb),
                           (gpointer) typing[i].state);
}

/**
 * lilac_purple_conversations_ref_new:
 * @account_id: the gateway's account id
 * @type: %PURPLE_CONV_TYPE_IM or %PURPLE_CONV_TYPE_CHAT
 * @name: the normalized conversation name
 *
 * Returns: (transfer full): a conversation reference
 */
JsonObject *
lilac_purple_conversations_ref_new (const char            *account_id,
                                    PurpleConversationType type,
                                    const char            *name)
{
  JsonObject *ref = json_object_new ();

  json_object_set_string_member (ref, "account", account_id);
  json_object_set_string_member (ref, "type", type == PURPLE_CONV_TYPE_CHAT ? "chat" : "im");
  json_object_set_string_member (ref, "name", name);
  return ref;
}

/**
 * lilac_purple_conversations_ref:
 * @conv: a conversation
 *
 * Returns the reference of @conv; when its name changed since the gateway
 * last heard of it, reports the old conversation closed and the new opened.
 *
 * Returns: (transfer full) (nullable): the reference, %NULL for a
 *   conversation the gateway is not told about
 */
JsonObject *
lilac_purple_conversations_ref (PurpleConversation *conv)
{
  LilacPurpleConversation *state = conv->ui_data;
  g_autofree char *name = NULL;

  if (state == NULL)
    return NULL;
  name = g_strdup (purple_normalize (purple_conversation_get_account (conv),
                                     purple_conversation_get_name (conv)));
  if (g_strcmp0 (name, state->name) != 0)
    {
      lilac_purple_conversations_emit ("conversation.closed", state, NULL);
      g_free (state->name);
      state->name = g_steal_pointer (&name);
      lilac_purple_conversations_emit_opened (conv, state);
    }
  return lilac_purple_conversations_ref_new (state->account_id, state->type, state->name);
}

/**
 * lilac_purple_conversations_parse_ref:
 * @object: a conversation reference from a request
 * @connected: whether its account must be connected
 * @ref: (out caller-allocates): what it names
 * @error: return location for a #GError
 *
 * Returns: %FALSE with bad_request for a malformed reference, not_found for
 *   an unknown account, unavailable when @connected and it is not connected
 */
gboolean
lilac_purple_conversations_parse_ref (JsonObject                 *object,
                                      gboolean                    connected,
                                      LilacPurpleConversationRef *ref,
                                      GError                    **error)
{
  const char *type;

  if (!lilac_worker_body_get_string (object, "account", TRUE, LILAC_WORKER_BODY_MAX_ID,
                                     &ref->account_id, error) ||
      !lilac_worker_body_get_string (object, "type", TRUE, 16, &type, error) ||
      !lilac_worker_body_get_string (object, "name", TRUE, LILAC_WORKER_BODY_MAX_NAME,
                                     &ref->name, error))
    return FALSE;
  if (g_str_equal (type, "im"))
    ref->type = PURPLE_CONV_TYPE_IM;
  else if (g_str_equal (type, "chat"))
    ref->type = PURPLE_CONV_TYPE_CHAT;
  else
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "unknown conversation type \"%s\"", type);
      return FALSE;
    }
  ref->account = lilac_purple_accounts_lookup (ref->account_id, connected, error);
  return ref->account != NULL;
}

/**
 * lilac_purple_conversations_find:
 * @ref: a parsed reference
 * @error: return location for a #GError
 *
 * Returns: (transfer none) (nullable): the open conversation, or %NULL with
 *   %LILAC_ERROR_NOT_FOUND
 */
PurpleConversation *
lilac_purple_conversations_find (const LilacPurpleConversationRef *ref,
                                 GError                          **error)
{
  PurpleConversation *conv = purple_find_conversation_with_account (ref->type, ref->name,
                                                                    ref->account);

  if (conv == NULL || conv->ui_data == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND,
                   "no open conversation \"%s\"", ref->name);
      return NULL;
    }
  return conv;
}

/**
 * lilac_purple_conversations_push_pending:
 * @conv: a conversation
 * @id: the gateway's id of a message about to be sent
 * @text: its plain text
 *
 * Queues @id for the echo of the message.
 */
void
lilac_purple_conversations_push_pending (PurpleConversation *conv,
                                         const char         *id,
                                         const char         *text)
{
  LilacPurpleConversation *state = conv->ui_data;
  LilacPurplePending *pending;

  if (state == NULL)
    return;
  pending = g_new0 (LilacPurplePending, 1);
  pending->id = g_strdup (id);
  pending->text = g_strdup (text);
  pending->sent_at = g_get_monotonic_time ();
  g_queue_push_tail (&state->pending, pending);
  lilac_purple_conversations_expire (state);
}

/**
 * lilac_purple_conversations_take_pending:
 * @conv: a conversation
 * @text: the plain text of an echo
 *
 * Returns: (transfer full) (nullable): the id of the oldest waiting send
 *   with @text, else of the oldest one; %NULL when none waits
 */
char *
lilac_purple_conversations_take_pending (PurpleConversation *conv,
                                         const char         *text)
{
  LilacPurpleConversation *state = conv->ui_data;
  LilacPurplePending *pending = NULL;
  char *id;

  if (state == NULL)
    return NULL;
  lilac_purple_conversations_expire (state);
  for (GList *l = state->pending.head; l != NULL; l = l->next)
    {
      if (g_strcmp0 (((LilacPurplePending *) l->data)->text, text) == 0)
        {
          pending = l->data;
          g_queue_delete_link (&state->pending, l);
          break;
        }
    }
  if (pending == NULL)
    pending = g_queue_pop_head (&state->pending);
  if (pending == NULL)
    return NULL;
  id = g_steal_pointer (&pending->id);
  lilac_purple_pending_free (pending);
  return id;
}

/**
 * lilac_purple_conversations_drop_pending:
 * @conv: a conversation
 * @id: the id of a send
 *
 * Returns: %TRUE if @id was still waiting for its echo (and now no longer is)
 */
gboolean
lilac_purple_conversations_drop_pending (PurpleConversation *conv,
                                         const char         *id)
{
  LilacPurpleConversation *state = conv->ui_data;

  if (state == NULL)
    return FALSE;
  for (GList *l = state->pending.head; l != NULL; l = l->next)
    {
      LilacPurplePending *pending = l->data;

      if (g_strcmp0 (pending->id, id) == 0)
        {
          g_queue_delete_link (&state->pending, l);
          lilac_purple_pending_free (pending);
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * lilac_purple_conversations_close:
 * @body: a CONVERSATION_CLOSE body: {"conversation":REF}
 * @error: return location for a #GError
 *
 * Closes an IM, or leaves a chat and closes it.
 *
 * Returns: (transfer full) (nullable): the reply, {}
 */
JsonObject *
lilac_purple_conversations_close (JsonObject *body,
                                  GError    **error)
{
  JsonObject *object = lilac_worker_body_get_object (body, "conversation", error);
  LilacPurpleConversationRef ref;
  PurpleConversation *conv;

  if (object == NULL || !lilac_purple_conversations_parse_ref (object, FALSE, &ref, error))
    return NULL;
  conv = lilac_purple_conversations_find (&ref, error);
  if (conv == NULL)
    return NULL;
  purple_conversation_destroy (conv);
  return json_object_new ();
}

static gboolean
lilac_purple_conversations_parse_typing (const char        *name,
                                         PurpleTypingState *state,
                                         GError           **error)
{
  if (g_str_equal (name, "typing"))
    *state = PURPLE_TYPING;
  else if (g_str_equal (name, "paused"))
    *state = PURPLE_TYPED;
  else if (g_str_equal (name, "none"))
    *state = PURPLE_NOT_TYPING;
  else
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "unknown typing state \"%s\"", name);
      return FALSE;
    }
  return TRUE;
}

/**
 * lilac_purple_conversations_set_typing:
 * @body: a TYPING_SET body: {"conversation":REF,"state"}
 * @error: return location for a #GError
 *
 * Tells the peer of an IM whether the user types; chats have no typing
 * notifications in libpurple, so for them this does nothing.
 *
 * Returns: (transfer full) (nullable): the reply, {}
 */
JsonObject *
lilac_purple_conversations_set_typing (JsonObject *body,
                                       GError    **error)
{
  JsonObject *object = lilac_worker_body_get_object (body, "conversation", error);
  LilacPurpleConversationRef ref;
  PurpleTypingState typing;
  PurpleConversation *conv;
  const char *state;

  if (object == NULL ||
      !lilac_worker_body_get_string (body, "state", TRUE, 16, &state, error) ||
      !lilac_purple_conversations_parse_typing (state, &typing, error) ||
      !lilac_purple_conversations_parse_ref (object, TRUE, &ref, error))
    return NULL;
  if (ref.type == PURPLE_CONV_TYPE_IM)
    {
      conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, ref.name, ref.account);
      serv_send_typing (purple_account_get_connection (ref.account),
                        conv != NULL ? purple_conversation_get_name (conv) : ref.name, typing);
    }
  return json_object_new ();
}
