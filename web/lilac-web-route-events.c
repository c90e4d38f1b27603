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
#include "lilac-web-route-input.h"
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
lilac_web_route_events_number (GHashTable *query,
                               const char *name,
                               guint64     max,
                               guint64    *value,
                               GError    **error)
{
  const char *text = lilac_web_query_lookup (query, name);

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

/**
 * lilac_web_route_events_parse:
 * @query: (nullable): the query of a `GET /events`
 * @timeout_max: the longest poll a client may ask for
 * @poll: (inout): the defaults in, what the client asked for out
 * @error: return location for a #GError
 */
gboolean
lilac_web_route_events_parse (GHashTable        *query,
                              guint64            timeout_max,
                              LilacWebPollQuery *poll,
                              GError           **error)
{
  poll->epoch = lilac_web_query_lookup (query, "epoch");
  return lilac_web_route_events_number (query, "since", G_MAXINT64, &poll->since, error) &&
         lilac_web_route_events_number (query, "timeout", timeout_max, &poll->timeout, error);
}

static void
lilac_web_route_events_get (LilacWebRequest *request)
{
  LilacWebServer *server = request->server;
  LilacEventQueue *queue = lilac_im_session_get_queue (request->session);
  g_autoptr(GError) local_error = NULL;
  LilacWebPollQuery poll = { lilac_event_queue_get_seq (queue), (guint64) server->settings.poll_timeout };

  if (!lilac_web_route_events_parse (request->query, (guint64) server->settings.poll_timeout_max,
                                     &poll, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_poll_answer (server->poll, request, poll.since, poll.epoch, (int) poll.timeout);
}

/**
 * lilac_web_route_history_parse:
 * @query: (nullable): the query of a `GET /history`
 * @history: (out caller-allocates): what the client asked for
 * @error: return location for a #GError
 */
gboolean
lilac_web_route_history_parse (GHashTable           *query,
                               LilacWebHistoryQuery *history,
                               GError              **error)
{
  history->before = 0;
  history->limit = 50;
  history->conversation = lilac_web_query_lookup (query, "conversation");
  history->search = lilac_web_query_lookup (query, "q");
  history->account = lilac_web_query_lookup (query, "account");
  if (!lilac_web_route_events_number (query, "before", G_MAXINT64, &history->before, error) ||
      !lilac_web_route_events_number (query, "limit", 500, &history->limit, error))
    return FALSE;
  if (history->search != NULL &&
      (!g_utf8_validate (history->search, -1, NULL) || strlen (history->search) > 1024))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the search must be UTF-8 text of at most 1024 bytes");
      return FALSE;
    }
  if (history->search == NULL && history->conversation == NULL)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the parameter \"conversation\" or \"q\" is required");
      return FALSE;
    }
  return TRUE;
}

static void
lilac_web_route_history_get (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  LilacWebHistoryQuery history;

  /* a search when q is given, else a page of one conversation */
  if (lilac_web_route_history_parse (request->query, &history, &local_error))
    answer = history.search != NULL
      ? lilac_im_session_search_history (request->session, history.search, history.account,
                                         (gint64) history.before, (unsigned) history.limit,
                                         &local_error)
      : lilac_im_session_get_history (request->session, history.conversation,
                                      (gint64) history.before, (unsigned) history.limit,
                                      &local_error);
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
