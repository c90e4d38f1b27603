/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A user's IM session: it holds the user's data key while the user is
 * logged in somewhere, starts the worker when there is an enabled account,
 * gives it the accounts (with their opened passwords) each time it starts,
 * and answers /state from its mirror, so a restarting worker costs the
 * client nothing.
 */
#include "config.h"

#include "lilac-im-session-private.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-im-account-store.h"
#include "lilac-json.h"
#include "lilac-metrics.h"
#include "lilac-wire.h"

G_DEFINE_TYPE (LilacImSession, lilac_im_session, G_TYPE_OBJECT)

enum {
  SIGNAL_EVENT_PUSHED,
  N_SIGNALS
};

static guint lilac_im_session_signals[N_SIGNALS];

static void
lilac_account_status_free (LilacAccountStatus *status)
{
  g_free (status->status);
  g_free (status->error);
  g_free (status);
}

static void
lilac_im_session_dispose (GObject *object)
{
  LilacImSession *self = LILAC_IM_SESSION (object);

  if (self->worker != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->worker, self);
      lilac_worker_proxy_stop (self->worker);
      g_clear_object (&self->worker);
    }
  G_OBJECT_CLASS (lilac_im_session_parent_class)->dispose (object);
}

static void
lilac_im_session_finalize (GObject *object)
{
  LilacImSession *self = LILAC_IM_SESSION (object);

  g_clear_pointer (&self->user, lilac_user_free);
  g_clear_pointer (&self->data_key, lilac_key_unref);
  g_clear_pointer (&self->queue, lilac_event_queue_free);
  g_hash_table_unref (self->accounts);
  g_hash_table_unref (self->statuses);
  g_hash_table_unref (self->buddies);
  g_hash_table_unref (self->members);
  g_hash_table_unref (self->topics);
  g_hash_table_unref (self->pending_out);
  g_hash_table_unref (self->requests);
  g_hash_table_unref (self->request_ids);
  g_hash_table_unref (self->unread_seqs);
  g_hash_table_unref (self->transfer_ids);
  g_hash_table_unref (self->transfers);
  json_object_unref (self->settings);
  g_clear_pointer (&self->worker_plugins, json_object_unref);
  g_free (self->presence_status);
  g_free (self->presence_message);
  G_OBJECT_CLASS (lilac_im_session_parent_class)->finalize (object);
}

static void
lilac_im_session_class_init (LilacImSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lilac_im_session_dispose;
  object_class->finalize = lilac_im_session_finalize;

  /* an event was appended to the stream; the argument is its seq (guint64) */
  lilac_im_session_signals[SIGNAL_EVENT_PUSHED] =
    g_signal_new ("event-pushed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
lilac_im_session_init (LilacImSession *self)
{
  self->accounts = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                          (GDestroyNotify) lilac_im_account_free);
  self->statuses = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                          (GDestroyNotify) lilac_account_status_free);
  self->buddies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) json_object_unref);
  self->members = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify) g_hash_table_unref);
  self->topics = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->pending_out = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) json_object_unref);
  self->request_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->unread_seqs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify) g_array_unref);
  self->settings = json_object_new ();
  self->last_active = g_get_monotonic_time ();
  lilac_im_session_transfers_init (self);
  self->presence_status = g_strdup ("available");
  self->presence_message = g_strdup ("");
}

/* ------------------------------------------------------- Events and status */

/**
 * lilac_im_session_push:
 * @self: a session
 * @type: the event type
 * @fields: (nullable) (transfer none): the event's fields
 *
 * Appends an event to the user's stream and wakes whoever waits for it.
 *
 * Returns: the event's seq
 */
guint64
lilac_im_session_push (LilacImSession *self,
                       const char     *type,
                       JsonObject     *fields)
{
  guint64 seq = lilac_event_queue_push (self->queue, type, fields);

  lilac_metrics_add (LILAC_METRIC_EVENTS, 1);
  g_signal_emit (self, lilac_im_session_signals[SIGNAL_EVENT_PUSHED], 0, seq);
  return seq;
}

/**
 * lilac_im_session_set_status:
 *
 * Records an account's status and tells the clients, if it changed.
 */
void
lilac_im_session_set_status (LilacImSession *self,
                             gint64          account_id,
                             const char     *status,
                             const char     *error)
{
  lilac_im_session_set_status_reason (self, account_id, status, error, NULL, -1);
}

/**
 * lilac_im_session_set_status_reason:
 * @reason: (nullable): why the account is in error: network, auth, certificate or other
 * @retry_in: milliseconds before the worker signs on again by itself, or -1
 *
 * lilac_im_session_set_status() with the worker's reason and retry delay,
 * which the event carries; an error with a retry delay is always told.
 */
void
lilac_im_session_set_status_reason (LilacImSession *self,
                                    gint64          account_id,
                                    const char     *status,
                                    const char     *error,
                                    const char     *reason,
                                    gint64          retry_in)
{
  LilacAccountStatus *current = g_hash_table_lookup (self->statuses, &account_id);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);

  if (current == NULL)
    {
      current = g_new0 (LilacAccountStatus, 1);
      g_hash_table_insert (self->statuses, g_memdup2 (&account_id, sizeof account_id), current);
    }
  else if (g_strcmp0 (current->status, status) == 0 && g_strcmp0 (current->error, error) == 0 &&
           retry_in < 0)
    return;
  g_free (current->status);
  g_free (current->error);
  current->status = g_strdup (status);
  current->error = g_strdup (error);

  json_object_set_string_member (fields, "account", id);
  json_object_set_string_member (fields, "status", status);
  if (error != NULL)
    json_object_set_string_member (fields, "error", error);
  if (reason != NULL)
    json_object_set_string_member (fields, "reason", reason);
  if (retry_in >= 0)
    json_object_set_int_member (fields, "retry_in", retry_in);
  lilac_im_session_push (self, "account.status", fields);
}

static JsonObject *
lilac_im_session_account_json (LilacImSession *self,
                               LilacImAccount *account)
{
  JsonObject *object = lilac_im_account_to_json (account);
  LilacAccountStatus *status = g_hash_table_lookup (self->statuses, &account->id);

  json_object_set_string_member (object, "status", status != NULL ? status->status : "offline");
  if (status != NULL && status->error != NULL)
    json_object_set_string_member (object, "error", status->error);
  return object;
}

/* tells every tab about an account's settings (never its password) */
static void
lilac_im_session_push_account (LilacImSession *self,
                               const char     *type,
                               LilacImAccount *account)
{
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_object_member (fields, "account", lilac_im_session_account_json (self, account));
  lilac_im_session_push (self, type, fields);
}

/* ------------------------------------------------------------- The worker */

static JsonObject *
lilac_im_session_account_put_body (LilacImSession *self,
                                   LilacImAccount *account,
                                   GError        **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  JsonObject *wire = lilac_im_account_to_json (account);
  g_autofree char *password = NULL;
  g_autoptr(GError) local_error = NULL;

  password = lilac_im_account_store_open_password (account, self->data_key, &local_error);
  if (local_error != NULL)
    {
      json_object_unref (wire);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (password != NULL)
    {
      json_object_set_string_member (wire, "password", password);
      explicit_bzero (password, strlen (password));
    }
  json_object_set_object_member (body, "account", wire);
  return g_steal_pointer (&body);
}

static void
lilac_im_session_account_put_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LilacImSession) self = user_data;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) local_error = NULL;

  reply = lilac_worker_proxy_request_finish (LILAC_WORKER_PROXY (source), result, &local_error);
  if (reply == NULL)
    g_message ("user %s: the worker refused an account: %s", self->user->name,
               local_error->message);
}

static gboolean
lilac_im_session_is_signed_on (LilacImSession *self,
                               gint64          account_id)
{
  LilacAccountStatus *status = g_hash_table_lookup (self->statuses, &account_id);

  return status != NULL && (g_str_equal (status->status, "online") ||
                            g_str_equal (status->status, "connecting"));
}

static void
lilac_im_session_send_account (LilacImSession *self,
                               LilacImAccount *account)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) body = NULL;

  if (self->worker == NULL || lilac_worker_proxy_get_state (self->worker) != LILAC_WORKER_RUNNING)
    return;
  body = lilac_im_session_account_put_body (self, account, &local_error);
  if (body == NULL)
    {
      lilac_im_session_set_status (self, account->id, "error", "the stored password does not open");
      g_message ("user %s: account %" G_GINT64_FORMAT ": %s", self->user->name, account->id,
                 local_error->message);
      return;
    }
  /* an account that is signing on shows it at once; one already online stays so
   * (the worker reports a reconnection itself when its settings changed) */
  if (account->enabled && !lilac_im_session_is_signed_on (self, account->id))
    lilac_im_session_set_status (self, account->id, "connecting", NULL);
  lilac_worker_proxy_request_async (self->worker, LILAC_WIRE_ACCOUNT_PUT, body, NULL,
                                    lilac_im_session_account_put_cb, g_object_ref (self));
}

static void
lilac_im_session_worker_state_cb (LilacWorkerProxy *worker,
                                  int               state,
                                  gpointer          user_data)
{
  LilacImSession *self = LILAC_IM_SESSION (user_data);
  g_autoptr(JsonObject) fields = json_object_new ();
  GHashTableIter iter;
  gpointer value;

  json_object_set_string_member (fields, "state", lilac_worker_state_to_string (state));
  lilac_im_session_push (self, "session.worker", fields);

  if (state == LILAC_WORKER_RUNNING)
    {
      lilac_im_session_send_settings (self);
      lilac_im_session_send_presence (self);
    }
  else
    {
      lilac_im_session_close_requests (self);
      lilac_im_session_fail_transfers (self);
    }
  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LilacImAccount *account = value;

      if (state == LILAC_WORKER_RUNNING)
        lilac_im_session_send_account (self, account);
      else
        lilac_im_session_set_status (self, account->id, "offline", NULL);
    }
}

static void
lilac_im_session_worker_event_cb (LilacWorkerProxy *worker,
                                  JsonObject       *event,
                                  gpointer          user_data)
{
  lilac_im_session_handle_event (LILAC_IM_SESSION (user_data), event);
}

static gboolean
lilac_im_session_has_enabled_account (LilacImSession *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (((LilacImAccount *) value)->enabled)
        return TRUE;
    }
  return FALSE;
}

static void
lilac_im_session_ensure_worker (LilacImSession *self)
{
  const LilacImSettings *settings = lilac_im_manager_get_settings (self->manager);
  g_autofree char *id = NULL;
  g_autofree char *dir = NULL;

  if (!lilac_im_session_has_enabled_account (self))
    return;
  if (self->worker == NULL)
    {
      id = g_strdup_printf ("%" G_GINT64_FORMAT, self->user->id);
      dir = g_build_filename (settings->users_dir, id, "purple", NULL);
      self->worker = lilac_worker_proxy_new (lilac_im_manager_get_supervisor (self->manager),
                                             dir, settings->heartbeat);
      g_signal_connect (self->worker, "state-changed",
                        G_CALLBACK (lilac_im_session_worker_state_cb), self);
      g_signal_connect (self->worker, "event", G_CALLBACK (lilac_im_session_worker_event_cb),
                        self);
    }
  lilac_worker_proxy_start (self->worker);
}

/* ------------------------------------------------------------- Public API */

/**
 * lilac_im_session_new:
 * @manager: the manager this session belongs to
 * @user: the user
 * @data_key: the user's data key
 *
 * Returns: (transfer full): a session, not yet started
 */
LilacImSession *
lilac_im_session_new (LilacImManager  *manager,
                      const LilacUser *user,
                      LilacKey        *data_key)
{
  LilacImSession *self = g_object_new (LILAC_TYPE_IM_SESSION, NULL);
  const LilacImSettings *settings = lilac_im_manager_get_settings (manager);

  self->manager = manager;
  self->user = lilac_user_copy (user);
  self->data_key = lilac_key_ref (data_key);
  self->queue = lilac_event_queue_new (lilac_im_manager_get_epoch (manager), settings->event_ring);
  return self;
}

/**
 * lilac_im_session_start:
 * @self: a session
 *
 * Loads the user's accounts and starts the worker if one is enabled.
 */
void
lilac_im_session_start (LilacImSession *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) settings = NULL;

  settings = lilac_user_store_get_settings (lilac_im_manager_get_users (self->manager),
                                            self->user->id, NULL);
  if (settings != NULL)
    {
      json_object_unref (self->settings);
      self->settings = g_steal_pointer (&settings);
    }
  accounts = lilac_im_account_store_list (lilac_im_manager_get_accounts (self->manager),
                                          self->user->id, &local_error);
  if (accounts == NULL)
    {
      g_message ("user %s: cannot load accounts: %s", self->user->name, local_error->message);
      return;
    }
  for (unsigned i = 0; i < accounts->len; i++)
    {
      LilacImAccount *account = g_ptr_array_steal_index (accounts, i--);

      g_hash_table_replace (self->accounts, &account->id, account);
    }
  lilac_im_session_ensure_worker (self);
}

gboolean
lilac_im_session_is_always_on (LilacImSession *self)
{
  return json_object_get_boolean_member_with_default (self->settings, "always_on", FALSE);
}

void
lilac_im_session_stop (LilacImSession *self)
{
  if (self->worker != NULL)
    lilac_worker_proxy_stop (self->worker);
}

gint64
lilac_im_session_get_user_id (LilacImSession *self)
{
  return self->user->id;
}

/**
 * lilac_im_session_get_user:
 *
 * Returns: (transfer none): the session's user
 */
const LilacUser *
lilac_im_session_get_user (LilacImSession *self)
{
  return self->user;
}

LilacEventQueue *
lilac_im_session_get_queue (LilacImSession *self)
{
  return self->queue;
}

/**
 * lilac_im_session_get_worker_pid:
 *
 * Returns: the user's running worker's process id, or 0
 */
int
lilac_im_session_get_worker_pid (LilacImSession *self)
{
  return self->worker != NULL ? lilac_worker_proxy_get_pid (self->worker) : 0;
}

const char *
lilac_im_session_get_worker_state (LilacImSession *self)
{
  if (self->worker == NULL)
    return "stopped";
  return lilac_worker_state_to_string (lilac_worker_proxy_get_state (self->worker));
}

/* the values (or keys) of a hash table in a new array; GLib 2.74 has no helper for it */
static GPtrArray *
lilac_im_session_collect (GHashTable *table,
                          gboolean    keys)
{
  GPtrArray *array = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  if (table == NULL)
    return array;
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_ptr_array_add (array, keys ? key : value);
  return array;
}

static gint
lilac_im_session_compare_accounts (gconstpointer a,
                                   gconstpointer b)
{
  const LilacImAccount *first = *(LilacImAccount *const *) a;
  const LilacImAccount *second = *(LilacImAccount *const *) b;

  return first->id < second->id ? -1 : first->id > second->id;
}

static gint
lilac_im_session_compare_names (gconstpointer a,
                                gconstpointer b)
{
  return g_utf8_collate (*(const char *const *) a, *(const char *const *) b);
}

/**
 * lilac_im_session_list_accounts:
 *
 * Returns: (transfer full): `[Account]` with live status, oldest first
 */
JsonArray *
lilac_im_session_list_accounts (LilacImSession *self,
                                GError        **error)
{
  g_autoptr(GPtrArray) values = lilac_im_session_collect (self->accounts, FALSE);
  JsonArray *list = json_array_new ();

  g_ptr_array_sort (values, lilac_im_session_compare_accounts);
  for (unsigned i = 0; i < values->len; i++)
    json_array_add_object_element (list, lilac_im_session_account_json (self, values->pdata[i]));
  return list;
}

static JsonArray *
lilac_im_session_list_conversations (LilacImSession *self,
                                     GError        **error)
{
  g_autoptr(GPtrArray) conversations = NULL;
  JsonArray *list;

  conversations = lilac_conversation_store_list_open (lilac_im_manager_get_conversations (self->manager),
                                                      self->user->id, error);
  if (conversations == NULL)
    return NULL;
  list = json_array_new ();
  for (unsigned i = 0; i < conversations->len; i++)
    {
      LilacConversation *conversation = conversations->pdata[i];
      JsonObject *object = lilac_conversation_to_json (conversation);
      const char *topic = g_hash_table_lookup (self->topics, &conversation->id);
      GHashTable *members = g_hash_table_lookup (self->members, &conversation->id);

      if (topic != NULL)
        json_object_set_string_member (object, "topic", topic);
      if (g_str_equal (conversation->type, "chat"))
        {
          JsonArray *names = json_array_new ();
          g_autoptr(GPtrArray) keys = lilac_im_session_collect (members, TRUE);

          g_ptr_array_sort (keys, lilac_im_session_compare_names);
          for (unsigned j = 0; j < keys->len; j++)
            json_array_add_string_element (names, keys->pdata[j]);
          json_object_set_array_member (object, "members", names);
        }
      json_array_add_object_element (list, object);
    }
  return list;
}

static JsonArray *
lilac_im_session_list_notices (LilacImSession *self)
{
  JsonArray *list = json_array_new ();

  for (GList *l = self->notices.head; l != NULL; l = l->next)
    json_array_add_object_element (list, json_object_ref (l->data));
  return list;
}

static JsonArray *
lilac_im_session_list_requests (LilacImSession *self)
{
  JsonArray *list = json_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    json_array_add_object_element (list, json_object_ref (value));
  return list;
}

/**
 * lilac_im_session_get_state:
 *
 * Returns: (transfer full) (nullable): the snapshot of `GET /state`, consistent
 *   with its "seq"
 */
JsonObject *
lilac_im_session_get_state (LilacImSession *self,
                            GError        **error)
{
  g_autoptr(JsonObject) state = json_object_new ();
  JsonArray *conversations = lilac_im_session_list_conversations (self, error);
  JsonArray *buddies = json_array_new ();
  JsonObject *presence = json_object_new ();
  GHashTableIter iter;
  gpointer value;

  if (conversations == NULL)
    {
      json_array_unref (buddies);
      json_object_unref (presence);
      return NULL;
    }
  json_object_set_string_member (state, "epoch", lilac_event_queue_get_epoch (self->queue));
  json_object_set_int_member (state, "seq", (gint64) lilac_event_queue_get_seq (self->queue));
  json_object_set_array_member (state, "accounts", lilac_im_session_list_accounts (self, NULL));
  g_hash_table_iter_init (&iter, self->buddies);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    json_array_add_object_element (buddies, json_object_ref (value));
  json_object_set_array_member (state, "buddies", buddies);
  json_object_set_array_member (state, "conversations", conversations);
  json_object_set_array_member (state, "requests", lilac_im_session_list_requests (self));
  json_object_set_array_member (state, "transfers", lilac_im_session_list_transfers (self));
  json_object_set_array_member (state, "notices", lilac_im_session_list_notices (self));
  json_object_set_string_member (presence, "status", self->presence_status);
  json_object_set_string_member (presence, "message", self->presence_message);
  json_object_set_object_member (state, "presence", presence);
  json_object_set_string_member (state, "worker", lilac_im_session_get_worker_state (self));
  if (self->worker_plugins != NULL)
    json_object_set_object_member (state, "worker_plugins", json_object_ref (self->worker_plugins));
  return g_steal_pointer (&state);
}

/**
 * lilac_im_session_add_account:
 * @self: a session
 * @protocol: a protocol id from the protocol list
 * @username: the account's user name
 * @password: (nullable): its password
 * @alias: (nullable): a display name
 * @options: (nullable): protocol options, checked against the protocol's list
 * @enabled: whether it signs on now
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the new `Account`
 */
JsonObject *
lilac_im_session_add_account (LilacImSession *self,
                              const char     *protocol,
                              const char     *username,
                              const char     *password,
                              const char     *alias,
                              JsonObject     *options,
                              gboolean        enabled,
                              GError        **error)
{
  g_autoptr(JsonObject) no_options = json_object_new ();
  LilacImAccount *account;

  if (!lilac_protocols_check_account (lilac_im_manager_get_protocols (self->manager), protocol,
                                      options, error))
    return NULL;
  account = lilac_im_account_store_add (lilac_im_manager_get_accounts (self->manager),
                                        self->user->id, self->data_key, protocol, username,
                                        password, alias, options != NULL ? options : no_options,
                                        enabled, error);
  if (account == NULL)
    return NULL;
  g_hash_table_replace (self->accounts, &account->id, account);
  lilac_im_session_push_account (self, "account.added", account);
  lilac_im_session_set_status (self, account->id, "offline", NULL);
  if (self->worker != NULL && lilac_worker_proxy_get_state (self->worker) == LILAC_WORKER_RUNNING)
    lilac_im_session_send_account (self, account);
  else
    lilac_im_session_ensure_worker (self);
  return lilac_im_session_account_json (self, account);
}

/* ---------------------------------------------------------------- Commands */

static void
lilac_im_session_ignore_reply_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(JsonObject) reply = NULL;

  reply = lilac_worker_proxy_request_finish (LILAC_WORKER_PROXY (source), result, NULL);
}

static LilacImAccount *
lilac_im_account_copy_with (const LilacImAccount        *account,
                            const LilacImAccountChanges *changes)
{
  LilacImAccount *copy = g_new0 (LilacImAccount, 1);

  copy->id = account->id;
  copy->user_id = account->user_id;
  copy->protocol = g_strdup (account->protocol);
  copy->username = g_strdup (account->username);
  copy->alias = g_strdup (changes->alias != NULL ? changes->alias : account->alias);
  copy->options = json_object_ref (changes->options != NULL ? changes->options : account->options);
  copy->enabled = changes->enabled >= 0 ? changes->enabled != 0 : account->enabled;
  copy->secret = account->secret != NULL ? g_bytes_ref (account->secret) : NULL;
  return copy;
}

LilacImAccount *
lilac_im_session_find_account (LilacImSession *self,
                               const char     *id,
                               GError        **error)
{
  gint64 number = 0;
  LilacImAccount *account = NULL;

  if (id != NULL && g_ascii_string_to_signed (id, 10, 1, G_MAXINT64, &number, NULL))
    account = g_hash_table_lookup (self->accounts, &number);
  if (account == NULL)
    g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such account");
  return account;
}

/**
 * lilac_im_session_get_account:
 *
 * Returns: (transfer full) (nullable): the `Account`, or NOT_FOUND
 */
JsonObject *
lilac_im_session_get_account (LilacImSession *self,
                              const char     *account_id,
                              GError        **error)
{
  LilacImAccount *account = lilac_im_session_find_account (self, account_id, error);

  return account != NULL ? lilac_im_session_account_json (self, account) : NULL;
}

/* stops the worker when no enabled account is left, starts it when one is */
static void
lilac_im_session_sync_worker (LilacImSession *self)
{
  if (lilac_im_session_has_enabled_account (self))
    lilac_im_session_ensure_worker (self);
  else if (self->worker != NULL)
    lilac_worker_proxy_stop (self->worker);
}

/**
 * lilac_im_session_update_account:
 * @self: a session
 * @account_id: the account
 * @changes: what changes
 * @error: return location for a #GError
 *
 * Stores the changes and hands the account to the worker again, which
 * reconnects it if its connection settings changed.
 *
 * Returns: (transfer full) (nullable): the updated `Account`
 */
JsonObject *
lilac_im_session_update_account (LilacImSession              *self,
                                 const char                  *account_id,
                                 const LilacImAccountChanges *changes,
                                 GError                     **error)
{
  LilacImAccount *account = lilac_im_session_find_account (self, account_id, error);
  g_autoptr(LilacImAccount) updated = NULL;

  if (account == NULL)
    return NULL;
  if (changes->options != NULL &&
      !lilac_protocols_check_account (lilac_im_manager_get_protocols (self->manager),
                                      account->protocol, changes->options, error))
    return NULL;
  updated = lilac_im_account_copy_with (account, changes);
  if (!lilac_im_account_store_update (lilac_im_manager_get_accounts (self->manager), updated,
                                      self->data_key, changes->set_password, changes->password,
                                      error))
    return NULL;
  account = g_steal_pointer (&updated);
  g_hash_table_replace (self->accounts, &account->id, account);
  lilac_im_session_push_account (self, "account.updated", account);
  if (!account->enabled)
    lilac_im_session_set_status (self, account->id, "offline", NULL);
  lilac_im_session_send_account (self, account);
  lilac_im_session_sync_worker (self);
  return lilac_im_session_account_json (self, account);
}

static void
lilac_im_session_forget_account (LilacImSession *self,
                                 gint64          account_id)
{
  g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT "\n", account_id);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->buddies);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (g_str_has_prefix (key, prefix))
        g_hash_table_iter_remove (&iter);
    }
  g_hash_table_remove (self->statuses, &account_id);
  g_hash_table_remove (self->accounts, &account_id);
}

/**
 * lilac_im_session_delete_account:
 * @self: a session
 * @account_id: the account
 * @error: return location for a #GError
 *
 * Signs the account off and deletes it with its conversations and history;
 * clients get an `account.removed` event.
 */
gboolean
lilac_im_session_delete_account (LilacImSession *self,
                                 const char     *account_id,
                                 GError        **error)
{
  LilacImAccount *account = lilac_im_session_find_account (self, account_id, error);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) body = json_object_new ();
  gint64 id;

  if (account == NULL)
    return FALSE;
  if (!lilac_im_account_store_delete (lilac_im_manager_get_accounts (self->manager), account,
                                      error))
    return FALSE;
  id = account->id;
  json_object_set_string_member (body, "account", account_id);
  if (self->worker != NULL && lilac_worker_proxy_get_state (self->worker) == LILAC_WORKER_RUNNING)
    lilac_worker_proxy_request_async (self->worker, LILAC_WIRE_ACCOUNT_DEL, body, NULL,
                                      lilac_im_session_ignore_reply_cb, NULL);
  lilac_im_session_forget_account (self, id);
  json_object_set_string_member (fields, "account", account_id);
  lilac_im_session_push (self, "account.removed", fields);
  lilac_im_session_sync_worker (self);
  return TRUE;
}

LilacConversation *
lilac_im_session_find_conversation (LilacImSession *self,
                                    const char     *id,
                                    GError        **error)
{
  gint64 number = 0;

  if (id == NULL || !g_ascii_string_to_signed (id, 10, 1, G_MAXINT64, &number, NULL))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such conversation");
      return NULL;
    }
  return lilac_conversation_store_get (lilac_im_manager_get_conversations (self->manager),
                                       self->user->id, number, error);
}

typedef struct {
  LilacImSession *session;   /* (owned) */
  gint64 message_id;
} LilacImSessionSend;

static void
lilac_im_session_send_free (LilacImSessionSend *send)
{
  g_clear_object (&send->session);
  g_free (send);
}

static void
lilac_im_session_send_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LilacImSessionSend *send = g_task_get_task_data (task);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) local_error = NULL;

  reply = lilac_worker_proxy_request_finish (LILAC_WORKER_PROXY (source), result, &local_error);
  if (reply == NULL)
    {
      g_hash_table_remove (send->session->pending_out, &send->message_id);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_return_pointer (task, g_strdup_printf ("%" G_GINT64_FORMAT, send->message_id), g_free);
}

gboolean
lilac_im_session_check_running (LilacImSession *self,
                                GError        **error)
{
  if (self->worker == NULL || lilac_worker_proxy_get_state (self->worker) != LILAC_WORKER_RUNNING)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE,
                           "none of your accounts is connected");
      return FALSE;
    }
  return TRUE;
}

/**
 * lilac_im_session_get_history:
 * @self: a session
 * @conversation_id: the conversation
 * @before: a message id: only older messages; 0 for the newest
 * @limit: at most this many (1 to 500)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): `{"messages":[...],"more"}`, newest last
 */
JsonObject *
lilac_im_session_get_history (LilacImSession *self,
                              const char     *conversation_id,
                              gint64          before,
                              unsigned        limit,
                              GError        **error)
{
  g_autoptr(LilacConversation) conversation = NULL;
  g_autoptr(JsonObject) answer = json_object_new ();
  JsonArray *messages;
  gboolean more = FALSE;

  conversation = lilac_im_session_find_conversation (self, conversation_id, error);
  if (conversation == NULL)
    return NULL;
  messages = lilac_conversation_store_list_messages (lilac_im_manager_get_conversations (self->manager),
                                                     conversation, before, CLAMP (limit, 1, 500),
                                                     &more, error);
  if (messages == NULL)
    return NULL;
  json_object_set_array_member (answer, "messages", messages);
  json_object_set_boolean_member (answer, "more", more);
  return g_steal_pointer (&answer);
}

/**
 * lilac_im_session_search_history:
 * @self: a session
 * @query: the words to find
 * @account_id: (nullable): only this account's messages
 * @before: a message id: only older matches; 0 for the newest
 * @limit: at most this many (1 to 500)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): `{"messages":[...],"more"}`, newest last
 */
JsonObject *
lilac_im_session_search_history (LilacImSession *self,
                                 const char     *query,
                                 const char     *account_id,
                                 gint64          before,
                                 unsigned        limit,
                                 GError        **error)
{
  g_autoptr(JsonObject) answer = json_object_new ();
  LilacImAccount *account = NULL;
  JsonArray *messages;
  gboolean more = FALSE;

  if (account_id != NULL && (account = lilac_im_session_find_account (self, account_id, error)) == NULL)
    return NULL;
  messages = lilac_conversation_store_search (lilac_im_manager_get_conversations (self->manager),
                                              self->user->id, query,
                                              account != NULL ? account->id : 0, before,
                                              CLAMP (limit, 1, 500), &more, error);
  if (messages == NULL)
    return NULL;
  json_object_set_array_member (answer, "messages", messages);
  json_object_set_boolean_member (answer, "more", more);
  return g_steal_pointer (&answer);
}

/**
 * lilac_im_session_export_history:
 * @self: a session
 * @conversation_id: the conversation
 * @format: "json" or "text"
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the export of the whole
 *   conversation, oldest first, to be read a piece at a time
 */
LilacHistoryExport *
lilac_im_session_export_history (LilacImSession *self,
                                 const char     *conversation_id,
                                 const char     *format,
                                 GError        **error)
{
  LilacConversation *conversation;
  LilacHistoryExportFormat kind;

  if (g_strcmp0 (format, "json") == 0)
    kind = LILAC_HISTORY_EXPORT_JSON;
  else if (g_strcmp0 (format, "text") == 0)
    kind = LILAC_HISTORY_EXPORT_TEXT;
  else
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the format must be json or text");
      return NULL;
    }
  conversation = lilac_im_session_find_conversation (self, conversation_id, error);
  if (conversation == NULL)
    return NULL;
  return lilac_history_export_new (lilac_im_manager_get_conversations (self->manager), conversation,
                                   kind);
}

/**
 * lilac_im_session_send_message_async:
 * @self: a session
 * @account_id: (nullable): the account, with @to
 * @to: (nullable): the buddy to send an IM to
 * @conversation_id: (nullable): or the conversation to send to
 * @text: plain text
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the worker has taken the message
 * @user_data: data for @callback
 *
 * Sends a message; its `message` event (direction out) will carry the id
 * that _finish returns.
 */
void
lilac_im_session_send_message_async (LilacImSession     *self,
                                     const char         *account_id,
                                     const char         *to,
                                     const char         *conversation_id,
                                     const char         *text,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(LilacConversation) conversation = NULL;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GError) local_error = NULL;
  LilacImSessionSend *send;
  LilacImAccount *account;
  g_autofree char *id_text = NULL;

  g_task_set_source_tag (task, lilac_im_session_send_message_async);
  if (conversation_id != NULL)
    {
      conversation = lilac_im_session_find_conversation (self, conversation_id, &local_error);
      account = conversation != NULL
        ? g_hash_table_lookup (self->accounts, &conversation->account_id) : NULL;
      if (conversation != NULL && account == NULL)
        g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such account");
    }
  else
    account = lilac_im_session_find_account (self, account_id, &local_error);
  if (account == NULL || !lilac_im_session_check_running (self, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  send = g_new0 (LilacImSessionSend, 1);
  send->session = g_object_ref (self);
  send->message_id = lilac_conversation_store_reserve_message_id (lilac_im_manager_get_conversations (self->manager));
  g_task_set_task_data (task, send, (GDestroyNotify) lilac_im_session_send_free);
  g_hash_table_add (self->pending_out, g_memdup2 (&send->message_id, sizeof (gint64)));

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, account->id);
  json_object_set_string_member (body, "account", id_text);
  json_object_set_string_member (body, "type", conversation != NULL ? conversation->type : "im");
  json_object_set_string_member (body, "name", conversation != NULL ? conversation->name : to);
  json_object_set_string_member (body, "text", text);
  g_free (id_text);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, send->message_id);
  json_object_set_string_member (body, "message", id_text);
  lilac_worker_proxy_request_async (self->worker, LILAC_WIRE_MESSAGE_SEND, body, cancellable,
                                    lilac_im_session_send_cb, g_steal_pointer (&task));
}

/**
 * lilac_im_session_send_message_finish:
 *
 * Returns: (transfer full) (nullable): the message's id
 */
char *
lilac_im_session_send_message_finish (LilacImSession *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lilac_im_session_join_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LilacImSession *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacConversation) conversation = NULL;
  JsonObject *reference;
  const char *name;
  gboolean opened = FALSE;
  gint64 account_id = GPOINTER_TO_SIZE (g_task_get_task_data (task));

  reply = lilac_worker_proxy_request_finish (LILAC_WORKER_PROXY (source), result, &local_error);
  reference = reply != NULL ? lilac_json_get_object (reply, "conversation", NULL) : NULL;
  name = reference != NULL ? json_object_get_string_member_with_default (reference, "name", NULL)
                           : NULL;
  if (reply != NULL && (name == NULL || name[0] == '\0'))
    g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                         "the worker did not name the room");
  if (local_error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  conversation = lilac_conversation_store_resolve (lilac_im_manager_get_conversations (self->manager),
                                                   self->user->id, account_id, "chat", name, NULL,
                                                   &opened, &local_error);
  if (conversation == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  if (opened)
    {
      g_autoptr(JsonObject) fields = json_object_new ();

      json_object_set_object_member (fields, "conversation", lilac_conversation_to_json (conversation));
      lilac_im_session_push (self, "conversation.opened", fields);
    }
  g_task_return_pointer (task, g_strdup_printf ("%" G_GINT64_FORMAT, conversation->id), g_free);
}

/**
 * lilac_im_session_join_chat_async:
 * @self: a session
 * @account_id: the account
 * @room: the room, e.g. "#lilac" or "room@conference.example.org"
 * @nick: (nullable): the nick to use in it
 * @password: (nullable): the room's password
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the conversation's id
 * @user_data: data for @callback
 */
void
lilac_im_session_join_chat_async (LilacImSession     *self,
                                  const char         *account_id,
                                  const char         *room,
                                  const char         *nick,
                                  const char         *password,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GError) local_error = NULL;
  LilacImAccount *account;

  g_task_set_source_tag (task, lilac_im_session_join_chat_async);
  account = lilac_im_session_find_account (self, account_id, &local_error);
  if (account == NULL || !lilac_im_session_check_running (self, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_set_task_data (task, GSIZE_TO_POINTER (account->id), NULL);
  json_object_set_string_member (body, "account", account_id);
  json_object_set_string_member (body, "room", room);
  if (nick != NULL)
    json_object_set_string_member (body, "nick", nick);
  if (password != NULL)
    json_object_set_string_member (body, "password", password);
  lilac_worker_proxy_request_async (self->worker, LILAC_WIRE_CHAT_JOIN, body, cancellable,
                                    lilac_im_session_join_cb, g_steal_pointer (&task));
}

/**
 * lilac_im_session_join_chat_finish:
 *
 * Returns: (transfer full) (nullable): the conversation's id
 */
char *
lilac_im_session_join_chat_finish (LilacImSession *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
