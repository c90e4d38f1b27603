/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of gateway users, logins and IM account secrets on a real SQLite
 * file: who may log in, and that no password is ever stored in the clear.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lilac-error.h"
#include "lilac-im-account-store.h"
#include "lilac-login.h"
#include "lilac-secret.h"
#include "lilac-store.h"
#include "lilac-test-store.h"
#include "lilac-user-store.h"

/* a store in a temp folder with user, login and account stores on it (cheap Argon2) */
typedef struct {
  char *dir;
  char *path;
  LilacStore *store;
  LilacUserStore *users;
  LilacLoginStore *logins;
  LilacImAccountStore *accounts;
  GAsyncResult *result;
} AccountsFixture;

static void
accounts_fixture_setup (AccountsFixture *fixture,
                        gconstpointer    data)
{
  g_autoptr(GError) local_error = NULL;

  g_assert_true (lilac_secret_init (NULL));
  fixture->dir = g_dir_make_tmp ("lilac-test-accounts-XXXXXX", &local_error);
  g_assert_no_error (local_error);
  fixture->path = g_build_filename (fixture->dir, "lilac.db", NULL);
  fixture->store = lilac_store_open (fixture->path, &local_error);
  g_assert_no_error (local_error);
  fixture->users = lilac_user_store_new (fixture->store, 1, 8 * 1024 * 1024);
  fixture->logins = lilac_login_store_new (fixture->store);
  fixture->accounts = lilac_im_account_store_new (fixture->store);
}

static void
accounts_fixture_teardown (AccountsFixture *fixture,
                           gconstpointer    data)
{
  g_clear_object (&fixture->accounts);
  g_clear_object (&fixture->logins);
  g_clear_object (&fixture->users);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->result);
  lilac_test_store_remove (g_steal_pointer (&fixture->dir), g_steal_pointer (&fixture->path));
}

static void
accounts_fixture_result_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  AccountsFixture *fixture = user_data;

  fixture->result = g_object_ref (result);
}

static gboolean
accounts_fixture_timeout_cb (gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

static LilacUser *
accounts_fixture_login (AccountsFixture *fixture,
                        const char      *name,
                        const char      *password,
                        LilacKey       **data_key,
                        GError         **error)
{
  guint timeout = g_timeout_add_seconds (20, accounts_fixture_timeout_cb, NULL);
  LilacUser *user;

  g_clear_object (&fixture->result);
  lilac_user_store_authenticate_async (fixture->users, name, password, NULL,
                                       accounts_fixture_result_cb, fixture);
  while (fixture->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  user = lilac_user_store_authenticate_finish (fixture->users, fixture->result, data_key, error);
  return user;
}

/* whether @needle occurs in any file of the store (database, WAL) */
static gboolean
accounts_fixture_store_contains (AccountsFixture *fixture,
                                 const char      *needle)
{
  const char *suffixes[] = { "", "-wal", NULL };

  for (unsigned i = 0; suffixes[i] != NULL; i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (file, &contents, &length, NULL))
        continue;
      if (memmem (contents, length, needle, strlen (needle)) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_accounts_users (AccountsFixture *fixture,
                     gconstpointer    data)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacUser) alice = NULL;
  g_autoptr(LilacUser) again = NULL;
  g_autoptr(GPtrArray) users = NULL;

  g_test_summary ("users are created with checked names and passwords, unique ignoring case");
  alice = lilac_user_store_add (fixture->users, "alice", "correct horse", TRUE, &local_error);
  g_assert_no_error (local_error);
  g_assert_true (alice->admin);
  again = lilac_user_store_add (fixture->users, "ALICE", "another password", FALSE, &local_error);
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_CONFLICT);
  g_clear_error (&local_error);
  g_assert_null (lilac_user_store_add (fixture->users, "../etc", "long enough", FALSE, &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT);
  g_clear_error (&local_error);
  g_assert_null (lilac_user_store_add (fixture->users, "bob", "short", FALSE, &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT);
  g_clear_error (&local_error);
  users = lilac_user_store_list (fixture->users, &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpuint (users->len, ==, 1);
  g_assert_false (accounts_fixture_store_contains (fixture, "correct horse"));
}

static void
test_accounts_authenticate (AccountsFixture *fixture,
                            gconstpointer    data)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacUser) alice = NULL;
  g_autoptr(LilacUser) user = NULL;
  g_autoptr(LilacKey) key = NULL;
  g_autoptr(LilacKey) key_again = NULL;

  g_test_summary ("the right password opens the same data key; wrong ones and unknown users fail alike");
  alice = lilac_user_store_add (fixture->users, "alice", "correct horse", FALSE, &local_error);
  g_assert_no_error (local_error);

  user = accounts_fixture_login (fixture, "alice", "correct horse", &key, &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpint (user->id, ==, alice->id);
  g_clear_pointer (&user, lilac_user_free);
  user = accounts_fixture_login (fixture, "Alice", "correct horse", &key_again, &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpmem (lilac_key_get_bytes (key), LILAC_KEY_BYTES,
                   lilac_key_get_bytes (key_again), LILAC_KEY_BYTES);
  g_clear_pointer (&user, lilac_user_free);

  g_assert_null (accounts_fixture_login (fixture, "alice", "wrong horse", &key, &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED);
  g_clear_error (&local_error);
  g_assert_null (accounts_fixture_login (fixture, "nobody", "correct horse", &key, &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED);
}

/* the stored Argon2id hash string of user @id */
static char *
accounts_fixture_hash (AccountsFixture *fixture,
                       gint64           id)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (fixture->store,
                                                   "SELECT password_hash FROM users WHERE id = ?",
                                                   &local_error);

  g_assert_no_error (local_error);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (lilac_store_step (fixture->store, stmt, &local_error), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static void
test_accounts_rehash (AccountsFixture *fixture,
                      gconstpointer    data)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacUser) alice = NULL;
  g_autoptr(LilacUser) user = NULL;
  g_autoptr(LilacKey) key = NULL;
  g_autoptr(LilacKey) key_after = NULL;
  g_autoptr(LilacKey) key_again = NULL;
  g_autofree char *old_hash = NULL;
  g_autofree char *after_wrong = NULL;
  g_autofree char *new_hash = NULL;
  g_autofree char *unchanged = NULL;

  g_test_summary ("after the operator changes the Argon2id cost, a right login makes the record "
                  "again at the new cost, and the data key stays the same");
  alice = lilac_user_store_add (fixture->users, "alice", "correct horse", FALSE, &local_error);
  g_assert_no_error (local_error);
  user = accounts_fixture_login (fixture, "alice", "correct horse", &key, &local_error);
  g_assert_no_error (local_error);
  g_clear_pointer (&user, lilac_user_free);
  old_hash = accounts_fixture_hash (fixture, alice->id);
  g_assert_nonnull (strstr (old_hash, "$m=8192,t=1,"));

  /* the configuration now asks for 16 MiB and two passes */
  g_clear_object (&fixture->users);
  fixture->users = lilac_user_store_new (fixture->store, 2, 16 * 1024 * 1024);
  g_assert_null (accounts_fixture_login (fixture, "alice", "wrong horse", &key_after, &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED);
  g_clear_error (&local_error);
  after_wrong = accounts_fixture_hash (fixture, alice->id);
  g_assert_cmpstr (after_wrong, ==, old_hash);

  user = accounts_fixture_login (fixture, "alice", "correct horse", &key_after, &local_error);
  g_assert_no_error (local_error);
  g_clear_pointer (&user, lilac_user_free);
  new_hash = accounts_fixture_hash (fixture, alice->id);
  g_assert_nonnull (strstr (new_hash, "$m=16384,t=2,"));
  g_assert_cmpmem (lilac_key_get_bytes (key), LILAC_KEY_BYTES, lilac_key_get_bytes (key_after), LILAC_KEY_BYTES);

  /* the renewed record opens the same key, and is not made again */
  user = accounts_fixture_login (fixture, "alice", "correct horse", &key_again, &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpmem (lilac_key_get_bytes (key), LILAC_KEY_BYTES, lilac_key_get_bytes (key_again), LILAC_KEY_BYTES);
  unchanged = accounts_fixture_hash (fixture, alice->id);
  g_assert_cmpstr (unchanged, ==, new_hash);
}

static void
test_accounts_logins (AccountsFixture *fixture,
                      gconstpointer    data)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacUser) alice = NULL;
  g_autoptr(LilacKey) key = lilac_key_new_random ();
  g_autoptr(LilacKey) opened = NULL;
  g_autoptr(LilacLogin) login = NULL;
  g_autoptr(LilacLogin) found = NULL;
  g_autofree char *token = NULL;

  g_test_summary ("a login is found by its token, which alone opens the data key; "
                  "the token is not stored");
  alice = lilac_user_store_add (fixture->users, "alice", "correct horse", FALSE, &local_error);
  login = lilac_login_store_create (fixture->logins, alice, key, "127.0.0.1", "test", &token,
                                    &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpuint (strlen (token), >=, 40);
  g_assert_false (accounts_fixture_store_contains (fixture, token));

  found = lilac_login_store_lookup (fixture->logins, token, &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpint (found->id, ==, login->id);
  g_assert_cmpstr (found->csrf, ==, login->csrf);
  opened = lilac_login_store_open_key (fixture->logins, token, &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpmem (lilac_key_get_bytes (key), LILAC_KEY_BYTES, lilac_key_get_bytes (opened),
                   LILAC_KEY_BYTES);

  g_assert_null (lilac_login_store_lookup (fixture->logins, "not a token", &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED);
  g_clear_error (&local_error);
  g_assert_true (lilac_login_store_delete (fixture->logins, login->id, &local_error));
  g_assert_null (lilac_login_store_lookup (fixture->logins, token, &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED);
}

static void
test_accounts_im_secrets (AccountsFixture *fixture,
                          gconstpointer    data)
{
  const char *password = "xmpp-password-4711";
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacKey) key = lilac_key_new_random ();
  g_autoptr(LilacKey) other_key = lilac_key_new_random ();
  g_autoptr(LilacUser) alice = NULL;
  g_autoptr(LilacUser) bob = NULL;
  g_autoptr(LilacImAccount) first = NULL;
  g_autoptr(LilacImAccount) second = NULL;
  g_autoptr(JsonObject) options = json_object_new ();
  g_autofree char *opened = NULL;
  g_autofree char *wrong = NULL;
  GBytes *swap;

  g_test_summary ("IM passwords are sealed, open only with the owner's key and only in their row");
  alice = lilac_user_store_add (fixture->users, "alice", "correct horse", FALSE, &local_error);
  bob = lilac_user_store_add (fixture->users, "bob", "battery staple", FALSE, &local_error);
  first = lilac_im_account_store_add (fixture->accounts, alice->id, key, "prpl-jabber",
                                      "alice@localhost", password, NULL, options, TRUE,
                                      &local_error);
  g_assert_no_error (local_error);
  second = lilac_im_account_store_add (fixture->accounts, alice->id, key, "prpl-irc",
                                       "alice@127.0.0.1", "another-secret", NULL, options, TRUE,
                                       &local_error);
  g_assert_no_error (local_error);
  g_assert_false (accounts_fixture_store_contains (fixture, password));

  opened = lilac_im_account_store_open_password (first, key, &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpstr (opened, ==, password);
  g_assert_null (lilac_im_account_store_open_password (first, other_key, &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_PERMISSION_DENIED);
  g_clear_error (&local_error);

  /* a sealed password moved to another account's row does not open there */
  swap = second->secret;
  second->secret = first->secret;
  wrong = lilac_im_account_store_open_password (second, key, &local_error);
  second->secret = swap;
  g_assert_null (wrong);
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_PERMISSION_DENIED);
  g_clear_error (&local_error);

  g_assert_null (lilac_im_account_store_get (fixture->accounts, bob->id, first->id, &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND);
  g_clear_error (&local_error);
  g_assert_null (lilac_im_account_store_add (fixture->accounts, alice->id, key, "prpl-jabber",
                                             "alice@localhost", NULL, NULL, options, TRUE,
                                             &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_CONFLICT);
}

static guint
count_memory_maps (void)
{
  g_autofree char *maps = NULL;
  guint lines = 0;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  for (const char *p = maps; *p != '\0'; p++)
    lines += *p == '\n';
  return lines;
}

/* 20,000 data keys (logged-in users): each keeps its own bytes while others
 * come and go, a reused slot holds only its new key, and they cost far fewer
 * memory mappings than a mapping set each (vm.max_map_count is 65,530) */
static void
test_accounts_key_slots (void)
{
  enum { KEYS = 20000 };
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) lilac_key_unref);
  guint8 bytes[LILAC_KEY_BYTES];
  guint maps_before;

  g_assert_true (lilac_secret_init (NULL));
  maps_before = count_memory_maps ();
  for (guint i = 0; i < KEYS; i++)
    {
      memset (bytes, (int) (i % 251), sizeof bytes);
      memcpy (bytes, &i, sizeof i);
      g_ptr_array_add (keys, lilac_key_new_from_bytes (bytes));
    }
  g_assert_cmpuint (count_memory_maps (), <, maps_before + KEYS / 20);
  /* every other key goes, new ones take their slots */
  for (guint i = 0; i < KEYS; i += 2)
    {
      lilac_key_unref (keys->pdata[i]);
      keys->pdata[i] = lilac_key_new_random ();
    }
  for (guint i = 1; i < KEYS; i += 2)
    {
      memset (bytes, (int) (i % 251), sizeof bytes);
      memcpy (bytes, &i, sizeof i);
      g_assert_cmpmem (lilac_key_get_bytes (keys->pdata[i]), LILAC_KEY_BYTES, bytes, sizeof bytes);
    }
  for (guint i = 0; i + 2 < KEYS; i += 2)
    g_assert_cmpint (memcmp (lilac_key_get_bytes (keys->pdata[i]),
                             lilac_key_get_bytes (keys->pdata[i + 2]), LILAC_KEY_BYTES), !=, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/accounts/users", AccountsFixture, NULL, accounts_fixture_setup,
              test_accounts_users, accounts_fixture_teardown);
  g_test_add ("/accounts/authenticate", AccountsFixture, NULL, accounts_fixture_setup,
              test_accounts_authenticate, accounts_fixture_teardown);
  g_test_add ("/accounts/rehash", AccountsFixture, NULL, accounts_fixture_setup,
              test_accounts_rehash, accounts_fixture_teardown);
  g_test_add ("/accounts/logins", AccountsFixture, NULL, accounts_fixture_setup,
              test_accounts_logins, accounts_fixture_teardown);
  g_test_add ("/accounts/im-secrets", AccountsFixture, NULL, accounts_fixture_setup,
              test_accounts_im_secrets, accounts_fixture_teardown);
  g_test_add_func ("/accounts/key-slots", test_accounts_key_slots);
  return g_test_run ();
}
