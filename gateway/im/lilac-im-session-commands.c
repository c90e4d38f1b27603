/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * What a user asks of their IM session besides messages and chats:
 * presence, buddies, typing, closing and reading conversations, answering
 * requests and changing settings. Each is checked against the user's own
 * accounts and conversations (another user's id is NOT_FOUND) before the
 * worker hears of it.
 */
#include "config.h"

#include "lilac-im-session-private.h"

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-wire.h"

/* notices kept for /state */
#define LILAC_IM_SESSION_NOTICES 20

static const char *const lilac_im_session_statuses[] = {
  "available", "away", "busy", "invisible", "offline", NULL
};

static const char *const lilac_im_session_policies[] = {
  "ask", "accept_all", "accept_buddies", "reject", NULL
};

static char *
lilac_im_session_id_text (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static JsonObject *
lilac_im_session_reference_json (const LilacConversation *conversation)
{
  JsonObject *reference = json_object_new ();
  g_autofree char *account = lilac_im_session_id_text (conversation->account_id);

  json_object_set_string_member (reference, "account", account);
  json_object_set_string_member (reference, "type", conversation->type);
  json_object_set_string_member (reference, "name", conversation->name);
  return reference;
}

/* completes @task (transfer full) with TRUE when the worker answers the request */
static void
lilac_im_session_call_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) reply = NULL;
  GError *local_error = NULL;

  reply = lilac_worker_proxy_request_finish (LILAC_WORKER_PROXY (source), result, &local_error);
  if (reply == NULL)
    g_task_return_error (task, local_error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
lilac_im_session_call (LilacImSession *self,
                       LilacWireType   type,
                       JsonObject     *body,
                       GTask          *task)
{
  GError *local_error = NULL;

  if (!lilac_im_session_check_running (self, &local_error))
    {
      g_task_return_error (task, local_error);
      g_object_unref (task);
      return;
    }
  lilac_worker_proxy_request_async (self->worker, type, body, g_task_get_cancellable (task),
                                    lilac_im_session_call_cb, task);
}

static void
lilac_im_session_ignore_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(JsonObject) reply = NULL;

  reply = lilac_worker_proxy_request_finish (LILAC_WORKER_PROXY (source), result, NULL);
}

static void
lilac_im_session_tell_worker (LilacImSession *self,
                              LilacWireType   type,
                              JsonObject     *body)
{
  if (self->worker != NULL && lilac_worker_proxy_get_state (self->worker) == LILAC_WORKER_RUNNING)
    lilac_worker_proxy_request_async (self->worker, type, body, NULL, lilac_im_session_ignore_cb,
                                      NULL);
}

/**
 * lilac_im_session_finish_command:
 * @self: a session
 * @result: the result of one of the command functions below
 * @error: return location for a #GError
 *
 * The _finish of every asynchronous command of this file.
 */
gboolean
lilac_im_session_finish_command (LilacImSession *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------- Presence */

void
lilac_im_session_send_presence (LilacImSession *self)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "status", self->presence_status);
  json_object_set_string_member (body, "message", self->presence_message);
  lilac_im_session_tell_worker (self, LILAC_WIRE_PRESENCE_SET, body);
}

/**
 * lilac_im_session_set_presence:
 * @self: a session
 * @status: available, away, busy, invisible or offline
 * @message: (nullable): a status message
 * @error: return location for a #GError
 *
 * Sets the user's presence on every enabled account, now and whenever the
 * worker restarts; other tabs learn it from a `user.presence` event.
 */
gboolean
lilac_im_session_set_presence (LilacImSession *self,
                               const char     *status,
                               const char     *message,
                               GError        **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();

  if (!g_strv_contains (lilac_im_session_statuses, status))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the status must be available, away, busy, invisible or offline, not \"%s\"",
                   status);
      return FALSE;
    }
  g_free (self->presence_status);
  g_free (self->presence_message);
  self->presence_status = g_strdup (status);
  self->presence_message = g_strdup (message != NULL ? message : "");
  lilac_im_session_send_presence (self);
  json_object_set_string_member (fields, "status", self->presence_status);
  json_object_set_string_member (fields, "message", self->presence_message);
  lilac_im_session_push (self, "user.presence", fields);
  return TRUE;
}

/* ------------------------------------------------------------------ Buddies */

/**
 * lilac_im_session_add_buddy_async:
 * @self: a session
 * @account_id: the account
 * @name: the buddy's name on the network
 * @alias: (nullable): a local name for the buddy
 * @group: (nullable): the group to put the buddy in
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the worker has added the buddy
 * @user_data: data for @callback
 *
 * Adds a buddy (and asks for a presence subscription where the network
 * has them). Finish with lilac_im_session_finish_command().
 */
void
lilac_im_session_add_buddy_async (LilacImSession     *self,
                                  const char         *account_id,
                                  const char         *name,
                                  const char         *alias,
                                  const char         *group,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonObject) body = json_object_new ();
  GError *local_error = NULL;
  LilacImAccount *account = lilac_im_session_find_account (self, account_id, &local_error);

  g_task_set_source_tag (task, lilac_im_session_add_buddy_async);
  if (account == NULL)
    {
      g_task_return_error (task, local_error);
      g_object_unref (task);
      return;
    }
  json_object_set_string_member (body, "account", account_id);
  json_object_set_string_member (body, "name", name);
  if (alias != NULL)
    json_object_set_string_member (body, "alias", alias);
  if (group != NULL)
    json_object_set_string_member (body, "group", group);
  lilac_im_session_call (self, LILAC_WIRE_BUDDY_ADD, body, task);
}

/* a request about one person of one of the user's accounts: {"account","name"} */
static void
lilac_im_session_call_about (LilacImSession *self,
                             LilacWireType   type,
                             const char     *account_id,
                             const char     *name,
                             GTask          *task)
{
  g_autoptr(JsonObject) body = json_object_new ();
  GError *local_error = NULL;
  LilacImAccount *account = lilac_im_session_find_account (self, account_id, &local_error);

  if (account == NULL)
    {
      g_task_return_error (task, local_error);
      g_object_unref (task);
      return;
    }
  json_object_set_string_member (body, "account", account_id);
  json_object_set_string_member (body, "name", name);
  lilac_im_session_call (self, type, body, task);
}

/**
 * lilac_im_session_remove_buddy_async:
 *
 * Removes a buddy. Finish with lilac_im_session_finish_command().
 */
void
lilac_im_session_remove_buddy_async (LilacImSession     *self,
                                     const char         *account_id,
                                     const char         *name,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lilac_im_session_remove_buddy_async);
  lilac_im_session_call_about (self, LILAC_WIRE_BUDDY_REMOVE, account_id, name, task);
}

/**
 * lilac_im_session_get_buddy_info_async:
 *
 * Asks the account's server what it knows of @name (a buddy or not): the
 * answer comes as a notify event of that account. Finish with
 * lilac_im_session_finish_command().
 */
void
lilac_im_session_get_buddy_info_async (LilacImSession     *self,
                                       const char         *account_id,
                                       const char         *name,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lilac_im_session_get_buddy_info_async);
  lilac_im_session_call_about (self, LILAC_WIRE_BUDDY_INFO, account_id, name, task);
}

/* ----------------------------------------------------------- Conversations */

/**
 * lilac_im_session_set_typing:
 * @self: a session
 * @conversation_id: the conversation
 * @state: typing, paused or none
 * @error: return location for a #GError
 *
 * Tells the other side whether the user is typing; best effort.
 */
gboolean
lilac_im_session_set_typing (LilacImSession *self,
                             const char     *conversation_id,
                             const char     *state,
                             GError        **error)
{
  static const char *const states[] = { "typing", "paused", "none", NULL };
  g_autoptr(LilacConversation) conversation = NULL;
  g_autoptr(JsonObject) body = json_object_new ();

  if (!g_strv_contains (states, state))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the state must be typing, paused or none");
      return FALSE;
    }
  conversation = lilac_im_session_find_conversation (self, conversation_id, error);
  if (conversation == NULL)
    return FALSE;
  json_object_set_object_member (body, "conversation", lilac_im_session_reference_json (conversation));
  json_object_set_string_member (body, "state", state);
  lilac_im_session_tell_worker (self, LILAC_WIRE_TYPING_SET, body);
  return TRUE;
}

/**
 * lilac_im_session_close_conversation:
 * @self: a session
 * @conversation_id: the conversation
 * @error: return location for a #GError
 *
 * Leaves a chat or closes an IM; its history stays, and a new message opens
 * it again.
 */
gboolean
lilac_im_session_close_conversation (LilacImSession *self,
                                     const char     *conversation_id,
                                     GError        **error)
{
  g_autoptr(LilacConversation) conversation = NULL;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonObject) fields = json_object_new ();

  conversation = lilac_im_session_find_conversation (self, conversation_id, error);
  if (conversation == NULL)
    return FALSE;
  json_object_set_object_member (body, "conversation", lilac_im_session_reference_json (conversation));
  lilac_im_session_tell_worker (self, LILAC_WIRE_CONVERSATION_CLOSE, body);
  if (!conversation->open)
    return TRUE;
  if (!lilac_conversation_store_set_open (lilac_im_manager_get_conversations (self->manager),
                                          conversation, FALSE, error))
    return FALSE;
  g_hash_table_remove (self->members, &conversation->id);
  g_hash_table_remove (self->unread_seqs, &conversation->id);
  json_object_set_object_member (fields, "conversation", lilac_conversation_to_json (conversation));
  lilac_im_session_push (self, "conversation.closed", fields);
  return TRUE;
}

/**
 * lilac_im_session_note_unread:
 * @self: a session
 * @conversation_id: where an unread message arrived
 * @seq: the seq of its event
 *
 * Remembers which events made the unread count, so a read mark with a seq
 * clears exactly the messages the client had seen.
 */
void
lilac_im_session_note_unread (LilacImSession *self,
                              gint64          conversation_id,
                              guint64         seq)
{
  GArray *seqs = g_hash_table_lookup (self->unread_seqs, &conversation_id);

  if (seqs == NULL)
    {
      seqs = g_array_new (FALSE, FALSE, sizeof (guint64));
      g_hash_table_insert (self->unread_seqs, g_memdup2 (&conversation_id, sizeof (gint64)), seqs);
    }
  g_array_append_val (seqs, seq);
}

/**
 * lilac_im_session_mark_read:
 * @self: a session
 * @conversation_id: the conversation
 * @seq: the newest event the client has shown, or 0 for everything
 * @error: return location for a #GError
 *
 * Drops the unread count for the messages up to @seq, for every tab: the
 * new count comes as a `conversation.read` event.
 */
gboolean
lilac_im_session_mark_read (LilacImSession *self,
                            const char     *conversation_id,
                            guint64         seq,
                            GError        **error)
{
  g_autoptr(LilacConversation) conversation = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  GArray *seqs;
  gint64 unread = 0;

  conversation = lilac_im_session_find_conversation (self, conversation_id, error);
  if (conversation == NULL)
    return FALSE;
  seqs = g_hash_table_lookup (self->unread_seqs, &conversation->id);
  if (seqs != NULL && seq != 0)
    {
      guint kept = 0;

      for (guint i = 0; i < seqs->len; i++)
        {
          if (g_array_index (seqs, guint64, i) > seq)
            g_array_index (seqs, guint64, kept++) = g_array_index (seqs, guint64, i);
        }
      g_array_set_size (seqs, kept);
      unread = MIN ((gint64) kept, conversation->unread);
    }
  else if (seqs != NULL)
    g_array_set_size (seqs, 0);
  if (unread == conversation->unread)
    return TRUE;
  conversation->unread = unread;
  if (!lilac_conversation_store_set_unread (lilac_im_manager_get_conversations (self->manager),
                                            conversation, unread, error))
    return FALSE;
  json_object_set_string_member (fields, "conversation", conversation_id);
  json_object_set_int_member (fields, "unread", unread);
  lilac_im_session_push (self, "conversation.read", fields);
  return TRUE;
}

/* ---------------------------------------------------------------- Requests */

/**
 * lilac_im_session_close_requests:
 *
 * Closes every open request, e.g. when the worker that asked them is gone.
 */
void
lilac_im_session_close_requests (LilacImSession *self)
{
  g_autoptr(GList) ids = g_hash_table_get_keys (self->requests);

  for (GList *l = ids; l != NULL; l = l->next)
    {
      g_autoptr(JsonObject) fields = json_object_new ();

      json_object_set_string_member (fields, "id", l->data);
      lilac_im_session_push (self, "request.closed", fields);
    }
  g_hash_table_remove_all (self->request_ids);
  g_hash_table_remove_all (self->requests);
}

static const char *
lilac_im_session_worker_request_id (LilacImSession *self,
                                    const char     *request_id)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->request_ids);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_str_equal (value, request_id))
        return key;
    }
  return NULL;
}

static gboolean
lilac_im_session_resolve_action (JsonObject *request,
                                 JsonNode   *action,
                                 gint64     *index,
                                 GError    **error)
{
  JsonArray *actions = json_object_get_array_member (request, "actions");
  unsigned count = actions != NULL ? json_array_get_length (actions) : 0;

  if (action != NULL && JSON_NODE_HOLDS_VALUE (action) &&
      json_node_get_value_type (action) == G_TYPE_INT64)
    {
      *index = json_node_get_int (action);
      if (*index >= 0 && *index < count)
        return TRUE;
    }
  else if (action != NULL && JSON_NODE_HOLDS_VALUE (action) &&
           json_node_get_value_type (action) == G_TYPE_STRING)
    {
      for (unsigned i = 0; i < count; i++)
        {
          if (g_strcmp0 (json_array_get_string_element (actions, i),
                         json_node_get_string (action)) == 0)
            {
              *index = i;
              return TRUE;
            }
        }
    }
  g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       "the action must be the index or the name of one of the request's actions");
  return FALSE;
}

static void
lilac_im_session_answered_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LilacImSession *self = g_task_get_source_object (task);
  const char *request_id = g_task_get_task_data (task);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  const char *worker_id;
  GError *local_error = NULL;

  reply = lilac_worker_proxy_request_finish (LILAC_WORKER_PROXY (source), result, &local_error);
  if (reply == NULL && !lilac_error_is_not_found (local_error))
    {
      g_task_return_error (task, local_error);
      return;
    }
  /* answered, or gone already in the worker: either way it is closed */
  worker_id = lilac_im_session_worker_request_id (self, request_id);
  if (worker_id != NULL)
    g_hash_table_remove (self->request_ids, worker_id);
  if (g_hash_table_remove (self->requests, request_id))
    {
      json_object_set_string_member (fields, "id", request_id);
      lilac_im_session_push (self, "request.closed", fields);
    }
  if (reply == NULL)
    g_task_return_error (task, local_error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * lilac_im_session_answer_request_async:
 * @self: a session
 * @request_id: a request of `/state` or `request.opened`
 * @action: the action's index or name
 * @fields: (nullable): values for a fields request
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the worker has the answer
 * @user_data: data for @callback
 *
 * Answers a libpurple request; every tab gets `request.closed`. Finish with
 * lilac_im_session_finish_command().
 */
void
lilac_im_session_answer_request_async (LilacImSession     *self,
                                       const char         *request_id,
                                       JsonNode           *action,
                                       JsonObject         *fields,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  JsonObject *request = g_hash_table_lookup (self->requests, request_id);
  const char *worker_id = lilac_im_session_worker_request_id (self, request_id);
  g_autoptr(JsonObject) body = json_object_new ();
  GError *local_error = NULL;
  gint64 index = 0;

  g_task_set_source_tag (task, lilac_im_session_answer_request_async);
  g_task_set_task_data (task, g_strdup (request_id), g_free);
  if (request == NULL || worker_id == NULL)
    g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such request");
  else
    lilac_im_session_resolve_action (request, action, &index, &local_error);
  if (local_error != NULL || !lilac_im_session_check_running (self, &local_error))
    {
      g_task_return_error (task, local_error);
      g_object_unref (task);
      return;
    }
  json_object_set_string_member (body, "request", worker_id);
  json_object_set_int_member (body, "action", index);
  if (fields != NULL)
    json_object_set_object_member (body, "fields", json_object_ref (fields));
  lilac_worker_proxy_request_async (self->worker, LILAC_WIRE_REQUEST_ANSWER, body, cancellable,
                                    lilac_im_session_answered_cb, task);
}

/* ---------------------------------------------------------------- Settings */

void
lilac_im_session_send_settings (LilacImSession *self)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "subscription_policy",
                                 json_object_get_string_member_with_default (self->settings,
                                                                             "subscription_policy",
                                                                             "ask"));
  lilac_im_session_tell_worker (self, LILAC_WIRE_SETTINGS_SET, body);
}

/**
 * lilac_im_session_check_settings:
 * @changes: a `PATCH /users/me/settings` body
 * @error: return location for a #GError
 *
 * Returns: whether every member is a known setting with a valid value
 */
gboolean
lilac_im_session_check_settings (JsonObject *changes,
                                 GError    **error)
{
  static const char *const allowed[] = { "always_on", "language", "subscription_policy", NULL };
  const char *policy, *language;
  gboolean always_on;

  if (!lilac_json_check_members (changes, allowed, error) ||
      !lilac_json_get_bool (changes, "always_on", FALSE, &always_on, error))
    return FALSE;
  language = lilac_json_get_string (changes, "language", FALSE, 16, error);
  if (language == NULL && *error != NULL)
    return FALSE;
  if (language != NULL && !g_regex_match_simple ("^[a-z]{2,3}(_[A-Z]{2})?$", language, 0, 0))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the language must look like \"en\" or \"zh_CN\"");
      return FALSE;
    }
  policy = lilac_json_get_string (changes, "subscription_policy", FALSE, 32, error);
  if (policy == NULL && *error != NULL)
    return FALSE;
  if (policy != NULL && !g_strv_contains (lilac_im_session_policies, policy))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the subscription policy must be ask, accept_all, accept_buddies or reject");
      return FALSE;
    }
  return TRUE;
}

/**
 * lilac_im_session_apply_settings:
 * @self: a session
 * @settings: (transfer none): the user's whole settings after a change
 *
 * Keeps the settings and hands the worker what it applies.
 */
void
lilac_im_session_apply_settings (LilacImSession *self,
                                 JsonObject     *settings)
{
  json_object_unref (self->settings);
  self->settings = json_object_ref (settings);
  lilac_im_session_send_settings (self);
}

JsonObject *
lilac_im_session_get_settings (LilacImSession *self)
{
  return self->settings;
}

/**
 * lilac_im_session_update_settings:
 * @self: a session
 * @changes: a `PATCH /users/me/settings` body
 * @error: return location for a #GError
 *
 * Checks and stores the changed settings. Turning always-on on wraps the
 * user's data key with the server key; turning it off forgets that copy.
 *
 * Returns: (transfer none) (nullable): the user's settings afterwards
 */
JsonObject *
lilac_im_session_update_settings (LilacImSession *self,
                                  JsonObject     *changes,
                                  GError        **error)
{
  LilacUserStore *users = lilac_im_manager_get_users (self->manager);
  g_autoptr(JsonObject) settings = NULL;
  g_autoptr(GList) names = NULL;
  gboolean always_on;

  if (!lilac_im_session_check_settings (changes, error))
    return NULL;
  settings = lilac_user_store_get_settings (users, self->user->id, error);
  if (settings == NULL)
    return NULL;
  names = json_object_get_members (changes);
  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (settings, l->data, json_node_copy (json_object_get_member (changes,
                                                                                        l->data)));
  if (json_object_has_member (changes, "always_on"))
    {
      always_on = json_object_get_boolean_member (changes, "always_on");
      if (always_on && lilac_im_manager_get_server_key (self->manager) == NULL)
        {
          g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE,
                               "this gateway has no server key for always-on users");
          return NULL;
        }
      if (!lilac_user_store_set_always_on (users, self->user->id,
                                           always_on ? lilac_im_manager_get_server_key (self->manager)
                                                     : NULL,
                                           self->data_key, error))
        return NULL;
    }
  if (!lilac_user_store_put_settings (users, self->user->id, settings, error))
    return NULL;
  lilac_im_session_apply_settings (self, settings);
  return self->settings;
}

/**
 * lilac_im_session_notify:
 * @self: a session
 * @level: info, warning or error
 * @title: a title
 * @text: the text
 *
 * Tells the user something, as a `notify` event.
 */
void
lilac_im_session_notify (LilacImSession *self,
                         const char     *level,
                         const char     *title,
                         const char     *text)
{
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_string_member (fields, "level", level);
  json_object_set_string_member (fields, "title", title);
  json_object_set_string_member (fields, "text", text);
  lilac_im_session_push_notice (self, fields);
}

/**
 * lilac_im_session_push_notice:
 * @self: a session
 * @fields: (transfer none): the fields of a `notify` event
 *
 * Sends the `notify` event and keeps it for /state, for a client that
 * starts after the event.
 */
void
lilac_im_session_push_notice (LilacImSession *self,
                              JsonObject     *fields)
{
  json_object_set_int_member (fields, "time", g_get_real_time () / 1000);
  lilac_im_session_push (self, "notify", fields);
  g_queue_push_tail (&self->notices, json_object_ref (fields));
  while (g_queue_get_length (&self->notices) > LILAC_IM_SESSION_NOTICES)
    json_object_unref (g_queue_pop_head (&self->notices));
}

/**
 * lilac_im_session_touch:
 *
 * Notes that a login of the user did something, for the idle timeout.
 */
void
lilac_im_session_touch (LilacImSession *self)
{
  self->last_active = g_get_monotonic_time ();
}

gint64
lilac_im_session_get_last_active (LilacImSession *self)
{
  return self->last_active;
}
