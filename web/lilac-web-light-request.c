/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A request of the light view and the ways to answer it: a page in the
 * layout (with the headers every light page has), a redirect after a POST,
 * a message or error page.
 */
#include "config.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-web-light-private.h"
#include "lilac-web-response.h"
#include "lilac-web-server-private.h"

#define LILAC_WEB_LIGHT_CSP "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; " \
                            "frame-ancestors 'none'; base-uri 'none'"

/* --------------------------------------------------------------- Requests */

static void
lilac_web_light_request_clear (gpointer data)
{
  LilacWebLightRequest *request = data;

  g_clear_object (&request->msg);
  g_clear_pointer (&request->path, g_free);
  g_clear_pointer (&request->query, g_hash_table_unref);
  g_clear_pointer (&request->form, g_hash_table_unref);
  for (unsigned i = 0; i < LILAC_WEB_LIGHT_MAX_PARAMS; i++)
    g_clear_pointer (&request->params[i], g_free);
  g_clear_pointer (&request->login, lilac_login_free);
  g_clear_object (&request->session);
}

/**
 * lilac_web_light_request_new:
 * @server: the server
 * @msg: a request under /m
 * @path: its path below /m
 *
 * Returns: (transfer full): the request, in the reader's language
 */
LilacWebLightRequest *
lilac_web_light_request_new (LilacWebServer    *server,
                             SoupServerMessage *msg,
                             const char        *path)
{
  LilacWebLightRequest *request = g_rc_box_new0 (LilacWebLightRequest);
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  const char *accept = NULL;
  g_autofree char *cookie = NULL;

  request->server = server;
  request->msg = g_object_ref (msg);
  request->path = g_strdup (path);
  if (query != NULL)
    request->query = soup_form_decode (query);
  cookie = lilac_web_light_request_get_cookie (request, LILAC_WEB_LANGUAGE_COOKIE);
  accept = lilac_web_light_request_get_header (request, "Accept-Language");
  request->language = lilac_web_language_choose (cookie, accept);
  return request;
}

LilacWebLightRequest *
lilac_web_light_request_ref (LilacWebLightRequest *request)
{
  return g_rc_box_acquire (request);
}

void
lilac_web_light_request_unref (LilacWebLightRequest *request)
{
  if (request != NULL)
    g_rc_box_release_full (request, lilac_web_light_request_clear);
}

/**
 * lilac_web_light_request_pause:
 *
 * Keeps the request open after its handler returns, for an answer that
 * comes later (then lilac_web_light_request_resume()).
 */
void
lilac_web_light_request_pause (LilacWebLightRequest *request)
{
  if (request->paused)
    return;
  request->paused = TRUE;
  soup_server_message_pause (request->msg);
}

void
lilac_web_light_request_resume (LilacWebLightRequest *request)
{
  if (!request->paused)
    return;
  request->paused = FALSE;
  soup_server_message_unpause (request->msg);
}

const char *
lilac_web_light_request_get_query (LilacWebLightRequest *request,
                                   const char           *name)
{
  return request->query != NULL ? g_hash_table_lookup (request->query, name) : NULL;
}

const char *
lilac_web_light_request_get_field (LilacWebLightRequest *request,
                                   const char           *name)
{
  return request->form != NULL ? g_hash_table_lookup (request->form, name) : NULL;
}

const char *
lilac_web_light_request_get_header (LilacWebLightRequest *request,
                                    const char           *name)
{
  return soup_message_headers_get_one (soup_server_message_get_request_headers (request->msg),
                                       name);
}

/**
 * lilac_web_light_request_get_cookie:
 *
 * Returns: (transfer full) (nullable): the value of a cookie the request sent
 */
char *
lilac_web_light_request_get_cookie (LilacWebLightRequest *request,
                                    const char           *name)
{
  const char *header = lilac_web_light_request_get_header (request, "Cookie");
  g_autoptr(GHashTable) cookies = NULL;

  if (header == NULL)
    return NULL;
  cookies = soup_header_parse_semi_param_list (header);
  return g_strdup (g_hash_table_lookup (cookies, name));
}

/* the CSRF token the forms of this request's page carry */
const char *
lilac_web_light_request_get_csrf (LilacWebLightRequest *request)
{
  return request->login != NULL ? request->login->csrf : "";
}

/**
 * lilac_web_light_request_get_here:
 *
 * Returns: (transfer full): the path and query of a GET, to come back to;
 *   the home page for anything else
 */
char *
lilac_web_light_request_get_here (LilacWebLightRequest *request)
{
  GUri *uri = soup_server_message_get_uri (request->msg);
  const char *query = g_uri_get_query (uri);

  if (!g_str_equal (soup_server_message_get_method (request->msg), "GET"))
    return g_strdup (LILAC_WEB_LIGHT_PREFIX "/");
  return g_strconcat (g_uri_get_path (uri), query != NULL ? "?" : "", query, NULL);
}

/**
 * lilac_web_light_request_add_cookie:
 * @name: the cookie
 * @value: (nullable): its value; %NULL removes it
 * @max_age: seconds it is kept
 *
 * Sets a cookie for the whole gateway: HttpOnly, SameSite=Strict, and
 * Secure when the gateway serves TLS, as the API's login cookie.
 */
void
lilac_web_light_request_add_cookie (LilacWebLightRequest *request,
                                    const char           *name,
                                    const char           *value,
                                    int                   max_age)
{
  g_autofree char *cookie = g_strdup_printf ("%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
                                             name, value != NULL ? value : "",
                                             value != NULL ? max_age : 0,
                                             request->server->tls ? "; Secure" : "");

  soup_message_headers_append (soup_server_message_get_response_headers (request->msg),
                               "Set-Cookie", cookie);
}

/* ----------------------------------------------------------------- Answers */

static void
lilac_web_light_request_set_headers (LilacWebLightRequest *request)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (request->msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Content-Security-Policy", LILAC_WEB_LIGHT_CSP);
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Content-Language", request->language->tag);
}

void
lilac_web_light_page_clear (LilacWebLightPage *page)
{
  g_clear_pointer (&page->body, lilac_web_html_free);
  g_clear_pointer (&page->notice, lilac_web_html_free);
}

static LilacWebHtml *
lilac_web_light_request_languages (LilacWebLightRequest *request)
{
  LilacWebHtml *html = lilac_web_html_new ();
  g_autofree char *here = lilac_web_light_request_get_here (request);
  guint n_languages = 0;
  const LilacWebLanguage *languages = lilac_web_language_get_all (&n_languages);

  for (guint i = 0; i < n_languages; i++)
    {
      g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
      g_autofree char *href = lilac_web_light_url (LILAC_WEB_LIGHT_PREFIX "/set", "lang",
                                                   languages[i].code, "back", here, NULL);

      if (i > 0)
        lilac_web_html_append_text (html, " | ");
      lilac_web_slots_set_text (slots, "href", href);
      lilac_web_slots_set_text (slots, "tag", languages[i].tag);
      lilac_web_slots_set_text (slots, "name", languages[i].name);
      lilac_web_template_append (&languages[i] == request->language ? "language-current"
                                                                       : "language-link",
                                 slots, html);
    }
  return html;
}

static LilacWebHtml *
lilac_web_light_request_nav (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  LilacWebHtml *html = lilac_web_html_new ();

  lilac_web_slots_set_text (slots, "home", _("Home"));
  lilac_web_slots_set_text (slots, "buddies", _("Buddies"));
  lilac_web_slots_set_text (slots, "new", _("New chat"));
  lilac_web_template_append ("nav", slots, html);
  return html;
}

/**
 * lilac_web_light_request_answer_page:
 * @request: the request
 * @status: the HTTP status
 * @page: the page: its title and body, filled into the layout
 *
 * Answers with the page, as HTML that nothing may script or frame.
 */
void
lilac_web_light_request_answer_page (LilacWebLightRequest *request,
                                     unsigned              status,
                                     LilacWebLightPage    *page)
{
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  g_autoptr(LilacWebHtml) html = lilac_web_html_new ();
  GBytes *bytes;

  lilac_web_slots_set_text (slots, "lang", request->language->tag);
  lilac_web_slots_set_text (slots, "title", page->title);
  if (page->refresh > 0)
    {
      g_autoptr(LilacWebSlots) refresh = lilac_web_slots_new ();
      LilacWebHtml *meta = lilac_web_html_new ();

      lilac_web_slots_set_printf (refresh, "seconds", "%d", page->refresh);
      lilac_web_template_append ("refresh", refresh, meta);
      lilac_web_slots_take_html (slots, "refresh", meta);
    }
  if (!page->no_nav && request->login != NULL)
    lilac_web_slots_take_html (slots, "nav", lilac_web_light_request_nav (request));
  if (page->notice != NULL)
    lilac_web_slots_take_html (slots, "notice", g_steal_pointer (&page->notice));
  if (page->body != NULL)
    lilac_web_slots_take_html (slots, "body", g_steal_pointer (&page->body));
  lilac_web_slots_take_html (slots, "languages", lilac_web_light_request_languages (request));
  lilac_web_template_append ("layout", slots, html);

  lilac_web_light_request_set_headers (request);
  soup_server_message_set_status (request->msg, status, NULL);
  bytes = lilac_web_html_free_to_bytes (g_steal_pointer (&html));
  soup_server_message_set_response (request->msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_bytes_unref (bytes);
}

/**
 * lilac_web_light_request_redirect:
 * @location: a path of the light view
 *
 * Answers 303 See Other: after a POST, the browser GETs @location.
 */
void
lilac_web_light_request_redirect (LilacWebLightRequest *request,
                                  const char           *location)
{
  lilac_web_light_request_set_headers (request);
  /* a relative reference: behind a reverse proxy, the gateway does not know the public URL */
  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                "Location", location);
  soup_server_message_set_status (request->msg, SOUP_STATUS_SEE_OTHER, NULL);
}

/**
 * lilac_web_light_request_answer_message:
 * @title: the page's title
 * @text: (nullable): what happened, and what to do
 *
 * A page that only says something, with a link back to the home page.
 */
void
lilac_web_light_request_answer_message (LilacWebLightRequest *request,
                                        unsigned              status,
                                        const char           *title,
                                        const char           *text)
{
  const LilacWebLanguage *language = request->language;
  g_auto(LilacWebLightPage) page = { title, lilac_web_html_new () };
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();

  lilac_web_slots_set_text (slots, "text", text);
  lilac_web_slots_set_text (slots, "back", _("Back to the start"));
  lilac_web_template_append ("message", slots, page.body);
  lilac_web_light_request_answer_page (request, status, &page);
}

static const char *
lilac_web_light_request_error_title (unsigned                status,
                                     const LilacWebLanguage *language)
{
  switch (status)
    {
    case SOUP_STATUS_FORBIDDEN:
      return _("Not allowed");
    case SOUP_STATUS_NOT_FOUND:
      return _("Not found");
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      return _("Too large");
    case 429:
      return _("Too many attempts");
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
      return _("Not available right now");
    case SOUP_STATUS_INTERNAL_SERVER_ERROR:
      return _("Something went wrong");
    default:
      return _("That did not work");
    }
}

/**
 * lilac_web_light_request_answer_error:
 * @error: what went wrong
 *
 * An error page with the status lilac_web_response_status_for_error() gives.
 * Internal errors are logged and shown without their details.
 */
void
lilac_web_light_request_answer_error (LilacWebLightRequest *request,
                                      const GError         *error)
{
  const LilacWebLanguage *language = request->language;
  unsigned status = lilac_web_response_status_for_error (error);
  const char *text = error->message;

  if (status == SOUP_STATUS_INTERNAL_SERVER_ERROR)
    {
      g_message ("internal error answering %s %s: %s", soup_server_message_get_method (request->msg),
                 g_uri_get_path (soup_server_message_get_uri (request->msg)), error->message);
      text = _("Lilac could not do this. Please try again later.");
    }
  lilac_web_light_request_answer_message (request, status,
                                          lilac_web_light_request_error_title (status, language),
                                          text);
}
