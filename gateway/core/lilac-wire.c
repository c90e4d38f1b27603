/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Newline-delimited JSON frames between the gateway and a worker: encoding,
 * a bounded decoder, and the channel object both processes use on their end
 * of the socketpair (non-blocking I/O on the GLib main loop, HELLO check,
 * request/reply matching).
 */
#include "config.h"

#include "lilac-wire.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "lilac-error.h"
#include "lilac-json.h"

#define LILAC_WIRE_READ_CHUNK (64 * 1024)
#define LILAC_WIRE_DEFAULT_MAX_QUEUED (8 * 1024 * 1024)
#define LILAC_WIRE_REQUEST_TIMEOUT_US (30 * G_USEC_PER_SEC)
/* descriptors one read may carry, and received ones waiting for their frames */
#define LILAC_WIRE_MAX_FDS 8
#define LILAC_WIRE_MAX_WAITING_FDS 64

/* ---------------------------------------------------------------- Frames */

/**
 * lilac_wire_frame_new:
 * @type: the frame type
 * @id: the request id, or 0
 * @body: (transfer full) (nullable): the body; an empty object when %NULL
 *
 * Returns: (transfer full): a new frame
 */
LilacWireFrame *
lilac_wire_frame_new (LilacWireType type,
                      gint64        id,
                      JsonObject   *body)
{
  LilacWireFrame *frame = g_new0 (LilacWireFrame, 1);

  frame->type = type;
  frame->id = id;
  frame->body = body != NULL ? body : json_object_new ();
  frame->fd = -1;
  return frame;
}

void
lilac_wire_frame_free (LilacWireFrame *frame)
{
  if (frame == NULL)
    return;
  if (frame->fd >= 0)
    close (frame->fd);
  json_object_unref (frame->body);
  g_free (frame);
}

/**
 * lilac_wire_frame_encode:
 * @type: the frame type
 * @id: the request id, or 0
 * @body: (nullable) (transfer none): the body
 * @length: (out) (optional): the length of the result, newline included
 *
 * Returns: (transfer full): one line of JSON ending in '\n'
 */
char *
lilac_wire_frame_encode (LilacWireType type,
                         gint64        id,
                         JsonObject   *body,
                         gsize        *length)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) frame = json_object_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  GString *line;
  g_autofree char *text = NULL;
  gsize text_length = 0;

  json_object_set_int_member (frame, "type", type);
  if (id != 0)
    json_object_set_int_member (frame, "id", id);
  if (body != NULL)
    json_object_set_object_member (frame, "body", json_object_ref (body));
  json_node_set_object (root, frame);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &text_length);

  line = g_string_new_len (text, text_length);
  g_string_append_c (line, '\n');
  if (length != NULL)
    *length = line->len;
  return g_string_free (line, FALSE);
}

/* the ranges of lilac-wire-protocol.h; a type this build does not know but
 * that lies in a range still decodes, so the receiver can answer a newer
 * peer's request with an error instead of leaving it unanswered */
static gboolean
lilac_wire_frame_type_is_known (gint64 type)
{
  return type == LILAC_WIRE_HELLO || (type >= 100 && type < 400);
}

static gboolean
lilac_wire_frame_get_int (JsonObject *object,
                          const char *name,
                          gint64     *value,
                          GError    **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      *value = 0;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "frame member %s is not an integer", name);
      return FALSE;
    }
  *value = json_node_get_int (node);
  return TRUE;
}

/**
 * lilac_wire_frame_decode:
 * @line: the bytes of one frame, without the newline
 * @length: the length of @line
 * @error: return location for a #GError
 *
 * Parses one frame. Anything but a JSON object with a known integer "type",
 * an optional non-negative integer "id" and an optional object "body" fails.
 *
 * Returns: (transfer full) (nullable): the frame
 */
LilacWireFrame *
lilac_wire_frame_decode (const char *line,
                         gsize       length,
                         GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *body;
  gint64 type, id;

  if (length > LILAC_WIRE_MAX_FRAME)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                   "frame of %" G_GSIZE_FORMAT " bytes is too long", length);
      return NULL;
    }
  if (!g_utf8_validate_len (line, length, NULL))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "frame is not valid UTF-8");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, line, (gssize) length, &local_error))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "frame is not JSON: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "frame is not a JSON object");
      return NULL;
    }
  if (!lilac_json_is_valid_text (root))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "frame escapes a character that is not valid Unicode");
      return NULL;
    }
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "type"))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "frame has no type");
      return NULL;
    }
  if (!lilac_wire_frame_get_int (object, "type", &type, error) ||
      !lilac_wire_frame_get_int (object, "id", &id, error))
    return NULL;
  if (!lilac_wire_frame_type_is_known (type))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "unknown frame type %" G_GINT64_FORMAT, type);
      return NULL;
    }
  if (id < 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "frame id is negative");
      return NULL;
    }
  body = json_object_get_member (object, "body");
  if (body != NULL && !JSON_NODE_HOLDS_OBJECT (body))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "frame body is not an object");
      return NULL;
    }
  return lilac_wire_frame_new ((LilacWireType) type, id,
                               body != NULL ? json_object_ref (json_node_get_object (body))
                                            : NULL);
}

/* --------------------------------------------------------------- Decoder */

struct _LilacWireDecoder {
  GByteArray *buffer;   /* (owned) bytes not yet consumed */
  gsize max_frame;
  gsize scanned;        /* bytes of @buffer known to hold no newline */
  gboolean discarding;  /* inside an over-long frame: drop up to the next newline */
};

/**
 * lilac_wire_decoder_new:
 * @max_frame: the longest frame accepted, in bytes
 *
 * Returns: (transfer full): a decoder that splits a byte stream into frames
 */
LilacWireDecoder *
lilac_wire_decoder_new (gsize max_frame)
{
  LilacWireDecoder *self = g_new0 (LilacWireDecoder, 1);

  self->buffer = g_byte_array_new ();
  self->max_frame = max_frame;
  return self;
}

void
lilac_wire_decoder_free (LilacWireDecoder *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->buffer);
  g_free (self);
}

void
lilac_wire_decoder_feed (LilacWireDecoder *self,
                         const char       *data,
                         gsize             length)
{
  g_byte_array_append (self->buffer, (const guint8 *) data, (guint) length);
}

/**
 * lilac_wire_decoder_next:
 * @self: a decoder
 * @frame: (out) (transfer full) (nullable): the next frame
 * @error: return location for a #GError
 *
 * Takes the next complete frame from the bytes fed so far. Returns %TRUE
 * with a frame, %TRUE with *@frame %NULL when more bytes are needed, or
 * %FALSE when a frame was dropped (too long, not JSON, not a frame); the
 * stream stays usable after a failure, so the caller logs it and goes on.
 */
gboolean
lilac_wire_decoder_next (LilacWireDecoder *self,
                         LilacWireFrame  **frame,
                         GError          **error)
{
  while (TRUE)
    {
      const guint8 *start = self->buffer->data;
      const guint8 *newline;
      gsize line_length;

      *frame = NULL;
      /* an empty buffer may have no data at all */
      newline = self->buffer->len > self->scanned
        ? memchr (start + self->scanned, '\n', self->buffer->len - self->scanned) : NULL;
      if (newline == NULL)
        {
          if (!self->discarding && self->buffer->len > self->max_frame)
            {
              self->discarding = TRUE;
              g_byte_array_set_size (self->buffer, 0);
              self->scanned = 0;
              g_set_error (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                           "frame longer than %" G_GSIZE_FORMAT " bytes dropped",
                           self->max_frame);
              return FALSE;
            }
          if (self->discarding)
            g_byte_array_set_size (self->buffer, 0);
          self->scanned = self->buffer->len;
          return TRUE;
        }

      line_length = (gsize) (newline - start);
      if (self->discarding)
        {
          self->discarding = FALSE;
          g_byte_array_remove_range (self->buffer, 0, (guint) line_length + 1);
          self->scanned = 0;
          continue;
        }
      if (line_length == 0)
        {
          g_byte_array_remove_range (self->buffer, 0, 1);
          self->scanned = 0;
          continue;
        }
      if (line_length > self->max_frame)
        {
          g_byte_array_remove_range (self->buffer, 0, (guint) line_length + 1);
          self->scanned = 0;
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                       "frame longer than %" G_GSIZE_FORMAT " bytes dropped",
                       self->max_frame);
          return FALSE;
        }

      *frame = lilac_wire_frame_decode ((const char *) start, line_length, error);
      g_byte_array_remove_range (self->buffer, 0, (guint) line_length + 1);
      self->scanned = 0;
      return *frame != NULL;
    }
}

/* --------------------------------------------------------------- Channel */

struct _LilacWireChannel {
  GObject parent_instance;

  int fd;                       /* (owned) -1 once closed */
  char *role;                   /* (owned) "gateway" or "worker" */
  LilacWireDecoder *decoder;    /* (owned) */
  GByteArray *output;           /* (owned) bytes not yet written */
  guint64 output_start;         /* stream position of output->data[0] */
  GArray *output_fds;           /* (owned) LilacWireFd: fds to send with the byte at a position */
  GQueue input_fds;             /* fds received, for the next frames that say "fd": true */
  gsize max_queued;
  gboolean overflowed;            /* a frame was refused: the peer left too much unread */
  guint read_id;
  guint write_id;
  guint timeout_id;
  gboolean ready;               /* HELLO received with our version */
  int peer_pid;
  gint64 next_request_id;
  GHashTable *pending;          /* (owned) id -> (owned) GTask */
};

G_DEFINE_TYPE (LilacWireChannel, lilac_wire_channel, G_TYPE_OBJECT)

/* a descriptor travelling with the first byte of its frame (SCM_RIGHTS) */
typedef struct {
  guint64 position;
  int fd;           /* (owned) */
} LilacWireFd;

enum {
  SIGNAL_READY,
  SIGNAL_FRAME,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint lilac_wire_channel_signals[N_SIGNALS];

static void lilac_wire_channel_close_with (LilacWireChannel *self,
                                           const GError     *reason);

/* one write; the bytes up to the next fd, or the fd's byte onwards with the fd attached */
static ssize_t
lilac_wire_channel_write_some (LilacWireChannel *self)
{
  gsize length = self->output->len;
  LilacWireFd *next = self->output_fds->len > 0 ? &g_array_index (self->output_fds, LilacWireFd, 0)
                                                : NULL;
  struct iovec vector;
  struct msghdr header = { 0 };
  union {
    char buffer[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  ssize_t written;

  if (next != NULL && next->position > self->output_start)
    length = MIN (length, next->position - self->output_start);
  if (next == NULL || next->position > self->output_start)
    {
      written = send (self->fd, self->output->data, length, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (written < 0 && errno == ENOTSOCK)
        written = write (self->fd, self->output->data, length);
      return written;
    }
  vector.iov_base = self->output->data;
  vector.iov_len = length;
  header.msg_iov = &vector;
  header.msg_iovlen = 1;
  memset (&control, 0, sizeof control);
  header.msg_control = control.buffer;
  header.msg_controllen = sizeof control.buffer;
  CMSG_FIRSTHDR (&header)->cmsg_level = SOL_SOCKET;
  CMSG_FIRSTHDR (&header)->cmsg_type = SCM_RIGHTS;
  CMSG_FIRSTHDR (&header)->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (CMSG_FIRSTHDR (&header)), &next->fd, sizeof (int));
  written = sendmsg (self->fd, &header, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (written > 0)
    {
      /* the kernel holds its own copy of the descriptor now */
      close (next->fd);
      g_array_remove_index (self->output_fds, 0);
    }
  return written;
}

static gboolean
lilac_wire_channel_flush (LilacWireChannel *self,
                          GError          **error)
{
  while (self->output->len > 0)
    {
      ssize_t written = lilac_wire_channel_write_some (self);

      if (written < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return TRUE;
          lilac_error_set_from_errno (error, errno, "writing frame");
          return FALSE;
        }
      g_byte_array_remove_range (self->output, 0, (guint) written);
      self->output_start += (guint64) written;
    }
  return TRUE;
}

static gboolean
lilac_wire_channel_write_cb (int          fd,
                             GIOCondition condition,
                             gpointer     user_data)
{
  LilacWireChannel *self = LILAC_WIRE_CHANNEL (user_data);
  g_autoptr(GError) local_error = NULL;

  if (!lilac_wire_channel_flush (self, &local_error))
    {
      self->write_id = 0;
      lilac_wire_channel_close_with (self, local_error);
      return G_SOURCE_REMOVE;
    }
  if (self->output->len > 0)
    return G_SOURCE_CONTINUE;
  self->write_id = 0;
  return G_SOURCE_REMOVE;
}

static void
lilac_wire_channel_handle_hello (LilacWireChannel *self,
                                 LilacWireFrame   *frame)
{
  gint64 version = 0, pid = 0;

  lilac_json_get_int (frame->body, "version", 0, &version, NULL);
  lilac_json_get_int (frame->body, "pid", 0, &pid, NULL);

  if (version != LILAC_WIRE_PROTOCOL_VERSION)
    {
      g_autoptr(GError) reason = g_error_new (LILAC_ERROR, LILAC_ERROR_VERSION_MISMATCH,
                                              "peer speaks protocol %" G_GINT64_FORMAT
                                              ", we speak %d",
                                              version, LILAC_WIRE_PROTOCOL_VERSION);
      g_autoptr(JsonObject) body = json_object_new ();

      json_object_set_string_member (body, "code", "version");
      json_object_set_string_member (body, "message", reason->message);
      lilac_wire_channel_send (self, LILAC_WIRE_ERROR, 0, body, NULL);
      lilac_wire_channel_flush (self, NULL);
      lilac_wire_channel_close_with (self, reason);
      return;
    }
  self->ready = TRUE;
  self->peer_pid = pid > 0 && pid <= G_MAXINT ? (int) pid : 0;
  g_signal_emit (self, lilac_wire_channel_signals[SIGNAL_READY], 0);
}

static gboolean
lilac_wire_channel_complete_request (LilacWireChannel *self,
                                     LilacWireFrame   *frame)
{
  GTask *task;
  gpointer key = GINT_TO_POINTER (0);

  if (frame->id <= 0 || frame->id > G_MAXINT)
    return FALSE;
  key = GINT_TO_POINTER ((int) frame->id);
  if (!g_hash_table_steal_extended (self->pending, key, NULL, (gpointer *) &task))
    return FALSE;

  if (frame->type == LILAC_WIRE_REPLY)
    {
      g_task_return_pointer (task, json_object_ref (frame->body),
                             (GDestroyNotify) json_object_unref);
    }
  else
    {
      const char *code = lilac_json_get_string (frame->body, "code", FALSE, 32, NULL);
      const char *message = lilac_json_get_string (frame->body, "message", FALSE, 4096, NULL);

      if (message == NULL)
        message = "the worker failed";

      g_task_return_new_error (task, LILAC_ERROR, lilac_error_code_from_string (code),
                               "%s", message);
    }
  g_object_unref (task);
  return TRUE;
}

static void
lilac_wire_channel_dispatch (LilacWireChannel *self,
                             LilacWireFrame   *frame)
{
  if (!self->ready)
    {
      if (frame->type == LILAC_WIRE_HELLO)
        lilac_wire_channel_handle_hello (self, frame);
      else if (frame->type == LILAC_WIRE_ERROR)
        {
          g_autoptr(GError) reason = NULL;

          const char *message = lilac_json_get_string (frame->body, "message", FALSE, 4096, NULL);

          reason = g_error_new (LILAC_ERROR, LILAC_ERROR_VERSION_MISMATCH,
                                "peer refused the connection: %s", message != NULL ? message : "");
          lilac_wire_channel_close_with (self, reason);
        }
      else
        g_debug ("frame of type %d before hello dropped", frame->type);
      return;
    }
  if ((frame->type == LILAC_WIRE_REPLY || frame->type == LILAC_WIRE_ERROR) &&
      lilac_wire_channel_complete_request (self, frame))
    return;
  g_signal_emit (self, lilac_wire_channel_signals[SIGNAL_FRAME], 0, frame);
}

static gboolean
lilac_wire_frame_announces_fd (LilacWireFrame *frame)
{
  JsonNode *node = json_object_get_member (frame->body, "fd");

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

static void
lilac_wire_channel_process (LilacWireChannel *self)
{
  while (self->fd >= 0)
    {
      g_autoptr(LilacWireFrame) frame = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!lilac_wire_decoder_next (self->decoder, &frame, &local_error))
        {
          g_message ("%s: dropped a frame: %s", self->role, local_error->message);
          continue;
        }
      if (frame == NULL)
        return;
      if (lilac_wire_frame_announces_fd (frame))
        {
          if (g_queue_is_empty (&self->input_fds))
            {
              g_message ("%s: a frame announced a descriptor that did not come", self->role);
              continue;
            }
          frame->fd = GPOINTER_TO_INT (g_queue_pop_head (&self->input_fds));
        }
      lilac_wire_channel_dispatch (self, frame);
    }
}

/* one read, keeping any descriptors that came with the bytes */
static ssize_t
lilac_wire_channel_read_some (LilacWireChannel *self,
                              char             *buffer,
                              gsize             size)
{
  struct iovec vector = { .iov_base = buffer, .iov_len = size };
  union {
    char buffer[CMSG_SPACE (sizeof (int) * LILAC_WIRE_MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct msghdr header = {
    .msg_iov = &vector, .msg_iovlen = 1,
    .msg_control = control.buffer, .msg_controllen = sizeof control.buffer,
  };
  ssize_t got = recvmsg (self->fd, &header, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

  if (got < 0 && errno == ENOTSOCK)
    return read (self->fd, buffer, size);
  for (struct cmsghdr *message = got >= 0 ? CMSG_FIRSTHDR (&header) : NULL; message != NULL;
       message = CMSG_NXTHDR (&header, message))
    {
      gsize count;
      int fds[LILAC_WIRE_MAX_FDS];

      if (message->cmsg_level != SOL_SOCKET || message->cmsg_type != SCM_RIGHTS)
        continue;
      count = MIN ((message->cmsg_len - CMSG_LEN (0)) / sizeof (int), (gsize) LILAC_WIRE_MAX_FDS);
      memcpy (fds, CMSG_DATA (message), count * sizeof (int));
      for (gsize i = 0; i < count; i++)
        {
          if (g_queue_get_length (&self->input_fds) >= LILAC_WIRE_MAX_WAITING_FDS)
            close (fds[i]);
          else
            g_queue_push_tail (&self->input_fds, GINT_TO_POINTER (fds[i]));
        }
    }
  return got;
}

static gboolean
lilac_wire_channel_read_cb (int          fd,
                            GIOCondition condition,
                            gpointer     user_data)
{
  g_autoptr(LilacWireChannel) self = g_object_ref (LILAC_WIRE_CHANNEL (user_data));
  char buffer[LILAC_WIRE_READ_CHUNK];

  /* a few reads per wake-up, so one busy peer cannot starve the loop */
  for (int round = 0; round < 8 && self->fd >= 0; round++)
    {
      ssize_t got = lilac_wire_channel_read_some (self, buffer, sizeof buffer);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (got <= 0)
        {
          g_autoptr(GError) reason = NULL;

          if (got == 0)
            reason = g_error_new_literal (LILAC_ERROR, LILAC_ERROR_WORKER_GONE,
                                          "the peer closed the connection");
          else
            lilac_error_set_from_errno (&reason, errno, "reading frames");
          self->read_id = 0;
          lilac_wire_channel_close_with (self, reason);
          return G_SOURCE_REMOVE;
        }
      lilac_wire_decoder_feed (self->decoder, buffer, (gsize) got);
      lilac_wire_channel_process (self);
    }
  return self->fd >= 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
lilac_wire_channel_timeout_cb (gpointer user_data)
{
  LilacWireChannel *self = LILAC_WIRE_CHANNEL (user_data);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func (g_object_unref);

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 deadline = GPOINTER_TO_SIZE (g_object_get_data (value, "lilac-deadline"));

      if (deadline <= now)
        {
          g_ptr_array_add (expired, value);
          g_hash_table_iter_steal (&iter);
        }
    }
  for (unsigned i = 0; i < expired->len; i++)
    g_task_return_new_error (expired->pdata[i], LILAC_ERROR, LILAC_ERROR_UNAVAILABLE,
                             "the worker did not answer in time");
  if (g_hash_table_size (self->pending) > 0)
    return G_SOURCE_CONTINUE;
  self->timeout_id = 0;
  return G_SOURCE_REMOVE;
}

static void
lilac_wire_channel_close_with (LilacWireChannel *self,
                               const GError     *reason)
{
  g_autoptr(GList) tasks = NULL;

  if (self->fd < 0)
    return;
  g_clear_handle_id (&self->read_id, g_source_remove);
  g_clear_handle_id (&self->write_id, g_source_remove);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  close (self->fd);
  self->fd = -1;
  self->ready = FALSE;
  g_byte_array_set_size (self->output, 0);
  for (guint i = 0; i < self->output_fds->len; i++)
    close (g_array_index (self->output_fds, LilacWireFd, i).fd);
  g_array_set_size (self->output_fds, 0);
  while (!g_queue_is_empty (&self->input_fds))
    close (GPOINTER_TO_INT (g_queue_pop_head (&self->input_fds)));

  tasks = g_hash_table_get_values (self->pending);
  g_hash_table_steal_all (self->pending);
  for (GList *l = tasks; l != NULL; l = l->next)
    {
      g_task_return_new_error (l->data, LILAC_ERROR, LILAC_ERROR_WORKER_GONE,
                               "the worker went away");
      g_object_unref (l->data);
    }
  g_signal_emit (self, lilac_wire_channel_signals[SIGNAL_CLOSED], 0, reason);
}

static void
lilac_wire_channel_dispose (GObject *object)
{
  LilacWireChannel *self = LILAC_WIRE_CHANNEL (object);

  lilac_wire_channel_close_with (self, NULL);
  G_OBJECT_CLASS (lilac_wire_channel_parent_class)->dispose (object);
}

static void
lilac_wire_channel_finalize (GObject *object)
{
  LilacWireChannel *self = LILAC_WIRE_CHANNEL (object);

  g_hash_table_unref (self->pending);
  g_byte_array_unref (self->output);
  g_array_unref (self->output_fds);
  lilac_wire_decoder_free (self->decoder);
  g_free (self->role);
  G_OBJECT_CLASS (lilac_wire_channel_parent_class)->finalize (object);
}

static void
lilac_wire_channel_class_init (LilacWireChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lilac_wire_channel_dispose;
  object_class->finalize = lilac_wire_channel_finalize;

  /* the peer's HELLO arrived with our protocol version */
  lilac_wire_channel_signals[SIGNAL_READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* a frame that is not a HELLO nor the answer to one of our requests */
  lilac_wire_channel_signals[SIGNAL_FRAME] =
    g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* the connection ended; the argument is the reason, or NULL */
  lilac_wire_channel_signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
lilac_wire_channel_init (LilacWireChannel *self)
{
  self->fd = -1;
  self->decoder = lilac_wire_decoder_new (LILAC_WIRE_MAX_FRAME);
  self->output = g_byte_array_new ();
  self->output_fds = g_array_new (FALSE, FALSE, sizeof (LilacWireFd));
  g_queue_init (&self->input_fds);
  self->max_queued = LILAC_WIRE_DEFAULT_MAX_QUEUED;
  self->pending = g_hash_table_new (NULL, NULL);
}

/**
 * lilac_wire_channel_new:
 * @fd: (transfer full): a connected stream socket
 * @role: "gateway" or "worker", sent in our HELLO
 *
 * Returns: (transfer full): a channel; call lilac_wire_channel_start() next
 */
LilacWireChannel *
lilac_wire_channel_new (int         fd,
                        const char *role)
{
  LilacWireChannel *self = g_object_new (LILAC_TYPE_WIRE_CHANNEL, NULL);

  self->fd = fd;
  self->role = g_strdup (role);
  return self;
}

/**
 * lilac_wire_channel_start:
 * @self: a channel
 *
 * Sends our HELLO and starts reading. "ready" is emitted when the peer's
 * HELLO arrives with our version; "closed" when the connection ends.
 */
void
lilac_wire_channel_start (LilacWireChannel *self)
{
  g_autoptr(JsonObject) hello = json_object_new ();
  g_autoptr(GError) local_error = NULL;

  g_return_if_fail (LILAC_IS_WIRE_CHANNEL (self));
  if (self->fd < 0 || self->read_id != 0)
    return;
  g_unix_set_fd_nonblocking (self->fd, TRUE, NULL);
  json_object_set_int_member (hello, "version", LILAC_WIRE_PROTOCOL_VERSION);
  json_object_set_string_member (hello, "role", self->role);
  json_object_set_int_member (hello, "pid", getpid ());
  self->read_id = g_unix_fd_add (self->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                 lilac_wire_channel_read_cb, self);
  if (!lilac_wire_channel_send (self, LILAC_WIRE_HELLO, 0, hello, &local_error))
    lilac_wire_channel_close_with (self, local_error);
}

void
lilac_wire_channel_close (LilacWireChannel *self)
{
  g_return_if_fail (LILAC_IS_WIRE_CHANNEL (self));
  lilac_wire_channel_close_with (self, NULL);
}

gboolean
lilac_wire_channel_is_open (LilacWireChannel *self)
{
  g_return_val_if_fail (LILAC_IS_WIRE_CHANNEL (self), FALSE);
  return self->fd >= 0;
}

gboolean
lilac_wire_channel_is_ready (LilacWireChannel *self)
{
  g_return_val_if_fail (LILAC_IS_WIRE_CHANNEL (self), FALSE);
  return self->ready;
}

int
lilac_wire_channel_get_peer_pid (LilacWireChannel *self)
{
  g_return_val_if_fail (LILAC_IS_WIRE_CHANNEL (self), 0);
  return self->peer_pid;
}

gsize
lilac_wire_channel_get_queued (LilacWireChannel *self)
{
  g_return_val_if_fail (LILAC_IS_WIRE_CHANNEL (self), 0);
  return self->output->len;
}

/**
 * lilac_wire_channel_get_overflowed:
 *
 * Returns: whether a frame was ever refused because the peer had left more
 *   than the queue's limit unread
 */
gboolean
lilac_wire_channel_get_overflowed (LilacWireChannel *self)
{
  g_return_val_if_fail (LILAC_IS_WIRE_CHANNEL (self), FALSE);
  return self->overflowed;
}

void
lilac_wire_channel_set_max_queued (LilacWireChannel *self,
                                   gsize             max_queued)
{
  g_return_if_fail (LILAC_IS_WIRE_CHANNEL (self));
  self->max_queued = max_queued;
}

/**
 * lilac_wire_channel_send:
 * @self: a channel
 * @type: the frame type
 * @id: the request id, or 0
 * @body: (nullable) (transfer none): the body
 * @error: return location for a #GError
 *
 * Queues one frame and writes what the socket takes now. Fails when the
 * channel is closed or the peer has left more than the queue limit unread.
 *
 * Returns: %TRUE if the frame was queued
 */
gboolean
lilac_wire_channel_send (LilacWireChannel *self,
                         LilacWireType     type,
                         gint64            id,
                         JsonObject       *body,
                         GError          **error)
{
  return lilac_wire_channel_send_fd (self, type, id, body, -1, error);
}

/**
 * lilac_wire_channel_send_fd:
 * @self: a channel
 * @type: the frame type
 * @id: the request id, or 0
 * @body: (nullable) (transfer none): the body; "fd": true is added when @fd is given
 * @fd: (transfer full): a descriptor to pass along (SCM_RIGHTS), or -1
 * @error: return location for a #GError
 *
 * Like lilac_wire_channel_send(), passing a descriptor with the frame: the
 * receiver finds it in the frame's fd. @fd is closed here in every case.
 *
 * Returns: %TRUE if the frame was queued
 */
gboolean
lilac_wire_channel_send_fd (LilacWireChannel *self,
                            LilacWireType     type,
                            gint64            id,
                            JsonObject       *body,
                            int               fd,
                            GError          **error)
{
  g_autofree char *line = NULL;
  g_autoptr(JsonObject) with_fd = NULL;
  gsize length = 0;

  g_return_val_if_fail (LILAC_IS_WIRE_CHANNEL (self), FALSE);
  if (self->fd < 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_WORKER_GONE,
                           "the connection is closed");
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  if (fd >= 0)
    {
      with_fd = body != NULL ? json_object_ref (body) : json_object_new ();
      json_object_set_boolean_member (with_fd, "fd", TRUE);
      body = with_fd;
    }
  line = lilac_wire_frame_encode (type, id, body, &length);
  if (length > LILAC_WIRE_MAX_FRAME)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                   "frame of %" G_GSIZE_FORMAT " bytes is too long to send", length);
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  if (self->output->len + length > self->max_queued)
    {
      self->overflowed = TRUE;
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE,
                   "the peer is not reading (%u bytes queued)", self->output->len);
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  if (fd >= 0)
    {
      LilacWireFd passed = { .position = self->output_start + self->output->len, .fd = fd };

      g_array_append_val (self->output_fds, passed);
    }
  g_byte_array_append (self->output, (const guint8 *) line, (guint) length);
  if (self->write_id != 0)
    return TRUE;
  if (!lilac_wire_channel_flush (self, error))
    return FALSE;
  if (self->output->len > 0)
    self->write_id = g_unix_fd_add (self->fd, G_IO_OUT, lilac_wire_channel_write_cb, self);
  return TRUE;
}

/**
 * lilac_wire_channel_send_error:
 * @self: a channel
 * @id: the id of the request that failed
 * @reason: why, a #LILAC_ERROR
 *
 * Answers a request with an ERROR frame.
 *
 * Returns: %TRUE if the frame was queued
 */
gboolean
lilac_wire_channel_send_error (LilacWireChannel *self,
                               gint64            id,
                               const GError     *reason)
{
  g_autoptr(JsonObject) body = json_object_new ();
  LilacErrorCode code = LILAC_ERROR_INTERNAL;

  if (reason->domain == LILAC_ERROR)
    code = (LilacErrorCode) reason->code;
  json_object_set_string_member (body, "code", lilac_error_code_to_string (code));
  json_object_set_string_member (body, "message", reason->message);
  return lilac_wire_channel_send (self, LILAC_WIRE_ERROR, id, body, NULL);
}

/**
 * lilac_wire_channel_request_async:
 * @self: a channel
 * @type: a request type (100+)
 * @body: (nullable) (transfer none): the request body
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the REPLY body or the ERROR
 * @user_data: data for @callback
 *
 * Sends a request and waits for its answer; a request unanswered after 30 s,
 * or pending when the channel closes, fails.
 */
void
lilac_wire_channel_request_async (LilacWireChannel   *self,
                                  LilacWireType       type,
                                  JsonObject         *body,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  lilac_wire_channel_request_fd_async (self, type, body, -1, cancellable, callback, user_data);
}

/**
 * lilac_wire_channel_request_fd_async:
 * @self: a channel
 * @type: a request type (100+)
 * @body: (nullable) (transfer none): the request body
 * @fd: (transfer full): a descriptor passed with the request, or -1
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the REPLY body or the ERROR
 * @user_data: data for @callback
 *
 * lilac_wire_channel_request_async() with a descriptor.
 */
void
lilac_wire_channel_request_fd_async (LilacWireChannel   *self,
                                     LilacWireType       type,
                                     JsonObject         *body,
                                     int                 fd,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) local_error = NULL;
  gint64 id;

  g_task_set_source_tag (task, lilac_wire_channel_request_async);
  if (!self->ready)
    {
      if (fd >= 0)
        close (fd);
      g_task_return_new_error (task, LILAC_ERROR, LILAC_ERROR_WORKER_GONE,
                               "the worker is not running");
      return;
    }
  if (self->next_request_id >= G_MAXINT)
    self->next_request_id = 0;
  id = ++self->next_request_id;
  if (!lilac_wire_channel_send_fd (self, type, id, body, fd, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_object_set_data (G_OBJECT (task), "lilac-deadline",
                     GSIZE_TO_POINTER (g_get_monotonic_time () + LILAC_WIRE_REQUEST_TIMEOUT_US));
  g_hash_table_insert (self->pending, GINT_TO_POINTER ((int) id), g_steal_pointer (&task));
  if (self->timeout_id == 0)
    self->timeout_id = g_timeout_add_seconds (1, lilac_wire_channel_timeout_cb, self);
}

/**
 * lilac_wire_channel_request_finish:
 * @self: a channel
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the REPLY body
 */
JsonObject *
lilac_wire_channel_request_finish (LilacWireChannel *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
