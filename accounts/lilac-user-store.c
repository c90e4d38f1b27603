/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Gateway users in SQLite. Each user has an Argon2id password hash and a
 * random data key wrapped by a second Argon2id key of the same password, so
 * the IM credentials sealed with the data key open only after a login.
 */
#include "config.h"

#include "lilac-user-store.h"

#include <string.h>

#include "lilac-error.h"

#define LILAC_USER_KEY_CONTEXT "lilac user data key, v1"

struct _LilacUserStore {
  GObject parent_instance;

  LilacStore *store;    /* (owned) */
  guint64 argon2_ops;
  gsize argon2_mem;
  char *dummy_hash;     /* (owned) (nullable) checked for unknown names, so timing does not tell */
  GMutex dummy_lock;
};

G_DEFINE_TYPE (LilacUserStore, lilac_user_store, G_TYPE_OBJECT)

static void
lilac_user_store_finalize (GObject *object)
{
  LilacUserStore *self = LILAC_USER_STORE (object);

  g_clear_object (&self->store);
  g_free (self->dummy_hash);
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

/**
 * lilac_user_store_add:
 * @self: the user store
 * @name: the new user's name
 * @password: the new user's password
 * @admin: whether the user administers this gateway
 * @error: return location for a #GError
 *
 * Creates a user. Runs Argon2id twice, so it blocks for a noticeable time.
 * A name already taken (ignoring case) is a CONFLICT.
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
  g_autofree char *hash = NULL;
  g_autoptr(GBytes) salt = lilac_secret_new_salt ();
  g_autoptr(LilacKey) password_key = NULL;
  g_autoptr(LilacKey) data_key = lilac_key_new_random ();
  g_autoptr(GBytes) wrapped = NULL;
  g_autoptr(LilacStmt) stmt = NULL;
  gint64 now = g_get_real_time () / 1000;

  if (!lilac_user_store_check_name (name, error) ||
      !lilac_user_store_check_password (password, error))
    return NULL;
  hash = lilac_secret_hash_password (password, self->argon2_ops, self->argon2_mem, error);
  if (hash == NULL)
    return NULL;
  password_key = lilac_secret_derive_password_key (password, salt, self->argon2_ops,
                                                   self->argon2_mem, error);
  if (password_key == NULL)
    return NULL;
  wrapped = lilac_secret_wrap_key (password_key, data_key, LILAC_USER_KEY_CONTEXT);

  stmt = lilac_store_prepare (self->store,
                              "INSERT INTO users (name, password_hash, admin, key_salt, "
                              "wrapped_key, created) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, admin ? 1 : 0);
  sqlite3_bind_blob (stmt, 4, g_bytes_get_data (salt, NULL), (int) g_bytes_get_size (salt),
                     SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 5, g_bytes_get_data (wrapped, NULL), (int) g_bytes_get_size (wrapped),
                     SQLITE_TRANSIENT);
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

/* --------------------------------------------------------- Authentication */

typedef struct {
  char *password;       /* (owned) wiped when freed */
  LilacUser *user;      /* (owned) (nullable) NULL when the name is unknown */
  char *hash;           /* (owned) (nullable) */
  GBytes *salt;         /* (owned) (nullable) */
  GBytes *wrapped;      /* (owned) (nullable) */
  LilacKey *data_key;   /* (owned) (nullable) the result */
} LilacUserStoreAuth;

static void
lilac_user_store_auth_free (LilacUserStoreAuth *auth)
{
  if (auth->password != NULL)
    explicit_bzero (auth->password, strlen (auth->password));
  g_free (auth->password);
  g_clear_pointer (&auth->user, lilac_user_free);
  g_free (auth->hash);
  g_clear_pointer (&auth->salt, g_bytes_unref);
  g_clear_pointer (&auth->wrapped, g_bytes_unref);
  g_clear_pointer (&auth->data_key, lilac_key_unref);
  g_free (auth);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacUserStoreAuth, lilac_user_store_auth_free)

static const char *
lilac_user_store_get_dummy_hash (LilacUserStore *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->dummy_lock);

  if (self->dummy_hash == NULL)
    self->dummy_hash = lilac_secret_hash_password ("not anybody's password", self->argon2_ops,
                                                   self->argon2_mem, NULL);
  return self->dummy_hash;
}

static void
lilac_user_store_authenticate_thread (GTask        *task,
                                      gpointer      source_object,
                                      gpointer      task_data,
                                      GCancellable *cancellable)
{
  LilacUserStore *self = LILAC_USER_STORE (source_object);
  LilacUserStoreAuth *auth = task_data;
  g_autoptr(LilacKey) password_key = NULL;
  g_autoptr(GBytes) dummy_salt = NULL;
  gboolean valid;

  /* an unknown name costs the same work as a known one */
  if (auth->user == NULL)
    {
      const char *dummy = lilac_user_store_get_dummy_hash (self);

      lilac_secret_verify_password (dummy != NULL ? dummy : "", auth->password);
      dummy_salt = lilac_secret_new_salt ();
      password_key = lilac_secret_derive_password_key (auth->password, dummy_salt,
                                                       self->argon2_ops, self->argon2_mem, NULL);
      g_task_return_new_error (task, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED,
                               "wrong user name or password");
      return;
    }
  valid = lilac_secret_verify_password (auth->hash, auth->password);
  password_key = lilac_secret_derive_password_key (auth->password, auth->salt,
                                                   self->argon2_ops, self->argon2_mem, NULL);
  if (!valid || password_key == NULL)
    {
      g_task_return_new_error (task, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED,
                               "wrong user name or password");
      return;
    }
  auth->data_key = lilac_secret_unwrap_key (password_key, auth->wrapped,
                                            LILAC_USER_KEY_CONTEXT, NULL);
  if (auth->data_key == NULL)
    {
      g_task_return_new_error (task, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                               "the data key of user %s does not open", auth->user->name);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static gboolean
lilac_user_store_load_auth (LilacUserStore     *self,
                            const char         *name,
                            LilacUserStoreAuth *auth,
                            GError            **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT id, name, admin, created, "
                                                   "password_hash, key_salt, wrapped_key "
                                                   "FROM users WHERE name = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_ROW)
    {
      auth->user = lilac_user_store_row_to_user (stmt);
      auth->hash = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      auth->salt = g_bytes_new (sqlite3_column_blob (stmt, 5), (gsize) sqlite3_column_bytes (stmt, 5));
      auth->wrapped = g_bytes_new (sqlite3_column_blob (stmt, 6),
                                   (gsize) sqlite3_column_bytes (stmt, 6));
    }
  return TRUE;
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
  g_autoptr(LilacUserStoreAuth) auth = g_new0 (LilacUserStoreAuth, 1);
  g_autoptr(GError) local_error = NULL;

  g_task_set_source_tag (task, lilac_user_store_authenticate_async);
  auth->password = g_strdup (password);
  if (!lilac_user_store_load_auth (self, name, auth, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_set_task_data (task, g_steal_pointer (&auth),
                        (GDestroyNotify) lilac_user_store_auth_free);
  g_task_run_in_thread (task, lilac_user_store_authenticate_thread);
}

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
  LilacUserStoreAuth *auth;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  auth = g_task_get_task_data (G_TASK (result));
  *data_key = lilac_key_ref (auth->data_key);
  return lilac_user_copy (auth->user);
}
