/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of history search on a real SQLite file: a stored message is found
 * before the batch indexing has taken it and after, never twice; deleting
 * indexed and unindexed messages leaves the FTS5 index consistent.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "lilac-conversation-store.h"
#include "lilac-history-export.h"
#include "lilac-store.h"
#include "lilac-test-store.h"

typedef struct {
  char *dir;
  char *path;
  LilacStore *store;
  LilacConversationStore *conversations;
  LilacConversation *conversation;
} SearchFixture;

static void
search_exec (SearchFixture *fixture,
             const char    *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (lilac_store_get_db (fixture->store), sql, NULL, NULL, &message);

  g_assert_cmpstr (message, ==, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
}

static gint64
search_count (SearchFixture *fixture,
              const char    *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_prepare_v2 (lilac_store_get_db (fixture->store), sql, -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return count;
}

static void
search_fixture_setup (SearchFixture *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) local_error = NULL;
  gboolean opened = FALSE;

  fixture->dir = g_dir_make_tmp ("lilac-test-search-XXXXXX", &local_error);
  g_assert_no_error (local_error);
  fixture->path = g_build_filename (fixture->dir, "lilac.db", NULL);
  fixture->store = lilac_store_open (fixture->path, &local_error);
  g_assert_no_error (local_error);
  search_exec (fixture, "INSERT INTO users (id, name, password_hash, key_salt, wrapped_key, created) "
                        "VALUES (1, 'ann', '-', x'00', x'00', 0), (2, 'ben', '-', x'00', x'00', 0);"
                        "INSERT INTO accounts (id, user_id, protocol, username, created) "
                        "VALUES (1, 1, 'prpl-jabber', 'ann@localhost', 0), "
                        "(2, 2, 'prpl-jabber', 'ben@localhost', 0)");
  fixture->conversations = lilac_conversation_store_new (fixture->store);
  fixture->conversation = lilac_conversation_store_resolve (fixture->conversations, 1, 1, "im",
                                                            "bob@localhost", "Bob", &opened,
                                                            &local_error);
  g_assert_no_error (local_error);
}

static void
search_fixture_teardown (SearchFixture *fixture,
                         gconstpointer  data)
{
  g_clear_pointer (&fixture->conversation, lilac_conversation_free);
  g_clear_object (&fixture->conversations);
  g_clear_object (&fixture->store);
  lilac_test_store_remove (g_steal_pointer (&fixture->dir), g_steal_pointer (&fixture->path));
}

static void
search_add (SearchFixture *fixture,
            const char    *text)
{
  g_autoptr(GError) local_error = NULL;
  LilacMessageRecord message = {
    .id = lilac_conversation_store_reserve_message_id (fixture->conversations),
    .sender = "bob@localhost",
    .text = text,
    .time = g_get_real_time () / 1000,
  };

  g_assert_true (lilac_conversation_store_add_message (fixture->conversations,
                                                       fixture->conversation, &message,
                                                       &local_error));
  g_assert_no_error (local_error);
}

/* the texts found for query, newest first, joined with '|' */
static char *
search_find (SearchFixture *fixture,
             gint64         user_id,
             const char    *query)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonArray) found = NULL;
  g_autoptr(GString) texts = g_string_new (NULL);
  gboolean more = FALSE;

  found = lilac_conversation_store_search (fixture->conversations, user_id, query, 0, 0, 50,
                                           &more, &local_error);
  g_assert_no_error (local_error);
  for (guint i = 0; i < json_array_get_length (found); i++)
    g_string_append_printf (texts, "%s%s", i > 0 ? "|" : "",
                            json_object_get_string_member (json_array_get_object_element (found, i),
                                                           "text"));
  return g_string_free (g_steal_pointer (&texts), FALSE);
}

static void
search_check_index (SearchFixture *fixture)
{
  search_exec (fixture, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
}

static void
test_search_before_and_after_indexing (SearchFixture *fixture,
                                       gconstpointer  data)
{
  g_autoptr(GError) local_error = NULL;
  char *found;

  g_test_summary ("messages are found at once, through the index once it has them, never "
                  "twice, and only by their user");
  search_add (fixture, "the unicorn number 17");
  search_add (fixture, "你好世界 42");
  g_assert_cmpint (search_count (fixture, "SELECT count(*) FROM messages_unindexed"), ==, 2);
  found = search_find (fixture, 1, "unicorn");
  g_assert_cmpstr (found, ==, "the unicorn number 17");
  g_free (found);
  found = search_find (fixture, 1, "好世");
  g_assert_cmpstr (found, ==, "你好世界 42");
  g_free (found);

  g_assert_cmpint (lilac_conversation_store_index (fixture->conversations, 1, &local_error), ==, 1);
  g_assert_no_error (local_error);
  search_add (fixture, "a unicorn again");
  /* one indexed, one not: both found, newest first, once each */
  found = search_find (fixture, 1, "UNICORN");
  g_assert_cmpstr (found, ==, "the unicorn number 17|a unicorn again");
  g_free (found);
  g_assert_cmpint (lilac_conversation_store_index (fixture->conversations, 100, &local_error), ==, 2);
  g_assert_cmpint (search_count (fixture, "SELECT count(*) FROM messages_unindexed"), ==, 0);
  g_assert_cmpint (search_count (fixture, "SELECT count(*) FROM messages_fts "
                                          "WHERE messages_fts MATCH '\"unicorn\"'"), ==, 2);
  found = search_find (fixture, 1, "unicorn");
  g_assert_cmpstr (found, ==, "the unicorn number 17|a unicorn again");
  g_free (found);
  found = search_find (fixture, 2, "unicorn");
  g_assert_cmpstr (found, ==, "");
  g_free (found);
  search_check_index (fixture);
}

static void
test_search_delete_keeps_index_consistent (SearchFixture *fixture,
                                           gconstpointer  data)
{
  g_autoptr(GError) local_error = NULL;
  char *found;

  g_test_summary ("deleting indexed and not yet indexed messages (a purge, a user's deletion) "
                  "leaves neither stale index entries nor a corrupt index");
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *text = g_strdup_printf ("message about zebras %d", i);

      search_add (fixture, text);
      if (i == 4)
        g_assert_cmpint (lilac_conversation_store_index (fixture->conversations, 100, &local_error),
                         ==, 5);
    }
  g_assert_cmpint (search_count (fixture, "SELECT count(*) FROM messages_unindexed"), ==, 5);
  search_exec (fixture, "DELETE FROM messages WHERE text LIKE '%zebras 3' OR text LIKE '%zebras 7'");
  search_check_index (fixture);
  g_assert_cmpint (search_count (fixture, "SELECT count(*) FROM messages_unindexed"), ==, 4);
  found = search_find (fixture, 1, "zebras 3");
  g_assert_cmpstr (found, ==, "");
  g_free (found);
  found = search_find (fixture, 1, "zebras 7");
  g_assert_cmpstr (found, ==, "");
  g_free (found);
  g_assert_cmpint (lilac_conversation_store_index (fixture->conversations, 100, &local_error), ==, 4);
  search_check_index (fixture);
  /* the user goes: every message, indexed or not, leaves with the conversation */
  search_add (fixture, "zebras once more");
  search_exec (fixture, "DELETE FROM users WHERE id = 1");
  search_check_index (fixture);
  g_assert_cmpint (search_count (fixture, "SELECT count(*) FROM messages_unindexed"), ==, 0);
  g_assert_cmpint (search_count (fixture, "SELECT count(*) FROM messages_fts "
                                          "WHERE messages_fts MATCH '\"zebras\"'"), ==, 0);
}

static void
test_search_long_and_short_terms (SearchFixture *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) local_error = NULL;
  const struct {
    const char *query;
    const char *found;
  } cases[] = {
    { "zebra 3", "zebra 3" },             /* a long term through the index, a short one by LIKE */
    { "3 zebra", "zebra 3" },
    { "zebra 13", "" },
    { "你好世", "你好世界 你们|今天你好世界" }, /* Chinese through the index, no word breaks */
    { "你好世 今天", "今天你好世界" },
    { "世界 你们", "你好世界 你们" },      /* short terms only: scanned */
    { "\"zebra\" 1", "" },               /* quotes are text, not FTS5 syntax */
  };

  g_test_summary ("a query mixing terms the trigram index finds (three characters or more) "
                  "with shorter ones finds exactly the messages holding every term, in the "
                  "index and not yet in it");
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("zebra %d", i);

      search_add (fixture, text);
    }
  search_add (fixture, "你好世界 你们");
  search_add (fixture, "今天你好世界");
  for (int pass = 0; pass < 2; pass++)
    {
      for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autofree char *found = search_find (fixture, 1, cases[i].query);

          g_assert_cmpstr (found, ==, cases[i].found);
        }
      /* the second pass asks the index */
      lilac_conversation_store_index (fixture->conversations, 100, &local_error);
      g_assert_no_error (local_error);
      g_assert_cmpint (search_count (fixture, "SELECT count(*) FROM messages_unindexed"), ==, 0);
    }
}

/* the whole export, read a piece at a time; no piece over max_piece bytes */
static char *
search_read_export (SearchFixture           *fixture,
                    LilacHistoryExportFormat format,
                    gsize                    max_piece)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacHistoryExport) export = NULL;
  g_autoptr(GString) all = g_string_new (NULL);
  GBytes *piece;

  export = lilac_history_export_new (fixture->conversations,
                                     lilac_conversation_store_get (fixture->conversations, 1,
                                                                   fixture->conversation->id, NULL),
                                     format);
  while ((piece = lilac_history_export_next (export, &local_error)) != NULL)
    {
      g_assert_cmpuint (g_bytes_get_size (piece), <=, max_piece);
      g_string_append_len (all, g_bytes_get_data (piece, NULL), (gssize) g_bytes_get_size (piece));
      g_bytes_unref (piece);
    }
  g_assert_no_error (local_error);
  g_assert_null (lilac_history_export_next (export, &local_error));
  return g_string_free (g_steal_pointer (&all), FALSE);
}

static void
test_search_export_in_pieces (SearchFixture *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *messages;

  g_test_summary ("an export of 1,234 messages comes in pieces of a few hundred messages, "
                  "as valid JSON and as one text line a message, in order");
  for (int i = 0; i < 1234; i++)
    {
      g_autofree char *line = g_strdup_printf ("line \"%d\"\t\u4f60\u597d", i);

      search_add (fixture, line);
    }
  json = search_read_export (fixture, LILAC_HISTORY_EXPORT_JSON, 128 * 1024);
  json_parser_load_from_data (parser, json, -1, &local_error);
  g_assert_no_error (local_error);
  messages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1234);
  for (unsigned i = 0; i < 1234; i++)
    {
      g_autofree char *line = g_strdup_printf ("line \"%u\"\t\u4f60\u597d", i);

      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, i),
                                                      "text"), ==, line);
    }
  text = search_read_export (fixture, LILAC_HISTORY_EXPORT_TEXT, 64 * 1024);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2 + 1234 + 1);
  g_assert_cmpstr (lines[0], ==, "Bob (bob@localhost)");
  g_assert_true (g_str_has_suffix (lines[2 + 1233], "] bob@localhost: line \"1233\"\t\u4f60\u597d"));
}

static gboolean
search_quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_search_indexes_in_the_background (SearchFixture *fixture,
                                       gconstpointer  data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  char *found;

  g_test_summary ("the store indexes what was stored a moment later, on the main loop");
  for (int i = 0; i < 3; i++)
    search_add (fixture, "waiting for the index");
  g_assert_cmpint (search_count (fixture, "SELECT count(*) FROM messages_unindexed"), ==, 3);
  g_timeout_add (1000, search_quit_cb, loop);
  g_main_loop_run (loop);
  g_assert_cmpint (search_count (fixture, "SELECT count(*) FROM messages_unindexed"), ==, 0);
  found = search_find (fixture, 1, "the index");
  g_assert_cmpstr (found, ==, "waiting for the index|waiting for the index|waiting for the index");
  g_free (found);
  search_check_index (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/search/before-and-after-indexing", SearchFixture, NULL, search_fixture_setup,
              test_search_before_and_after_indexing, search_fixture_teardown);
  g_test_add ("/search/delete-keeps-index-consistent", SearchFixture, NULL, search_fixture_setup,
              test_search_delete_keeps_index_consistent, search_fixture_teardown);
  g_test_add ("/search/long-and-short-terms", SearchFixture, NULL, search_fixture_setup,
              test_search_long_and_short_terms, search_fixture_teardown);
  g_test_add ("/search/export-in-pieces", SearchFixture, NULL, search_fixture_setup,
              test_search_export_in_pieces, search_fixture_teardown);
  g_test_add ("/search/indexes-in-the-background", SearchFixture, NULL, search_fixture_setup,
              test_search_indexes_in_the_background, search_fixture_teardown);
  return g_test_run ();
}
