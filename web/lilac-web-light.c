/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The light view's dispatcher: the page groups' route tables, and the gate
 * in front of every page — the login cookie (the same login as the API's),
 * and for a form POST the form itself and its CSRF token. A POST that fails
 * the gate changes nothing.
 */
#include "config.h"

#include "lilac-web-light.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-secret.h"
#include "lilac-web-light-private.h"
#include "lilac-web-login.h"
#include "lilac-web-server-private.h"

static const LilacWebLightRoute *const lilac_web_light_route_tables[] = {
  lilac_web_light_routes_login,
  lilac_web_light_routes_home,
  lilac_web_light_routes_buddies,
  lilac_web_light_routes_conversation,
  lilac_web_light_routes_new,
  lilac_web_light_routes_requests,
  lilac_web_light_routes_files,
  lilac_web_light_routes_accounts,
};

/* ---------------------------------------------------------------- Matching */

static const LilacWebLightRoute *
lilac_web_light_find (const char  *method,
                      char       **segments,
                      gboolean    *path_known)
{
  *path_known = FALSE;
  for (unsigned t = 0; t < G_N_ELEMENTS (lilac_web_light_route_tables); t++)
    {
      for (const LilacWebLightRoute *route = lilac_web_light_route_tables[t]; route->path != NULL;
           route++)
        {
          if (!lilac_web_path_match (route->path, segments, NULL, LILAC_WEB_LIGHT_MAX_PARAMS))
            continue;
          *path_known = TRUE;
          if (g_str_equal (route->method, method))
            return route;
        }
    }
  return NULL;
}

/* -------------------------------------------------------------------- Gate */

static gboolean
lilac_web_light_authenticate (LilacWebLightRequest *request,
                              GError              **error)
{
  g_autofree char *token = lilac_web_light_request_get_cookie (request,
                                                               LILAC_WEB_LIGHT_SESSION_COOKIE);

  return lilac_web_login_open (request->server, token, &request->login, &request->session, error);
}

static gboolean
lilac_web_light_read_form (LilacWebLightRequest     *request,
                           const LilacWebLightRoute *route,
                           GError                  **error)
{
  const LilacWebLanguage *language = request->language;
  SoupMessageBody *body = soup_server_message_get_request_body (request->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  const char *type = lilac_web_light_request_get_header (request, "Content-Type");
  g_autofree char *media_type = type != NULL ? g_ascii_strdown (type, strcspn (type, "; ")) : NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  if (g_strcmp0 (media_type, "application/x-www-form-urlencoded") != 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           _("This page takes only forms that a browser sends."));
      return FALSE;
    }
  request->form = lilac_web_form_parse (data, length, request->server->settings.max_body,
                                        route->fields, language, error);
  return request->form != NULL;
}

/* a form of a logged-in page carries the login's token: another site's form cannot know it */
static gboolean
lilac_web_light_check_csrf (LilacWebLightRequest *request,
                            GError              **error)
{
  const LilacWebLanguage *language = request->language;
  const char *given = lilac_web_light_request_get_field (request, "csrf");

  if (given != NULL && lilac_secret_equal (given, request->login->csrf))
    return TRUE;
  g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_PERMISSION_DENIED,
                       _("This form is out of date or comes from another site. Nothing was "
                         "changed: please go back, reload the page and try again."));
  return FALSE;
}

static void
lilac_web_light_run (LilacWebLightRequest     *request,
                     const LilacWebLightRoute *route)
{
  g_autoptr(GError) local_error = NULL;

  if ((route->flags & LILAC_WEB_LIGHT_LOGIN) != 0 &&
      !lilac_web_light_authenticate (request, &local_error))
    {
      if (local_error->domain != LILAC_ERROR || local_error->code != LILAC_ERROR_UNAUTHORIZED)
        {
          lilac_web_light_request_answer_error (request, local_error);
          return;
        }
      /* logged out or expired: the login page, whatever was asked */
      lilac_web_light_request_redirect (request, LILAC_WEB_LIGHT_PREFIX "/login");
      return;
    }
  if ((route->flags & LILAC_WEB_LIGHT_FORM) != 0 &&
      (!lilac_web_light_read_form (request, route, &local_error) ||
       (request->login != NULL && !lilac_web_light_check_csrf (request, &local_error))))
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  route->handler (request);
}

/**
 * lilac_web_light_dispatch:
 * @server: the server
 * @msg: a request for /m or below
 * @path: its path
 *
 * Answers a light view request: /m itself goes to /m/.
 */
void
lilac_web_light_dispatch (LilacWebServer    *server,
                          SoupServerMessage *msg,
                          const char        *path)
{
  const char *below = path + strlen (LILAC_WEB_LIGHT_PREFIX);
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) segments = NULL;
  g_autoptr(LilacWebLightRequest) request = NULL;
  const LilacWebLightRoute *route;
  gboolean path_known = FALSE;

  request = lilac_web_light_request_new (server, msg, below);
  if (below[0] == '\0')
    {
      lilac_web_light_request_redirect (request, LILAC_WEB_LIGHT_PREFIX "/");
      return;
    }
  segments = g_strsplit (below + 1, "/", -1);
  /* HEAD is a GET without its body, which libsoup leaves out */
  if (g_str_equal (method, "HEAD"))
    method = "GET";
  route = lilac_web_light_find (method, segments, &path_known);
  if (route == NULL)
    {
      const LilacWebLanguage *language = request->language;

      lilac_web_light_request_answer_message (request,
                                              path_known ? SOUP_STATUS_METHOD_NOT_ALLOWED
                                                         : SOUP_STATUS_NOT_FOUND,
                                              _("Not found"),
                                              _("There is no such page."));
      return;
    }
  lilac_web_path_match (route->path, segments, request->params, LILAC_WEB_LIGHT_MAX_PARAMS);
  lilac_web_light_run (request, route);
}
