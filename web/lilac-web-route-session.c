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
#include "lilac-metrics.h"
#include "lilac-web-response.h"
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

/* the keys of the failure counters: the name as typed (case folded) and the address */
static char *
lilac_web_route_session_name_key (const char *name)
{
  return g_utf8_casefold (name, -1);
}

static const char *
lilac_web_route_session_address (LilacWebRequest *request)
{
  const char *address = soup_server_message_get_remote_host (request->msg);

  return address != NULL ? address : "";
}

static void
lilac_web_route_session_started (LilacWebRequest *request,
                                 const LilacUser *user,
                                 LilacKey        *data_key)
{
  LilacWebServer *server = request->server;
  LilacImSession *session = lilac_im_manager_ensure (server->manager, user, data_key);

  if (lilac_user_store_take_credentials_reset (server->users, user->id))
    lilac_im_session_notify (session, "warning", _("Your IM passwords were erased"),
                             _("An administrator reset your Lilac password. The stored passwords "
                               "of your IM accounts could not be kept: enter them again."));
}

static void
lilac_web_route_session_authenticated_cb (GObject      *source,
                                          GAsyncResult *result,
                                          gpointer      user_data)
{
  g_autoptr(LilacWebRequest) request = user_data;
  LilacWebServer *server = request->server;
  const char *name = g_object_get_data (G_OBJECT (request->msg), "lilac-login-name");
  g_autoptr(LilacKey) data_key = NULL;
  g_autoptr(LilacUser) user = NULL;
  g_autoptr(LilacLogin) login = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *token = NULL;
  g_autofree char *address = NULL;

  user = lilac_user_store_authenticate_finish (LILAC_USER_STORE (source), result, &data_key,
                                               &local_error);
  if (user == NULL && g_error_matches (local_error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED))
    {
      g_autofree char *key = lilac_web_route_session_name_key (name);

      lilac_metrics_add (LILAC_METRIC_LOGIN_FAILURES, 1);
      lilac_rate_limit_add_failure (server->name_failures, key);
      lilac_rate_limit_add_failure (server->address_failures,
                                    lilac_web_route_session_address (request));
    }
  if (user != NULL)
    {
      address = g_strdup (soup_server_message_get_remote_host (request->msg));
      login = lilac_login_store_create (server->logins, user, data_key, address,
                                        lilac_web_request_get_header (request, "User-Agent"),
                                        &token, &local_error);
    }
  if (login == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      lilac_web_request_resume (request);
      return;
    }
  lilac_web_route_session_started (request, user, data_key);
  answer = lilac_web_route_session_json (user, token, login->csrf);
  lilac_web_route_session_set_cookie (request, token);
  lilac_web_response_object (request->msg, SOUP_STATUS_OK, answer);
  lilac_web_request_resume (request);
}

static void
lilac_web_route_session_create (LilacWebRequest *request)
{
  static const char *const allowed[] = { "username", "password", NULL };
  LilacWebServer *server = request->server;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *key = NULL;
  const char *username, *password;

  if (!lilac_json_check_members (request->body, allowed, &local_error) ||
      (username = lilac_json_get_string (request->body, "username", TRUE, 256, &local_error)) == NULL ||
      (password = lilac_json_get_string (request->body, "password", TRUE, 4096, &local_error)) == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  key = lilac_web_route_session_name_key (username);
  if (!lilac_rate_limit_allows (server->name_failures, key) ||
      !lilac_rate_limit_allows (server->address_failures, lilac_web_route_session_address (request)))
    {
      lilac_metrics_add (LILAC_METRIC_RATE_LIMITED, 1);
      soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                    "Retry-After", "60");
      lilac_web_response_error_literal (request->msg, 429, "rate_limited",
                                        _("Too many failed logins; wait a minute and try again."));
      return;
    }
  g_object_set_data_full (G_OBJECT (request->msg), "lilac-login-name", g_strdup (username), g_free);
  lilac_web_request_pause (request);
  lilac_user_store_authenticate_async (request->server->users, username, password, NULL,
                                       lilac_web_route_session_authenticated_cb,
                                       lilac_web_request_ref (request));
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
