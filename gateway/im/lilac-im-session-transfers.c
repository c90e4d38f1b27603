/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * File transfers of a session. Bytes never travel in JSON: for a file
 * coming in, the worker gets the write end of a pipe and the gateway reads
 * the other end into the transfer's blob, a piece at a time; for a file
 * going out, the upload streams into a blob and the worker gets the read end
 * of a pipe the gateway fills from it. Progress reaches clients as
 * transfer.updated events, a few a second at most.
 */
#include "config.h"

#include "lilac-im-session-private.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib-unix.h>

#include "lilac-error.h"
#include "lilac-filename.h"
#include "lilac-json.h"
#include "lilac-wire.h"

#define LILAC_TRANSFER_PIECE (256 * 1024)
#define LILAC_TRANSFER_PROGRESS_US (250 * 1000)

/* a transfer moving bytes right now */
typedef struct {
  LilacImSession *session;    /* (unowned) owns this run */
  LilacTransfer *transfer;    /* (owned) */
  char *worker_id;            /* (owned) (nullable) the worker's id, once known */
  int fd;                     /* (owned) our end of the pipe, or -1 */
  guint source;               /* the pipe's watch */
  gint64 moved;               /* bytes through the pipe so far */
  gint64 progress_at;         /* monotonic us of the last progress event */
} LilacTransferRun;

static void
lilac_transfer_run_free (LilacTransferRun *run)
{
  g_clear_handle_id (&run->source, g_source_remove);
  if (run->fd >= 0)
    close (run->fd);
  lilac_transfer_free (run->transfer);
  g_free (run->worker_id);
  g_free (run);
}

static LilacTransferStore *
lilac_im_session_transfer_store (LilacImSession *self)
{
  return lilac_im_manager_get_transfers (self->manager);
}

static void
lilac_im_session_push_transfer (LilacImSession      *self,
                                const LilacTransfer *transfer)
{
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_object_member (fields, "transfer", lilac_transfer_to_json (transfer));
  lilac_im_session_push (self, "transfer.updated", fields);
}

static LilacTransferRun *
lilac_im_session_transfer_run (LilacImSession *self,
                               gint64          id)
{
  return g_hash_table_lookup (self->transfers, &id);
}

/* the end of a run: the state is final, the pipe closed, clients told */
static void
lilac_im_session_transfer_finish (LilacImSession   *self,
                                  LilacTransferRun *run,
                                  const char       *state,
                                  const char       *error)
{
  LilacTransfer *transfer = run->transfer;
  gint64 id = transfer->id;

  g_free (transfer->state);
  transfer->state = g_strdup (state);
  g_free (transfer->error);
  transfer->error = g_strdup (error);
  /* what did not arrive whole is not kept */
  if (transfer->incoming && !g_str_equal (state, "done"))
    lilac_transfer_store_drop_content (lilac_im_session_transfer_store (self), id, NULL);
  lilac_transfer_store_update (lilac_im_session_transfer_store (self), transfer, NULL);
  lilac_im_session_push_transfer (self, transfer);
  if (run->worker_id != NULL)
    g_hash_table_remove (self->transfer_ids, run->worker_id);
  g_hash_table_remove (self->transfers, &id);
}

static void
lilac_im_session_transfer_progress (LilacImSession   *self,
                                    LilacTransferRun *run)
{
  gint64 now = g_get_monotonic_time ();

  if (now - run->progress_at < LILAC_TRANSFER_PROGRESS_US)
    return;
  run->progress_at = now;
  lilac_transfer_store_update (lilac_im_session_transfer_store (self), run->transfer, NULL);
  lilac_im_session_push_transfer (self, run->transfer);
}

/* ------------------------------------------------------------ Coming in */

static gboolean
lilac_im_session_transfer_read_cb (int          fd,
                                   GIOCondition condition,
                                   gpointer     user_data)
{
  LilacTransferRun *run = user_data;
  LilacImSession *self = run->session;
  g_autofree guint8 *piece = g_malloc (LILAC_TRANSFER_PIECE);
  g_autoptr(GError) local_error = NULL;
  ssize_t got = read (fd, piece, LILAC_TRANSFER_PIECE);

  if (got < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (got > 0 && lilac_transfer_store_write (lilac_im_session_transfer_store (self),
                                             run->transfer->id, run->moved, piece, (gsize) got,
                                             &local_error))
    {
      run->moved += got;
      run->transfer->done = run->moved;
      lilac_im_session_transfer_progress (self, run);
      return G_SOURCE_CONTINUE;
    }
  run->source = 0;
  if (got > 0)
    lilac_im_session_transfer_finish (self, run, "failed", local_error->message);
  else if (got == 0 && run->moved == run->transfer->size)
    lilac_im_session_transfer_finish (self, run, "done", NULL);
  else if (got == 0)
    lilac_im_session_transfer_finish (self, run, "failed", "the file arrived incomplete");
  else
    lilac_im_session_transfer_finish (self, run, "failed", g_strerror (errno));
  return G_SOURCE_REMOVE;
}

static void
lilac_im_session_transfer_ignore_cb (GObject      *source,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(JsonObject) reply = NULL;

  reply = lilac_worker_proxy_request_finish (LILAC_WORKER_PROXY (source), result, NULL);
}

static void
lilac_im_session_transfer_tell (LilacImSession *self,
                                LilacWireType   type,
                                const char     *worker_id)
{
  g_autoptr(JsonObject) body = json_object_new ();

  if (worker_id == NULL || self->worker == NULL ||
      lilac_worker_proxy_get_state (self->worker) != LILAC_WORKER_RUNNING)
    return;
  json_object_set_string_member (body, "transfer", worker_id);
  lilac_worker_proxy_request_async (self->worker, type, body, NULL,
                                    lilac_im_session_transfer_ignore_cb, NULL);
}

static gboolean
lilac_im_session_transfer_accept (LilacImSession   *self,
                                  LilacTransferRun *run,
                                  GError          **error)
{
  const LilacImSettings *settings = lilac_im_manager_get_settings (self->manager);
  LilacTransferStore *store = lilac_im_session_transfer_store (self);
  g_autoptr(JsonObject) body = json_object_new ();
  int fds[2];

  if (lilac_transfer_store_get_usage (store, self->user->id) + run->transfer->size >
      settings->transfer_quota)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                           "this file would go over your storage quota");
      return FALSE;
    }
  if (!lilac_im_session_check_running (self, error) ||
      !lilac_transfer_store_allocate (store, run->transfer, error))
    return FALSE;
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return FALSE;
  g_unix_set_fd_nonblocking (fds[0], TRUE, NULL);
  run->fd = fds[0];
  run->source = g_unix_fd_add (run->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                               lilac_im_session_transfer_read_cb, run);
  g_free (run->transfer->state);
  run->transfer->state = g_strdup ("active");
  lilac_transfer_store_update (store, run->transfer, NULL);
  lilac_im_session_push_transfer (self, run->transfer);
  json_object_set_string_member (body, "transfer", run->worker_id);
  lilac_worker_proxy_request_fd_async (self->worker, LILAC_WIRE_TRANSFER_ACCEPT, body, fds[1],
                                       NULL, lilac_im_session_transfer_ignore_cb, NULL);
  return TRUE;
}

/* -------------------------------------------------------------- Going out */

static gboolean
lilac_im_session_transfer_write_cb (int          fd,
                                    GIOCondition condition,
                                    gpointer     user_data)
{
  LilacTransferRun *run = user_data;
  LilacImSession *self = run->session;
  g_autofree guint8 *piece = g_malloc (LILAC_TRANSFER_PIECE);
  g_autoptr(GError) local_error = NULL;
  gssize length;
  ssize_t written;

  length = lilac_transfer_store_read (lilac_im_session_transfer_store (self), run->transfer->id,
                                      run->moved, piece, LILAC_TRANSFER_PIECE, &local_error);
  if (length <= 0)
    {
      /* everything handed over: closing our end tells the worker the file ended */
      run->source = 0;
      close (g_steal_fd (&run->fd));
      if (length < 0)
        lilac_im_session_transfer_finish (self, run, "failed", local_error->message);
      return G_SOURCE_REMOVE;
    }
  written = write (fd, piece, (gsize) length);
  if (written < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (written < 0)
    {
      run->source = 0;
      close (g_steal_fd (&run->fd));
      return G_SOURCE_REMOVE;
    }
  run->moved += written;
  return G_SOURCE_CONTINUE;
}

/* who waits for the worker's answer to TRANSFER_SEND */
typedef struct {
  LilacImSession *session;   /* (owned) */
  gint64 id;
} LilacTransferSending;

static void
lilac_im_session_transfer_sent_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  LilacTransferSending *sending = user_data;
  g_autoptr(LilacImSession) self = sending->session;
  gint64 id = sending->id;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) local_error = NULL;
  LilacTransferRun *run;
  const char *worker_id;

  reply = lilac_worker_proxy_request_finish (LILAC_WORKER_PROXY (source), result, &local_error);
  run = lilac_im_session_transfer_run (self, id);
  if (run == NULL)
    {
      g_free (sending);
      return;
    }
  worker_id = reply != NULL ? lilac_json_get_string (reply, "transfer", TRUE, 64, NULL) : NULL;
  if (worker_id == NULL)
    {
      g_free (sending);
      lilac_im_session_transfer_finish (self, run, "failed",
                                        local_error != NULL ? local_error->message
                                                            : "the worker did not take the file");
      return;
    }
  run->worker_id = g_strdup (worker_id);
  g_hash_table_insert (self->transfer_ids, g_strdup (worker_id), g_memdup2 (&id, sizeof id));
  g_free (sending);
}

/**
 * lilac_im_session_begin_upload:
 * @self: a session
 * @account_id: the account to send from
 * @to: the buddy to send to
 * @name: the file's name as given (sanitized here)
 * @size: the upload's length
 * @error: return location for a #GError
 *
 * Makes a transfer for a file the user is uploading, with room for its
 * bytes; TOO_LARGE over the size limit or the user's quota.
 *
 * Returns: the transfer's id, or 0 with @error set
 */
gint64
lilac_im_session_begin_upload (LilacImSession *self,
                               const char     *account_id,
                               const char     *to,
                               const char     *name,
                               gint64          size,
                               GError        **error)
{
  const LilacImSettings *settings = lilac_im_manager_get_settings (self->manager);
  LilacTransferStore *store = lilac_im_session_transfer_store (self);
  LilacImAccount *account = lilac_im_session_find_account (self, account_id, error);
  g_autofree char *filename = lilac_filename_sanitize (name, -1);
  LilacTransferRun *run;

  if (account == NULL)
    return 0;
  if (size <= 0 || size > settings->max_transfer)
    {
      g_set_error (error, LILAC_ERROR, size <= 0 ? LILAC_ERROR_INVALID_INPUT : LILAC_ERROR_TOO_LARGE,
                   size <= 0 ? "the file is empty" : "the file is larger than %" G_GINT64_FORMAT " bytes",
                   settings->max_transfer);
      return 0;
    }
  if (lilac_transfer_store_get_usage (store, self->user->id) + size > settings->transfer_quota)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                           "this file would go over your storage quota");
      return 0;
    }
  run = g_new0 (LilacTransferRun, 1);
  run->session = self;
  run->fd = -1;
  run->transfer = lilac_transfer_store_add (store, self->user->id, account->id, to, FALSE, filename,
                                            size, error);
  if (run->transfer == NULL || !lilac_transfer_store_allocate (store, run->transfer, error))
    {
      if (run->transfer != NULL)
        lilac_transfer_store_delete (store, run->transfer->id, NULL);
      lilac_transfer_run_free (run);
      return 0;
    }
  g_hash_table_insert (self->transfers, g_memdup2 (&run->transfer->id, sizeof (gint64)), run);
  return run->transfer->id;
}

/**
 * lilac_im_session_upload_piece:
 *
 * Stores the next piece of an upload.
 */
gboolean
lilac_im_session_upload_piece (LilacImSession *self,
                               gint64          transfer_id,
                               const guint8   *data,
                               gsize           length,
                               GError        **error)
{
  LilacTransferRun *run = lilac_im_session_transfer_run (self, transfer_id);

  if (run == NULL || run->transfer->incoming)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such upload");
      return FALSE;
    }
  if (!lilac_transfer_store_write (lilac_im_session_transfer_store (self), transfer_id, run->moved,
                                   data, length, error))
    return FALSE;
  run->moved += (gint64) length;
  return TRUE;
}

/**
 * lilac_im_session_abort_upload:
 *
 * Forgets an upload that did not finish: nothing of it stays stored.
 */
void
lilac_im_session_abort_upload (LilacImSession *self,
                               gint64          transfer_id)
{
  LilacTransferRun *run = lilac_im_session_transfer_run (self, transfer_id);

  if (run == NULL || run->transfer->incoming || run->worker_id != NULL)
    return;
  lilac_transfer_store_delete (lilac_im_session_transfer_store (self), transfer_id, NULL);
  g_hash_table_remove (self->transfers, &transfer_id);
}

/**
 * lilac_im_session_send_upload:
 * @self: a session
 * @transfer_id: an upload whose bytes are all stored
 * @error: return location for a #GError
 *
 * Hands the file to the worker through a pipe, which the gateway fills from
 * the blob as the worker reads.
 *
 * Returns: (transfer full) (nullable): the `Transfer`
 */
JsonObject *
lilac_im_session_send_upload (LilacImSession *self,
                              gint64          transfer_id,
                              GError        **error)
{
  LilacTransferRun *run = lilac_im_session_transfer_run (self, transfer_id);
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *account = NULL;
  LilacTransferSending *sending;
  int fds[2];

  if (run == NULL || run->transfer->incoming || run->moved != run->transfer->size)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the upload ended before its announced length");
      lilac_im_session_abort_upload (self, transfer_id);
      return NULL;
    }
  if (!lilac_im_session_check_running (self, error) || !g_unix_open_pipe (fds, FD_CLOEXEC, error))
    {
      lilac_im_session_transfer_finish (self, run, "failed", "the IM session is not running");
      return NULL;
    }
  g_unix_set_fd_nonblocking (fds[1], TRUE, NULL);
  run->moved = 0;
  run->fd = fds[1];
  run->source = g_unix_fd_add (run->fd, G_IO_OUT | G_IO_ERR, lilac_im_session_transfer_write_cb, run);
  g_free (run->transfer->state);
  run->transfer->state = g_strdup ("active");
  lilac_transfer_store_update (lilac_im_session_transfer_store (self), run->transfer, NULL);
  lilac_im_session_push_transfer (self, run->transfer);
  account = g_strdup_printf ("%" G_GINT64_FORMAT, run->transfer->account_id);
  json_object_set_string_member (body, "account", account);
  json_object_set_string_member (body, "to", run->transfer->peer);
  json_object_set_string_member (body, "filename", run->transfer->filename);
  json_object_set_int_member (body, "size", run->transfer->size);
  sending = g_new0 (LilacTransferSending, 1);
  sending->session = g_object_ref (self);
  sending->id = transfer_id;
  lilac_worker_proxy_request_fd_async (self->worker, LILAC_WIRE_TRANSFER_SEND, body, fds[0], NULL,
                                       lilac_im_session_transfer_sent_cb, sending);
  return lilac_transfer_to_json (run->transfer);
}

/**
 * lilac_im_session_transfers_init:
 *
 * Sets up the session's tables of running transfers.
 */
void
lilac_im_session_transfers_init (LilacImSession *self)
{
  self->transfers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                           (GDestroyNotify) lilac_transfer_run_free);
  self->transfer_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * lilac_im_session_list_transfers:
 *
 * Returns: (transfer full): the user's transfers for /state, newest first
 */
JsonArray *
lilac_im_session_list_transfers (LilacImSession *self)
{
  g_autoptr(GPtrArray) stored = lilac_transfer_store_list (lilac_im_session_transfer_store (self),
                                                           self->user->id, NULL);
  JsonArray *list = json_array_new ();

  for (unsigned i = 0; stored != NULL && i < stored->len; i++)
    {
      LilacTransfer *transfer = stored->pdata[i];
      LilacTransferRun *run = lilac_im_session_transfer_run (self, transfer->id);

      /* a transfer left unfinished by an earlier run of the gateway is over */
      if (run == NULL && !lilac_transfer_is_finished (transfer))
        {
          g_free (transfer->state);
          transfer->state = g_strdup ("failed");
        }
      json_array_add_object_element (list, lilac_transfer_to_json (run != NULL ? run->transfer
                                                                               : transfer));
    }
  return list;
}

/**
 * lilac_im_session_open_transfer:
 * @self: a session
 * @transfer_id: a transfer of the user's
 * @error: return location for a #GError
 *
 * For a download: a stored file that arrived whole, or one the user sent.
 *
 * Returns: (transfer full) (nullable): the transfer, or NOT_FOUND
 */
LilacTransfer *
lilac_im_session_open_transfer (LilacImSession *self,
                                const char     *transfer_id,
                                GError        **error)
{
  g_autoptr(LilacTransfer) transfer = NULL;
  gint64 id = 0;

  if (!g_ascii_string_to_signed (transfer_id, 10, 1, G_MAXINT64, &id, NULL))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such transfer");
      return NULL;
    }
  transfer = lilac_transfer_store_get (lilac_im_session_transfer_store (self), self->user->id, id,
                                       error);
  if (transfer == NULL)
    return NULL;
  if (transfer->incoming && !g_str_equal (transfer->state, "done"))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND,
                           "this file has not arrived (whole)");
      return NULL;
    }
  return g_steal_pointer (&transfer);
}

/**
 * lilac_im_session_read_transfer:
 *
 * Reads a piece of a stored transfer's bytes, for a download.
 *
 * Returns: the bytes read (0 at the end), or -1 on error
 */
gssize
lilac_im_session_read_transfer (LilacImSession *self,
                                gint64          transfer_id,
                                gint64          offset,
                                guint8         *buffer,
                                gsize           length,
                                GError        **error)
{
  return lilac_transfer_store_read (lilac_im_session_transfer_store (self), transfer_id, offset,
                                    buffer, length, error);
}

/* ---------------------------------------------------------------- Events */

/**
 * lilac_im_session_on_transfer_offered:
 * @self: a session
 * @event: a worker's transfer.offered
 *
 * Records an offer (the name made harmless) and asks the user; offers over
 * the size limit are declined at once and shown as failed.
 */
void
lilac_im_session_on_transfer_offered (LilacImSession *self,
                                      JsonObject     *event)
{
  const LilacImSettings *settings = lilac_im_manager_get_settings (self->manager);
  JsonObject *offer = lilac_json_get_object (event, "transfer", NULL);
  const char *worker_id = offer != NULL ? lilac_json_get_string (offer, "id", TRUE, 64, NULL) : NULL;
  const char *peer = offer != NULL ? lilac_json_get_string (offer, "peer", TRUE, 1024, NULL) : NULL;
  const char *name = offer != NULL ? lilac_json_get_string (offer, "filename", FALSE, 4096, NULL) : NULL;
  LilacImAccount *account = offer != NULL ? lilac_im_session_find_account (self,
                                              lilac_json_get_string (offer, "account", TRUE, 32, NULL),
                                              NULL) : NULL;
  g_autofree char *filename = lilac_filename_sanitize (name, -1);
  LilacTransferRun *run;
  gint64 size = 0;

  if (worker_id == NULL || peer == NULL || account == NULL ||
      g_hash_table_contains (self->transfer_ids, worker_id))
    return;
  lilac_json_get_int (offer, "size", 0, &size, NULL);
  run = g_new0 (LilacTransferRun, 1);
  run->session = self;
  run->fd = -1;
  run->worker_id = g_strdup (worker_id);
  run->transfer = lilac_transfer_store_add (lilac_im_session_transfer_store (self), self->user->id,
                                            account->id, peer, TRUE, filename, MAX (size, 0), NULL);
  if (run->transfer == NULL)
    {
      lilac_transfer_run_free (run);
      lilac_im_session_transfer_tell (self, LILAC_WIRE_TRANSFER_REJECT, worker_id);
      return;
    }
  g_hash_table_insert (self->transfers, g_memdup2 (&run->transfer->id, sizeof (gint64)), run);
  g_hash_table_insert (self->transfer_ids, g_strdup (worker_id),
                       g_memdup2 (&run->transfer->id, sizeof (gint64)));
  if (size <= 0 || size > settings->max_transfer)
    {
      lilac_im_session_transfer_tell (self, LILAC_WIRE_TRANSFER_REJECT, worker_id);
      lilac_im_session_transfer_finish (self, run, "failed",
                                        size <= 0 ? "the sender did not say how large the file is"
                                                  : "the file is larger than this gateway accepts");
      return;
    }
  lilac_im_session_push_transfer (self, run->transfer);
}

/**
 * lilac_im_session_on_transfer_progress:
 * @self: a session
 * @event: a worker's transfer.progress
 *
 * Follows a transfer the worker reports on: bytes sent, or its end.
 */
void
lilac_im_session_on_transfer_progress (LilacImSession *self,
                                       JsonObject     *event)
{
  static const char *const states[] = { "active", "done", "cancelled", "failed", NULL };
  const char *worker_id = lilac_json_get_string (event, "transfer", TRUE, 64, NULL);
  const char *state = lilac_json_get_string (event, "state", TRUE, 16, NULL);
  gint64 *id = worker_id != NULL ? g_hash_table_lookup (self->transfer_ids, worker_id) : NULL;
  LilacTransferRun *run = id != NULL ? lilac_im_session_transfer_run (self, *id) : NULL;
  gint64 done = 0;

  if (run == NULL || state == NULL || !g_strv_contains (states, state))
    return;
  lilac_json_get_int (event, "done", 0, &done, NULL);
  /* bytes coming in are counted by the gateway as it stores them */
  if (!run->transfer->incoming)
    run->transfer->done = CLAMP (done, 0, run->transfer->size);
  if (g_str_equal (state, "active"))
    lilac_im_session_transfer_progress (self, run);
  else if (!run->transfer->incoming || !g_str_equal (state, "done"))
    lilac_im_session_transfer_finish (self, run, state,
                                      lilac_json_get_string (event, "error", FALSE, 1024, NULL));
}

/**
 * lilac_im_session_fail_transfers:
 *
 * The worker is gone: every running transfer failed.
 */
void
lilac_im_session_fail_transfers (LilacImSession *self)
{
  g_autoptr(GList) runs = g_hash_table_get_values (self->transfers);

  for (GList *l = runs; l != NULL; l = l->next)
    {
      LilacTransferRun *run = l->data;

      /* an upload still arriving from the browser does not depend on the worker */
      if (!run->transfer->incoming && run->worker_id == NULL && run->fd < 0)
        continue;
      lilac_im_session_transfer_finish (self, run, "failed", "the IM session restarted");
    }
}

/* --------------------------------------------------------------- Commands */

/**
 * lilac_im_session_act_on_transfer:
 * @self: a session
 * @transfer_id: the transfer
 * @action: accept, reject or cancel
 * @error: return location for a #GError
 *
 * Accepts or rejects a file offered to the user, or stops a transfer.
 */
gboolean
lilac_im_session_act_on_transfer (LilacImSession *self,
                                  const char     *transfer_id,
                                  const char     *action,
                                  GError        **error)
{
  g_autoptr(LilacTransfer) transfer = NULL;
  LilacTransferRun *run;
  gint64 id = 0;

  if (!g_ascii_string_to_signed (transfer_id, 10, 1, G_MAXINT64, &id, NULL) ||
      (transfer = lilac_transfer_store_get (lilac_im_session_transfer_store (self), self->user->id,
                                            id, error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such transfer");
      return FALSE;
    }
  run = lilac_im_session_transfer_run (self, id);
  if (run == NULL || lilac_transfer_is_finished (run->transfer))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_CONFLICT, "this transfer is over");
      return FALSE;
    }
  if (g_str_equal (action, "accept") || g_str_equal (action, "reject"))
    {
      if (!run->transfer->incoming || !g_str_equal (run->transfer->state, "pending"))
        {
          g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_CONFLICT,
                               "only a file offered to you and not yet answered can be accepted or rejected");
          return FALSE;
        }
      if (g_str_equal (action, "accept"))
        return lilac_im_session_transfer_accept (self, run, error);
    }
  lilac_im_session_transfer_tell (self, g_str_equal (action, "reject") ? LILAC_WIRE_TRANSFER_REJECT
                                                                       : LILAC_WIRE_TRANSFER_CANCEL,
                                  run->worker_id);
  lilac_im_session_transfer_finish (self, run, "cancelled", NULL);
  return TRUE;
}
