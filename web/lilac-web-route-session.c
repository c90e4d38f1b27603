/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * /session: logging in (the password is checked off the main loop), who am
 * I, and logging out.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-web-login.h"
#include "lilac-web-response.h"
#include "lilac-web-route-input.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"

/**
 * lilac_web_route_session_set_cookie:
 * @request: the request answering a login or logout
 * @token: (nullable): the login's token, or %NULL to clear the cookie
 *
 * Sets the `lilac_session` cookie: HttpOnly, SameSite=Strict, Secure over TLS.
 */
void
lilac_web_route_session_set_cookie (LilacWebRequest *request,
                                    const char      *token)
{
  LilacWebServer *server = request->server;
  g_autofree char *cookie = NULL;

  if (token != NULL)
    cookie = g_strdup_printf ("lilac_session=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
                              token, server->settings.session_days * 24 * 3600,
                              server->tls ? "; Secure" : "");
  else
    cookie = g_strdup_printf ("lilac_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
                              server->tls ? "; Secure" : "");
  soup_message_headers_append (soup_server_message_get_response_headers (request->msg),
                               "Set-Cookie", cookie);
}

static JsonObject *
lilac_web_route_session_json (const LilacUser *user,
                              const char      *token,
                              const char      *csrf)
{
  JsonObject *object = json_object_new ();

  json_object_set_object_member (object, "user", lilac_user_to_json (user));
  if (token != NULL)
    json_object_set_string_member (object, "token", token);
  json_object_set_string_member (object, "csrf", csrf);
  return object;
}

static void
lilac_web_route_session_logged_in_cb (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(LilacWebRequest) request = user_data;
  g_autoptr(LilacUser) user = NULL;
  g_autoptr(LilacLogin) login = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *token = NULL;

  login = lilac_web_login_finish (request->server, result, &user, &token, &local_error);
  if (login == NULL)
    {
      lilac_web_request_finish_error (request, local_error);
      return;
    }
  answer = lilac_web_route_session_json (user, token, login->csrf);
  lilac_web_route_session_set_cookie (request, token);
  lilac_web_response_object (request->msg, SOUP_STATUS_OK, answer);
  lilac_web_request_resume (request);
}

/**
 * lilac_web_route_session_parse:
 *
 * Reads a `POST /session` body.
 */
gboolean
lilac_web_route_session_parse (JsonObject          *body,
                               LilacWebCredentials *credentials,
                               GError             **error)
{
  static const char *const allowed[] = { "username", "password", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (credentials->username = lilac_json_get_string (body, "username", TRUE, 256, error)) != NULL &&
         (credentials->password = lilac_json_get_string (body, "password", TRUE, 4096, error)) != NULL;
}

static void
lilac_web_route_session_create (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebCredentials credentials = { NULL };

  if (!lilac_web_route_session_parse (request->body, &credentials, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  if (!lilac_web_login_reserve (request->server, request->msg, credentials.username))
    {
      lilac_web_response_error_literal (request->msg, 429, "rate_limited",
                                        _("Too many failed logins; wait a minute and try again."));
      return;
    }
  lilac_web_request_pause (request);
  lilac_web_login_async (request->server, request->msg, credentials.username, credentials.password,
                         lilac_web_route_session_logged_in_cb, lilac_web_request_ref (request));
}

static void
lilac_web_route_session_get (LilacWebRequest *request)
{
  g_autoptr(JsonObject) answer = NULL;

  answer = lilac_web_route_session_json (lilac_im_session_get_user (request->session), NULL,
                                         request->login->csrf);
  lilac_web_response_object (request->msg, SOUP_STATUS_OK, answer);
}

static void
lilac_web_route_session_delete (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;

  if (!lilac_login_store_delete (request->server->logins, request->login->id, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  if (!request->bearer)
    lilac_web_route_session_set_cookie (request, NULL);
  lilac_web_response_empty (request->msg, SOUP_STATUS_NO_CONTENT);
  lilac_web_server_end_login (request->server, request->login->id);
}

const LilacWebRoute lilac_web_routes_session[] = {
  { "POST", "/session", lilac_web_route_session_create, LILAC_ROUTE_BODY },
  { "GET", "/session", lilac_web_route_session_get, LILAC_ROUTE_AUTH },
  { "DELETE", "/session", lilac_web_route_session_delete, LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF },
  { NULL }
};
