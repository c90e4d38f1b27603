/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Logging in and out of the light view (the same login as the API's, and
 * its cookie), and the reader's display preferences: language and the
 * automatic refresh of conversations.
 */
#include "config.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-secret.h"
#include "lilac-web-light-private.h"
#include "lilac-web-login.h"
#include "lilac-web-server-private.h"

#define LILAC_WEB_LIGHT_PREFERENCE_MAX_AGE (365 * 24 * 3600)
#define LILAC_WEB_LIGHT_LOGIN_FORM_MAX_AGE (24 * 3600)
/* before a login there is no login's token: the login form proves its origin
 * with a random value that is both in a cookie and in the form */
#define LILAC_WEB_LIGHT_LOGIN_COOKIE "lilac_login_csrf"

static const LilacWebFormField lilac_web_light_login_fields[] = {
  { "login_csrf", N_("Security token"), 128, 0 },
  { "username", N_("User name"), 256, 0 },
  { "password", N_("Password"), 4096, 0 },
  { NULL }
};

static const LilacWebFormField lilac_web_light_logout_fields[] = {
  LILAC_WEB_LIGHT_CSRF_FIELD,
  { NULL }
};

/* a value lilac_secret_new_token() could have made, and nothing else */
static gboolean
lilac_web_light_login_is_token (const char *token)
{
  gsize length = token != NULL ? strlen (token) : 0;

  if (length < 32 || length > 128)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isalnum (token[i]) && token[i] != '-' && token[i] != '_')
        return FALSE;
    }
  return TRUE;
}

static void
lilac_web_light_login_show (LilacWebLightRequest *request,
                            unsigned              status,
                            const char           *username,
                            const char           *problem)
{
  const LilacWebLanguage *language = request->language;
  g_auto(LilacWebLightPage) page = { _("Log in"), lilac_web_html_new () };
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  g_autofree char *token = lilac_web_light_request_get_cookie (request, LILAC_WEB_LIGHT_LOGIN_COOKIE);

  if (!lilac_web_light_login_is_token (token))
    {
      g_free (token);
      token = lilac_secret_new_token ();
      lilac_web_light_request_add_cookie (request, LILAC_WEB_LIGHT_LOGIN_COOKIE, token,
                                          LILAC_WEB_LIGHT_LOGIN_FORM_MAX_AGE);
    }
  page.no_nav = TRUE;
  if (problem != NULL)
    page.notice = lilac_web_light_notice (problem);
  lilac_web_slots_set_text (slots, "csrf", token);
  lilac_web_slots_set_text (slots, "username", username);
  lilac_web_slots_set_text (slots, "l_user", _("User name"));
  lilac_web_slots_set_text (slots, "l_password", _("Password"));
  lilac_web_slots_set_text (slots, "l_submit", _("Log in"));
  lilac_web_template_append ("login", slots, page.body);
  lilac_web_light_request_answer_page (request, status, &page);
}

static void
lilac_web_light_login_get (LilacWebLightRequest *request)
{
  lilac_web_light_login_show (request, SOUP_STATUS_OK, NULL, NULL);
}

/* the login is the API's (POST /api/v1/session), through lilac-web-login.c:
 * the same failure counters, login record and cookie */
static void
lilac_web_light_login_done_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(LilacWebLightRequest) request = user_data;
  const LilacWebLanguage *language = request->language;
  LilacWebServer *server = request->server;
  g_autoptr(LilacUser) user = NULL;
  g_autoptr(LilacLogin) login = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token = NULL;

  login = lilac_web_login_finish (server, result, &user, &token, &local_error);
  if (login != NULL)
    {
      lilac_web_light_request_add_cookie (request, LILAC_WEB_LIGHT_SESSION_COOKIE, token,
                                          server->settings.session_days * 24 * 3600);
      lilac_web_light_request_redirect (request, LILAC_WEB_LIGHT_PREFIX "/");
    }
  else if (g_error_matches (local_error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED))
    lilac_web_light_login_show (request, SOUP_STATUS_UNAUTHORIZED,
                                lilac_web_light_request_get_field (request, "username"),
                                _("Wrong user name or password."));
  else
    lilac_web_light_request_answer_error (request, local_error);
  lilac_web_light_request_resume (request);
}

static void
lilac_web_light_login_post (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_autofree char *expected = lilac_web_light_request_get_cookie (request,
                                                                  LILAC_WEB_LIGHT_LOGIN_COOKIE);
  const char *given = lilac_web_light_request_get_field (request, "login_csrf");
  const char *username = lilac_web_light_request_get_field (request, "username");
  const char *password = lilac_web_light_request_get_field (request, "password");

  if (expected == NULL || given == NULL || !lilac_secret_equal (given, expected))
    lilac_web_light_login_show (request, SOUP_STATUS_FORBIDDEN, username,
                                _("This form is out of date or comes from another site. "
                                  "Please log in again."));
  else if (username == NULL || username[0] == '\0' || password == NULL || password[0] == '\0')
    lilac_web_light_login_show (request, SOUP_STATUS_BAD_REQUEST, username,
                                _("Please enter your user name and password."));
  else if (!lilac_web_login_reserve (request->server, request->msg, username))
    lilac_web_light_login_show (request, 429, username,
                                _("Too many failed logins; wait a minute and try again."));
  else
    {
      lilac_web_light_request_pause (request);
      lilac_web_login_async (request->server, request->msg, username, password,
                             lilac_web_light_login_done_cb, lilac_web_light_request_ref (request));
    }
}

static void
lilac_web_light_logout_post (LilacWebLightRequest *request)
{
  g_autoptr(GError) local_error = NULL;

  if (!lilac_login_store_delete (request->server->logins, request->login->id, &local_error))
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  lilac_web_light_request_add_cookie (request, LILAC_WEB_LIGHT_SESSION_COOKIE, NULL, 0);
  lilac_web_light_request_redirect (request, LILAC_WEB_LIGHT_PREFIX "/login");
  lilac_web_server_end_login (request->server, request->login->id);
}

/* only a path of the light view: never a redirect to another site */
static gboolean
lilac_web_light_login_is_local (const char *back)
{
  if (back == NULL || !g_str_has_prefix (back, LILAC_WEB_LIGHT_PREFIX) ||
      (back[2] != '/' && back[2] != '?' && back[2] != '\0'))
    return FALSE;
  for (const char *p = back; *p != '\0'; p++)
    {
      if (*p <= ' ' || *p >= 0x7f || *p == '\\')
        return FALSE;
    }
  return TRUE;
}

static void
lilac_web_light_preferences_set (LilacWebLightRequest *request)
{
  const char *code = lilac_web_light_request_get_query (request, "lang");
  const char *refresh = lilac_web_light_request_get_query (request, "refresh");
  const char *back = lilac_web_light_request_get_query (request, "back");

  if (lilac_web_language_find (code) != NULL)
    lilac_web_light_request_add_cookie (request, LILAC_WEB_LANGUAGE_COOKIE, code,
                                        LILAC_WEB_LIGHT_PREFERENCE_MAX_AGE);
  if (g_strcmp0 (refresh, "on") == 0 || g_strcmp0 (refresh, "off") == 0)
    lilac_web_light_request_add_cookie (request, LILAC_WEB_LIGHT_REFRESH_COOKIE, refresh,
                                        LILAC_WEB_LIGHT_PREFERENCE_MAX_AGE);
  lilac_web_light_request_redirect (request, lilac_web_light_login_is_local (back)
                                               ? back : LILAC_WEB_LIGHT_PREFIX "/");
}

const LilacWebLightRoute lilac_web_light_routes_login[] = {
  { "GET", "/login", lilac_web_light_login_get, 0 },
  { "POST", "/login", lilac_web_light_login_post, LILAC_WEB_LIGHT_FORM, lilac_web_light_login_fields },
  { "POST", "/logout", lilac_web_light_logout_post, LILAC_WEB_LIGHT_LOGIN | LILAC_WEB_LIGHT_FORM,
    lilac_web_light_logout_fields },
  { "GET", "/set", lilac_web_light_preferences_set, 0 },
  { NULL }
};
