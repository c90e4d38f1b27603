/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * IM accounts in SQLite. The password is sealed with the user's data key and
 * bound to the account's id, so a sealed value copied to another row, or to
 * another user, does not open.
 */
#include "config.h"

#include "lilac-im-account-store.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-json.h"

#define LILAC_IM_ACCOUNT_COLUMNS \
  "id, user_id, protocol, username, alias, options, enabled, secret"

struct _LilacImAccountStore {
  GObject parent_instance;

  LilacStore *store;   /* (owned) */
};

G_DEFINE_TYPE (LilacImAccountStore, lilac_im_account_store, G_TYPE_OBJECT)

static void
lilac_im_account_store_finalize (GObject *object)
{
  LilacImAccountStore *self = LILAC_IM_ACCOUNT_STORE (object);

  g_clear_object (&self->store);
  G_OBJECT_CLASS (lilac_im_account_store_parent_class)->finalize (object);
}

static void
lilac_im_account_store_class_init (LilacImAccountStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lilac_im_account_store_finalize;
}

static void
lilac_im_account_store_init (LilacImAccountStore *self)
{
}

/**
 * lilac_im_account_store_new:
 *
 * Returns: (transfer full): the IM account store
 */
LilacImAccountStore *
lilac_im_account_store_new (LilacStore *store)
{
  LilacImAccountStore *self = g_object_new (LILAC_TYPE_IM_ACCOUNT_STORE, NULL);

  self->store = g_object_ref (store);
  return self;
}

static char *
lilac_im_account_secret_context (gint64 account_id)
{
  return g_strdup_printf ("lilac account password, v1, account %" G_GINT64_FORMAT, account_id);
}

static LilacImAccount *
lilac_im_account_store_row (LilacStmt *stmt)
{
  LilacImAccount *account = g_new0 (LilacImAccount, 1);
  const char *options = (const char *) sqlite3_column_text (stmt, 5);

  account->id = sqlite3_column_int64 (stmt, 0);
  account->user_id = sqlite3_column_int64 (stmt, 1);
  account->protocol = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  account->username = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  account->alias = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  account->options = lilac_json_parse_object (options, strlen (options), NULL);
  if (account->options == NULL)
    account->options = json_object_new ();
  account->enabled = sqlite3_column_int (stmt, 6) != 0;
  if (sqlite3_column_type (stmt, 7) == SQLITE_BLOB)
    account->secret = g_bytes_new (sqlite3_column_blob (stmt, 7),
                                   (gsize) sqlite3_column_bytes (stmt, 7));
  return account;
}

/**
 * lilac_im_account_store_list:
 *
 * Returns: (transfer full) (element-type LilacImAccount) (nullable): the
 *   user's accounts in the order they were added
 */
GPtrArray *
lilac_im_account_store_list (LilacImAccountStore *self,
                             gint64               user_id,
                             GError             **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT " LILAC_IM_ACCOUNT_COLUMNS
                                                   " FROM accounts WHERE user_id = ? ORDER BY id",
                                                   error);
  g_autoptr(GPtrArray) accounts = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) lilac_im_account_free);
  sqlite3_bind_int64 (stmt, 1, user_id);
  while ((rc = lilac_store_step (self->store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (accounts, lilac_im_account_store_row (stmt));
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&accounts);
}

/**
 * lilac_im_account_store_get:
 *
 * Returns: (transfer full) (nullable): the account if it belongs to
 *   @user_id, else NOT_FOUND (another user's account does not exist for you)
 */
LilacImAccount *
lilac_im_account_store_get (LilacImAccountStore *self,
                            gint64               user_id,
                            gint64               account_id,
                            GError             **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT " LILAC_IM_ACCOUNT_COLUMNS
                                                   " FROM accounts WHERE id = ? AND user_id = ?",
                                                   error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such account");
      return NULL;
    }
  return lilac_im_account_store_row (stmt);
}

static gboolean
lilac_im_account_store_insert (LilacImAccountStore *self,
                               LilacImAccount      *account,
                               GError             **error)
{
  g_autofree char *options = lilac_json_object_to_string (account->options, NULL);
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "INSERT INTO accounts (user_id, protocol, "
                                                   "username, alias, options, enabled, created) "
                                                   "VALUES (?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account->user_id);
  sqlite3_bind_text (stmt, 2, account->protocol, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, account->username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, account->alias, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, options, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 6, account->enabled ? 1 : 0);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time () / 1000);
  if (!lilac_store_step_done (self->store, stmt, error))
    {
      if (lilac_error_is_conflict (*error))
        {
          g_clear_error (error);
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_CONFLICT,
                       "you already have the %s account %s", account->protocol,
                       account->username);
        }
      return FALSE;
    }
  account->id = lilac_store_last_insert_id (self->store);
  return TRUE;
}

static gboolean
lilac_im_account_store_put_secret (LilacImAccountStore *self,
                                   LilacImAccount      *account,
                                   LilacKey            *data_key,
                                   const char          *password,
                                   GError             **error)
{
  g_autofree char *context = lilac_im_account_secret_context (account->id);
  g_autoptr(LilacStmt) stmt = NULL;

  g_clear_pointer (&account->secret, g_bytes_unref);
  if (password != NULL)
    account->secret = lilac_secret_seal (data_key, (const guint8 *) password, strlen (password),
                                         context);
  stmt = lilac_store_prepare (self->store, "UPDATE accounts SET secret = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  if (account->secret != NULL)
    sqlite3_bind_blob (stmt, 1, g_bytes_get_data (account->secret, NULL),
                       (int) g_bytes_get_size (account->secret), SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 1);
  sqlite3_bind_int64 (stmt, 2, account->id);
  return lilac_store_step_done (self->store, stmt, error);
}

/**
 * lilac_im_account_store_add:
 * @self: the IM account store
 * @user_id: the owner
 * @data_key: the owner's data key
 * @protocol: a libpurple protocol id (checked by the caller)
 * @username: the account's user name on its network
 * @password: (nullable): the account's password, sealed before it is stored
 * @alias: (nullable): a display name
 * @options: (transfer none): protocol options (checked by the caller)
 * @enabled: whether the account signs on
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the new account; CONFLICT when the
 *   user already has this protocol and username
 */
LilacImAccount *
lilac_im_account_store_add (LilacImAccountStore *self,
                            gint64               user_id,
                            LilacKey            *data_key,
                            const char          *protocol,
                            const char          *username,
                            const char          *password,
                            const char          *alias,
                            JsonObject          *options,
                            gboolean             enabled,
                            GError             **error)
{
  g_autoptr(LilacImAccount) account = g_new0 (LilacImAccount, 1);

  account->user_id = user_id;
  account->protocol = g_strdup (protocol);
  account->username = g_strdup (username);
  account->alias = g_strdup (alias != NULL ? alias : "");
  account->options = json_object_ref (options);
  account->enabled = enabled;

  if (!lilac_store_begin (self->store, error))
    return NULL;
  if (!lilac_im_account_store_insert (self, account, error) ||
      !lilac_im_account_store_put_secret (self, account, data_key, password, error) ||
      !lilac_store_commit (self->store, error))
    {
      lilac_store_rollback (self->store);
      return NULL;
    }
  return g_steal_pointer (&account);
}

static gboolean
lilac_im_account_store_write (LilacImAccountStore *self,
                              LilacImAccount      *account,
                              GError             **error)
{
  g_autofree char *options = lilac_json_object_to_string (account->options, NULL);
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "UPDATE accounts SET alias = ?, options = ?, "
                                                   "enabled = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, account->alias, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, options, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, account->enabled ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, account->id);
  return lilac_store_step_done (self->store, stmt, error);
}

/**
 * lilac_im_account_store_update:
 * @self: the IM account store
 * @account: an account whose alias, options or enabled flag changed
 * @data_key: its owner's data key
 * @new_password: whether @password replaces the stored password
 * @password: (nullable): the new password; %NULL removes it
 * @error: return location for a #GError
 *
 * Writes the account's changes in one transaction.
 */
gboolean
lilac_im_account_store_update (LilacImAccountStore *self,
                               LilacImAccount      *account,
                               LilacKey            *data_key,
                               gboolean             new_password,
                               const char          *password,
                               GError             **error)
{
  if (!lilac_store_begin (self->store, error))
    return FALSE;
  if (!lilac_im_account_store_write (self, account, error) ||
      (new_password &&
       !lilac_im_account_store_put_secret (self, account, data_key, password, error)) ||
      !lilac_store_commit (self->store, error))
    {
      lilac_store_rollback (self->store);
      return FALSE;
    }
  return TRUE;
}

/**
 * lilac_im_account_store_delete:
 *
 * Deletes the account, with its conversations and their messages.
 */
gboolean
lilac_im_account_store_delete (LilacImAccountStore *self,
                               LilacImAccount      *account,
                               GError             **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "DELETE FROM accounts WHERE id = ? AND user_id = ?",
                                                   error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account->id);
  sqlite3_bind_int64 (stmt, 2, account->user_id);
  return lilac_store_step_done (self->store, stmt, error);
}

/**
 * lilac_im_account_store_open_password:
 * @account: an account
 * @data_key: its owner's data key
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the password, or %NULL without an
 *   error when the account has none
 */
char *
lilac_im_account_store_open_password (LilacImAccount *account,
                                      LilacKey       *data_key,
                                      GError        **error)
{
  g_autofree char *context = NULL;
  gsize length = 0;

  if (account->secret == NULL)
    return NULL;
  context = lilac_im_account_secret_context (account->id);
  return (char *) lilac_secret_open (data_key, account->secret, context, &length, error);
}
