/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The SQLite store. Schema versions (migrations/NNN-*.sql, in a GResource):
 *   v1 users, login sessions, IM accounts, conversations, messages
 *   v2 users.server_wrapped_key (always-on), users.credentials_reset, sessions by last use
 *   v3 messages_fts (FTS5, trigram) kept by triggers, messages by time
 *   v4 transfers and transfer_contents (blobs)
 *   v5 messages_unindexed: the search index is filled in batches
 */
#include "config.h"

#include "lilac-store.h"

#include <gio/gio.h>

#include "lilac-error.h"

#define LILAC_STORE_RESOURCE_PATH "/org/lilac/store/"

struct _LilacStore {
  GObject parent_instance;

  sqlite3 *db;            /* (owned) */
  GHashTable *cache;      /* (owned) SQL text -> (owned) sqlite3_stmt */
  int version;
};

G_DEFINE_TYPE (LilacStore, lilac_store, G_TYPE_OBJECT)

/* each entry is applied in order, in its own transaction with user_version = index + 1 */
static const char *const lilac_store_migrations[] = {
  "001-initial.sql",
  "002-always-on.sql",
  "003-history-search.sql",
  "004-transfers.sql",
  "005-search-queue.sql",
};

static void
lilac_store_finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

void
lilac_stmt_release (LilacStmt *stmt)
{
  if (stmt == NULL)
    return;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/**
 * lilac_error_set_from_sqlite:
 * @error: return location for a #GError
 * @db: the connection
 * @rc: the SQLite result code
 * @what: what was being done
 *
 * Maps an SQLite failure to LILAC_ERROR: constraint violations become
 * CONFLICT, a full disk becomes UNAVAILABLE, anything else INTERNAL.
 */
void
lilac_error_set_from_sqlite (GError    **error,
                             sqlite3    *db,
                             int         rc,
                             const char *what)
{
  LilacErrorCode code = LILAC_ERROR_INTERNAL;

  switch (rc & 0xff)
    {
    case SQLITE_CONSTRAINT:
      code = LILAC_ERROR_CONFLICT;
      break;
    case SQLITE_FULL:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
      code = LILAC_ERROR_UNAVAILABLE;
      break;
    default:
      break;
    }
  g_set_error (error, LILAC_ERROR, code, "%s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

static void
lilac_store_finalize (GObject *object)
{
  LilacStore *self = LILAC_STORE (object);

  g_clear_pointer (&self->cache, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  G_OBJECT_CLASS (lilac_store_parent_class)->finalize (object);
}

static void
lilac_store_class_init (LilacStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lilac_store_finalize;
}

static void
lilac_store_init (LilacStore *self)
{
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       lilac_store_finalize_stmt);
}

gboolean
lilac_store_exec (LilacStore *self,
                  const char *sql,
                  GError    **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    {
      lilac_error_set_from_sqlite (error, NULL, rc, "running sql");
      if (message != NULL)
        g_prefix_error (error, "%s: ", message);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static int
lilac_store_read_version (LilacStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int (stmt, 0);
}

static gboolean
lilac_store_apply_migration (LilacStore *self,
                             int         version,
                             GError    **error)
{
  g_autofree char *path = g_strconcat (LILAC_STORE_RESOURCE_PATH,
                                       lilac_store_migrations[version - 1], NULL);
  g_autoptr(GBytes) sql = NULL;
  g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d", version);

  sql = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (sql == NULL)
    return FALSE;
  if (!lilac_store_begin (self, error))
    return FALSE;
  if (!lilac_store_exec (self, g_bytes_get_data (sql, NULL), error) ||
      !lilac_store_exec (self, pragma, error) ||
      !lilac_store_commit (self, error))
    {
      lilac_store_rollback (self);
      g_prefix_error (error, "migrating the database to version %d: ", version);
      return FALSE;
    }
  g_message ("database migrated to version %d", version);
  return TRUE;
}

static gboolean
lilac_store_migrate (LilacStore *self,
                     GError    **error)
{
  int latest = lilac_store_get_latest_version ();

  self->version = lilac_store_read_version (self);
  if (self->version < 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                           "cannot read the database version");
      return FALSE;
    }
  if (self->version > latest)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_VERSION_MISMATCH,
                   "the database has schema version %d, newer than this Lilac (%d)",
                   self->version, latest);
      return FALSE;
    }
  while (self->version < latest)
    {
      if (!lilac_store_apply_migration (self, self->version + 1, error))
        return FALSE;
      self->version++;
    }
  return TRUE;
}

/**
 * lilac_store_open:
 * @path: the database file, created if missing
 * @error: return location for a #GError
 *
 * Opens the database in WAL mode with foreign keys on and brings its schema
 * to the newest version. A database from a newer Lilac is refused.
 *
 * Returns: (transfer full) (nullable): the store
 */
LilacStore *
lilac_store_open (const char *path,
                  GError    **error)
{
  g_autoptr(LilacStore) self = g_object_new (LILAC_TYPE_STORE, NULL);
  int rc;

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      lilac_error_set_from_sqlite (error, self->db, rc, "opening the database");
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);
  if (!lilac_store_exec (self, "PRAGMA journal_mode = WAL;"
                               "PRAGMA synchronous = NORMAL;"
                               "PRAGMA foreign_keys = ON;"
                               "PRAGMA secure_delete = ON;", error))
    return NULL;
  if (!lilac_store_migrate (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lilac_store_set_max_size:
 * @self: the store
 * @bytes: the largest size the database file may reach, 0 for no limit
 * @error: return location for a #GError
 *
 * Caps the database (PRAGMA max_page_count): past it, writes fail with
 * UNAVAILABLE ("database or disk is full") while reads go on, exactly as on
 * a full disk.
 */
gboolean
lilac_store_set_max_size (LilacStore *self,
                          gint64      bytes,
                          GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  gint64 page_size = 4096;

  if (bytes <= 0)
    return TRUE;
  if (sqlite3_prepare_v2 (self->db, "PRAGMA page_size", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    page_size = sqlite3_column_int64 (stmt, 0);
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, MAX (bytes / page_size, 1));
  return lilac_store_exec (self, sql, error);
}

int
lilac_store_get_version (LilacStore *self)
{
  return self->version;
}

int
lilac_store_get_latest_version (void)
{
  return (int) G_N_ELEMENTS (lilac_store_migrations);
}

sqlite3 *
lilac_store_get_db (LilacStore *self)
{
  return self->db;
}

/**
 * lilac_store_prepare:
 * @self: the store
 * @sql: a constant SQL statement with ? parameters
 * @error: return location for a #GError
 *
 * Returns: (transfer none) (nullable): a cached prepared statement, to be
 *   held with g_autoptr(LilacStmt) so that it is reset after use
 */
LilacStmt *
lilac_store_prepare (LilacStore *self,
                     const char *sql,
                     GError    **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->cache, sql);
  int rc;

  if (stmt != NULL)
    return stmt;
  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      lilac_error_set_from_sqlite (error, self->db, rc, "preparing a statement");
      return NULL;
    }
  g_hash_table_insert (self->cache, g_strdup (sql), stmt);
  return stmt;
}

/**
 * lilac_store_step:
 * @self: the store
 * @stmt: a statement
 * @error: return location for a #GError
 *
 * Returns: SQLITE_ROW or SQLITE_DONE, or -1 with @error set
 */
int
lilac_store_step (LilacStore *self,
                  LilacStmt  *stmt,
                  GError    **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;
  lilac_error_set_from_sqlite (error, self->db, rc, "running a statement");
  return -1;
}

gboolean
lilac_store_step_done (LilacStore *self,
                       LilacStmt  *stmt,
                       GError    **error)
{
  int rc = lilac_store_step (self, stmt, error);

  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc == SQLITE_ROW)
    g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                         "a statement returned rows where none were expected");
  return FALSE;
}

gint64
lilac_store_last_insert_id (LilacStore *self)
{
  return sqlite3_last_insert_rowid (self->db);
}

gboolean
lilac_store_begin (LilacStore *self,
                   GError    **error)
{
  return lilac_store_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
lilac_store_commit (LilacStore *self,
                    GError    **error)
{
  return lilac_store_exec (self, "COMMIT", error);
}

void
lilac_store_rollback (LilacStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}
