/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * /state and /events: the snapshot and the long-polled stream after it.
 */
#include "config.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-web-poll.h"
#include "lilac-web-response.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"
#include "lilac-web-stream.h"

static void
lilac_web_route_state_get (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);

  if (state == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_object (request->msg, SOUP_STATUS_OK, state);
}

static gboolean
lilac_web_route_events_number (LilacWebRequest *request,
                               const char      *name,
                               guint64          max,
                               guint64         *value,
                               GError         **error)
{
  const char *text = lilac_web_request_get_query (request, name);

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, value, NULL))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the parameter \"%s\" must be a number from 0 to %" G_GUINT64_FORMAT, name, max);
      return FALSE;
    }
  return TRUE;
}

static void
lilac_web_route_events_get (LilacWebRequest *request)
{
  LilacWebServer *server = request->server;
  LilacEventQueue *queue = lilac_im_session_get_queue (request->session);
  g_autoptr(GError) local_error = NULL;
  guint64 since = lilac_event_queue_get_seq (queue);
  guint64 timeout = (guint64) server->settings.poll_timeout;
  const char *epoch = lilac_web_request_get_query (request, "epoch");

  if (!lilac_web_route_events_number (request, "since", G_MAXINT64, &since, &local_error) ||
      !lilac_web_route_events_number (request, "timeout", (guint64) server->settings.poll_timeout_max,
                                      &timeout, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_poll_answer (server->poll, request, since, epoch, (int) timeout);
}

/* a search when q is given, else a page of one conversation */
static JsonObject *
lilac_web_route_history_answer (LilacWebRequest *request,
                                guint64          before,
                                guint64          limit,
                                GError         **error)
{
  const char *conversation = lilac_web_request_get_query (request, "conversation");
  const char *query = lilac_web_request_get_query (request, "q");

  if (query != NULL && (!g_utf8_validate (query, -1, NULL) || strlen (query) > 1024))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the search must be UTF-8 text of at most 1024 bytes");
      return NULL;
    }
  if (query != NULL)
    return lilac_im_session_search_history (request->session, query,
                                            lilac_web_request_get_query (request, "account"),
                                            (gint64) before, (unsigned) limit, error);
  if (conversation == NULL)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the parameter \"conversation\" or \"q\" is required");
      return NULL;
    }
  return lilac_im_session_get_history (request->session, conversation, (gint64) before,
                                       (unsigned) limit, error);
}

static void
lilac_web_route_history_get (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  guint64 before = 0, limit = 50;

  if (lilac_web_route_events_number (request, "before", G_MAXINT64, &before, &local_error) &&
      lilac_web_route_events_number (request, "limit", 500, &limit, &local_error))
    answer = lilac_web_route_history_answer (request, before, limit, &local_error);
  if (answer == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_object (request->msg, SOUP_STATUS_OK, answer);
}

static GBytes *
lilac_web_route_history_export_next (gpointer data)
{
  g_autoptr(GError) local_error = NULL;
  GBytes *piece = lilac_history_export_next (data, &local_error);

  if (local_error != NULL)
    g_message ("a history export ends short: %s", local_error->message);
  return piece;
}

static void
lilac_web_route_history_export (LilacWebRequest *request)
{
  const char *format = lilac_web_request_get_query (request, "format");
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacHistoryExport) export = NULL;
  g_autofree char *disposition = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (request->msg);

  export = lilac_im_session_export_history (request->session,
                                            lilac_web_request_get_query (request, "conversation"),
                                            format != NULL ? format : "json", &local_error);
  if (export == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  /* the file name is made by the gateway from a numeric id: nothing to escape */
  disposition = g_strdup_printf ("attachment; filename=\"%s\"",
                                 lilac_history_export_get_filename (export));
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  soup_message_headers_replace (headers, "Content-Type",
                                lilac_history_export_get_content_type (export));
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (request->msg, SOUP_STATUS_OK, NULL);
  lilac_web_stream_start (request->msg, -1, lilac_web_route_history_export_next,
                          g_steal_pointer (&export), (GDestroyNotify) lilac_history_export_free);
}

const LilacWebRoute lilac_web_routes_events[] = {
  { "GET", "/state", lilac_web_route_state_get, LILAC_ROUTE_AUTH },
  { "GET", "/events", lilac_web_route_events_get, LILAC_ROUTE_AUTH },
  { "GET", "/history", lilac_web_route_history_get, LILAC_ROUTE_AUTH },
  { "GET", "/history/export", lilac_web_route_history_export, LILAC_ROUTE_AUTH },
  { NULL }
};
