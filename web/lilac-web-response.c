/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * JSON answers with the headers every API answer carries, and the mapping
 * of LILAC_ERROR codes to HTTP statuses and API error codes.
 */
#include "config.h"

#include "lilac-web-response.h"

#include "lilac-error.h"
#include "lilac-json.h"

static void
lilac_web_response_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
}

/**
 * lilac_web_response_raw_json:
 * @msg: the message
 * @status: the HTTP status
 * @text: (transfer full): JSON text
 * @length: its length
 */
void
lilac_web_response_raw_json (SoupServerMessage *msg,
                             unsigned           status,
                             char              *text,
                             gsize              length)
{
  lilac_web_response_headers (msg);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE,
                                    text, length);
}

void
lilac_web_response_json (SoupServerMessage *msg,
                         unsigned           status,
                         JsonNode          *node)
{
  gsize length = 0;
  char *text = lilac_json_to_string (node, &length);

  lilac_web_response_raw_json (msg, status, text, length);
}

void
lilac_web_response_object (SoupServerMessage *msg,
                           unsigned           status,
                           JsonObject        *object)
{
  g_autoptr(JsonNode) node = lilac_json_node_new_object (object);

  lilac_web_response_json (msg, status, node);
}

void
lilac_web_response_array (SoupServerMessage *msg,
                          unsigned           status,
                          JsonArray         *array)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  json_node_set_array (node, array);
  lilac_web_response_json (msg, status, node);
}

void
lilac_web_response_empty (SoupServerMessage *msg,
                          unsigned           status)
{
  lilac_web_response_headers (msg);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
}

/**
 * lilac_web_response_error_literal:
 * @msg: the message
 * @status: the HTTP status
 * @code: the API error code, e.g. "not_found"
 * @message: text for a human
 *
 * Answers `{"error":{"code","message"}}`.
 */
void
lilac_web_response_error_literal (SoupServerMessage *msg,
                                  unsigned           status,
                                  const char        *code,
                                  const char        *message)
{
  g_autoptr(JsonObject) body = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (body, "error", error);
  lilac_web_response_object (msg, status, body);
}

unsigned
lilac_web_response_status_for_error (const GError *error)
{
  if (error->domain != LILAC_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;
  switch ((LilacErrorCode) error->code)
    {
    case LILAC_ERROR_NOT_FOUND:
      return SOUP_STATUS_NOT_FOUND;
    case LILAC_ERROR_INVALID_INPUT:
      return SOUP_STATUS_BAD_REQUEST;
    case LILAC_ERROR_PERMISSION_DENIED:
      return SOUP_STATUS_FORBIDDEN;
    case LILAC_ERROR_UNAUTHORIZED:
      return SOUP_STATUS_UNAUTHORIZED;
    case LILAC_ERROR_CONFLICT:
      return SOUP_STATUS_CONFLICT;
    case LILAC_ERROR_TOO_LARGE:
      return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
    case LILAC_ERROR_RATE_LIMITED:
      return 429;
    case LILAC_ERROR_UNAVAILABLE:
    case LILAC_ERROR_WORKER_GONE:
      return SOUP_STATUS_SERVICE_UNAVAILABLE;
    case LILAC_ERROR_INTERNAL:
    case LILAC_ERROR_VERSION_MISMATCH:
    default:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

/**
 * lilac_web_response_error:
 * @msg: the message
 * @error: what went wrong
 *
 * The one mapping of errors to answers. Internal errors are logged and
 * answered with a generic text, so no internal detail reaches a client.
 */
void
lilac_web_response_error (SoupServerMessage *msg,
                          const GError      *error)
{
  unsigned status = lilac_web_response_status_for_error (error);
  LilacErrorCode code = error->domain == LILAC_ERROR ? (LilacErrorCode) error->code
                                                     : LILAC_ERROR_INTERNAL;

  if (status == SOUP_STATUS_INTERNAL_SERVER_ERROR)
    {
      g_message ("internal error answering %s %s: %s", soup_server_message_get_method (msg),
                 g_uri_get_path (soup_server_message_get_uri (msg)), error->message);
      lilac_web_response_error_literal (msg, status, "internal", "something went wrong inside Lilac");
      return;
    }
  lilac_web_response_error_literal (msg, status, lilac_error_code_to_string (code), error->message);
}

/**
 * lilac_web_response_raw:
 * @status: the HTTP status
 * @body: a JSON body
 * @length: its length
 * @keep_alive: whether the connection stays open after the answer
 *
 * A whole HTTP/1.1 answer with the headers every answer carries, for the
 * connections the gateway writes to itself (parked polls, early refusals).
 *
 * Returns: (transfer full): the answer's bytes
 */
GBytes *
lilac_web_response_raw (unsigned    status,
                        const char *body,
                        gsize       length,
                        gboolean    keep_alive)
{
  GString *answer = g_string_sized_new (length + 360);

  g_string_append_printf (answer,
                          "HTTP/1.1 %u %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\nCache-Control: no-store\r\n"
                          "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
                          "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
                          "X-Frame-Options: DENY\r\n%s\r\n",
                          status, soup_status_get_phrase (status), length,
                          keep_alive ? "" : "Connection: close\r\n");
  g_string_append_len (answer, body, (gssize) length);
  return g_string_free_to_bytes (answer);
}

#define LILAC_WEB_LINGER_BYTES (128 * 1024 * 1024)
#define LILAC_WEB_LINGER_SECONDS 5
#define LILAC_WEB_LINGER_PIECE 16384

/* a refused connection: the answer goes out through the connection's own
 * stream (TLS or not), then what the client still sends is read and
 * discarded for a little while, so that a client still sending its body
 * gets to read the answer instead of a reset */
typedef struct {
  GIOStream *stream;           /* (owned) taken from libsoup */
  GSocket *socket;             /* (owned) (nullable) */
  GCancellable *cancellable;   /* (owned) cancelled at the deadline */
  GBytes *answer;              /* (owned) */
  gsize discarded;
  guint timeout_id;
  guint8 piece[LILAC_WEB_LINGER_PIECE];
} LilacWebLinger;

static void
lilac_web_linger_closed_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  LilacWebLinger *linger = user_data;

  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  g_clear_handle_id (&linger->timeout_id, g_source_remove);
  g_object_unref (linger->stream);
  g_clear_object (&linger->socket);
  g_object_unref (linger->cancellable);
  g_bytes_unref (linger->answer);
  g_free (linger);
}

static void
lilac_web_linger_end (LilacWebLinger *linger)
{
  g_io_stream_close_async (linger->stream, G_PRIORITY_DEFAULT, NULL, lilac_web_linger_closed_cb,
                           linger);
}

static void lilac_web_linger_read_cb (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data);

static void
lilac_web_linger_read_next (LilacWebLinger *linger)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (linger->stream), linger->piece,
                             sizeof linger->piece, G_PRIORITY_DEFAULT, linger->cancellable,
                             lilac_web_linger_read_cb, linger);
}

static void
lilac_web_linger_read_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  LilacWebLinger *linger = user_data;
  gssize got = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (got > 0 && (linger->discarded += (gsize) got) < LILAC_WEB_LINGER_BYTES)
    lilac_web_linger_read_next (linger);
  else
    lilac_web_linger_end (linger);
}

/* over TLS the close_notify is out: the client reads to the end of the answer */
static void
lilac_web_linger_flushed_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  LilacWebLinger *linger = user_data;

  g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, NULL);
  if (linger->socket != NULL)
    g_socket_shutdown (linger->socket, FALSE, TRUE, NULL);
  lilac_web_linger_read_next (linger);
}

static void
lilac_web_linger_wrote_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  LilacWebLinger *linger = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      lilac_web_linger_end (linger);
      return;
    }
  g_output_stream_close_async (G_OUTPUT_STREAM (source), G_PRIORITY_DEFAULT, linger->cancellable,
                               lilac_web_linger_flushed_cb, linger);
}

static gboolean
lilac_web_linger_timeout_cb (gpointer user_data)
{
  LilacWebLinger *linger = user_data;

  linger->timeout_id = 0;
  g_cancellable_cancel (linger->cancellable);
  return G_SOURCE_REMOVE;
}

/* answers on @stream, stops writing, and discards what the client still sends */
static void
lilac_web_linger (GIOStream *stream,
                  GSocket   *socket,
                  GBytes    *answer)
{
  LilacWebLinger *linger = g_new0 (LilacWebLinger, 1);
  gsize length = 0;
  const void *data = g_bytes_get_data (answer, &length);

  linger->stream = g_object_ref (stream);
  linger->socket = socket != NULL ? g_object_ref (socket) : NULL;
  linger->cancellable = g_cancellable_new ();
  linger->answer = g_bytes_ref (answer);
  linger->timeout_id = g_timeout_add_seconds (LILAC_WEB_LINGER_SECONDS, lilac_web_linger_timeout_cb,
                                              linger);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), data, length,
                                   G_PRIORITY_DEFAULT, linger->cancellable,
                                   lilac_web_linger_wrote_cb, linger);
}

/**
 * lilac_web_response_refuse_early:
 * @msg: a message whose headers were read, but not its body
 * @socket: (nullable): its connection's socket
 * @error: why it is refused
 *
 * Answers before the body is read and closes the connection: libsoup would
 * otherwise read (and keep) the whole body before answering, which is what
 * a body limit must prevent. The connection is taken from libsoup, the
 * answer written to its stream directly (through TLS when it is TLS).
 */
void
lilac_web_response_refuse_early (SoupServerMessage *msg,
                                 GSocket           *socket,
                                 const GError      *error)
{
  unsigned status = lilac_web_response_status_for_error (error);
  LilacErrorCode code = error->domain == LILAC_ERROR ? (LilacErrorCode) error->code
                                                     : LILAC_ERROR_INTERNAL;
  g_autoptr(JsonObject) body = json_object_new ();
  JsonObject *detail = json_object_new ();
  g_autofree char *text = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GBytes) answer = NULL;
  gsize length = 0;

  json_object_set_string_member (detail, "code", lilac_error_code_to_string (code));
  json_object_set_string_member (detail, "message", error->message);
  json_object_set_object_member (body, "error", detail);
  text = lilac_json_object_to_string (body, &length);
  answer = lilac_web_response_raw (status, text, length, FALSE);
  /* libsoup lets go of the connection; the stream is ours now */
  stream = soup_server_message_steal_connection (msg);
  if (stream != NULL)
    lilac_web_linger (stream, socket, answer);
}
