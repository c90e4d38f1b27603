/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * One file transfer between libpurple and the gateway's pipe. Nothing of the
 * file touches the disk: libpurple hands received bytes to the ui_write UI
 * operation and asks ui_read for the bytes to send (begin_transfer() opens
 * no local file when a UI has those operations).
 *
 * libpurple moves bytes only when both sides said they are ready: the
 * protocol with purple_xfer_prpl_ready() (or its socket's watch), the UI with
 * purple_xfer_ui_ready(); each move clears both. So the pipe's side sets the
 * pace:
 *
 * - Receiving, ui_write must take every byte it is given. What the pipe does
 *   not take at once is held here. Over a socket of the protocol's own
 *   (SOCKS5 bytestreams), the transfer says it is ready again only while
 *   less than LILAC_PURPLE_TRANSFER_HELD bytes are held: beyond that,
 *   libpurple stops reading the socket and TCP holds the sender back until
 *   the gateway has read the pipe down. A protocol without a socket (XMPP's
 *   in-band bytestreams) has taken the bytes in already (libjabber
 *   acknowledges each block as it comes) and cancels the transfer when the
 *   sender closes the stream before the UI took every byte, so those bytes
 *   are always taken, and held here while the gateway does not read.
 * - Sending, the pipe is read into a hold of the same bound, and the
 *   transfer says it is ready only while it holds bytes, so ui_read always
 *   has some (an empty answer is a libpurple critical). What the protocol
 *   could not take comes back through data_not_sent and goes first next time.
 *
 * Inside the transfer UI operations libpurple has just cleared both flags,
 * so purple_xfer_ui_ready() only sets the UI's there, at once (data arriving
 * in the same read as the sender's close must still be taken); from the
 * pipe's callbacks it may move bytes and re-enter the UI operations, so it is
 * called from an idle callback there.
 *
 * Progress: transfer.progress events at most every
 * LILAC_PURPLE_TRANSFER_PROGRESS_MS, and always a last one with the final
 * state, sent from an idle callback (so that it follows the reply to the
 * request that started the transfer), after which the pipe is closed and the
 * transfer is over. A received file is done only once every byte went into
 * the pipe.
 */
#include "config.h"

#include "lilac-purple-transfer.h"

#include <errno.h>
#include <unistd.h>

#include <glib-unix.h>

#include "lilac-purple-core.h"

/* the bound of the bytes held between libpurple and the pipe (see above) */
#define LILAC_PURPLE_TRANSFER_HELD (256 * 1024)
#define LILAC_PURPLE_TRANSFER_PROGRESS_MS 250

struct _LilacPurpleTransfer {
  char *id;                           /* (owned) */
  PurpleXfer *xfer;                   /* (unowned) (nullable) NULL once libpurple freed it */
  gboolean incoming;
  LilacPurpleTransferOverFunc over;
  LilacPurpleTransferState state;
  char *error;                        /* (owned) (nullable) why it failed */
  int fd;                             /* (owned) the gateway's pipe, or -1 */
  GByteArray *held;                   /* (owned) bytes between libpurple and the pipe */
  gsize head;                         /* bytes at the start of held already passed on */
  gboolean eof;                       /* sending: the pipe ended */
  gboolean complete;                  /* receiving: libpurple has every byte */
  gboolean finishing;                 /* the last event is on its way */
  gint64 done;                        /* bytes moved */
  gint64 reported_at;                 /* monotonic us of the last progress event */
  guint pipe_id;                      /* the pipe's watch */
  guint ready_id;                     /* idle saying to libpurple that the UI is ready */
  guint progress_id;                  /* the next progress event, or the last one */
};

static gboolean lilac_purple_transfer_pipe_cb (int          fd,
                                               GIOCondition condition,
                                               gpointer     user_data);

/* ------------------------------------------------------------- Events */

static const char *
lilac_purple_transfer_state_name (LilacPurpleTransferState state)
{
  switch (state)
    {
    case LILAC_PURPLE_TRANSFER_DONE:
      return "done";
    case LILAC_PURPLE_TRANSFER_CANCELLED:
      return "cancelled";
    case LILAC_PURPLE_TRANSFER_FAILED:
      return "failed";
    case LILAC_PURPLE_TRANSFER_PENDING:
    case LILAC_PURPLE_TRANSFER_ACTIVE:
    default:
      return "active";
    }
}

static void
lilac_purple_transfer_report (LilacPurpleTransfer *self)
{
  g_autoptr(JsonObject) event = lilac_purple_event_new ("transfer.progress");

  json_object_set_string_member (event, "transfer", self->id);
  json_object_set_int_member (event, "done", self->done);
  json_object_set_string_member (event, "state", lilac_purple_transfer_state_name (self->state));
  if (self->error != NULL)
    json_object_set_string_member (event, "error", self->error);
  lilac_purple_emit (event);
  self->reported_at = g_get_monotonic_time ();
}

static gboolean
lilac_purple_transfer_progress_cb (gpointer user_data)
{
  LilacPurpleTransfer *self = user_data;

  self->progress_id = 0;
  lilac_purple_transfer_report (self);
  return G_SOURCE_REMOVE;
}

static void
lilac_purple_transfer_schedule_progress (LilacPurpleTransfer *self)
{
  gint64 wait_us;

  if (self->finishing || self->progress_id != 0)
    return;
  wait_us = self->reported_at + LILAC_PURPLE_TRANSFER_PROGRESS_MS * 1000 - g_get_monotonic_time ();
  self->progress_id = g_timeout_add ((guint) (MAX (wait_us, 0) / 1000),
                                     lilac_purple_transfer_progress_cb, self);
}

/* the last event, then the pipe closes and the owner forgets the transfer */
static gboolean
lilac_purple_transfer_last_cb (gpointer user_data)
{
  LilacPurpleTransfer *self = user_data;

  self->progress_id = 0;
  lilac_purple_transfer_report (self);
  g_debug ("transfer %s ended: %s%s%s", self->id, lilac_purple_transfer_state_name (self->state),
           self->error != NULL ? ", " : "", self->error != NULL ? self->error : "");
  if (self->fd >= 0)
    close (g_steal_fd (&self->fd));
  self->over (self);
  return G_SOURCE_REMOVE;
}

static void
lilac_purple_transfer_finish (LilacPurpleTransfer     *self,
                              LilacPurpleTransferState state)
{
  if (self->finishing)
    return;
  self->finishing = TRUE;
  self->state = state;
  g_clear_handle_id (&self->pipe_id, g_source_remove);
  g_clear_handle_id (&self->ready_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_byte_array_set_size (self->held, 0);
  self->head = 0;
  self->progress_id = g_idle_add_full (G_PRIORITY_DEFAULT, lilac_purple_transfer_last_cb, self, NULL);
}

/* ------------------------------------------------------------- The pipe */

static gsize
lilac_purple_transfer_held (LilacPurpleTransfer *self)
{
  return self->held->len - self->head;
}

/* what was passed on leaves the start of the hold, once it is at least as
 * long as what is left: each byte is moved at most once on average */
static void
lilac_purple_transfer_compact (LilacPurpleTransfer *self)
{
  if (self->head == 0 || self->head < lilac_purple_transfer_held (self))
    return;
  g_byte_array_remove_range (self->held, 0, (guint) self->head);
  self->head = 0;
}

/* whether libpurple may hand bytes over (receiving) or ask for some (sending) */
static gboolean
lilac_purple_transfer_can_move (LilacPurpleTransfer *self)
{
  if (self->finishing || self->complete || self->xfer == NULL ||
      self->state != LILAC_PURPLE_TRANSFER_ACTIVE)
    return FALSE;
  if (!self->incoming)
    return lilac_purple_transfer_held (self) > 0;
  return self->xfer->fd < 0 || lilac_purple_transfer_held (self) < LILAC_PURPLE_TRANSFER_HELD;
}

/* only inside the transfer UI operations, or from an idle callback */
static void
lilac_purple_transfer_say_ready (LilacPurpleTransfer *self)
{
  if (lilac_purple_transfer_can_move (self))
    purple_xfer_ui_ready (self->xfer);
}

static gboolean
lilac_purple_transfer_ready_cb (gpointer user_data)
{
  LilacPurpleTransfer *self = user_data;

  self->ready_id = 0;
  if (lilac_purple_transfer_can_move (self))
    purple_xfer_ui_ready (self->xfer);
  else if (!self->incoming && self->eof && !self->finishing && self->xfer != NULL &&
           lilac_purple_transfer_held (self) == 0 &&
           self->done < (gint64) purple_xfer_get_size (self->xfer))
    {
      lilac_purple_transfer_set_error (self, "the file ended before its announced size");
      purple_xfer_cancel_local (self->xfer);
    }
  return G_SOURCE_REMOVE;
}

static void
lilac_purple_transfer_schedule_ready (LilacPurpleTransfer *self)
{
  if (!self->finishing && self->ready_id == 0)
    self->ready_id = g_idle_add_full (G_PRIORITY_DEFAULT, lilac_purple_transfer_ready_cb, self, NULL);
}

static void
lilac_purple_transfer_watch_pipe (LilacPurpleTransfer *self)
{
  GIOCondition condition;

  if (self->fd < 0 || self->pipe_id != 0 || self->finishing)
    return;
  if (self->incoming && lilac_purple_transfer_held (self) == 0)
    return;
  if (!self->incoming && (self->eof || lilac_purple_transfer_held (self) >= LILAC_PURPLE_TRANSFER_HELD))
    return;
  condition = self->incoming ? G_IO_OUT | G_IO_ERR : G_IO_IN | G_IO_HUP | G_IO_ERR;
  self->pipe_id = g_unix_fd_add (self->fd, condition, lilac_purple_transfer_pipe_cb, self);
}

/* receiving: the gateway stopped reading */
static void
lilac_purple_transfer_fail_pipe (LilacPurpleTransfer *self,
                                 int                  errno_value)
{
  g_autofree char *text = g_strdup_printf ("the gateway stopped taking the file: %s",
                                           g_strerror (errno_value));

  lilac_purple_transfer_set_error (self, text);
  if (self->xfer != NULL && !self->complete)
    purple_xfer_cancel_local (self->xfer);
  else
    lilac_purple_transfer_finish (self, LILAC_PURPLE_TRANSFER_FAILED);
}

static gboolean
lilac_purple_transfer_drain (LilacPurpleTransfer *self)
{
  ssize_t written = write (self->fd, self->held->data + self->head,
                           lilac_purple_transfer_held (self));

  if (written < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (written < 0)
    {
      self->pipe_id = 0;
      lilac_purple_transfer_fail_pipe (self, errno);
      return G_SOURCE_REMOVE;
    }
  self->head += (gsize) written;
  if (lilac_purple_transfer_held (self) < LILAC_PURPLE_TRANSFER_HELD)
    lilac_purple_transfer_schedule_ready (self);
  if (lilac_purple_transfer_held (self) > 0)
    return G_SOURCE_CONTINUE;
  self->pipe_id = 0;
  g_byte_array_set_size (self->held, 0);
  self->head = 0;
  if (self->complete)
    lilac_purple_transfer_finish (self, LILAC_PURPLE_TRANSFER_DONE);
  return G_SOURCE_REMOVE;
}

static gboolean
lilac_purple_transfer_fill (LilacPurpleTransfer *self)
{
  guint old_length;
  gsize room;
  ssize_t got;

  lilac_purple_transfer_compact (self);
  if (lilac_purple_transfer_held (self) >= LILAC_PURPLE_TRANSFER_HELD)
    {
      self->pipe_id = 0;
      return G_SOURCE_REMOVE;
    }
  old_length = self->held->len;
  room = LILAC_PURPLE_TRANSFER_HELD - lilac_purple_transfer_held (self);
  g_byte_array_set_size (self->held, old_length + (guint) room);
  got = read (self->fd, self->held->data + old_length, room);
  g_byte_array_set_size (self->held, old_length + (guint) MAX (got, 0));
  if (got < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  lilac_purple_transfer_schedule_ready (self);
  if (got <= 0)
    {
      /* the end of the file, as far as the pipe goes */
      self->pipe_id = 0;
      self->eof = TRUE;
      close (g_steal_fd (&self->fd));
      return G_SOURCE_REMOVE;
    }
  if (lilac_purple_transfer_held (self) < LILAC_PURPLE_TRANSFER_HELD)
    return G_SOURCE_CONTINUE;
  self->pipe_id = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
lilac_purple_transfer_pipe_cb (int          fd,
                               GIOCondition condition,
                               gpointer     user_data)
{
  LilacPurpleTransfer *self = user_data;

  return self->incoming ? lilac_purple_transfer_drain (self) : lilac_purple_transfer_fill (self);
}

/* ------------------------------------------------------------- Public API */

/**
 * lilac_purple_transfer_new:
 * @id: the worker's id for it
 * @xfer: libpurple's transfer, whose ui_data the caller points here
 * @over: called when the transfer is over, to free it
 *
 * Returns: (transfer full): a transfer, pending until started
 */
LilacPurpleTransfer *
lilac_purple_transfer_new (const char                 *id,
                           PurpleXfer                 *xfer,
                           LilacPurpleTransferOverFunc over)
{
  LilacPurpleTransfer *self = g_new0 (LilacPurpleTransfer, 1);

  self->id = g_strdup (id);
  self->xfer = xfer;
  self->incoming = purple_xfer_get_type (xfer) == PURPLE_XFER_RECEIVE;
  self->over = over;
  self->state = LILAC_PURPLE_TRANSFER_PENDING;
  self->fd = -1;
  self->held = g_byte_array_new ();
  return self;
}

void
lilac_purple_transfer_free (LilacPurpleTransfer *self)
{
  g_clear_handle_id (&self->pipe_id, g_source_remove);
  g_clear_handle_id (&self->ready_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (self->xfer != NULL && self->xfer->ui_data == self)
    self->xfer->ui_data = NULL;
  if (self->fd >= 0)
    close (self->fd);
  g_byte_array_unref (self->held);
  g_free (self->error);
  g_free (self->id);
  g_free (self);
}

const char *
lilac_purple_transfer_get_id (LilacPurpleTransfer *self)
{
  return self->id;
}

/* Returns: (transfer none) (nullable): libpurple's transfer, while it exists */
PurpleXfer *
lilac_purple_transfer_get_xfer (LilacPurpleTransfer *self)
{
  return self->xfer;
}

LilacPurpleTransferState
lilac_purple_transfer_get_state (LilacPurpleTransfer *self)
{
  return self->state;
}

/* Returns: whether the final state is known (its event may still be on its way) */
gboolean
lilac_purple_transfer_is_over (LilacPurpleTransfer *self)
{
  return self->finishing;
}

/**
 * lilac_purple_transfer_start:
 * @self: a transfer
 * @fd: (transfer full): the gateway's pipe: the write end for a file
 *   received, the read end for a file sent
 *
 * The transfer is active: bytes may cross the pipe.
 */
void
lilac_purple_transfer_start (LilacPurpleTransfer *self,
                             int                  fd)
{
  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
  self->fd = fd;
  self->state = LILAC_PURPLE_TRANSFER_ACTIVE;
  self->reported_at = g_get_monotonic_time ();
  lilac_purple_transfer_watch_pipe (self);
  lilac_purple_transfer_schedule_ready (self);
}

/**
 * lilac_purple_transfer_forget_xfer:
 *
 * libpurple freed the transfer (its destroy UI operation). A file received
 * whole still goes on into the pipe; anything else unfinished is over.
 */
void
lilac_purple_transfer_forget_xfer (LilacPurpleTransfer *self)
{
  self->xfer = NULL;
  g_clear_handle_id (&self->ready_id, g_source_remove);
  if (self->finishing || self->complete)
    return;
  if (self->state == LILAC_PURPLE_TRANSFER_PENDING)
    lilac_purple_transfer_finish (self, LILAC_PURPLE_TRANSFER_CANCELLED);
  else
    {
      lilac_purple_transfer_set_error (self, "libpurple dropped the transfer");
      lilac_purple_transfer_finish (self, LILAC_PURPLE_TRANSFER_FAILED);
    }
}

/**
 * lilac_purple_transfer_set_error:
 *
 * Says why the transfer is about to fail; the first reason given is kept.
 */
void
lilac_purple_transfer_set_error (LilacPurpleTransfer *self,
                                 const char          *error)
{
  if (self->error == NULL)
    self->error = g_strdup (error);
}

/**
 * lilac_purple_transfer_end:
 * @self: a transfer
 * @state: %LILAC_PURPLE_TRANSFER_CANCELLED or %LILAC_PURPLE_TRANSFER_FAILED
 * @error: (nullable): why
 *
 * libpurple cancelled the transfer, or the user did. A reason set earlier
 * with lilac_purple_transfer_set_error() makes it a failure, with that
 * reason.
 */
void
lilac_purple_transfer_end (LilacPurpleTransfer     *self,
                           LilacPurpleTransferState state,
                           const char              *error)
{
  if (self->error != NULL)
    state = LILAC_PURPLE_TRANSFER_FAILED;
  else
    self->error = g_strdup (error);
  lilac_purple_transfer_finish (self, state);
}

/**
 * lilac_purple_transfer_update:
 *
 * The update_progress UI operation: bytes moved, or the transfer completed.
 */
void
lilac_purple_transfer_update (LilacPurpleTransfer *self)
{
  if (self->finishing || self->state != LILAC_PURPLE_TRANSFER_ACTIVE)
    return;
  if (self->xfer == NULL || !purple_xfer_is_completed (self->xfer))
    {
      lilac_purple_transfer_schedule_progress (self);
      return;
    }
  self->complete = TRUE;
  if (!self->incoming || lilac_purple_transfer_held (self) == 0)
    lilac_purple_transfer_finish (self, LILAC_PURPLE_TRANSFER_DONE);
}

/**
 * lilac_purple_transfer_write:
 *
 * The ui_write UI operation: bytes received go into the pipe, or are held
 * until it has room.
 *
 * Returns: @size, or 0 when the transfer cannot take them (libpurple then
 *   cancels it)
 */
gssize
lilac_purple_transfer_write (LilacPurpleTransfer *self,
                             const guchar        *data,
                             gssize               size)
{
  ssize_t written = 0;

  if (self->finishing || self->state != LILAC_PURPLE_TRANSFER_ACTIVE || self->fd < 0 || size <= 0)
    return 0;
  if (lilac_purple_transfer_held (self) == 0)
    written = write (self->fd, data, (gsize) size);
  if (written < 0 && errno != EAGAIN && errno != EINTR)
    {
      g_autofree char *text = g_strdup_printf ("the gateway stopped taking the file: %s",
                                               g_strerror (errno));

      lilac_purple_transfer_set_error (self, text);
      return 0;
    }
  written = MAX (written, 0);
  if (written < size)
    {
      lilac_purple_transfer_compact (self);
      g_byte_array_append (self->held, data + written, (guint) (size - written));
    }
  self->done += size;
  lilac_purple_transfer_watch_pipe (self);
  lilac_purple_transfer_say_ready (self);
  lilac_purple_transfer_schedule_progress (self);
  return size;
}

/**
 * lilac_purple_transfer_read:
 *
 * The ui_read UI operation: the next bytes to send, from the hold.
 *
 * Returns: how many bytes are in *@data (owned by libpurple), or -1 to
 *   cancel the transfer
 */
gssize
lilac_purple_transfer_read (LilacPurpleTransfer *self,
                            guchar             **data,
                            gssize               size)
{
  gsize length = MIN ((gsize) MAX (size, 0), lilac_purple_transfer_held (self));

  *data = NULL;
  if (self->finishing || self->state != LILAC_PURPLE_TRANSFER_ACTIVE)
    return -1;
  if (length == 0)
    {
      /* never happens: the transfer says it is ready only while it holds bytes */
      lilac_purple_transfer_set_error (self, self->eof ? "the file ended before its announced size"
                                                       : "no bytes were ready to send");
      return -1;
    }
  *data = g_memdup2 (self->held->data + self->head, length);
  self->head += length;
  self->done += (gint64) length;
  lilac_purple_transfer_watch_pipe (self);
  lilac_purple_transfer_say_ready (self);
  lilac_purple_transfer_schedule_progress (self);
  return (gssize) length;
}

/**
 * lilac_purple_transfer_unread:
 *
 * The data_not_sent UI operation: the end of what ui_read gave, which the
 * protocol did not take, goes first next time.
 */
void
lilac_purple_transfer_unread (LilacPurpleTransfer *self,
                              const guchar        *data,
                              gsize                size)
{
  if (self->finishing)
    return;
  /* they are the bytes just passed on, still in the hold */
  if (self->head >= size)
    self->head -= size;
  else
    {
      g_byte_array_remove_range (self->held, 0, (guint) self->head);
      self->head = 0;
      g_byte_array_prepend (self->held, data, (guint) size);
    }
  self->done -= (gint64) size;
  lilac_purple_transfer_say_ready (self);
}
