/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Conversations and messages in SQLite. A conversation is found by its
 * account, type and normalized name, so the id a client holds stays valid
 * across worker restarts and gateway restarts. Message ids come from one
 * counter of the gateway (the only writer), so an id can be handed to a
 * client before the worker's echo of an outgoing message is stored.
 */
#include "config.h"

#include "lilac-conversation-store.h"

#include "lilac-error.h"

#define LILAC_CONVERSATION_COLUMNS "id, user_id, account_id, type, name, title, open, unread"

struct _LilacConversationStore {
  GObject parent_instance;

  LilacStore *store;      /* (owned) */
  gint64 next_message_id; /* 0 until read from the store */
  guint index_id;         /* the search indexing to come */
};

/* how soon after a message the search index takes it, and how many at once */
#define LILAC_CONVERSATION_STORE_INDEX_DELAY_MS 250
#define LILAC_CONVERSATION_STORE_INDEX_BATCH 2000

G_DEFINE_TYPE (LilacConversationStore, lilac_conversation_store, G_TYPE_OBJECT)

static void lilac_conversation_store_schedule_index (LilacConversationStore *self);

void
lilac_conversation_free (LilacConversation *conversation)
{
  if (conversation == NULL)
    return;
  g_free (conversation->type);
  g_free (conversation->name);
  g_free (conversation->title);
  g_free (conversation);
}

/**
 * lilac_conversation_to_json:
 *
 * Returns: (transfer full): `{"id","account","type","name","title","unread"}`
 */
JsonObject *
lilac_conversation_to_json (const LilacConversation *conversation)
{
  JsonObject *object = json_object_new ();
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, conversation->id);
  g_autofree char *account = g_strdup_printf ("%" G_GINT64_FORMAT, conversation->account_id);

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "account", account);
  json_object_set_string_member (object, "type", conversation->type);
  json_object_set_string_member (object, "name", conversation->name);
  json_object_set_string_member (object, "title", conversation->title);
  json_object_set_int_member (object, "unread", conversation->unread);
  return object;
}

static void
lilac_conversation_store_finalize (GObject *object)
{
  LilacConversationStore *self = LILAC_CONVERSATION_STORE (object);

  g_clear_handle_id (&self->index_id, g_source_remove);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (lilac_conversation_store_parent_class)->finalize (object);
}

static void
lilac_conversation_store_class_init (LilacConversationStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lilac_conversation_store_finalize;
}

static void
lilac_conversation_store_init (LilacConversationStore *self)
{
}

/**
 * lilac_conversation_store_new:
 *
 * Returns: (transfer full): the conversation store
 */
LilacConversationStore *
lilac_conversation_store_new (LilacStore *store)
{
  LilacConversationStore *self = g_object_new (LILAC_TYPE_CONVERSATION_STORE, NULL);

  self->store = g_object_ref (store);
  /* what a stop or a crash left unindexed */
  lilac_conversation_store_schedule_index (self);
  return self;
}

/**
 * lilac_conversation_store_index:
 * @self: the conversation store
 * @limit: how many messages at most
 * @error: return location for a #GError
 *
 * Puts stored messages that the search index does not have yet into it,
 * oldest first, in one transaction.
 *
 * Returns: how many were indexed, or -1 with @error set
 */
gint64
lilac_conversation_store_index (LilacConversationStore *self,
                                unsigned                limit,
                                GError                **error)
{
  static const char *const steps[] = {
    "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages "
    "WHERE id IN (SELECT id FROM messages_unindexed ORDER BY id LIMIT ?)",
    "DELETE FROM messages_unindexed WHERE id IN "
    "(SELECT id FROM messages_unindexed ORDER BY id LIMIT ?)",
  };
  gint64 indexed = 0;

  if (!lilac_store_begin (self->store, error))
    return -1;
  for (unsigned i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store, steps[i], error);

      if (stmt != NULL)
        sqlite3_bind_int (stmt, 1, (int) limit);
      if (stmt == NULL || !lilac_store_step_done (self->store, stmt, error))
        {
          lilac_store_rollback (self->store);
          return -1;
        }
      indexed = sqlite3_changes64 (lilac_store_get_db (self->store));
    }
  if (!lilac_store_commit (self->store, error))
    {
      lilac_store_rollback (self->store);
      return -1;
    }
  return indexed;
}

static gboolean
lilac_conversation_store_index_cb (gpointer user_data)
{
  LilacConversationStore *self = LILAC_CONVERSATION_STORE (user_data);
  g_autoptr(GError) local_error = NULL;
  gint64 indexed = lilac_conversation_store_index (self, LILAC_CONVERSATION_STORE_INDEX_BATCH,
                                                   &local_error);

  if (indexed < 0)
    /* a full disk, say: search still finds them, by scanning, and the next message retries */
    g_message ("messages not added to the search index: %s", local_error->message);
  if (indexed == LILAC_CONVERSATION_STORE_INDEX_BATCH)
    return G_SOURCE_CONTINUE;
  self->index_id = 0;
  return G_SOURCE_REMOVE;
}

static void
lilac_conversation_store_schedule_index (LilacConversationStore *self)
{
  if (self->index_id == 0)
    self->index_id = g_timeout_add (LILAC_CONVERSATION_STORE_INDEX_DELAY_MS,
                                    lilac_conversation_store_index_cb, self);
}

static LilacConversation *
lilac_conversation_store_row (LilacStmt *stmt)
{
  LilacConversation *conversation = g_new0 (LilacConversation, 1);

  conversation->id = sqlite3_column_int64 (stmt, 0);
  conversation->user_id = sqlite3_column_int64 (stmt, 1);
  conversation->account_id = sqlite3_column_int64 (stmt, 2);
  conversation->type = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  conversation->name = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  conversation->title = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  conversation->open = sqlite3_column_int (stmt, 6) != 0;
  conversation->unread = sqlite3_column_int64 (stmt, 7);
  return conversation;
}

/**
 * lilac_conversation_store_lookup:
 *
 * Returns: (transfer full) (nullable): the conversation, or %NULL without an
 *   error when there is none
 */
LilacConversation *
lilac_conversation_store_lookup (LilacConversationStore *self,
                               gint64                  account_id,
                               const char             *type,
                               const char             *name,
                               GError                **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT " LILAC_CONVERSATION_COLUMNS
                                                   " FROM conversations WHERE account_id = ? "
                                                   "AND type = ? AND name = ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_text (stmt, 2, type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, name, -1, SQLITE_TRANSIENT);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc != SQLITE_ROW)
    return NULL;
  return lilac_conversation_store_row (stmt);
}

static gboolean
lilac_conversation_store_update (LilacConversationStore *self,
                                 LilacConversation      *conversation,
                                 GError                **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "UPDATE conversations SET title = ?, open = ?, "
                                                   "unread = ?, updated = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, conversation->title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, conversation->open ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, conversation->unread);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / 1000);
  sqlite3_bind_int64 (stmt, 5, conversation->id);
  return lilac_store_step_done (self->store, stmt, error);
}

static LilacConversation *
lilac_conversation_store_insert (LilacConversationStore *self,
                                 gint64                  user_id,
                                 gint64                  account_id,
                                 const char             *type,
                                 const char             *name,
                                 const char             *title,
                                 GError                **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "INSERT INTO conversations (user_id, "
                                                   "account_id, type, name, title, open, updated) "
                                                   "VALUES (?, ?, ?, ?, ?, 1, ?)", error);
  LilacConversation *conversation;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_text (stmt, 3, type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / 1000);
  if (!lilac_store_step_done (self->store, stmt, error))
    return NULL;
  conversation = g_new0 (LilacConversation, 1);
  conversation->id = lilac_store_last_insert_id (self->store);
  conversation->user_id = user_id;
  conversation->account_id = account_id;
  conversation->type = g_strdup (type);
  conversation->name = g_strdup (name);
  conversation->title = g_strdup (title);
  conversation->open = TRUE;
  return conversation;
}

/**
 * lilac_conversation_store_resolve:
 * @self: the conversation store
 * @user_id: the owner
 * @account_id: the IM account (owned by @user_id; the caller checked)
 * @type: "im" or "chat"
 * @name: the normalized name
 * @title: (nullable): a new title, or %NULL to keep the old one
 * @opened: (out): whether the conversation was created or reopened
 * @error: return location for a #GError
 *
 * Finds the conversation, creating it when new; it is open afterwards.
 *
 * Returns: (transfer full) (nullable): the conversation
 */
LilacConversation *
lilac_conversation_store_resolve (LilacConversationStore *self,
                                  gint64                  user_id,
                                  gint64                  account_id,
                                  const char             *type,
                                  const char             *name,
                                  const char             *title,
                                  gboolean               *opened,
                                  GError                **error)
{
  g_autoptr(LilacConversation) conversation = NULL;
  g_autoptr(GError) local_error = NULL;

  *opened = FALSE;
  conversation = lilac_conversation_store_lookup (self, account_id, type, name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (conversation == NULL)
    {
      *opened = TRUE;
      return lilac_conversation_store_insert (self, user_id, account_id, type, name,
                                              title != NULL && title[0] != '\0' ? title : name,
                                              error);
    }
  if (conversation->open && (title == NULL || g_strcmp0 (title, conversation->title) == 0))
    return g_steal_pointer (&conversation);
  *opened = !conversation->open;
  conversation->open = TRUE;
  if (title != NULL && title[0] != '\0')
    {
      g_free (conversation->title);
      conversation->title = g_strdup (title);
    }
  if (!lilac_conversation_store_update (self, conversation, error))
    return NULL;
  return g_steal_pointer (&conversation);
}

/**
 * lilac_conversation_store_get:
 *
 * Returns: (transfer full) (nullable): the conversation if @user_id owns it,
 *   else NOT_FOUND
 */
LilacConversation *
lilac_conversation_store_get (LilacConversationStore *self,
                              gint64                  user_id,
                              gint64                  conversation_id,
                              GError                **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT " LILAC_CONVERSATION_COLUMNS
                                                   " FROM conversations WHERE id = ? AND user_id = ?",
                                                   error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such conversation");
      return NULL;
    }
  return lilac_conversation_store_row (stmt);
}

/**
 * lilac_conversation_store_list_open:
 *
 * Returns: (transfer full) (element-type LilacConversation) (nullable): the
 *   user's open conversations, most recently active first
 */
GPtrArray *
lilac_conversation_store_list_open (LilacConversationStore *self,
                                    gint64                  user_id,
                                    GError                **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT " LILAC_CONVERSATION_COLUMNS
                                                   " FROM conversations WHERE user_id = ? AND open "
                                                   "ORDER BY updated DESC, id DESC", error);
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) lilac_conversation_free);
  sqlite3_bind_int64 (stmt, 1, user_id);
  while ((rc = lilac_store_step (self->store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, lilac_conversation_store_row (stmt));
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&list);
}

gboolean
lilac_conversation_store_set_open (LilacConversationStore *self,
                                   LilacConversation      *conversation,
                                   gboolean                open,
                                   GError                **error)
{
  conversation->open = open;
  return lilac_conversation_store_update (self, conversation, error);
}

static JsonObject *
lilac_conversation_store_message_row (const LilacConversation *conversation,
                                      LilacStmt               *stmt)
{
  JsonObject *message = json_object_new ();
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 0));
  g_autofree char *conversation_id = g_strdup_printf ("%" G_GINT64_FORMAT, conversation->id);
  g_autofree char *account_id = g_strdup_printf ("%" G_GINT64_FORMAT, conversation->account_id);

  json_object_set_string_member (message, "id", id);
  json_object_set_string_member (message, "conversation", conversation_id);
  json_object_set_string_member (message, "account", account_id);
  json_object_set_string_member (message, "from", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (message, "text", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_string_member (message, "direction", (const char *) sqlite3_column_text (stmt, 3));
  if (sqlite3_column_int (stmt, 4) != 0)
    json_object_set_boolean_member (message, "system", TRUE);
  json_object_set_int_member (message, "time", sqlite3_column_int64 (stmt, 5));
  return message;
}

/**
 * lilac_conversation_store_list_messages:
 * @self: the conversation store
 * @conversation: whose messages
 * @before: only messages with a smaller id, or 0 for the newest
 * @limit: how many at most
 * @more: (out): whether older messages remain
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): messages as in `GET /history`, newest last
 */
JsonArray *
lilac_conversation_store_list_messages (LilacConversationStore  *self,
                                        const LilacConversation *conversation,
                                        gint64                   before,
                                        unsigned                 limit,
                                        gboolean                *more,
                                        GError                 **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT id, sender, text, direction, system, time "
                                                   "FROM messages WHERE conversation_id = ? AND id < ? "
                                                   "ORDER BY id DESC LIMIT ?", error);
  g_autoptr(GPtrArray) rows = NULL;
  JsonArray *messages;
  int rc;

  if (stmt == NULL)
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  sqlite3_bind_int64 (stmt, 1, conversation->id);
  sqlite3_bind_int64 (stmt, 2, before > 0 ? before : G_MAXINT64);
  sqlite3_bind_int64 (stmt, 3, (gint64) limit + 1);
  while ((rc = lilac_store_step (self->store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (rows, lilac_conversation_store_message_row (conversation, stmt));
  if (rc < 0)
    return NULL;
  *more = rows->len > limit;
  messages = json_array_new ();
  for (unsigned i = MIN (rows->len, limit); i > 0; i--)
    json_array_add_object_element (messages, json_object_ref (rows->pdata[i - 1]));
  return messages;
}

/**
 * lilac_conversation_store_list_messages_after:
 * @self: the conversation store
 * @conversation: whose messages
 * @after: only messages with a larger id, or 0 for the oldest
 * @limit: how many at most
 * @error: return location for a #GError
 *
 * Reads a conversation forwards, a page at a time (an export).
 *
 * Returns: (transfer full) (nullable): messages as in `GET /history`, oldest
 *   first; an empty array after the last
 */
JsonArray *
lilac_conversation_store_list_messages_after (LilacConversationStore  *self,
                                              const LilacConversation *conversation,
                                              gint64                   after,
                                              unsigned                 limit,
                                              GError                 **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT id, sender, text, direction, system, time "
                                                   "FROM messages WHERE conversation_id = ? AND id > ? "
                                                   "ORDER BY id LIMIT ?", error);
  g_autoptr(JsonArray) messages = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  messages = json_array_new ();
  sqlite3_bind_int64 (stmt, 1, conversation->id);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int64 (stmt, 3, limit);
  while ((rc = lilac_store_step (self->store, stmt, error)) == SQLITE_ROW)
    json_array_add_object_element (messages, lilac_conversation_store_message_row (conversation, stmt));
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&messages);
}

gboolean
lilac_conversation_store_set_unread (LilacConversationStore *self,
                                     LilacConversation      *conversation,
                                     gint64                  unread,
                                     GError                **error)
{
  conversation->unread = unread;
  return lilac_conversation_store_update (self, conversation, error);
}

/**
 * lilac_conversation_store_purge:
 * @self: the conversation store
 * @before: a time in ms since the epoch
 * @error: return location for a #GError
 *
 * Deletes every message older than @before (history retention).
 *
 * Returns: how many were deleted, or -1 on error
 */
gint64
lilac_conversation_store_purge (LilacConversationStore *self,
                                gint64                  before,
                                GError                **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "DELETE FROM messages WHERE time < ?", error);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, before);
  if (!lilac_store_step_done (self->store, stmt, error))
    return -1;
  return sqlite3_changes (lilac_store_get_db (self->store));
}

#define LILAC_SEARCH_MAX_TERMS 8

static JsonObject *
lilac_conversation_store_search_row (LilacStmt *stmt)
{
  JsonObject *message = json_object_new ();
  const char *const ids[] = { "id", "conversation", "account" };

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT,
                                               (gint64) sqlite3_column_int64 (stmt, i));

      json_object_set_string_member (message, ids[i], text);
    }
  json_object_set_string_member (message, "from", (const char *) sqlite3_column_text (stmt, 3));
  json_object_set_string_member (message, "text", (const char *) sqlite3_column_text (stmt, 4));
  json_object_set_string_member (message, "direction", (const char *) sqlite3_column_text (stmt, 5));
  if (sqlite3_column_int (stmt, 6) != 0)
    json_object_set_boolean_member (message, "system", TRUE);
  json_object_set_int_member (message, "time", sqlite3_column_int64 (stmt, 7));
  return message;
}

/* the words of a query: up to LILAC_SEARCH_MAX_TERMS, split at white space;
 * indexed[i] says whether the trigram index can find terms[i] (three
 * characters or more): the others are matched with LIKE */
static GStrv
lilac_conversation_store_terms (const char *query,
                                gboolean    indexed[LILAC_SEARCH_MAX_TERMS])
{
  g_auto(GStrv) words = g_regex_split_simple ("\\s+", query, 0, 0);
  GPtrArray *terms = g_ptr_array_new ();

  for (unsigned i = 0; words[i] != NULL && terms->len < LILAC_SEARCH_MAX_TERMS; i++)
    {
      if (words[i][0] == '\0')
        continue;
      indexed[terms->len] = g_utf8_strlen (words[i], -1) >= 3;
      g_ptr_array_add (terms, g_strdup (words[i]));
    }
  g_ptr_array_add (terms, NULL);
  return (GStrv) g_ptr_array_free (terms, FALSE);
}

/* FTS5 phrase syntax: each indexed term in double quotes, quotes doubled;
 * terms are ANDed; NULL when no term is long enough for the index */
static char *
lilac_conversation_store_fts_query (GStrv          terms,
                                    const gboolean indexed[LILAC_SEARCH_MAX_TERMS])
{
  g_autoptr(GString) match = g_string_new (NULL);

  for (unsigned i = 0; terms[i] != NULL; i++)
    {
      g_autofree char *quoted = NULL;
      g_auto(GStrv) parts = NULL;

      if (!indexed[i])
        continue;
      parts = g_strsplit (terms[i], "\"", -1);
      quoted = g_strjoinv ("\"\"", parts);
      g_string_append_printf (match, "%s\"%s\"", match->len > 0 ? " " : "", quoted);
    }
  if (match->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&match), FALSE);
}

static char *
lilac_conversation_store_like_pattern (const char *term)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = term; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

/* ANDs "text LIKE ?N" for each term, or only for the terms the index cannot find */
static void
lilac_conversation_store_append_likes (GString        *sql,
                                       GStrv           terms,
                                       const gboolean *indexed)
{
  for (unsigned i = 0; terms[i] != NULL; i++)
    {
      if (indexed == NULL || !indexed[i])
        g_string_append_printf (sql, " AND m.text LIKE ?%u ESCAPE '\\'", i + 6);
    }
}

static char *
lilac_conversation_store_search_sql (GStrv           terms,
                                     const gboolean *indexed,
                                     gboolean        use_index)
{
  GString *sql = g_string_new ("SELECT m.id, m.conversation_id, m.account_id, m.sender, m.text, "
                               "m.direction, m.system, m.time FROM messages m ");

  if (use_index)
    {
      /* what the index has (its short terms checked with LIKE), and the
       * messages it does not have yet, scanned */
      g_string_append (sql, "JOIN messages_fts f ON f.rowid = m.id WHERE messages_fts MATCH ?5 "
                            "AND m.user_id = ?1 AND (?2 = 0 OR m.account_id = ?2) AND m.id < ?3");
      lilac_conversation_store_append_likes (sql, terms, indexed);
      g_string_append (sql, " UNION ALL SELECT m.id, m.conversation_id, m.account_id, m.sender, "
                            "m.text, m.direction, m.system, m.time FROM messages_unindexed u "
                            "JOIN messages m ON m.id = u.id ");
    }
  g_string_append (sql, "WHERE m.user_id = ?1 AND (?2 = 0 OR m.account_id = ?2) AND m.id < ?3");
  lilac_conversation_store_append_likes (sql, terms, NULL);
  g_string_append (sql, " ORDER BY 1 DESC LIMIT ?4");
  return g_string_free (sql, FALSE);
}

/**
 * lilac_conversation_store_search:
 * @self: the conversation store
 * @user_id: whose messages
 * @query: words, all of which a message must contain
 * @account_id: only this account's messages, or 0 for all
 * @before: only messages with a smaller id, or 0
 * @limit: how many at most
 * @more: (out): whether older matches remain
 * @error: return location for a #GError
 *
 * Full-text search through the trigram index (any substring of three or
 * more characters, so Chinese text matches without word breaks). Shorter
 * terms (most Chinese words have two characters) narrow what the index found
 * with LIKE; a query of short terms only scans the user's rows, newest first,
 * until it has @limit matches.
 *
 * Returns: (transfer full) (nullable): messages as in `GET /history`, newest last
 */
JsonArray *
lilac_conversation_store_search (LilacConversationStore *self,
                                 gint64                  user_id,
                                 const char             *query,
                                 gint64                  account_id,
                                 gint64                  before,
                                 unsigned                limit,
                                 gboolean               *more,
                                 GError                **error)
{
  gboolean indexed[LILAC_SEARCH_MAX_TERMS] = { FALSE };
  g_auto(GStrv) terms = lilac_conversation_store_terms (query, indexed);
  char *match = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(LilacStmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  JsonArray *messages;
  int rc;

  if (terms[0] == NULL)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT, "the search is empty");
      return NULL;
    }
  match = lilac_conversation_store_fts_query (terms, indexed);
  sql = lilac_conversation_store_search_sql (terms, indexed, match != NULL);
  stmt = lilac_store_prepare (self->store, sql, error);
  if (stmt == NULL)
    {
      g_free (match);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_int64 (stmt, 3, before > 0 ? before : G_MAXINT64);
  sqlite3_bind_int64 (stmt, 4, (gint64) limit + 1);
  if (match != NULL)
    sqlite3_bind_text (stmt, 5, match, -1, g_free);
  for (unsigned i = 0; terms[i] != NULL; i++)
    sqlite3_bind_text (stmt, (int) i + 6, lilac_conversation_store_like_pattern (terms[i]), -1,
                       g_free);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  while ((rc = lilac_store_step (self->store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (rows, lilac_conversation_store_search_row (stmt));
  if (rc < 0)
    return NULL;
  *more = rows->len > limit;
  messages = json_array_new ();
  for (unsigned i = MIN (rows->len, limit); i > 0; i--)
    json_array_add_object_element (messages, json_object_ref (rows->pdata[i - 1]));
  return messages;
}

/**
 * lilac_conversation_store_reserve_message_id:
 *
 * Returns: a message id no stored message has, nor any earlier reservation
 */
gint64
lilac_conversation_store_reserve_message_id (LilacConversationStore *self)
{
  if (self->next_message_id == 0)
    {
      g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                       "SELECT COALESCE (MAX (id), 0) FROM messages",
                                                       NULL);

      self->next_message_id = 1;
      if (stmt != NULL && lilac_store_step (self->store, stmt, NULL) == SQLITE_ROW)
        self->next_message_id = sqlite3_column_int64 (stmt, 0) + 1;
    }
  return self->next_message_id++;
}

static gboolean
lilac_conversation_store_insert_message (LilacConversationStore   *self,
                                         LilacConversation        *conversation,
                                         const LilacMessageRecord *message,
                                         GError                  **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "INSERT INTO messages (id, user_id, "
                                                   "conversation_id, account_id, sender, text, "
                                                   "direction, system, time) "
                                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message->id);
  sqlite3_bind_int64 (stmt, 2, conversation->user_id);
  sqlite3_bind_int64 (stmt, 3, conversation->id);
  sqlite3_bind_int64 (stmt, 4, conversation->account_id);
  sqlite3_bind_text (stmt, 5, message->sender, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, message->text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, message->outgoing ? "out" : "in", -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 8, message->system ? 1 : 0);
  sqlite3_bind_int64 (stmt, 9, message->time);
  return lilac_store_step_done (self->store, stmt, error);
}

/**
 * lilac_conversation_store_add_message:
 * @self: the conversation store
 * @conversation: where the message was said; its unread count grows for
 *   an incoming, non-system message
 * @message: the message, with an id from lilac_conversation_store_reserve_message_id()
 * @error: return location for a #GError
 *
 * Stores the message and the conversation's new unread count in one
 * transaction.
 */
gboolean
lilac_conversation_store_add_message (LilacConversationStore   *self,
                                      LilacConversation        *conversation,
                                      const LilacMessageRecord *message,
                                      GError                  **error)
{
  gint64 unread = conversation->unread;

  if (!lilac_store_begin (self->store, error))
    return FALSE;
  if (!message->outgoing && !message->system)
    conversation->unread++;
  if (!lilac_conversation_store_insert_message (self, conversation, message, error) ||
      !lilac_conversation_store_update (self, conversation, error) ||
      !lilac_store_commit (self->store, error))
    {
      lilac_store_rollback (self->store);
      conversation->unread = unread;
      return FALSE;
    }
  lilac_conversation_store_schedule_index (self);
  return TRUE;
}
