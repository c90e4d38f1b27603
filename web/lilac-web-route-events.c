/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * /state and /events: the snapshot and the long-polled stream after it.
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-web-poll.h"
#include "lilac-web-response.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"

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

static void
lilac_web_route_history_get (LilacWebRequest *request)
{
  const char *conversation = lilac_web_request_get_query (request, "conversation");
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  guint64 before = 0, limit = 50;

  if (conversation == NULL)
    g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                         "the parameter \"conversation\" is required");
  else if (lilac_web_route_events_number (request, "before", G_MAXINT64, &before, &local_error) &&
           lilac_web_route_events_number (request, "limit", 500, &limit, &local_error))
    answer = lilac_im_session_get_history (request->session, conversation, (gint64) before,
                                           (unsigned) limit, &local_error);
  if (answer == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_object (request->msg, SOUP_STATUS_OK, answer);
}

const LilacWebRoute lilac_web_routes_events[] = {
  { "GET", "/state", lilac_web_route_state_get, LILAC_ROUTE_AUTH },
  { "GET", "/events", lilac_web_route_events_get, LILAC_ROUTE_AUTH },
  { "GET", "/history", lilac_web_route_history_get, LILAC_ROUTE_AUTH },
  { NULL }
};
