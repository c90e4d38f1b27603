/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Login sessions in SQLite. A token is looked up by its keyed hash; the data
 * key sealed in the row opens only with the token itself, which the store
 * never holds.
 */
#include "config.h"

#include "lilac-login.h"

#include <string.h>

#include "lilac-error.h"

#define LILAC_LOGIN_KEY_CONTEXT "lilac login data key, v1"
#define LILAC_LOGIN_TOKEN_MAX 128
#define LILAC_LOGIN_TOUCH_MS (60 * 1000)

struct _LilacLoginStore {
  GObject parent_instance;

  LilacStore *store;   /* (owned) */
  gint64 lifetime;     /* ms a login may go unused; 0: forever */
};

G_DEFINE_TYPE (LilacLoginStore, lilac_login_store, G_TYPE_OBJECT)

void
lilac_login_free (LilacLogin *login)
{
  if (login == NULL)
    return;
  g_free (login->csrf);
  g_free (login->address);
  g_free (login->agent);
  g_free (login);
}

static void
lilac_login_store_finalize (GObject *object)
{
  LilacLoginStore *self = LILAC_LOGIN_STORE (object);

  g_clear_object (&self->store);
  G_OBJECT_CLASS (lilac_login_store_parent_class)->finalize (object);
}

static void
lilac_login_store_class_init (LilacLoginStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lilac_login_store_finalize;
}

static void
lilac_login_store_init (LilacLoginStore *self)
{
}

/**
 * lilac_login_store_new:
 *
 * Returns: (transfer full): the login store
 */
LilacLoginStore *
lilac_login_store_new (LilacStore *store)
{
  LilacLoginStore *self = g_object_new (LILAC_TYPE_LOGIN_STORE, NULL);

  self->store = g_object_ref (store);
  return self;
}

static char *
lilac_login_clip (const char *text,
                  gsize       max_length)
{
  const char *end = NULL;

  if (text == NULL)
    return g_strdup ("");
  if (!g_utf8_validate (text, -1, &end))
    return g_strndup (text, MIN ((gsize) (end - text), max_length));
  if (strlen (text) <= max_length)
    return g_strdup (text);
  return g_utf8_substring (text, 0, (glong) max_length / 4);
}

/**
 * lilac_login_store_create:
 * @self: the login store
 * @user: who logged in
 * @data_key: the user's data key, opened by the password
 * @address: (nullable): the client's address
 * @agent: (nullable): the client's User-Agent
 * @token: (out) (transfer full): the new bearer token; shown once
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the login
 */
LilacLogin *
lilac_login_store_create (LilacLoginStore *self,
                          const LilacUser *user,
                          LilacKey        *data_key,
                          const char      *address,
                          const char      *agent,
                          char           **token,
                          GError         **error)
{
  g_autofree char *new_token = lilac_secret_new_token ();
  g_autoptr(GBytes) token_id = lilac_secret_token_id (new_token);
  g_autoptr(LilacKey) token_key = lilac_secret_token_key (new_token);
  g_autoptr(GBytes) wrapped = lilac_secret_wrap_key (token_key, data_key, LILAC_LOGIN_KEY_CONTEXT);
  g_autoptr(LilacLogin) login = g_new0 (LilacLogin, 1);
  g_autoptr(LilacStmt) stmt = NULL;

  login->user_id = user->id;
  login->csrf = lilac_secret_new_token ();
  login->created = login->last_seen = g_get_real_time () / 1000;
  login->address = lilac_login_clip (address, 64);
  login->agent = lilac_login_clip (agent, 256);

  stmt = lilac_store_prepare (self->store,
                              "INSERT INTO sessions (user_id, token_hash, csrf, wrapped_key, "
                              "created, last_seen, address, agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, login->user_id);
  sqlite3_bind_blob (stmt, 2, g_bytes_get_data (token_id, NULL), (int) g_bytes_get_size (token_id),
                     SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, login->csrf, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 4, g_bytes_get_data (wrapped, NULL), (int) g_bytes_get_size (wrapped),
                     SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, login->created);
  sqlite3_bind_int64 (stmt, 6, login->last_seen);
  sqlite3_bind_text (stmt, 7, login->address, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, login->agent, -1, SQLITE_TRANSIENT);
  if (!lilac_store_step_done (self->store, stmt, error))
    return NULL;
  login->id = lilac_store_last_insert_id (self->store);
  *token = g_steal_pointer (&new_token);
  return g_steal_pointer (&login);
}

static gboolean
lilac_login_store_check_token (const char *token,
                               GError    **error)
{
  if (token == NULL || token[0] == '\0' || strlen (token) > LILAC_LOGIN_TOKEN_MAX)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED, "not logged in");
      return FALSE;
    }
  return TRUE;
}

static void
lilac_login_store_touch (LilacLoginStore *self,
                         LilacLogin      *login)
{
  gint64 now = g_get_real_time () / 1000;
  g_autoptr(LilacStmt) stmt = NULL;

  if (now - login->last_seen < LILAC_LOGIN_TOUCH_MS)
    return;
  stmt = lilac_store_prepare (self->store, "UPDATE sessions SET last_seen = ? WHERE id = ?", NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, login->id);
  if (lilac_store_step_done (self->store, stmt, NULL))
    login->last_seen = now;
}

static LilacLogin *
lilac_login_store_row (LilacStmt *stmt)
{
  LilacLogin *login = g_new0 (LilacLogin, 1);

  login->id = sqlite3_column_int64 (stmt, 0);
  login->user_id = sqlite3_column_int64 (stmt, 1);
  login->csrf = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  login->created = sqlite3_column_int64 (stmt, 3);
  login->last_seen = sqlite3_column_int64 (stmt, 4);
  login->address = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  login->agent = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  return login;
}

static gboolean
lilac_login_store_is_expired (LilacLoginStore  *self,
                              const LilacLogin *login)
{
  return self->lifetime > 0 && g_get_real_time () / 1000 - login->last_seen > self->lifetime;
}

/**
 * lilac_login_store_lookup:
 * @self: the login store
 * @token: the bearer token or cookie value presented
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the login, or UNAUTHORIZED
 */
LilacLogin *
lilac_login_store_lookup (LilacLoginStore *self,
                          const char      *token,
                          GError         **error)
{
  g_autoptr(GBytes) token_id = NULL;
  g_autoptr(LilacStmt) stmt = NULL;
  g_autoptr(LilacLogin) login = NULL;
  int rc;

  if (!lilac_login_store_check_token (token, error))
    return NULL;
  token_id = lilac_secret_token_id (token);
  stmt = lilac_store_prepare (self->store,
                              "SELECT id, user_id, csrf, created, last_seen, address, agent "
                              "FROM sessions WHERE token_hash = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_blob (stmt, 1, g_bytes_get_data (token_id, NULL), (int) g_bytes_get_size (token_id),
                     SQLITE_TRANSIENT);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED, "not logged in");
      return NULL;
    }
  login = lilac_login_store_row (stmt);
  lilac_stmt_release (stmt);
  if (lilac_login_store_is_expired (self, login))
    {
      lilac_login_store_delete (self, login->id, NULL);
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED,
                           "this login has expired; log in again");
      return NULL;
    }
  lilac_login_store_touch (self, login);
  return g_steal_pointer (&login);
}

/**
 * lilac_login_store_open_key:
 * @self: the login store
 * @token: a valid login token
 * @error: return location for a #GError
 *
 * Opens the user's data key sealed in the login, e.g. after a restart.
 *
 * Returns: (transfer full) (nullable): the data key
 */
LilacKey *
lilac_login_store_open_key (LilacLoginStore *self,
                            const char      *token,
                            GError         **error)
{
  g_autoptr(GBytes) token_id = NULL;
  g_autoptr(LilacKey) token_key = NULL;
  g_autoptr(GBytes) wrapped = NULL;
  g_autoptr(LilacStmt) stmt = NULL;
  int rc;

  if (!lilac_login_store_check_token (token, error))
    return NULL;
  token_id = lilac_secret_token_id (token);
  stmt = lilac_store_prepare (self->store, "SELECT wrapped_key FROM sessions WHERE token_hash = ?",
                              error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_blob (stmt, 1, g_bytes_get_data (token_id, NULL), (int) g_bytes_get_size (token_id),
                     SQLITE_TRANSIENT);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED, "not logged in");
      return NULL;
    }
  wrapped = g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
  token_key = lilac_secret_token_key (token);
  return lilac_secret_unwrap_key (token_key, wrapped, LILAC_LOGIN_KEY_CONTEXT, error);
}

gboolean
lilac_login_store_delete (LilacLoginStore *self,
                          gint64           login_id,
                          GError         **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "DELETE FROM sessions WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, login_id);
  return lilac_store_step_done (self->store, stmt, error);
}

/**
 * lilac_login_store_set_lifetime:
 * @self: the login store
 * @lifetime_ms: how long a login may go unused before it ends; 0: forever
 */
void
lilac_login_store_set_lifetime (LilacLoginStore *self,
                                gint64           lifetime_ms)
{
  self->lifetime = lifetime_ms;
}

/**
 * lilac_login_store_list:
 *
 * Returns: (transfer full) (element-type LilacLogin) (nullable): the user's
 *   logins, most recently used first
 */
GPtrArray *
lilac_login_store_list (LilacLoginStore *self,
                        gint64           user_id,
                        GError         **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT id, user_id, csrf, created, last_seen, "
                                                   "address, agent FROM sessions WHERE user_id = ? "
                                                   "ORDER BY last_seen DESC, id DESC", error);
  g_autoptr(GPtrArray) logins = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  logins = g_ptr_array_new_with_free_func ((GDestroyNotify) lilac_login_free);
  sqlite3_bind_int64 (stmt, 1, user_id);
  while ((rc = lilac_store_step (self->store, stmt, error)) == SQLITE_ROW)
    {
      LilacLogin *login = lilac_login_store_row (stmt);

      if (lilac_login_store_is_expired (self, login))
        lilac_login_free (login);
      else
        g_ptr_array_add (logins, login);
    }
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&logins);
}

/**
 * lilac_login_store_revoke:
 *
 * Ends one of the user's logins; another user's login id is NOT_FOUND.
 */
gboolean
lilac_login_store_revoke (LilacLoginStore *self,
                          gint64           user_id,
                          gint64           login_id,
                          GError         **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "DELETE FROM sessions WHERE id = ? AND user_id = ?",
                                                   error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, login_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (!lilac_store_step_done (self->store, stmt, error))
    return FALSE;
  if (sqlite3_changes (lilac_store_get_db (self->store)) == 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such login");
      return FALSE;
    }
  return TRUE;
}

gboolean
lilac_login_store_delete_all (LilacLoginStore *self,
                              gint64           user_id,
                              GError         **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "DELETE FROM sessions WHERE user_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, user_id);
  return lilac_store_step_done (self->store, stmt, error);
}

/**
 * lilac_login_store_purge_expired:
 *
 * Returns: how many expired logins were deleted
 */
unsigned
lilac_login_store_purge_expired (LilacLoginStore *self)
{
  g_autoptr(LilacStmt) stmt = NULL;

  if (self->lifetime <= 0)
    return 0;
  stmt = lilac_store_prepare (self->store, "DELETE FROM sessions WHERE last_seen < ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time () / 1000 - self->lifetime);
  if (!lilac_store_step_done (self->store, stmt, NULL))
    return 0;
  return (unsigned) sqlite3_changes (lilac_store_get_db (self->store));
}

/**
 * lilac_login_store_user_has_logins:
 *
 * Returns: whether the user has a login that has not expired
 */
gboolean
lilac_login_store_user_has_logins (LilacLoginStore *self,
                                   gint64           user_id)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT 1 FROM sessions WHERE user_id = ? "
                                                   "AND last_seen >= ? LIMIT 1", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, self->lifetime > 0 ? g_get_real_time () / 1000 - self->lifetime : 0);
  return lilac_store_step (self->store, stmt, NULL) == SQLITE_ROW;
}
