/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Transfers in SQLite. A transfer's bytes live in transfer_pieces, 1 MiB
 * zeroblobs filled and read with incremental blob I/O. Each write or read
 * opens and closes its own blob handle, so no transaction stays open while
 * bytes trickle in and other users' messages are stored.
 */
#include "config.h"

#include "lilac-transfer-store.h"

#include "lilac-error.h"

#define LILAC_TRANSFER_PIECE_SIZE ((gint64) 1024 * 1024)
#define LILAC_TRANSFER_COLUMNS \
  "id, user_id, account_id, peer, direction, filename, size, done, state, error, created"

struct _LilacTransferStore {
  GObject parent_instance;

  LilacStore *store;   /* (owned) */
};

G_DEFINE_TYPE (LilacTransferStore, lilac_transfer_store, G_TYPE_OBJECT)

void
lilac_transfer_free (LilacTransfer *transfer)
{
  if (transfer == NULL)
    return;
  g_free (transfer->peer);
  g_free (transfer->filename);
  g_free (transfer->state);
  g_free (transfer->error);
  g_free (transfer);
}

gboolean
lilac_transfer_is_finished (const LilacTransfer *transfer)
{
  return g_str_equal (transfer->state, "done") || g_str_equal (transfer->state, "cancelled") ||
         g_str_equal (transfer->state, "failed");
}

/**
 * lilac_transfer_to_json:
 *
 * Returns: (transfer full): the `Transfer` of API.md
 */
JsonObject *
lilac_transfer_to_json (const LilacTransfer *transfer)
{
  JsonObject *object = json_object_new ();
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, transfer->id);
  g_autofree char *account = g_strdup_printf ("%" G_GINT64_FORMAT, transfer->account_id);

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "account", account);
  json_object_set_string_member (object, "peer", transfer->peer);
  json_object_set_string_member (object, "direction", transfer->incoming ? "in" : "out");
  json_object_set_string_member (object, "filename", transfer->filename);
  json_object_set_int_member (object, "size", transfer->size);
  json_object_set_int_member (object, "done", transfer->done);
  json_object_set_string_member (object, "state", transfer->state);
  if (transfer->error != NULL)
    json_object_set_string_member (object, "error", transfer->error);
  json_object_set_int_member (object, "time", transfer->created);
  return object;
}

static void
lilac_transfer_store_finalize (GObject *object)
{
  LilacTransferStore *self = LILAC_TRANSFER_STORE (object);

  g_clear_object (&self->store);
  G_OBJECT_CLASS (lilac_transfer_store_parent_class)->finalize (object);
}

static void
lilac_transfer_store_class_init (LilacTransferStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lilac_transfer_store_finalize;
}

static void
lilac_transfer_store_init (LilacTransferStore *self)
{
}

/**
 * lilac_transfer_store_new:
 *
 * Returns: (transfer full): the transfer store
 */
LilacTransferStore *
lilac_transfer_store_new (LilacStore *store)
{
  LilacTransferStore *self = g_object_new (LILAC_TYPE_TRANSFER_STORE, NULL);

  self->store = g_object_ref (store);
  return self;
}

static LilacTransfer *
lilac_transfer_store_row (LilacStmt *stmt)
{
  LilacTransfer *transfer = g_new0 (LilacTransfer, 1);

  transfer->id = sqlite3_column_int64 (stmt, 0);
  transfer->user_id = sqlite3_column_int64 (stmt, 1);
  transfer->account_id = sqlite3_column_int64 (stmt, 2);
  transfer->peer = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  transfer->incoming = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), "in") == 0;
  transfer->filename = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  transfer->size = sqlite3_column_int64 (stmt, 6);
  transfer->done = sqlite3_column_int64 (stmt, 7);
  transfer->state = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  transfer->error = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  transfer->created = sqlite3_column_int64 (stmt, 10);
  return transfer;
}

/**
 * lilac_transfer_store_add:
 * @self: the transfer store
 * @user_id: the owner
 * @account_id: the IM account (owned by @user_id; the caller checked)
 * @peer: who sends or receives the file
 * @incoming: whether the file comes to the user
 * @filename: a sanitized file name
 * @size: its size in bytes
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a new pending transfer, with no content yet
 */
LilacTransfer *
lilac_transfer_store_add (LilacTransferStore *self,
                          gint64              user_id,
                          gint64              account_id,
                          const char         *peer,
                          gboolean            incoming,
                          const char         *filename,
                          gint64              size,
                          GError            **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "INSERT INTO transfers (user_id, account_id, peer, "
                                                   "direction, filename, size, state, created) "
                                                   "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)", error);
  g_autoptr(LilacTransfer) transfer = g_new0 (LilacTransfer, 1);

  if (stmt == NULL)
    return NULL;
  transfer->user_id = user_id;
  transfer->account_id = account_id;
  transfer->peer = g_strdup (peer);
  transfer->incoming = incoming;
  transfer->filename = g_strdup (filename);
  transfer->size = size;
  transfer->state = g_strdup ("pending");
  transfer->created = g_get_real_time () / 1000;
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_text (stmt, 3, peer, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, incoming ? "in" : "out", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, filename, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, size);
  sqlite3_bind_int64 (stmt, 7, transfer->created);
  if (!lilac_store_step_done (self->store, stmt, error))
    return NULL;
  transfer->id = lilac_store_last_insert_id (self->store);
  return g_steal_pointer (&transfer);
}

/**
 * lilac_transfer_store_get:
 *
 * Returns: (transfer full) (nullable): the transfer if @user_id owns it, else NOT_FOUND
 */
LilacTransfer *
lilac_transfer_store_get (LilacTransferStore *self,
                          gint64              user_id,
                          gint64              id,
                          GError            **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT " LILAC_TRANSFER_COLUMNS " FROM transfers "
                                                   "WHERE id = ? AND user_id = ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such transfer");
      return NULL;
    }
  return lilac_transfer_store_row (stmt);
}

/**
 * lilac_transfer_store_list:
 *
 * Returns: (transfer full) (element-type LilacTransfer) (nullable): the
 *   user's transfers, newest first (at most 200)
 */
GPtrArray *
lilac_transfer_store_list (LilacTransferStore *self,
                           gint64              user_id,
                           GError            **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT " LILAC_TRANSFER_COLUMNS " FROM transfers "
                                                   "WHERE user_id = ? ORDER BY id DESC LIMIT 200",
                                                   error);
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) lilac_transfer_free);
  sqlite3_bind_int64 (stmt, 1, user_id);
  while ((rc = lilac_store_step (self->store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, lilac_transfer_store_row (stmt));
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&list);
}

/**
 * lilac_transfer_store_get_usage:
 *
 * Returns: the bytes the user's stored transfers take
 */
gint64
lilac_transfer_store_get_usage (LilacTransferStore *self,
                                gint64              user_id)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT COALESCE (SUM (t.size), 0) FROM transfers t "
                                                   "WHERE t.user_id = ? AND EXISTS (SELECT 1 FROM "
                                                   "transfer_pieces p WHERE p.transfer_id = t.id)", NULL);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, user_id);
  if (lilac_store_step (self->store, stmt, NULL) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

gboolean
lilac_transfer_store_update (LilacTransferStore *self,
                             LilacTransfer      *transfer,
                             GError            **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "UPDATE transfers SET done = ?, state = ?, error = ? "
                                                   "WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, transfer->done);
  sqlite3_bind_text (stmt, 2, transfer->state, -1, SQLITE_TRANSIENT);
  if (transfer->error != NULL)
    sqlite3_bind_text (stmt, 3, transfer->error, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_int64 (stmt, 4, transfer->id);
  return lilac_store_step_done (self->store, stmt, error);
}

/**
 * lilac_transfer_store_allocate:
 *
 * Makes room for the transfer's bytes: zero-filled pieces of 1 MiB (the
 * last one shorter), in one transaction.
 */
gboolean
lilac_transfer_store_allocate (LilacTransferStore *self,
                               LilacTransfer      *transfer,
                               GError            **error)
{
  gint64 pieces = (transfer->size + LILAC_TRANSFER_PIECE_SIZE - 1) / LILAC_TRANSFER_PIECE_SIZE;

  if (!lilac_store_begin (self->store, error))
    return FALSE;
  for (gint64 piece = 0; piece < pieces; piece++)
    {
      g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                       "INSERT OR REPLACE INTO transfer_pieces "
                                                       "(transfer_id, piece, content) "
                                                       "VALUES (?, ?, zeroblob (?))", error);

      if (stmt == NULL)
        break;
      sqlite3_bind_int64 (stmt, 1, transfer->id);
      sqlite3_bind_int64 (stmt, 2, piece);
      sqlite3_bind_int64 (stmt, 3, MIN (LILAC_TRANSFER_PIECE_SIZE,
                                        transfer->size - piece * LILAC_TRANSFER_PIECE_SIZE));
      if (!lilac_store_step_done (self->store, stmt, error))
        break;
    }
  if ((error != NULL && *error != NULL) || !lilac_store_commit (self->store, error))
    {
      lilac_store_rollback (self->store);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_blob *
lilac_transfer_store_open_piece (LilacTransferStore *self,
                                 gint64              id,
                                 gint64              piece,
                                 gboolean            write,
                                 GError            **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT rowid FROM transfer_pieces "
                                                   "WHERE transfer_id = ? AND piece = ?", error);
  sqlite3 *db = lilac_store_get_db (self->store);
  sqlite3_blob *blob = NULL;
  gint64 row;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, piece);
  rc = lilac_store_step (self->store, stmt, error);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "the transfer has no content");
      return NULL;
    }
  row = sqlite3_column_int64 (stmt, 0);
  lilac_stmt_release (g_steal_pointer (&stmt));
  rc = sqlite3_blob_open (db, "main", "transfer_pieces", "content", row, write ? 1 : 0, &blob);
  if (rc != SQLITE_OK)
    {
      lilac_error_set_from_sqlite (error, db, rc, "opening a transfer's content");
      if (blob != NULL)
        sqlite3_blob_close (blob);
      return NULL;
    }
  return blob;
}

/* reads or writes @length bytes at @offset, piece by piece */
static gboolean
lilac_transfer_store_io (LilacTransferStore *self,
                         gint64              id,
                         gint64              offset,
                         guint8             *data,
                         gsize               length,
                         gboolean            write,
                         GError            **error)
{
  while (length > 0)
    {
      gint64 piece = offset / LILAC_TRANSFER_PIECE_SIZE;
      int at = (int) (offset % LILAC_TRANSFER_PIECE_SIZE);
      sqlite3_blob *blob = lilac_transfer_store_open_piece (self, id, piece, write, error);
      int count, rc;

      if (blob == NULL)
        return FALSE;
      count = (int) MIN ((gsize) (sqlite3_blob_bytes (blob) - at), length);
      if (count <= 0)
        {
          sqlite3_blob_close (blob);
          g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                               "more bytes than the transfer announced");
          return FALSE;
        }
      rc = write ? sqlite3_blob_write (blob, data, count, at) : sqlite3_blob_read (blob, data, count, at);
      sqlite3_blob_close (blob);
      if (rc != SQLITE_OK)
        {
          lilac_error_set_from_sqlite (error, lilac_store_get_db (self->store), rc,
                                       "moving a transfer's content");
          return FALSE;
        }
      data += count;
      offset += count;
      length -= (gsize) count;
    }
  return TRUE;
}

/**
 * lilac_transfer_store_write:
 *
 * Writes one piece of a transfer's bytes at @offset; it must fit the
 * announced size.
 */
gboolean
lilac_transfer_store_write (LilacTransferStore *self,
                            gint64              id,
                            gint64              offset,
                            const guint8       *data,
                            gsize               length,
                            GError            **error)
{
  return lilac_transfer_store_io (self, id, offset, (guint8 *) data, length, TRUE, error);
}

/**
 * lilac_transfer_store_read:
 * @self: the transfer store
 * @id: the transfer
 * @offset: where to read
 * @buffer: (out caller-allocates): where the bytes go
 * @length: how many to read at most
 * @error: return location for a #GError
 *
 * Returns: the bytes read (0 at the end), or -1 on error
 */
gssize
lilac_transfer_store_read (LilacTransferStore *self,
                           gint64              id,
                           gint64              offset,
                           guint8             *buffer,
                           gsize               length,
                           GError            **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "SELECT size FROM transfers WHERE id = ?", error);
  gint64 size;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, id);
  if (lilac_store_step (self->store, stmt, error) != SQLITE_ROW)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such transfer");
      return -1;
    }
  size = sqlite3_column_int64 (stmt, 0);
  length = (gsize) MIN ((gint64) length, MAX (size - offset, 0));
  if (length > 0 && !lilac_transfer_store_io (self, id, offset, buffer, length, FALSE, error))
    return -1;
  return (gssize) length;
}

gboolean
lilac_transfer_store_drop_content (LilacTransferStore *self,
                                   gint64              id,
                                   GError            **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store,
                                                   "DELETE FROM transfer_pieces WHERE transfer_id = ?",
                                                   error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return lilac_store_step_done (self->store, stmt, error);
}

gboolean
lilac_transfer_store_delete (LilacTransferStore *self,
                             gint64              id,
                             GError            **error)
{
  g_autoptr(LilacStmt) stmt = lilac_store_prepare (self->store, "DELETE FROM transfers WHERE id = ?",
                                                   error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return lilac_store_step_done (self->store, stmt, error);
}
