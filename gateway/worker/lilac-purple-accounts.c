/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * PurpleAccount <-> the gateway's accounts. The gateway owns the account
 * settings and sends them with ACCOUNT_PUT; each libpurple account carries
 * the gateway's id as the UI setting "lilac"/"id" and points to its record
 * here through ui_data. Passwords never reach the disk: libpurple is told
 * not to remember them, which also makes it forget them at every sign-off,
 * so the record keeps the password in memory and gives it back before each
 * sign-on.
 *
 * Connection states become account.status events: connecting when libpurple
 * starts signing on, online when connected, offline when signed off, and
 * error (with a reason) when the connection failed; an error stays the
 * account's status until it connects again or is disabled.
 *
 * libpurple leaves reconnecting to its UI. After an error that is not fatal
 * (purple_connection_error_is_fatal(): a network or encryption error, not a
 * wrong password) the account signs on again after a backoff: the first try
 * within 5 s, then twice as long each time up to 5 minutes, each delay drawn
 * between its half and itself. The error event says when, as "retry_in"
 * (ms). A fatal error (reason "auth" for a wrong password) stops retrying
 * until the gateway sends the account again.
 */
#include "config.h"

#include "lilac-purple-accounts.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-purple-buddies.h"
#include "lilac-purple-core.h"
#include "lilac-purple-protocols.h"
#include "lilac-purple-retry.h"
#include "lilac-worker-body.h"

#define LILAC_PURPLE_ACCOUNTS_MAX_PASSWORD 4096

typedef struct {
  char *id;                 /* (owned) the gateway's account id */
  PurpleAccount *account;   /* (unowned) its ui_data points back here */
  char *password;           /* (owned) (nullable) in memory only */
  char *status;             /* (owned) (nullable) the last account.status */
  gboolean put;             /* the gateway sent it in this session */
  gboolean failed;          /* the last connection ended in an error */
  guint retry_id;           /* the pending reconnection */
  unsigned retries;         /* reconnections since the account was last online */
} LilacPurpleAccount;

/* what an ACCOUNT_PUT asks for; strings belong to the request body */
typedef struct {
  const char *id;
  const char *username;
  const char *password;
  const char *alias;
  JsonObject *options;
  gboolean enabled;
  PurplePlugin *prpl;
} LilacPurpleAccountSpec;

/* id -> (owned) LilacPurpleAccount, keyed by the record's own id */
static GHashTable *lilac_purple_accounts;
static int lilac_purple_accounts_handle;

/* ----------------------------------------------------------- Records */

static void
lilac_purple_account_forget_password (LilacPurpleAccount *record)
{
  if (record->password != NULL)
    explicit_bzero (record->password, strlen (record->password));
  g_clear_pointer (&record->password, g_free);
}

static void
lilac_purple_account_free (LilacPurpleAccount *record)
{
  lilac_purple_account_forget_password (record);
  g_clear_handle_id (&record->retry_id, g_source_remove);
  g_free (record->status);
  g_free (record->id);
  g_free (record);
}

static LilacPurpleAccount *
lilac_purple_account_get (PurpleAccount *account)
{
  return account != NULL ? account->ui_data : NULL;
}

static void
lilac_purple_account_set_id (LilacPurpleAccount *record,
                             const char         *id)
{
  if (record->id != NULL)
    g_hash_table_steal (lilac_purple_accounts, record->id);
  g_free (record->id);
  record->id = g_strdup (id);
  purple_account_set_ui_string (record->account, LILAC_PURPLE_UI, "id", id);
  g_hash_table_replace (lilac_purple_accounts, record->id, record);
}

static LilacPurpleAccount *
lilac_purple_account_register (PurpleAccount *account,
                               const char    *id)
{
  LilacPurpleAccount *record = g_new0 (LilacPurpleAccount, 1);

  record->account = account;
  account->ui_data = record;
  purple_account_set_remember_password (account, FALSE);
  lilac_purple_account_set_id (record, id);
  return record;
}

static void
lilac_purple_account_set_password (LilacPurpleAccount *record,
                                   const char         *password)
{
  lilac_purple_account_forget_password (record);
  if (password != NULL && *password != '\0')
    record->password = g_strdup (password);
  purple_account_set_password (record->account, record->password);
}

static void
lilac_purple_account_report_retry (LilacPurpleAccount *record,
                                   const char         *status,
                                   const char         *error_text,
                                   const char         *reason,
                                   gint64              retry_in)
{
  g_autoptr(JsonObject) event = NULL;

  if (error_text == NULL && g_strcmp0 (record->status, status) == 0)
    return;
  g_free (record->status);
  record->status = g_strdup (status);
  if (!record->put)
    return;
  event = lilac_purple_event_new ("account.status");
  json_object_set_string_member (event, "account", record->id);
  json_object_set_string_member (event, "status", status);
  if (error_text != NULL)
    {
      json_object_set_string_member (event, "error", error_text);
      json_object_set_string_member (event, "reason", reason);
    }
  if (retry_in >= 0)
    json_object_set_int_member (event, "retry_in", retry_in);
  lilac_purple_emit (event);
}

static void
lilac_purple_account_report (LilacPurpleAccount *record,
                             const char         *status,
                             const char         *error_text,
                             const char         *reason)
{
  lilac_purple_account_report_retry (record, status, error_text, reason, -1);
}

/* ------------------------------------------------------ Connection ops */

static const char *
lilac_purple_accounts_reason_name (PurpleConnectionError reason)
{
  switch (reason)
    {
    case PURPLE_CONNECTION_ERROR_NETWORK_ERROR:
      return "network";
    case PURPLE_CONNECTION_ERROR_INVALID_USERNAME:
    case PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED:
    case PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE:
      return "auth";
    case PURPLE_CONNECTION_ERROR_CERT_NOT_PROVIDED:
    case PURPLE_CONNECTION_ERROR_CERT_UNTRUSTED:
    case PURPLE_CONNECTION_ERROR_CERT_EXPIRED:
    case PURPLE_CONNECTION_ERROR_CERT_NOT_ACTIVATED:
    case PURPLE_CONNECTION_ERROR_CERT_HOSTNAME_MISMATCH:
    case PURPLE_CONNECTION_ERROR_CERT_FINGERPRINT_MISMATCH:
    case PURPLE_CONNECTION_ERROR_CERT_SELF_SIGNED:
    case PURPLE_CONNECTION_ERROR_CERT_OTHER_ERROR:
      return "certificate";
    default:
      return "other";
    }
}

static void
lilac_purple_accounts_signing_on_cb (PurpleConnection *gc,
                                     gpointer          user_data)
{
  LilacPurpleAccount *record = lilac_purple_account_get (purple_connection_get_account (gc));

  if (record == NULL)
    return;
  record->failed = FALSE;
  lilac_purple_account_report (record, "connecting", NULL, NULL);
}

static void
lilac_purple_accounts_connected_cb (PurpleConnection *gc)
{
  LilacPurpleAccount *record = lilac_purple_account_get (purple_connection_get_account (gc));

  if (record == NULL)
    return;
  record->failed = FALSE;
  record->retries = 0;
  g_clear_handle_id (&record->retry_id, g_source_remove);
  lilac_purple_account_report (record, "online", NULL, NULL);
}

static void
lilac_purple_accounts_disconnected_cb (PurpleConnection *gc)
{
  LilacPurpleAccount *record = lilac_purple_account_get (purple_connection_get_account (gc));

  /* after an error, the error stays the account's status */
  if (record == NULL || record->failed)
    return;
  lilac_purple_account_report (record, "offline", NULL, NULL);
}

static void lilac_purple_accounts_sign_on (LilacPurpleAccount *record);

static gboolean
lilac_purple_accounts_retry_cb (gpointer data)
{
  LilacPurpleAccount *record = data;
  PurpleAccount *account = record->account;

  record->retry_id = 0;
  if (!record->put || !purple_account_get_enabled (account, LILAC_PURPLE_UI))
    return G_SOURCE_REMOVE;
  /* libpurple disconnects from a timeout after an error */
  if (!purple_account_is_disconnected (account))
    {
      record->retry_id = g_timeout_add (500, lilac_purple_accounts_retry_cb, record);
      return G_SOURCE_REMOVE;
    }
  record->retries++;
  g_debug ("account %s: signing on again (try %u)", record->id, record->retries);
  lilac_purple_accounts_sign_on (record);
  /* the user's status is offline: nothing to sign on to */
  if (record->retry_id == 0 && purple_account_is_disconnected (account) && record->failed)
    {
      record->failed = FALSE;
      lilac_purple_account_report (record, "offline", NULL, NULL);
    }
  return G_SOURCE_REMOVE;
}

static void
lilac_purple_accounts_error_cb (PurpleConnection     *gc,
                                PurpleConnectionError reason,
                                const char           *text)
{
  LilacPurpleAccount *record = lilac_purple_account_get (purple_connection_get_account (gc));
  guint delay;

  if (record == NULL)
    return;
  record->failed = TRUE;
  g_clear_handle_id (&record->retry_id, g_source_remove);
  if (purple_connection_error_is_fatal (reason) || !record->put)
    {
      lilac_purple_account_report (record, "error", text != NULL ? text : "",
                                   lilac_purple_accounts_reason_name (reason));
      return;
    }
  delay = lilac_purple_retry_delay (record->retries, g_random_int ());
  record->retry_id = g_timeout_add (delay, lilac_purple_accounts_retry_cb, record);
  lilac_purple_account_report_retry (record, "error", text != NULL ? text : "",
                                     lilac_purple_accounts_reason_name (reason), delay);
}

static PurpleConnectionUiOps lilac_purple_accounts_connection_ops = {
  .connected = lilac_purple_accounts_connected_cb,
  .disconnected = lilac_purple_accounts_disconnected_cb,
  .report_disconnect_reason = lilac_purple_accounts_error_cb,
};

/* ---------------------------------------------------------- Signing on */

static gboolean
lilac_purple_accounts_needs_password (PurpleAccount *account)
{
  PurplePlugin *prpl = purple_find_prpl (purple_account_get_protocol_id (account));
  PurplePluginProtocolInfo *info = prpl != NULL ? PURPLE_PLUGIN_PROTOCOL_INFO (prpl) : NULL;

  return info != NULL &&
         !(info->options & (OPT_PROTO_NO_PASSWORD | OPT_PROTO_PASSWORD_OPTIONAL));
}

/* Signs off now. After a connection error libpurple disconnects from a
 * timeout, and neither disabling nor deleting the account cancels it: the
 * timeout would then run on a deleted account. Disconnecting destroys the
 * connection, and the timeout with it. */
static void
lilac_purple_accounts_disconnect (PurpleAccount *account)
{
  if (!purple_account_is_disconnected (account))
    purple_account_disconnect (account);
}

static void
lilac_purple_accounts_stop (PurpleAccount *account)
{
  lilac_purple_accounts_disconnect (account);
  if (purple_account_get_enabled (account, LILAC_PURPLE_UI))
    purple_account_set_enabled (account, LILAC_PURPLE_UI, FALSE);
}

static void
lilac_purple_accounts_disable (LilacPurpleAccount *record)
{
  g_clear_handle_id (&record->retry_id, g_source_remove);
  lilac_purple_accounts_stop (record->account);
  record->failed = FALSE;
  lilac_purple_account_report (record, "offline", NULL, NULL);
}

static void
lilac_purple_accounts_sign_on (LilacPurpleAccount *record)
{
  PurpleAccount *account = record->account;

  if (!purple_account_is_disconnected (account))
    return;
  if (record->password == NULL && lilac_purple_accounts_needs_password (account))
    {
      /* libpurple would ask for one, and disable the account when nobody answers */
      lilac_purple_accounts_stop (account);
      record->failed = TRUE;
      lilac_purple_account_report (record, "error", "a password is required to sign on", "auth");
      return;
    }
  purple_account_set_password (account, record->password);
  /* a disabled account takes the user's status without connecting; enabling
   * it then signs it on, unless that status is offline */
  purple_savedstatus_activate_for_account (purple_savedstatus_get_current (), account);
  if (!purple_account_get_enabled (account, LILAC_PURPLE_UI))
    {
      purple_account_set_enabled (account, LILAC_PURPLE_UI, TRUE);
      return;
    }
  if (purple_account_is_disconnected (account) &&
      purple_presence_is_online (purple_account_get_presence (account)))
    purple_account_connect (account);
}

/* ----------------------------------------------------------- ACCOUNT_PUT */

static gboolean
lilac_purple_accounts_parse (JsonObject             *body,
                             LilacPurpleAccountSpec *spec,
                             GError                **error)
{
  JsonObject *object = lilac_worker_body_get_object (body, "account", error);
  const char *protocol;

  if (object == NULL ||
      !lilac_worker_body_get_string (object, "id", TRUE, LILAC_WORKER_BODY_MAX_ID,
                                     &spec->id, error) ||
      !lilac_worker_body_get_string (object, "protocol", TRUE, LILAC_WORKER_BODY_MAX_ID,
                                     &protocol, error) ||
      !lilac_worker_body_get_string (object, "username", TRUE, LILAC_WORKER_BODY_MAX_NAME,
                                     &spec->username, error) ||
      !lilac_worker_body_get_string (object, "password", FALSE,
                                     LILAC_PURPLE_ACCOUNTS_MAX_PASSWORD, &spec->password, error) ||
      !lilac_worker_body_get_string (object, "alias", FALSE, LILAC_WORKER_BODY_MAX_NAME,
                                     &spec->alias, error) ||
      !lilac_json_get_bool (object, "enabled", FALSE, &spec->enabled, error))
    return FALSE;
  if (json_object_has_member (object, "options"))
    {
      spec->options = lilac_worker_body_get_object (object, "options", error);
      if (spec->options == NULL)
        return FALSE;
    }
  spec->prpl = purple_find_prpl (protocol);
  if (spec->prpl == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "unknown protocol \"%s\"", protocol);
      return FALSE;
    }
  return lilac_purple_protocols_check_options (spec->prpl, spec->options, error);
}

static void
lilac_purple_accounts_remove (LilacPurpleAccount *record)
{
  g_clear_handle_id (&record->retry_id, g_source_remove);
  lilac_purple_accounts_disconnect (record->account);
  /* drops the account's buddies and conversations while its record can
   * still name it in the events that causes */
  purple_accounts_delete (record->account);
  g_hash_table_remove (lilac_purple_accounts, record->id);
}

static LilacPurpleAccount *
lilac_purple_accounts_find_or_create (const LilacPurpleAccountSpec *spec,
                                      GError                      **error)
{
  LilacPurpleAccount *record = g_hash_table_lookup (lilac_purple_accounts, spec->id);
  const char *protocol = spec->prpl->info->id;
  PurpleAccount *account;

  if (record != NULL &&
      g_strcmp0 (purple_account_get_protocol_id (record->account), protocol) == 0)
    return record;
  /* another protocol makes another account */
  if (record != NULL)
    lilac_purple_accounts_remove (record);

  account = purple_accounts_find (spec->username, protocol);
  record = lilac_purple_account_get (account);
  if (record != NULL && record->put)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "account \"%s\" already uses this username", record->id);
      return NULL;
    }
  /* an account from an earlier session, under an id the gateway dropped */
  if (record != NULL)
    {
      lilac_purple_account_set_id (record, spec->id);
      return record;
    }
  account = purple_account_new (spec->username, protocol);
  purple_accounts_add (account);
  return lilac_purple_account_register (account, spec->id);
}

static char *
lilac_purple_accounts_describe (LilacPurpleAccount *record,
                                PurplePlugin       *prpl)
{
  g_autofree char *options = lilac_purple_protocols_describe_options (prpl, record->account);

  return g_strdup_printf ("%s\n%s", purple_account_get_username (record->account), options);
}

static void
lilac_purple_accounts_apply (LilacPurpleAccount           *record,
                             const LilacPurpleAccountSpec *spec)
{
  PurpleAccount *account = record->account;
  g_autofree char *before = lilac_purple_accounts_describe (record, spec->prpl);
  g_autofree char *after = NULL;
  gboolean changed;

  if (g_strcmp0 (purple_account_get_username (account), spec->username) != 0)
    purple_account_set_username (account, spec->username);
  purple_account_set_alias (account, spec->alias != NULL && *spec->alias != '\0'
                                     ? spec->alias : NULL);
  lilac_purple_protocols_apply_options (spec->prpl, account, spec->options);
  after = lilac_purple_accounts_describe (record, spec->prpl);
  changed = g_strcmp0 (before, after) != 0 ||
            g_strcmp0 (record->password, spec->password != NULL && *spec->password != '\0'
                                         ? spec->password : NULL) != 0;
  lilac_purple_account_set_password (record, spec->password);
  if (!record->put)
    {
      record->put = TRUE;
      lilac_purple_buddies_refresh_account (account);
    }
  if (!spec->enabled)
    {
      lilac_purple_accounts_disable (record);
      return;
    }
  if (changed)
    lilac_purple_accounts_disconnect (account);
  /* the gateway sent the account again: a stopped or waiting retry starts over */
  if (changed || record->retry_id != 0 || record->failed)
    {
      g_clear_handle_id (&record->retry_id, g_source_remove);
      record->retries = 0;
    }
  lilac_purple_accounts_sign_on (record);
}

/* ------------------------------------------------------------- Public API */

/**
 * lilac_purple_accounts_get_ui_ops:
 *
 * Returns: (transfer none): the connection UI operations
 */
PurpleConnectionUiOps *
lilac_purple_accounts_get_ui_ops (void)
{
  return &lilac_purple_accounts_connection_ops;
}

/**
 * lilac_purple_accounts_init:
 *
 * Starts following connections. Call from the core's ui_init.
 */
void
lilac_purple_accounts_init (void)
{
  lilac_purple_accounts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                 (GDestroyNotify) lilac_purple_account_free);
  purple_signal_connect (purple_connections_get_handle (), "signing-on",
                         &lilac_purple_accounts_handle,
                         PURPLE_CALLBACK (lilac_purple_accounts_signing_on_cb), NULL);
}

/**
 * lilac_purple_accounts_uninit:
 *
 * Forgets the records (and the passwords). Call after purple_core_quit().
 */
void
lilac_purple_accounts_uninit (void)
{
  g_clear_pointer (&lilac_purple_accounts, g_hash_table_unref);
}

/**
 * lilac_purple_accounts_adopt_loaded:
 *
 * Goes through the accounts libpurple loaded from its folder: those without
 * a gateway id are removed, the others kept disabled (and without password)
 * until the gateway sends them again.
 */
void
lilac_purple_accounts_adopt_loaded (void)
{
  g_autoptr(GList) accounts = g_list_copy (purple_accounts_get_all ());

  for (GList *l = accounts; l != NULL; l = l->next)
    {
      PurpleAccount *account = l->data;
      const char *id = purple_account_get_ui_string (account, LILAC_PURPLE_UI, "id", NULL);

      if (id == NULL || *id == '\0' || g_hash_table_contains (lilac_purple_accounts, id))
        {
          g_debug ("removing a %s account the gateway does not know",
                   purple_account_get_protocol_id (account));
          purple_accounts_delete (account);
          continue;
        }
      purple_account_set_enabled (account, LILAC_PURPLE_UI, FALSE);
      purple_account_set_password (account, NULL);
      lilac_purple_account_register (account, id);
    }
}

/**
 * lilac_purple_accounts_restore_passwords:
 *
 * Gives back to libpurple the passwords it forgot at sign-off, before a
 * status change signs accounts on again.
 */
void
lilac_purple_accounts_restore_passwords (void)
{
  GHashTableIter iter;
  LilacPurpleAccount *record;

  g_hash_table_iter_init (&iter, lilac_purple_accounts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &record))
    {
      if (record->password != NULL && purple_account_get_password (record->account) == NULL)
        purple_account_set_password (record->account, record->password);
    }
}

/**
 * lilac_purple_accounts_get_id:
 * @account: (nullable): a libpurple account
 *
 * Returns: (transfer none) (nullable): the gateway's id of @account, %NULL
 *   unless the gateway sent it in this session (so no event is sent about an
 *   account the gateway has not asked for)
 */
const char *
lilac_purple_accounts_get_id (PurpleAccount *account)
{
  LilacPurpleAccount *record = lilac_purple_account_get (account);

  return record != NULL && record->put ? record->id : NULL;
}

/**
 * lilac_purple_accounts_lookup:
 * @id: the gateway's account id
 * @connected: whether the account must be connected
 * @error: return location for a #GError
 *
 * Returns: (transfer none) (nullable): the account; %NULL with
 *   %LILAC_ERROR_NOT_FOUND, or %LILAC_ERROR_UNAVAILABLE when @connected is
 *   set and the account is not connected
 */
PurpleAccount *
lilac_purple_accounts_lookup (const char *id,
                              gboolean    connected,
                              GError    **error)
{
  LilacPurpleAccount *record = g_hash_table_lookup (lilac_purple_accounts, id);

  if (record == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no account \"%s\"", id);
      return NULL;
    }
  if (connected && !purple_account_is_connected (record->account))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE,
                   "the account \"%s\" is not connected", id);
      return NULL;
    }
  return record->account;
}

/**
 * lilac_purple_accounts_put:
 * @body: an ACCOUNT_PUT body
 * @error: return location for a #GError
 *
 * Adds or updates an account. An enabled account signs on (again, when its
 * username, password or options changed while connected); a disabled one
 * signs off.
 *
 * Returns: (transfer full) (nullable): the reply, {}
 */
JsonObject *
lilac_purple_accounts_put (JsonObject *body,
                           GError    **error)
{
  LilacPurpleAccountSpec spec = { 0 };
  LilacPurpleAccount *record;

  if (!lilac_purple_accounts_parse (body, &spec, error))
    return NULL;
  record = lilac_purple_accounts_find_or_create (&spec, error);
  if (record == NULL)
    return NULL;
  lilac_purple_accounts_apply (record, &spec);
  return json_object_new ();
}

/**
 * lilac_purple_accounts_delete:
 * @body: an ACCOUNT_DEL body: {"account":"ID"}
 * @error: return location for a #GError
 *
 * Signs the account off and removes it with its buddies and conversations.
 *
 * Returns: (transfer full) (nullable): the reply, {}
 */
JsonObject *
lilac_purple_accounts_delete (JsonObject *body,
                              GError    **error)
{
  LilacPurpleAccount *record;
  const char *id;

  if (!lilac_worker_body_get_string (body, "account", TRUE, LILAC_WORKER_BODY_MAX_ID, &id, error))
    return NULL;
  record = g_hash_table_lookup (lilac_purple_accounts, id);
  if (record == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no account \"%s\"", id);
      return NULL;
    }
  lilac_purple_accounts_remove (record);
  return json_object_new ();
}
