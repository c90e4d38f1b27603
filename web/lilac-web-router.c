/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Dispatch: the route tables of the resource groups, path matching with
 * "{}" segments, and the gate in front of every handler — the login (bearer
 * token or cookie), the CSRF header for cookie logins that change state,
 * and the JSON body.
 */
#include "config.h"

#include "lilac-web-router.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-web-login.h"
#include "lilac-web-response.h"
#include "lilac-web-server-private.h"

#define LILAC_WEB_COOKIE "lilac_session"

static const LilacWebRoute *const lilac_web_route_tables[] = {
  lilac_web_routes_session,
  lilac_web_routes_accounts,
  lilac_web_routes_events,
  lilac_web_routes_conversations,
  lilac_web_routes_users,
  lilac_web_routes_admin,
  lilac_web_routes_buddies,
  lilac_web_routes_requests,
  lilac_web_routes_transfers,
};

/* --------------------------------------------------------------- Requests */

/**
 * lilac_web_request_new:
 *
 * Returns: (transfer full): the request context of @msg
 */
LilacWebRequest *
lilac_web_request_new (LilacWebServer    *server,
                       SoupServerMessage *msg)
{
  LilacWebRequest *request = g_new0 (LilacWebRequest, 1);
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));

  request->ref_count = 1;
  request->server = server;
  request->msg = g_object_ref (msg);
  if (query != NULL)
    request->query = soup_form_decode (query);
  return request;
}

LilacWebRequest *
lilac_web_request_ref (LilacWebRequest *request)
{
  request->ref_count++;
  return request;
}

void
lilac_web_request_unref (LilacWebRequest *request)
{
  if (request == NULL || --request->ref_count > 0)
    return;
  g_clear_object (&request->msg);
  g_clear_pointer (&request->query, g_hash_table_unref);
  for (unsigned i = 0; i < LILAC_WEB_ROUTE_MAX_PARAMS; i++)
    g_free (request->params[i]);
  g_clear_pointer (&request->login, lilac_login_free);
  g_clear_object (&request->session);
  g_clear_pointer (&request->body, json_object_unref);
  g_free (request);
}

/**
 * lilac_web_request_pause:
 *
 * Keeps the request open after its handler returns; an asynchronous handler
 * answers later and calls lilac_web_request_resume().
 */
void
lilac_web_request_pause (LilacWebRequest *request)
{
  if (request->paused)
    return;
  request->paused = TRUE;
  soup_server_message_pause (request->msg);
}

void
lilac_web_request_resume (LilacWebRequest *request)
{
  if (!request->paused)
    return;
  request->paused = FALSE;
  soup_server_message_unpause (request->msg);
}

/**
 * lilac_web_request_finish_error:
 *
 * Answers a paused request with an error and resumes it.
 */
void
lilac_web_request_finish_error (LilacWebRequest *request,
                                const GError    *error)
{
  lilac_web_response_error (request->msg, error);
  lilac_web_request_resume (request);
}

void
lilac_web_request_finish_empty (LilacWebRequest *request,
                                unsigned         status)
{
  lilac_web_response_empty (request->msg, status);
  lilac_web_request_resume (request);
}

/**
 * lilac_web_query_lookup:
 * @query: (nullable): a decoded query string
 * @name: a parameter
 *
 * Returns: (transfer none) (nullable): the parameter's value
 */
const char *
lilac_web_query_lookup (GHashTable *query,
                        const char *name)
{
  return query != NULL ? g_hash_table_lookup (query, name) : NULL;
}

const char *
lilac_web_request_get_query (LilacWebRequest *request,
                             const char      *name)
{
  return lilac_web_query_lookup (request->query, name);
}

const char *
lilac_web_request_get_header (LilacWebRequest *request,
                              const char      *name)
{
  return soup_message_headers_get_one (soup_server_message_get_request_headers (request->msg),
                                       name);
}

/* ---------------------------------------------------------------- Matching */

static const LilacWebRoute *
lilac_web_router_find (const char  *method,
                       char       **segments,
                       gboolean    *path_known)
{
  *path_known = FALSE;
  for (unsigned t = 0; t < G_N_ELEMENTS (lilac_web_route_tables); t++)
    {
      for (const LilacWebRoute *route = lilac_web_route_tables[t]; route->path != NULL; route++)
        {
          if (!lilac_web_path_match (route->path, segments, NULL, LILAC_WEB_ROUTE_MAX_PARAMS))
            continue;
          *path_known = TRUE;
          if (g_str_equal (route->method, method))
            return route;
        }
    }
  return NULL;
}

/* ------------------------------------------------------------------- Gate */

static char *
lilac_web_router_get_token (LilacWebRequest *request,
                            gboolean        *bearer)
{
  const char *authorization = lilac_web_request_get_header (request, "Authorization");
  const char *cookie = lilac_web_request_get_header (request, "Cookie");
  g_autoptr(GHashTable) cookies = NULL;
  const char *value;

  *bearer = FALSE;
  if (authorization != NULL && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    {
      *bearer = TRUE;
      return g_strstrip (g_strdup (authorization + 7));
    }
  if (cookie == NULL)
    return NULL;
  cookies = soup_header_parse_semi_param_list (cookie);
  value = g_hash_table_lookup (cookies, LILAC_WEB_COOKIE);
  return g_strdup (value);
}

static gboolean
lilac_web_router_authenticate (LilacWebRequest *request,
                               GError         **error)
{
  g_autofree char *token = lilac_web_router_get_token (request, &request->bearer);

  return lilac_web_login_open (request->server, token, &request->login, &request->session, error);
}

static gboolean
lilac_web_router_check_csrf (LilacWebRequest *request,
                             GError         **error)
{
  const char *given = lilac_web_request_get_header (request, "X-Lilac-Csrf");

  if (request->bearer || lilac_secret_equal (given, request->login->csrf))
    return TRUE;
  g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_PERMISSION_DENIED,
                       "this request needs the X-Lilac-Csrf header of your login");
  return FALSE;
}

static gboolean
lilac_web_router_parse_body (LilacWebRequest *request,
                             GError         **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (request->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  const char *type = lilac_web_request_get_header (request, "Content-Type");

  /* a cross-site form cannot send application/json without a CORS preflight */
  if (type == NULL || g_ascii_strncasecmp (type, "application/json", 16) != 0 ||
      (type[16] != '\0' && type[16] != ';' && type[16] != ' '))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the request body must be sent as application/json");
      return FALSE;
    }
  if (length > request->server->settings.max_body)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                   "the request body is larger than %" G_GSIZE_FORMAT " bytes",
                   request->server->settings.max_body);
      return FALSE;
    }
  request->body = lilac_json_parse_object (data, length, error);
  return request->body != NULL;
}

/**
 * lilac_web_router_check:
 * @request: a request
 * @route: the route whose flags to check
 * @error: return location for a #GError
 *
 * Runs the gate (login, admin, CSRF, JSON body) of @route on @request; for
 * handlers whose requirements depend on the request.
 */
gboolean
lilac_web_router_check (LilacWebRequest     *request,
                        const LilacWebRoute *route,
                        GError             **error)
{
  if ((route->flags & (LILAC_ROUTE_AUTH | LILAC_ROUTE_ADMIN)) != 0 && request->login == NULL &&
      !lilac_web_router_authenticate (request, error))
    return FALSE;
  if ((route->flags & LILAC_ROUTE_ADMIN) != 0 && !lilac_im_session_get_user (request->session)->admin)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_PERMISSION_DENIED,
                           "only administrators may do this");
      return FALSE;
    }
  if ((route->flags & LILAC_ROUTE_CSRF) != 0 && request->login != NULL &&
      !lilac_web_router_check_csrf (request, error))
    return FALSE;
  if ((route->flags & LILAC_ROUTE_BODY) != 0 && request->body == NULL &&
      !lilac_web_router_parse_body (request, error))
    return FALSE;
  return TRUE;
}

/**
 * lilac_web_router_dispatch:
 * @server: the server
 * @msg: a request under /api/v1/ or /healthz
 * @path: its path
 *
 * Finds the route, runs the gate and the handler; 404 for an unknown path,
 * 405 for a known path with another method.
 */
void
lilac_web_router_dispatch (LilacWebServer    *server,
                           SoupServerMessage *msg,
                           const char        *path)
{
  g_auto(GStrv) segments = g_strsplit (path + 1, "/", -1);
  g_autoptr(LilacWebRequest) request = NULL;
  g_autoptr(GError) local_error = NULL;
  const LilacWebRoute *route;
  gboolean path_known = FALSE;

  route = lilac_web_router_find (soup_server_message_get_method (msg), segments, &path_known);
  if (route == NULL)
    {
      if (path_known)
        lilac_web_response_error_literal (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "bad_request",
                                          "this method is not allowed here");
      else
        lilac_web_response_error_literal (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                                          "no such resource");
      return;
    }
  request = lilac_web_request_new (server, msg);
  lilac_web_path_match (route->path, segments, request->params, LILAC_WEB_ROUTE_MAX_PARAMS);
  if (!lilac_web_router_check (request, route, &local_error))
    {
      lilac_web_response_error (msg, local_error);
      return;
    }
  route->handler (request);
}
