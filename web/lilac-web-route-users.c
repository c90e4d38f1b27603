/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * /users, /users/me, /users/me/settings and /sessions: creating users,
 * changing one's password and settings, and seeing and ending one's logins.
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-web-response.h"
#include "lilac-web-route-input.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"

static void
lilac_web_route_users_created_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(LilacWebRequest) request = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacUser) user = NULL;
  g_autoptr(JsonObject) answer = json_object_new ();

  user = lilac_user_store_create_finish (LILAC_USER_STORE (source), result, &local_error);
  if (user == NULL)
    {
      lilac_web_request_finish_error (request, local_error);
      return;
    }
  json_object_set_object_member (answer, "user", lilac_user_to_json (user));
  lilac_web_response_object (request->msg, SOUP_STATUS_CREATED, answer);
  lilac_web_request_resume (request);
}

/* an administrator, or anyone when the configuration opens registration */
static gboolean
lilac_web_route_users_may_create (LilacWebRequest *request,
                                  gboolean         wants_admin,
                                  gboolean        *admin,
                                  GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *auth = lilac_web_request_get_header (request, "Authorization");
  const char *cookie = lilac_web_request_get_header (request, "Cookie");

  *admin = FALSE;
  if (auth != NULL || cookie != NULL)
    {
      const LilacWebRoute route = { "POST", "/users", NULL, LILAC_ROUTE_ADMIN | LILAC_ROUTE_CSRF };

      if (lilac_web_router_check (request, &route, &local_error))
        {
          *admin = wants_admin;
          return TRUE;
        }
      if (!request->server->settings.registration)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  if (request->server->settings.registration && !wants_admin)
    return TRUE;
  g_set_error_literal (error, LILAC_ERROR,
                       request->server->settings.registration ? LILAC_ERROR_PERMISSION_DENIED
                                                              : LILAC_ERROR_UNAUTHORIZED,
                       request->server->settings.registration
                       ? "only administrators create administrators"
                       : "only administrators create users here");
  return FALSE;
}

/**
 * lilac_web_route_users_parse_new:
 *
 * Reads a `POST /users` body (the user store checks the name and password).
 */
gboolean
lilac_web_route_users_parse_new (JsonObject      *body,
                                 LilacWebNewUser *user,
                                 GError         **error)
{
  static const char *const allowed[] = { "username", "password", "admin", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (user->username = lilac_json_get_string (body, "username", TRUE, 256, error)) != NULL &&
         (user->password = lilac_json_get_string (body, "password", TRUE, 4096, error)) != NULL &&
         lilac_json_get_bool (body, "admin", FALSE, &user->admin, error);
}

static void
lilac_web_route_users_create (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebNewUser user = { NULL };
  gboolean admin = FALSE;

  if (!lilac_web_route_users_parse_new (request->body, &user, &local_error) ||
      !lilac_web_route_users_may_create (request, user.admin, &admin, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_request_pause (request);
  lilac_user_store_create_async (request->server->users, user.username, user.password, admin, NULL,
                                 lilac_web_route_users_created_cb, lilac_web_request_ref (request));
}

static void
lilac_web_route_users_password_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  g_autoptr(LilacWebRequest) request = user_data;
  g_autoptr(GError) local_error = NULL;

  if (!lilac_user_store_change_password_finish (LILAC_USER_STORE (source), result, &local_error))
    {
      /* a wrong old password is a refused change, not a lost login */
      if (g_error_matches (local_error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED))
        local_error->code = LILAC_ERROR_PERMISSION_DENIED;
      lilac_web_request_finish_error (request, local_error);
      return;
    }
  lilac_web_request_finish_empty (request, SOUP_STATUS_NO_CONTENT);
}

/**
 * lilac_web_route_users_parse_password:
 *
 * Reads a `PATCH /users/me` body; the new password is checked.
 */
gboolean
lilac_web_route_users_parse_password (JsonObject             *body,
                                      LilacWebPasswordChange *change,
                                      GError                **error)
{
  static const char *const allowed[] = { "old_password", "password", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (change->old_password = lilac_json_get_string (body, "old_password", TRUE, 4096, error)) != NULL &&
         (change->password = lilac_json_get_string (body, "password", TRUE, 4096, error)) != NULL &&
         lilac_user_store_check_password (change->password, error);
}

static void
lilac_web_route_users_update_me (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebPasswordChange change = { NULL };

  if (!lilac_web_route_users_parse_password (request->body, &change, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_request_pause (request);
  lilac_user_store_change_password_async (request->server->users, request->login->user_id,
                                          change.old_password, change.password, NULL,
                                          lilac_web_route_users_password_cb,
                                          lilac_web_request_ref (request));
}

static void
lilac_web_route_users_get_settings (LilacWebRequest *request)
{
  lilac_web_response_object (request->msg, SOUP_STATUS_OK,
                             lilac_im_session_get_settings (request->session));
}

static void
lilac_web_route_users_update_settings (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  JsonObject *settings = lilac_im_session_update_settings (request->session, request->body,
                                                           &local_error);

  if (settings == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_object (request->msg, SOUP_STATUS_OK, settings);
}

static void
lilac_web_route_sessions_list (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) logins = lilac_login_store_list (request->server->logins,
                                                        request->login->user_id, &local_error);
  g_autoptr(JsonArray) list = json_array_new ();

  if (logins == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  for (unsigned i = 0; i < logins->len; i++)
    {
      LilacLogin *login = logins->pdata[i];
      JsonObject *object = json_object_new ();
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, login->id);

      json_object_set_string_member (object, "id", id);
      json_object_set_int_member (object, "created", login->created);
      json_object_set_int_member (object, "last_seen", login->last_seen);
      json_object_set_string_member (object, "address", login->address);
      json_object_set_string_member (object, "agent", login->agent);
      json_object_set_boolean_member (object, "current", login->id == request->login->id);
      json_array_add_object_element (list, object);
    }
  lilac_web_response_array (request->msg, SOUP_STATUS_OK, list);
}

static void
lilac_web_route_sessions_delete (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  gint64 id = 0;

  if (!g_ascii_string_to_signed (request->params[0], 10, 1, G_MAXINT64, &id, NULL))
    g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such login");
  else
    lilac_login_store_revoke (request->server->logins, request->login->user_id, id, &local_error);
  if (local_error != NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_empty (request->msg, SOUP_STATUS_NO_CONTENT);
  lilac_web_server_end_login (request->server, id);
}

const LilacWebRoute lilac_web_routes_users[] = {
  { "POST", "/users", lilac_web_route_users_create, LILAC_ROUTE_BODY },
  { "PATCH", "/users/me", lilac_web_route_users_update_me,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "GET", "/users/me/settings", lilac_web_route_users_get_settings, LILAC_ROUTE_AUTH },
  { "PATCH", "/users/me/settings", lilac_web_route_users_update_settings,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "GET", "/sessions", lilac_web_route_sessions_list, LILAC_ROUTE_AUTH },
  { "DELETE", "/sessions/{}", lilac_web_route_sessions_delete, LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF },
  { NULL }
};
