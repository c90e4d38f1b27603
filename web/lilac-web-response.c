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
