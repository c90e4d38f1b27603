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
#include "lilac-web-route-input.h"
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

/**
 * lilac_web_route_requests_parse:
 *
 * Reads a `POST /requests/{id}` body; the session matches the action and
 * the fields with the request's.
 */
gboolean
lilac_web_route_requests_parse (JsonObject     *body,
                                LilacWebAnswer *answer,
                                GError        **error)
{
  static const char *const allowed[] = { "action", "fields", NULL };

  if (!lilac_json_check_members (body, allowed, error) ||
      !lilac_json_get_optional_object (body, "fields", &answer->fields, error))
    return FALSE;
  answer->action = json_object_get_member (body, "action");
  if (answer->action == NULL)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the field \"action\" is required");
      return FALSE;
    }
  return TRUE;
}

static void
lilac_web_route_requests_answer (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebAnswer answer = { NULL };

  if (!lilac_web_route_requests_parse (request->body, &answer, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_request_pause (request);
  lilac_im_session_answer_request_async (request->session, request->params[0], answer.action,
                                         answer.fields, NULL, lilac_web_route_requests_answered_cb,
                                         lilac_web_request_ref (request));
}

const LilacWebRoute lilac_web_routes_requests[] = {
  { "POST", "/requests/{}", lilac_web_route_requests_answer,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { NULL }
};
