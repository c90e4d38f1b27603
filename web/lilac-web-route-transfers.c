/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * /transfers: uploads streamed into the store as their bytes arrive (the
 * login and the limits are checked from the headers, before the body),
 * answers to offers, and downloads streamed out of the store a piece at a
 * time, never a whole file in memory.
 */
#include "config.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-filename.h"
#include "lilac-json.h"
#include "lilac-web-response.h"
#include "lilac-web-route-input.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"
#include "lilac-web-stream.h"

#define LILAC_WEB_DOWNLOAD_PIECE (256 * 1024)

/* an upload in flight, kept on its message */
typedef struct {
  LilacImSession *session;   /* (owned) */
  gint64 id;                 /* the transfer, 0 until the headers were accepted */
  GError *error;             /* (owned) (nullable) why the upload failed */
  gboolean complete;
} LilacWebUpload;

static void
lilac_web_upload_free (LilacWebUpload *upload)
{
  if (upload->id != 0 && !upload->complete)
    lilac_im_session_abort_upload (upload->session, upload->id);
  g_clear_object (&upload->session);
  g_clear_error (&upload->error);
  g_free (upload);
}

static void
lilac_web_route_transfers_chunk_cb (SoupServerMessage *msg,
                                    GBytes            *chunk,
                                    gpointer           user_data)
{
  LilacWebUpload *upload = user_data;
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (chunk, &length);

  if (upload->error != NULL)
    return;
  lilac_im_session_upload_piece (upload->session, upload->id, data, length, &upload->error);
}

/**
 * lilac_web_route_transfers_parse_upload:
 * @query: (nullable): the query of a `POST /transfers`
 * @headers: its request headers
 * @upload: (out caller-allocates): where the file goes, and its length
 * @error: return location for a #GError
 *
 * Checks an upload from its headers, before its body is read; the session
 * checks the length against the limits and sanitizes the file name.
 */
gboolean
lilac_web_route_transfers_parse_upload (GHashTable          *query,
                                        SoupMessageHeaders  *headers,
                                        LilacWebUploadQuery *upload,
                                        GError             **error)
{
  upload->account = lilac_web_query_lookup (query, "account");
  upload->to = lilac_web_query_lookup (query, "to");
  upload->filename = lilac_web_query_lookup (query, "filename");
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "send the file with a Content-Length");
      return FALSE;
    }
  upload->length = soup_message_headers_get_content_length (headers);
  if (upload->account == NULL || upload->to == NULL || upload->to[0] == '\0' ||
      !g_utf8_validate (upload->to, -1, NULL) || strlen (upload->to) > 1024 ||
      (upload->filename != NULL && strlen (upload->filename) > 4096))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the parameters \"account\" and \"to\" are required");
      return FALSE;
    }
  return TRUE;
}

static LilacWebUpload *
lilac_web_route_transfers_begin (LilacWebServer    *server,
                                 SoupServerMessage *msg,
                                 GError           **error)
{
  const LilacWebRoute route = { "POST", "/transfers", NULL, LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF };
  g_autoptr(LilacWebRequest) request = lilac_web_request_new (server, msg);
  LilacWebUploadQuery given;
  LilacWebUpload *upload;
  gint64 id;

  if (!lilac_web_router_check (request, &route, error) ||
      !lilac_web_route_transfers_parse_upload (request->query,
                                               soup_server_message_get_request_headers (msg),
                                               &given, error))
    return NULL;
  id = lilac_im_session_begin_upload (request->session, given.account, given.to, given.filename,
                                      given.length, error);
  if (id == 0)
    return NULL;
  upload = g_new0 (LilacWebUpload, 1);
  upload->session = g_object_ref (request->session);
  upload->id = id;
  return upload;
}

/**
 * lilac_web_route_transfers_early:
 * @server: the server
 * @msg: a `POST /api/v1/transfers` whose headers just arrived
 *
 * Checks the login and the limits before the body is read, and makes the
 * body stream into the store instead of into memory.
 */
void
lilac_web_route_transfers_early (LilacWebServer    *server,
                                 SoupServerMessage *msg)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebUpload *upload = lilac_web_route_transfers_begin (server, msg, &local_error);

  if (upload == NULL)
    {
      lilac_web_response_refuse_early (msg, lilac_web_server_get_socket (server, msg), local_error);
      return;
    }
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (lilac_web_route_transfers_chunk_cb), upload);
  g_object_set_data_full (G_OBJECT (msg), "lilac-upload", upload,
                          (GDestroyNotify) lilac_web_upload_free);
}

static void
lilac_web_route_transfers_create (LilacWebRequest *request)
{
  LilacWebUpload *upload = g_object_get_data (G_OBJECT (request->msg), "lilac-upload");
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) transfer = NULL;

  if (upload == NULL)
    {
      lilac_web_response_error_literal (request->msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                                        "the upload did not start");
      return;
    }
  if (upload->error != NULL)
    {
      lilac_web_response_error (request->msg, upload->error);
      return;
    }
  upload->complete = TRUE;
  transfer = lilac_im_session_send_upload (upload->session, upload->id, &local_error);
  if (transfer == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_object (request->msg, SOUP_STATUS_ACCEPTED, transfer);
}

/**
 * lilac_web_route_transfers_parse_action:
 *
 * Reads a `POST /transfers/{id}` body: accept, reject or cancel.
 */
gboolean
lilac_web_route_transfers_parse_action (JsonObject  *body,
                                        const char **action,
                                        GError     **error)
{
  static const char *const allowed[] = { "action", NULL };
  static const char *const actions[] = { "accept", "reject", "cancel", NULL };

  if (!lilac_json_check_members (body, allowed, error) ||
      (*action = lilac_json_get_string (body, "action", TRUE, 16, error)) == NULL)
    return FALSE;
  if (!g_strv_contains (actions, *action))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the action must be accept, reject or cancel");
      return FALSE;
    }
  return TRUE;
}

static void
lilac_web_route_transfers_act (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  const char *action = NULL;

  if (!lilac_web_route_transfers_parse_action (request->body, &action, &local_error) ||
      !lilac_im_session_act_on_transfer (request->session, request->params[0], action, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_empty (request->msg, SOUP_STATUS_NO_CONTENT);
}

/* a download in flight, read out of the store a piece at a time */
typedef struct {
  LilacImSession *session;   /* (owned) */
  gint64 id;
  gint64 offset;
  gint64 size;
} LilacWebDownload;

static void
lilac_web_download_free (LilacWebDownload *download)
{
  g_clear_object (&download->session);
  g_free (download);
}

static GBytes *
lilac_web_route_transfers_next_piece (gpointer data)
{
  LilacWebDownload *download = data;
  g_autofree guint8 *piece = NULL;
  gssize length;

  if (download->offset >= download->size)
    return NULL;
  piece = g_malloc (LILAC_WEB_DOWNLOAD_PIECE);
  length = lilac_im_session_read_transfer (download->session, download->id, download->offset,
                                           piece, LILAC_WEB_DOWNLOAD_PIECE, NULL);
  /* the content vanished (the transfer was deleted): the answer ends short */
  if (length <= 0)
    return NULL;
  download->offset += length;
  return g_bytes_new_take (g_steal_pointer (&piece), (gsize) length);
}

static void
lilac_web_route_transfers_content (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacTransfer) transfer = lilac_im_session_open_transfer (request->session,
                                                                      request->params[0],
                                                                      &local_error);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (request->msg);
  g_autofree char *disposition = NULL;
  LilacWebDownload *download;

  if (transfer == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  disposition = lilac_filename_content_disposition (transfer->filename);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  soup_message_headers_replace (headers, "Content-Type", "application/octet-stream");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Cache-Control", "private, no-store");
  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'none'; frame-ancestors 'none'; sandbox");
  soup_server_message_set_status (request->msg, SOUP_STATUS_OK, NULL);
  download = g_new0 (LilacWebDownload, 1);
  download->session = g_object_ref (request->session);
  download->id = transfer->id;
  download->size = transfer->size;
  lilac_web_stream_start (request->msg, transfer->size, lilac_web_route_transfers_next_piece, download,
                          (GDestroyNotify) lilac_web_download_free);
}

const LilacWebRoute lilac_web_routes_transfers[] = {
  { "POST", "/transfers", lilac_web_route_transfers_create, LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF },
  { "POST", "/transfers/{}", lilac_web_route_transfers_act,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "GET", "/transfers/{}/content", lilac_web_route_transfers_content, LILAC_ROUTE_AUTH },
  { NULL }
};
