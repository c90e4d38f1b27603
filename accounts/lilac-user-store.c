/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Gateway users in SQLite. Each user has an Argon2id password hash and a
 * random data key wrapped by a second Argon2id key of the same password, so
 * the IM credentials sealed with the data key open only after a login. An
 * always-on user's data key is also wrapped by the server key. Argon2id runs
 * in worker threads; SQL stays on the main thread.
 */
#include "config.h"

#include "lilac-user-store.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-password.h"

#define LILAC_USER_SERVER_CONTEXT "lilac user data key under the server key, v1"

struct _LilacUserStore {
  GObject parent_instance;

  LilacStore *store;                 /* (owned) */
  guint64 argon2_ops;
  gsize argon2_mem;
  LilacPasswordRecord *dummy;        /* (owned) (nullable) opened for unknown names */
  GMutex dummy_lock;
};

G_DEFINE_TYPE (LilacUserStore, lilac_user_store, G_TYPE_OBJECT)

static void
lilac_user_store_finalize (GObject *object)
{
  LilacUserStore *self = LILAC_USER_STORE (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->dummy, lilac_password_record_free);
  g_mutex_clear (&self->dummy_lock);
  G_OBJECT_CLASS (lilac_user_store_parent_class)->finalize (object);
}

static void
lilac_user_store_class_init (LilacUserStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lilac_user_store_finalize;
}

static void
lilac_user_store_init (LilacUserStore *self)
{
  g_mutex_init (&self->dummy_lock);
}

/**
 * lilac_user_store_new:
 * @store: the store
 * @argon2_ops: Argon2id opslimit
 * @argon2_mem: Argon2id memlimit in bytes
 *
 * Returns: (transfer full): the user store
 */
LilacUserStore *
lilac_user_store_new (LilacStore *store,
                      guint64     argon2_ops,
                      gsize       argon2_mem)
{
  LilacUserStore *self = g_object_new (LILAC_TYPE_USER_STORE, NULL);

  self->store = g_object_ref (store);
  self->argon2_ops = argon2_ops;
  self->argon2_mem = argon2_mem;
  return self;
}

/**
 * lilac_user_store_check_name:
 *
 * A user name is 1 to 64 characters of ASCII letters, digits, '.', '_' and
 * '-', starting with a letter or digit.
 */
gboolean
lilac_user_store_check_name (const char *name,
                             GError    **error)
{
  gsize length = name != NULL ? strlen (name) : 0;

  if (length == 0 || length > LILAC_USER_NAME_MAX || !g_ascii_isalnum (name[0]))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "a user name has 1 to %d characters and starts with a letter or digit",
                   LILAC_USER_NAME_MAX);
      return FALSE;
    }
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isalnum (name[i]) && name[i] != '.' && name[i] != '_' && name[i] != '-')
        {
          g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                               "a user name may hold only letters, digits, '.', '_' and '-'");
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
lilac_user_store_check_password (const char *password,
                                 GError    **error)
{
  gsize length = password != NULL ? strlen (password) : 0;

  if (length < LILAC_PASSWORD_MIN || length > LILAC_PASSWORD_MAX)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "a password has %d to %d bytes", LILAC_PASSWORD_MIN, LILAC_PASSWORD_MAX);
      return FALSE;
    }
  if (!g_utf8_validate (password, (gssize) length, NULL))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "a password must be valid UTF-8");
      return FALSE;
    }
  return TRUE;
}

static LilacUser *
lilac_user_store_row_to_user (LilacStmt *stmt)
{
  return lilac_user_new (sqlite3_column_int64 (stmt, 0),
                         (const char *) sqlite3_column_text (stmt, 1),
                         sqlite3_column_int (stmt, 2) != 0,
                         sqlite3_column_int64 (stmt, 3));
}

static void
lilac_user_store_bind_bytes (LilacStmt *stmt,
                             int        index,
                             GBytes    *bytes)
{
  if (bytes == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_blob (stmt, index, g_bytes_get_data (bytes, NULL), (int) g_bytes_get_size (bytes),
                       SQLITE_TRANSIENT);
}

static GBytes *
lilac_user_store_column_bytes (LilacStmt *stmt,
                               int        index)
{
  if (sqlite3_column_type (stmt, index) != SQLITE_BLOB)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, index), (gsize) sqlite3_column_bytes (stmt, index));
}

/**
 * lilac_user_store_add:
 * @self: the user store
 * @name: the new user's name
 * @password: the new user's password
 * @admin: whether the user administers this gateway
 * @error: return location for a #GError
 *
 * Creates a user. Runs Argon2id twice, so it blocks for a noticeable time;
 * the HTTP API calls it from a thread. A name already taken (ignoring case)
 * is a CONFLICT.
 *
 * Returns: (transfer full) (nullable): the user
 */
LilacUser *
lilac_user_store_add (LilacUserStore *self,
                      const char     *name,
                      const char     *password,
                      gboolean        admin,
                      GError        **error)
{
  g_autoptr(LilacKey) data_key = lilac_key_new_random ();
  g_autoptr(LilacPasswordRecord) record = NULL;

  if (!lilac_user_store_check_name (name, error) ||
      !lilac_user_store_check_password (password, error))
    return NULL;
  record = lilac_password_record_new (password, data_key, self->argon2_ops, self->argon2_mem,
                                      error);
  if (record == NULL)
    return NULL;
  return lilac_user_store_insert (self, name, record, admin, error);
}

/**
 * lilac_user_store_insert:
 * @self: the user store
 * @name: a checked name
 * @record: (transfer none): the password record made for the new user
 * @admin: whether the user administers this gateway
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the new user, or CONFLICT
 */
LilacUser *
lilac_user_store_insert (LilacUserStore            *self,
                         const char                *name,
                         const LilacPasswordRecord *record,
                         gboolean                   admin,
                         GError                   **error)
{
  g_autoptr(LilacStmt) stmt = NULL;
  gint64 now = g_get_real_time () / 1000;

  stmt = lilac_store_prepare (self->store,
                              "INSERT INTO users (name, password_hash, admin, key_salt, "
                              "wrapped_key, created) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, record->hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, admin ? 1 : 0);
  lilac_user_store_bind_bytes (stmt, 4, record->salt);
  lilac_user_store_bind_bytes (stmt, 5, record->wrapped);
  sqlite3_bind_int64 (stmt, 6, now);
  if (!lilac_store_step_done (self->store, stmt, error))
    {
      if (lilac_error_is_conflict (*error))
        {
          g_clear_error (error);
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_CONFLICT,
                       "a user named %s already exists", name);
        }
      return NULL;
    }
  return lilac_user_new (lilac_store_last_insert_id (self->store), name, admin, now);
}

/**
 * lilac_user_store_get:
 *
 * Returns: (transfer full) (nullable): the user with @id, or NOT_FOUND
 */
LilacUser *
lilac_user_store_get (LilacUserStore *self,
                      gint64          id,
                      GError        **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT id, name, admin, created FROM users "
                                                   "WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such user");
      return NULL;
    }
  return lilac_user_store_row_to_user (stmt);
}

/**
 * lilac_user_store_list:
 *
 * Returns: (transfer full) (element-type LilacUser) (nullable): every user, by name
 */
GPtrArray *
lilac_user_store_list (LilacUserStore *self,
                       GError        **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT id, name, admin, created FROM users "
                                                   "ORDER BY name", error);
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) lilac_user_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = lilac_store_step (self->store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (users, lilac_user_store_row_to_user (stmt));
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&users);
}

/**
 * lilac_user_store_delete:
 *
 * Deletes a user with everything of theirs (logins, accounts, history).
 */
gboolean
lilac_user_store_delete (LilacUserStore *self,
                         gint64          id,
                         GError        **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store, "DELETE FROM users WHERE id = ?",
                                                   error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!lilac_store_step_done (self->store, stmt, error))
    return FALSE;
  if (sqlite3_changes (lilac_store_get_db (self->store)) == 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such user");
      return FALSE;
    }
  return TRUE;
}

/* --------------------------------------------------------------- Settings */

/**
 * lilac_user_store_get_settings:
 *
 * Returns: (transfer full) (nullable): the user's settings object
 */
JsonObject *
lilac_user_store_get_settings (LilacUserStore *self,
                               gint64          id,
                               GError        **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT settings, server_wrapped_key IS NOT NULL "
                                                   "FROM users WHERE id = ?", error);
  JsonObject *settings;
  const char *text;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such user");
      return NULL;
    }
  text = (const char *) sqlite3_column_text (stmt, 0);
  settings = lilac_json_parse_object (text, strlen (text), NULL);
  if (settings == NULL)
    settings = json_object_new ();
  json_object_set_boolean_member (settings, "always_on", sqlite3_column_int (stmt, 1) != 0);
  return settings;
}

/**
 * lilac_user_store_put_settings:
 * @self: the user store
 * @id: the user
 * @settings: the settings to keep ("always_on" is not kept here: see
 *   lilac_user_store_set_always_on())
 * @error: return location for a #GError
 */
gboolean
lilac_user_store_put_settings (LilacUserStore *self,
                               gint64          id,
                               JsonObject     *settings,
                               GError        **error)
{
  g_autoptr(JsonObject) kept = json_object_new ();
  g_autoptr(GList) names = json_object_get_members (settings);
  g_autofree char *text = NULL;
  g_autoptr(LilacStmt) stmt = NULL;

  for (GList *l = names; l != NULL; l = l->next)
    {
      if (!g_str_equal (l->data, "always_on"))
        json_object_set_member (kept, l->data, json_node_copy (json_object_get_member (settings,
                                                                                        l->data)));
    }
  text = lilac_json_object_to_string (kept, NULL);
  stmt = lilac_store_prepare (self->store, "UPDATE users SET settings = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, id);
  return lilac_store_step_done (self->store, stmt, error);
}

/**
 * lilac_user_store_set_always_on:
 * @self: the user store
 * @id: the user
 * @server_key: (nullable): the server key, or %NULL to stop being always-on
 * @data_key: (nullable): the user's data key, with @server_key
 * @error: return location for a #GError
 *
 * Wraps the data key with the server key, so the gateway can sign the
 * user's accounts on at start without a login; or forgets that wrapping.
 */
gboolean
lilac_user_store_set_always_on (LilacUserStore *self,
                                gint64          id,
                                LilacKey       *server_key,
                                LilacKey       *data_key,
                                GError        **error)
{
  g_autoptr(GBytes) wrapped = NULL;
  g_autoptr(LilacStmt) stmt = NULL;

  if (server_key != NULL)
    wrapped = lilac_secret_wrap_key (server_key, data_key, LILAC_USER_SERVER_CONTEXT);
  stmt = lilac_store_prepare (self->store, "UPDATE users SET server_wrapped_key = ? WHERE id = ?",
                              error);
  if (stmt == NULL)
    return FALSE;
  lilac_user_store_bind_bytes (stmt, 1, wrapped);
  sqlite3_bind_int64 (stmt, 2, id);
  return lilac_store_step_done (self->store, stmt, error);
}

/**
 * lilac_user_store_list_always_on:
 * @self: the user store
 * @server_key: the server key
 * @keys: (out) (transfer full) (element-type LilacKey): each user's data key
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type LilacUser) (nullable): the always-on
 *   users whose data key opens with @server_key
 */
GPtrArray *
lilac_user_store_list_always_on (LilacUserStore *self,
                                 LilacKey       *server_key,
                                 GPtrArray     **keys,
                                 GError        **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT id, name, admin, created, "
                                                   "server_wrapped_key FROM users "
                                                   "WHERE server_wrapped_key IS NOT NULL", error);
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) lilac_user_free);
  g_autoptr(GPtrArray) opened = g_ptr_array_new_with_free_func ((GDestroyNotify) lilac_key_unref);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = lilac_store_step (self->store, stmt, error)) == SQLITE_ROW)
    {
      g_autoptr(GBytes) wrapped = lilac_user_store_column_bytes (stmt, 4);
      g_autoptr(LilacUser) user = lilac_user_store_row_to_user (stmt);
      LilacKey *key = lilac_secret_unwrap_key (server_key, wrapped, LILAC_USER_SERVER_CONTEXT, NULL);

      if (key == NULL)
        {
          g_message ("always-on user %s: the server key does not open the data key", user->name);
          continue;
        }
      g_ptr_array_add (users, g_steal_pointer (&user));
      g_ptr_array_add (opened, key);
    }
  if (rc < 0)
    return NULL;
  *keys = g_steal_pointer (&opened);
  return g_steal_pointer (&users);
}

/**
 * lilac_user_store_take_credentials_reset:
 *
 * Returns: whether an administrator reset the user's password (and with it
 *   the IM passwords) since the user last heard of it; clears the mark
 */
gboolean
lilac_user_store_take_credentials_reset (LilacUserStore *self,
                                         gint64          id)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "UPDATE users SET credentials_reset = 0 "
                                                   "WHERE id = ? AND credentials_reset", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!lilac_store_step_done (self->store, stmt, NULL))
    return FALSE;
  return sqlite3_changes (lilac_store_get_db (self->store)) > 0;
}

/* ------------------------------------------------- Password checks, threads */

typedef struct {
  gint64 user_id;
  char *password;               /* (owned) wiped when freed: the one given */
  char *new_password;           /* (owned) (nullable) wiped when freed */
  LilacUser *user;              /* (owned) (nullable) NULL when the name is unknown */
  LilacPasswordRecord *record;  /* (owned) (nullable) as stored */
  LilacPasswordRecord *fresh;   /* (owned) (nullable) the new record */
  LilacKey *data_key;           /* (owned) (nullable) */
} LilacUserStoreJob;

static void
lilac_user_store_wipe (char *text)
{
  if (text != NULL)
    explicit_bzero (text, strlen (text));
  g_free (text);
}

static void
lilac_user_store_job_free (LilacUserStoreJob *job)
{
  lilac_user_store_wipe (job->password);
  lilac_user_store_wipe (job->new_password);
  g_clear_pointer (&job->user, lilac_user_free);
  g_clear_pointer (&job->record, lilac_password_record_free);
  g_clear_pointer (&job->fresh, lilac_password_record_free);
  g_clear_pointer (&job->data_key, lilac_key_unref);
  g_free (job);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacUserStoreJob, lilac_user_store_job_free)

static const LilacPasswordRecord *
lilac_user_store_get_dummy (LilacUserStore *self)
{
  const LilacPasswordRecord *dummy;

  g_mutex_lock (&self->dummy_lock);
  if (self->dummy == NULL)
    {
      g_autoptr(LilacKey) key = lilac_key_new_random ();

      self->dummy = lilac_password_record_new ("not anybody's password", key, self->argon2_ops,
                                               self->argon2_mem, NULL);
    }
  dummy = self->dummy;
  g_mutex_unlock (&self->dummy_lock);
  return dummy;
}

static gboolean
lilac_user_store_load_record (LilacUserStore    *self,
                              const char        *name,
                              gint64             id,
                              LilacUserStoreJob *job,
                              GError           **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   name != NULL
                                                   ? "SELECT id, name, admin, created, password_hash, "
                                                     "key_salt, wrapped_key FROM users WHERE name = ?"
                                                   : "SELECT id, name, admin, created, password_hash, "
                                                     "key_salt, wrapped_key FROM users WHERE id <= ? "
                                                     "ORDER BY id DESC LIMIT 1",
                                                   error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (name != NULL)
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_ROW)
    {
      job->user = lilac_user_store_row_to_user (stmt);
      job->record = g_new0 (LilacPasswordRecord, 1);
      job->record->hash = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      job->record->salt = lilac_user_store_column_bytes (stmt, 5);
      job->record->wrapped = lilac_user_store_column_bytes (stmt, 6);
    }
  return TRUE;
}

static void
lilac_user_store_authenticate_thread (GTask        *task,
                                      gpointer      source_object,
                                      gpointer      task_data,
                                      GCancellable *cancellable)
{
  LilacUserStore *self = LILAC_USER_STORE (source_object);
  LilacUserStoreJob *job = task_data;
  GError *local_error = NULL;

  /* an unknown name costs the same work as a known one */
  /* the record is the user's, or a stand-in's for an unknown name */
  job->data_key = lilac_password_open (job->record != NULL ? job->record
                                                           : lilac_user_store_get_dummy (self),
                                       job->password, self->argon2_ops, self->argon2_mem,
                                       &local_error);
  if (job->user == NULL && job->data_key != NULL)
    {
      g_clear_pointer (&job->data_key, lilac_key_unref);
      g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED,
                           "wrong user name or password");
    }
  if (local_error != NULL)
    {
      g_clear_error (&local_error);
      g_task_return_new_error (task, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED,
                               "wrong user name or password");
      return;
    }
  /* a record made at another cost than today's (the operator changed it) is made again while
   * the password is at hand: old records would otherwise tell their users from unknown names,
   * which are checked at the newest record's cost */
  if (job->new_password == NULL &&
      !lilac_password_record_is_current (job->record, self->argon2_ops, self->argon2_mem))
    job->fresh = lilac_password_record_new (job->password, job->data_key, self->argon2_ops,
                                            self->argon2_mem, NULL);
  /* a password change or reset: the new record, for the same data key or a new one */
  if (job->new_password != NULL)
    {
      job->fresh = lilac_password_record_new (job->new_password, job->data_key, self->argon2_ops,
                                              self->argon2_mem, &local_error);
      if (job->fresh == NULL)
        {
          g_task_return_error (task, local_error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * lilac_user_store_authenticate_async:
 * @self: the user store
 * @name: the user name given
 * @password: the password given
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the check is done
 * @user_data: data for @callback
 *
 * Checks a password in a worker thread (Argon2id takes tens of
 * milliseconds) and opens the user's data key. Unknown names and wrong
 * passwords fail alike, with UNAUTHORIZED, after the same amount of work.
 */
void
lilac_user_store_authenticate_async (LilacUserStore     *self,
                                     const char         *name,
                                     const char         *password,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(LilacUserStoreJob) job = g_new0 (LilacUserStoreJob, 1);
  g_autoptr(GError) local_error = NULL;

  g_task_set_source_tag (task, lilac_user_store_authenticate_async);
  job->password = g_strdup (password);
  if (!lilac_user_store_load_record (self, name, 0, job, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  /* for an unknown name, check the password against the newest user's record:
   * the same cost as a real check, and the user stays unknown whatever the outcome */
  if (job->user == NULL)
    {
      g_autoptr(LilacUserStoreJob) stand_in = g_new0 (LilacUserStoreJob, 1);

      if (lilac_user_store_load_record (self, NULL, G_MAXINT64, stand_in, NULL) &&
          stand_in->record != NULL)
        job->record = g_steal_pointer (&stand_in->record);
    }
  g_task_set_task_data (task, g_steal_pointer (&job), (GDestroyNotify) lilac_user_store_job_free);
  g_task_run_in_thread (task, lilac_user_store_authenticate_thread);
}

static gboolean lilac_user_store_write_record (LilacUserStore            *self,
                                               gint64                     id,
                                               const LilacPasswordRecord *record,
                                               GError                   **error);

/**
 * lilac_user_store_authenticate_finish:
 * @self: the user store
 * @result: the #GAsyncResult
 * @data_key: (out) (transfer full): the user's data key
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the user
 */
LilacUser *
lilac_user_store_authenticate_finish (LilacUserStore *self,
                                      GAsyncResult   *result,
                                      LilacKey      **data_key,
                                      GError        **error)
{
  LilacUserStoreJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  job = g_task_get_task_data (G_TASK (result));
  if (job->fresh != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      if (lilac_user_store_write_record (self, job->user->id, job->fresh, &local_error))
        g_message ("user %s: password record made again at today's Argon2id cost", job->user->name);
      else
        g_message ("user %s: password record not renewed: %s", job->user->name, local_error->message);
      g_clear_pointer (&job->fresh, lilac_password_record_free);
    }
  *data_key = lilac_key_ref (job->data_key);
  return lilac_user_copy (job->user);
}

static gboolean
lilac_user_store_write_record (LilacUserStore            *self,
                               gint64                     id,
                               const LilacPasswordRecord *record,
                               GError                   **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "UPDATE users SET password_hash = ?, key_salt = ?, "
                                                   "wrapped_key = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, record->hash, -1, SQLITE_TRANSIENT);
  lilac_user_store_bind_bytes (stmt, 2, record->salt);
  lilac_user_store_bind_bytes (stmt, 3, record->wrapped);
  sqlite3_bind_int64 (stmt, 4, id);
  return lilac_store_step_done (self->store, stmt, error);
}

static void
lilac_user_store_change_done_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LilacUserStore *self = LILAC_USER_STORE (source);
  LilacUserStoreJob *job = g_task_get_task_data (G_TASK (result));
  GError *local_error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &local_error) ||
      !lilac_user_store_write_record (self, job->user->id, job->fresh, &local_error))
    {
      g_task_return_error (task, local_error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * lilac_user_store_change_password_async:
 * @self: the user store
 * @id: the user
 * @old_password: the current password, checked
 * @new_password: the new password (checked by the caller)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Re-wraps the user's data key under the new password: stored IM passwords
 * stay readable. A wrong @old_password fails with UNAUTHORIZED.
 */
void
lilac_user_store_change_password_async (LilacUserStore     *self,
                                        gint64              id,
                                        const char         *old_password,
                                        const char         *new_password,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;
  g_autoptr(LilacUserStoreJob) job = g_new0 (LilacUserStoreJob, 1);
  g_autoptr(GError) local_error = NULL;

  g_task_set_source_tag (task, lilac_user_store_change_password_async);
  job->password = g_strdup (old_password);
  job->new_password = g_strdup (new_password);
  if (!lilac_user_store_load_record (self, NULL, id, job, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  if (job->user == NULL || job->user->id != id)
    {
      g_task_return_new_error (task, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such user");
      return;
    }
  inner = g_task_new (self, cancellable, lilac_user_store_change_done_cb, g_steal_pointer (&task));
  g_task_set_task_data (inner, g_steal_pointer (&job), (GDestroyNotify) lilac_user_store_job_free);
  g_task_run_in_thread (inner, lilac_user_store_authenticate_thread);
}

gboolean
lilac_user_store_change_password_finish (LilacUserStore *self,
                                         GAsyncResult   *result,
                                         GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* a fresh data key and its password record: for a new user, or a reset */
static void
lilac_user_store_new_key_thread (GTask        *task,
                               gpointer      source_object,
                               gpointer      task_data,
                               GCancellable *cancellable)
{
  LilacUserStore *self = LILAC_USER_STORE (source_object);
  LilacUserStoreJob *job = task_data;
  GError *local_error = NULL;

  job->data_key = lilac_key_new_random ();
  job->fresh = lilac_password_record_new (job->new_password, job->data_key, self->argon2_ops,
                                          self->argon2_mem, &local_error);
  if (job->fresh == NULL)
    g_task_return_error (task, local_error);
  else
    g_task_return_boolean (task, TRUE);
}

/* the reset forgets everything the old data key opened: logins, IM passwords, always-on */
static gboolean
lilac_user_store_apply_reset (LilacUserStore    *self,
                              LilacUserStoreJob *job,
                              GError           **error)
{
  static const char *const statements[] = {
    "UPDATE accounts SET secret = NULL WHERE user_id = ?",
    "DELETE FROM sessions WHERE user_id = ?",
    "UPDATE users SET server_wrapped_key = NULL, credentials_reset = 1 WHERE id = ?",
  };

  if (!lilac_store_begin (self->store, error))
    return FALSE;
  for (unsigned i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store, statements[i], error);

      if (stmt == NULL)
        break;
      sqlite3_bind_int64 (stmt, 1, job->user_id);
      if (!lilac_store_step_done (self->store, stmt, error))
        break;
    }
  if ((error != NULL && *error != NULL) ||
      !lilac_user_store_write_record (self, job->user_id, job->fresh, error) ||
      !lilac_store_commit (self->store, error))
    {
      lilac_store_rollback (self->store);
      return FALSE;
    }
  return TRUE;
}

static void
lilac_user_store_reset_done_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LilacUserStore *self = LILAC_USER_STORE (source);
  LilacUserStoreJob *job = g_task_get_task_data (G_TASK (result));
  GError *local_error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &local_error) ||
      !lilac_user_store_apply_reset (self, job, &local_error))
    {
      g_task_return_error (task, local_error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * lilac_user_store_reset_password_async:
 * @self: the user store
 * @id: the user
 * @new_password: the password the administrator sets (checked by the caller)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * An administrator's reset: a new data key under the new password. What the
 * old key sealed cannot be opened any more, so the stored IM passwords are
 * deleted, every login ends, always-on stops, and the user is told at the
 * next login.
 */
void
lilac_user_store_reset_password_async (LilacUserStore     *self,
                                       gint64              id,
                                       const char         *new_password,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;
  g_autoptr(LilacUserStoreJob) job = g_new0 (LilacUserStoreJob, 1);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacUser) user = NULL;

  g_task_set_source_tag (task, lilac_user_store_reset_password_async);
  user = lilac_user_store_get (self, id, &local_error);
  if (user == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  job->user_id = id;
  job->new_password = g_strdup (new_password);
  inner = g_task_new (self, cancellable, lilac_user_store_reset_done_cb, g_steal_pointer (&task));
  g_task_set_task_data (inner, g_steal_pointer (&job), (GDestroyNotify) lilac_user_store_job_free);
  g_task_run_in_thread (inner, lilac_user_store_new_key_thread);
}

gboolean
lilac_user_store_reset_password_finish (LilacUserStore *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------ Registration */

/**
 * lilac_user_store_create_async:
 * @self: the user store
 * @name: the new user's name
 * @password: the new user's password
 * @admin: whether the new user is an administrator
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * lilac_user_store_add() with Argon2id in a thread, for the HTTP API.
 */
void
lilac_user_store_create_async (LilacUserStore     *self,
                               const char         *name,
                               const char         *password,
                               gboolean            admin,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(LilacUserStoreJob) job = g_new0 (LilacUserStoreJob, 1);
  g_autoptr(GError) local_error = NULL;

  g_task_set_source_tag (task, lilac_user_store_create_async);
  if (!lilac_user_store_check_name (name, &local_error) ||
      !lilac_user_store_check_password (password, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  job->user = lilac_user_new (0, name, admin, 0);
  job->new_password = g_strdup (password);
  g_task_set_task_data (task, g_steal_pointer (&job), (GDestroyNotify) lilac_user_store_job_free);
  g_task_run_in_thread (task, lilac_user_store_new_key_thread);
}

/**
 * lilac_user_store_create_finish:
 *
 * Returns: (transfer full) (nullable): the new user, or CONFLICT
 */
LilacUser *
lilac_user_store_create_finish (LilacUserStore *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  LilacUserStoreJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  job = g_task_get_task_data (G_TASK (result));
  return lilac_user_store_insert (self, job->user->name, job->fresh, job->user->admin, error);
}
