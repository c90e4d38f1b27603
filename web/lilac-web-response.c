/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * JSON answers with the headers every API answer carries, and the mapping
 * of LILAC_ERROR codes to HTTP statuses and API error codes.
 */
#include "config.h"

#include "lilac-web-response.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

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

#define LILAC_WEB_LINGER_BYTES (128 * 1024 * 1024)
#define LILAC_WEB_LINGER_SECONDS 5

/* a refused connection, read and discarded for a little while so that a client
 * still sending its body gets to read the answer instead of a reset */
typedef struct {
  int fd;              /* (owned) our own duplicate of the connection's socket */
  gsize discarded;
  guint read_id;
  guint timeout_id;
} LilacWebLinger;

static void
lilac_web_linger_end (LilacWebLinger *linger)
{
  g_clear_handle_id (&linger->read_id, g_source_remove);
  g_clear_handle_id (&linger->timeout_id, g_source_remove);
  close (linger->fd);
  g_free (linger);
}

static gboolean
lilac_web_linger_read_cb (int          fd,
                          GIOCondition condition,
                          gpointer     user_data)
{
  LilacWebLinger *linger = user_data;
  char buffer[16384];
  ssize_t got = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);

  if (got < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (got > 0 && (linger->discarded += (gsize) got) < LILAC_WEB_LINGER_BYTES)
    return G_SOURCE_CONTINUE;
  linger->read_id = 0;
  lilac_web_linger_end (linger);
  return G_SOURCE_REMOVE;
}

static gboolean
lilac_web_linger_timeout_cb (gpointer user_data)
{
  LilacWebLinger *linger = user_data;

  linger->timeout_id = 0;
  lilac_web_linger_end (linger);
  return G_SOURCE_REMOVE;
}

/* answers on @fd (ours), stops writing, and discards what the client still sends */
static void
lilac_web_linger (int         fd,
                  const char *answer,
                  gsize       length)
{
  LilacWebLinger *linger;

  /* small enough for the socket buffer: this does not block */
  if (send (fd, answer, length, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t) length ||
      shutdown (fd, SHUT_WR) != 0)
    {
      close (fd);
      return;
    }
  linger = g_new0 (LilacWebLinger, 1);
  linger->fd = fd;
  linger->read_id = g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, lilac_web_linger_read_cb,
                                   linger);
  linger->timeout_id = g_timeout_add_seconds (LILAC_WEB_LINGER_SECONDS, lilac_web_linger_timeout_cb,
                                              linger);
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
 * answer written to it directly.
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
  g_autofree char *head = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autofree char *answer = NULL;
  gsize length = 0;
  int fd;

  json_object_set_string_member (detail, "code", lilac_error_code_to_string (code));
  json_object_set_string_member (detail, "message", error->message);
  json_object_set_object_member (body, "error", detail);
  text = lilac_json_object_to_string (body, &length);
  head = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\nCache-Control: no-store\r\n"
                          "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
                          "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
                          "Connection: close\r\n\r\n",
                          status, soup_status_get_phrase (status), length);
  fd = socket != NULL ? dup (g_socket_get_fd (socket)) : -1;
  /* libsoup lets go of the connection; our duplicate keeps the socket open */
  stream = soup_server_message_steal_connection (msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
  if (fd < 0)
    return;
  answer = g_strconcat (head, text, NULL);
  lilac_web_linger (fd, answer, strlen (answer));
}
