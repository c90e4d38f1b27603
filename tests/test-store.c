/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of the SQLite store: migrations to the newest schema, reopening,
 * refusing a database from a newer Lilac, and error mapping.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lilac-error.h"
#include "lilac-store.h"
#include "lilac-test-store.h"

/* a temp folder for one database file */
typedef struct {
  char *dir;
  char *path;
} StoreFixture;

static void
store_fixture_setup (StoreFixture *fixture,
                     gconstpointer data)
{
  fixture->dir = g_dir_make_tmp ("lilac-test-store-XXXXXX", NULL);
  fixture->path = g_build_filename (fixture->dir, "lilac.db", NULL);
}

static void
store_fixture_teardown (StoreFixture *fixture,
                        gconstpointer data)
{
  lilac_test_store_remove (g_steal_pointer (&fixture->dir), g_steal_pointer (&fixture->path));
}

static void
test_store_migrate (StoreFixture *fixture,
                    gconstpointer data)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacStore) store = NULL;
  g_autoptr(LilacStmt) stmt = NULL;

  g_test_summary ("a new database gets the newest schema, in WAL mode, and reopens unchanged");
  store = lilac_store_open (fixture->path, &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpint (lilac_store_get_version (store), ==, lilac_store_get_latest_version ());
  stmt = lilac_store_prepare (store, "PRAGMA journal_mode", &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpint (lilac_store_step (store, stmt, NULL), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  lilac_stmt_release (g_steal_pointer (&stmt));
  g_clear_object (&store);

  store = lilac_store_open (fixture->path, &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpint (lilac_store_get_version (store), ==, lilac_store_get_latest_version ());
}

static void
test_store_newer (StoreFixture *fixture,
                  gconstpointer data)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacStore) store = NULL;
  sqlite3 *db = NULL;

  g_test_summary ("a database written by a newer Lilac is refused, not damaged");
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 999", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = lilac_store_open (fixture->path, &local_error);
  g_assert_null (store);
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_VERSION_MISMATCH);
}

static void
test_store_errors (StoreFixture *fixture,
                   gconstpointer data)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacStore) store = lilac_store_open (fixture->path, NULL);
  LilacStmt *stmt;

  g_test_summary ("malformed SQL and constraint violations become LILAC_ERROR codes");
  stmt = lilac_store_prepare (store, "SELEKT nonsense", &local_error);
  g_assert_null (stmt);
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_INTERNAL);
  g_clear_error (&local_error);
  g_assert_true (lilac_store_exec (store, "INSERT INTO users (name, password_hash, key_salt, "
                                          "wrapped_key, created) VALUES ('a', 'h', x'00', x'00', 0)",
                                   &local_error));
  g_assert_false (lilac_store_exec (store, "INSERT INTO users (name, password_hash, key_salt, "
                                           "wrapped_key, created) VALUES ('A', 'h', x'00', x'00', 0)",
                                    &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_CONFLICT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/core/store/migrate", StoreFixture, NULL, store_fixture_setup, test_store_migrate,
              store_fixture_teardown);
  g_test_add ("/core/store/newer", StoreFixture, NULL, store_fixture_setup, test_store_newer,
              store_fixture_teardown);
  g_test_add ("/core/store/errors", StoreFixture, NULL, store_fixture_setup, test_store_errors,
              store_fixture_teardown);
  return g_test_run ();
}
