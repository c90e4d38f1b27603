/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * /requests/{id}: answering what libpurple asked the user (authorizations,
 * certificates, questions).
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-web-response.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"

static void
lilac_web_route_requests_answered_cb (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(LilacWebRequest) request = user_data;
  g_autoptr(GError) local_error = NULL;

  if (!lilac_im_session_finish_command (LILAC_IM_SESSION (source), result, &local_error))
    {
      lilac_web_request_finish_error (request, local_error);
      return;
    }
  lilac_web_request_finish_empty (request, SOUP_STATUS_NO_CONTENT);
}

static void
lilac_web_route_requests_answer (LilacWebRequest *request)
{
  static const char *const allowed[] = { "action", "fields", NULL };
  g_autoptr(GError) local_error = NULL;
  JsonObject *fields = NULL;
  JsonNode *action = json_object_get_member (request->body, "action");

  if (!lilac_json_check_members (request->body, allowed, &local_error) ||
      ((fields = lilac_json_get_object (request->body, "fields", &local_error)) == NULL &&
       local_error != NULL))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  if (action == NULL)
    {
      lilac_web_response_error_literal (request->msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                                        "the field \"action\" is required");
      return;
    }
  lilac_web_request_pause (request);
  lilac_im_session_answer_request_async (request->session, request->params[0], action, fields, NULL,
                                         lilac_web_route_requests_answered_cb,
                                         lilac_web_request_ref (request));
}

const LilacWebRoute lilac_web_routes_requests[] = {
  { "POST", "/requests/{}", lilac_web_route_requests_answer,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { NULL }
};
