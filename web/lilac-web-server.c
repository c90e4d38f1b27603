/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The libsoup server: one listening socket with a deep backlog (browsers
 * reconnect all at once after a restart), body limits enforced from the
 * headers before a body is read, and the split between /healthz, the API
 * router, the light view and the browser page.
 */
#include "config.h"

#include "lilac-web-server-private.h"

#include "lilac-error.h"
#include "lilac-metrics.h"
#include "lilac-web-light.h"
#include "lilac-web-response.h"
#include "lilac-web-router.h"
#include "lilac-web-static.h"

#define LILAC_WEB_API_PREFIX "/api/v1"

G_DEFINE_TYPE (LilacWebServer, lilac_web_server, G_TYPE_OBJECT)

static void
lilac_web_server_dispose (GObject *object)
{
  LilacWebServer *self = LILAC_WEB_SERVER (object);

  lilac_web_server_stop (self);
  g_clear_object (&self->poll);
  g_clear_object (&self->listener);
  g_clear_object (&self->soup);
  G_OBJECT_CLASS (lilac_web_server_parent_class)->dispose (object);
}

static void
lilac_web_server_finalize (GObject *object)
{
  LilacWebServer *self = LILAC_WEB_SERVER (object);

  g_clear_object (&self->users);
  g_clear_object (&self->logins);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->name_failures, lilac_rate_limit_free);
  g_clear_pointer (&self->address_failures, lilac_rate_limit_free);
  g_clear_pointer (&self->trusted_proxies, g_ptr_array_unref);
  g_free ((char *) self->settings.listen);
  g_free ((char *) self->settings.tls_certificate);
  g_free ((char *) self->settings.tls_key);
  G_OBJECT_CLASS (lilac_web_server_parent_class)->finalize (object);
}

static void
lilac_web_server_class_init (LilacWebServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lilac_web_server_dispose;
  object_class->finalize = lilac_web_server_finalize;
}

static void
lilac_web_server_init (LilacWebServer *self)
{
}

/**
 * lilac_web_server_check_body:
 * @headers: the headers of a request (not an upload)
 * @max_body: the largest body taken
 * @error: return location for a #GError
 *
 * Returns: whether the body the headers announce may be read: a
 *   Content-Length within the limit, or none
 */
gboolean
lilac_web_server_check_body (SoupMessageHeaders *headers,
                             gsize               max_body,
                             GError            **error)
{
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  if (encoding == SOUP_ENCODING_CHUNKED)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "send the request body with a Content-Length");
      return FALSE;
    }
  if (encoding == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) soup_message_headers_get_content_length (headers) > max_body)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                   "the request body is larger than %" G_GSIZE_FORMAT " bytes", max_body);
      return FALSE;
    }
  return TRUE;
}

/* runs once the headers are in, before the body is read: refuse bodies we would not take */
static void
lilac_web_server_early_cb (SoupServer        *soup,
                           SoupServerMessage *msg,
                           const char        *path,
                           GHashTable        *query,
                           gpointer           user_data)
{
  LilacWebServer *self = LILAC_WEB_SERVER (user_data);
  g_autoptr(GError) refused = NULL;

  /* uploads: limits of their own, and their bodies stream into the store */
  if (g_str_equal (path, LILAC_WEB_API_PREFIX "/transfers") &&
      g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      lilac_web_route_transfers_early (self, msg);
      return;
    }
  if (!lilac_web_server_check_body (soup_server_message_get_request_headers (msg),
                                    self->settings.max_body, &refused))
    lilac_web_response_refuse_early (msg, lilac_web_server_get_socket (self, msg), refused);
}

static void
lilac_web_server_handle_cb (SoupServer        *soup,
                            SoupServerMessage *msg,
                            const char        *path,
                            GHashTable        *query,
                            gpointer           user_data)
{
  LilacWebServer *self = LILAC_WEB_SERVER (user_data);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* on every answer; the page and the light view narrow the policy further */
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'none'; frame-ancestors 'none'");
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  if (g_str_equal (path, "/healthz"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
      return;
    }
  if (g_str_equal (path, "/metrics"))
    {
      lilac_web_router_dispatch (self, msg, path);
      return;
    }
  if (g_str_has_prefix (path, LILAC_WEB_API_PREFIX "/"))
    {
      lilac_web_router_dispatch (self, msg, path + strlen (LILAC_WEB_API_PREFIX));
      return;
    }
  if (g_str_equal (path, LILAC_WEB_LIGHT_PREFIX) || g_str_has_prefix (path, LILAC_WEB_LIGHT_PREFIX "/"))
    {
      lilac_web_light_dispatch (self, msg, path);
      return;
    }
  lilac_web_static_serve (self, msg, path);
}

static void
lilac_web_server_finished_cb (SoupServer        *soup,
                              SoupServerMessage *msg,
                              gpointer           user_data)
{
  lilac_metrics_add (LILAC_METRIC_HTTP_REQUESTS, 1);
  if (soup_server_message_get_status (msg) >= 500)
    lilac_metrics_add (LILAC_METRIC_HTTP_ERRORS, 1);
}

/**
 * lilac_web_server_new:
 * @settings: (transfer none): where to listen and the limits
 * @users: the user store
 * @logins: the login store
 * @manager: the IM sessions
 *
 * Returns: (transfer full): a server, not yet listening
 */
LilacWebServer *
lilac_web_server_new (const LilacWebSettings *settings,
                      LilacUserStore         *users,
                      LilacLoginStore        *logins,
                      LilacImManager         *manager)
{
  LilacWebServer *self = g_object_new (LILAC_TYPE_WEB_SERVER, NULL);

  self->settings = *settings;
  self->settings.listen = g_strdup (settings->listen);
  self->settings.tls_certificate = g_strdup (settings->tls_certificate);
  self->settings.tls_key = g_strdup (settings->tls_key);
  self->settings.trusted_proxies = NULL;
  self->trusted_proxies = g_ptr_array_new_with_free_func (g_object_unref);
  for (unsigned i = 0; settings->trusted_proxies != NULL && settings->trusted_proxies[i] != NULL; i++)
    {
      GInetAddressMask *mask = g_inet_address_mask_new_from_string (settings->trusted_proxies[i],
                                                                    NULL);

      if (mask != NULL)
        g_ptr_array_add (self->trusted_proxies, mask);
    }
  self->name_failures = lilac_rate_limit_new ((unsigned) MAX (settings->login_failures, 1),
                                              60 * G_USEC_PER_SEC);
  self->address_failures = lilac_rate_limit_new ((unsigned) MAX (settings->login_failures, 1),
                                                 60 * G_USEC_PER_SEC);
  self->users = g_object_ref (users);
  self->logins = g_object_ref (logins);
  self->manager = g_object_ref (manager);
  self->poll = lilac_web_poll_new (self);
  self->soup = soup_server_new ("server-header", "lilac/" PACKAGE_VERSION, NULL);
  /* every request: the early handler limits bodies before they are read */
  soup_server_add_early_handler (self->soup, NULL, lilac_web_server_early_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, lilac_web_server_handle_cb, self, NULL);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (lilac_web_server_finished_cb), NULL);
  return self;
}

/**
 * lilac_web_server_listen:
 * @self: the server
 * @error: return location for a #GError
 *
 * Starts listening; with port 0, lilac_web_server_get_port() tells the port.
 */
gboolean
lilac_web_server_listen (LilacWebServer *self,
                         GError        **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;

  if (self->settings.tls_certificate != NULL)
    {
      certificate = g_tls_certificate_new_from_files (self->settings.tls_certificate,
                                                      self->settings.tls_key, error);
      if (certificate == NULL)
        {
          g_prefix_error (error, "loading the TLS certificate: ");
          return FALSE;
        }
      self->tls = TRUE;
    }
  self->listener = lilac_web_listener_new (self->soup, certificate,
                                           (unsigned) self->settings.max_per_address,
                                           (unsigned) self->settings.header_seconds,
                                           (unsigned) self->settings.request_seconds);
  self->port = lilac_web_listener_listen (self->listener, self->settings.listen,
                                          self->settings.port, error);
  return self->port != 0;
}

int
lilac_web_server_get_port (LilacWebServer *self)
{
  return self->port;
}

/**
 * lilac_web_server_get_socket:
 *
 * Returns: (transfer none) (nullable): the socket of the connection of @msg
 */
GSocket *
lilac_web_server_get_socket (LilacWebServer    *self,
                             SoupServerMessage *msg)
{
  return self->listener != NULL ? lilac_web_listener_get_socket (self->listener, msg) : NULL;
}

static gboolean
lilac_web_server_is_trusted_proxy (GPtrArray    *trusted_proxies,
                                   GInetAddress *address)
{
  for (unsigned i = 0; i < trusted_proxies->len; i++)
    {
      if (g_inet_address_mask_matches (trusted_proxies->pdata[i], address))
        return TRUE;
    }
  return FALSE;
}

/**
 * lilac_web_server_resolve_client:
 * @trusted_proxies: (element-type GInetAddressMask): the reverse proxies
 * @peer: the address a request came from
 * @forwarded: (nullable): its X-Forwarded-For
 *
 * The address of the client: @peer, or, when @peer is a trusted proxy, the
 * right-most address of @forwarded that is not itself a trusted proxy
 * (every proxy appends the address it was connected from; what a client
 * wrote itself stands further left and is not believed).
 *
 * Returns: (transfer full): the address as text
 */
char *
lilac_web_server_resolve_client (GPtrArray    *trusted_proxies,
                                 GInetAddress *peer,
                                 const char   *forwarded)
{
  g_autoptr(GInetAddress) client = g_object_ref (peer);
  g_auto(GStrv) hops = NULL;
  unsigned count;

  if (forwarded == NULL || !lilac_web_server_is_trusted_proxy (trusted_proxies, client))
    return g_inet_address_to_string (client);
  hops = g_strsplit (forwarded, ",", -1);
  count = g_strv_length (hops);
  while (count > 0 && lilac_web_server_is_trusted_proxy (trusted_proxies, client))
    {
      GInetAddress *hop = g_inet_address_new_from_string (g_strstrip (hops[--count]));

      /* not an address: the nearest hop that is one stands for the client */
      if (hop == NULL)
        break;
      g_object_unref (client);
      client = hop;
    }
  return g_inet_address_to_string (client);
}

/**
 * lilac_web_server_get_client_address:
 * @self: the server
 * @msg: a request
 *
 * The address of the client that sent @msg, as
 * lilac_web_server_resolve_client() finds it.
 *
 * Returns: (transfer full): the address as text, "" when not an IP
 */
char *
lilac_web_server_get_client_address (LilacWebServer    *self,
                                     SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return g_strdup ("");
  return lilac_web_server_resolve_client (self->trusted_proxies,
                                          g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)),
                                          soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                                         "X-Forwarded-For"));
}

/**
 * lilac_web_server_end_login:
 *
 * A login ended (logout, revoked): its held polls answer 401 now.
 */
void
lilac_web_server_end_login (LilacWebServer *self,
                            gint64          login_id)
{
  lilac_web_poll_end (self->poll, login_id, 0);
}

/**
 * lilac_web_server_end_user:
 *
 * A user's logins all ended (deleted, password reset): their polls answer 401.
 */
void
lilac_web_server_end_user (LilacWebServer *self,
                           gint64          user_id)
{
  lilac_web_poll_end (self->poll, 0, user_id);
}

/**
 * lilac_web_server_stop:
 *
 * Answers the held polls and stops listening.
 */
void
lilac_web_server_stop (LilacWebServer *self)
{
  if (self->poll != NULL)
    lilac_web_poll_release_all (self->poll);
  if (self->listener != NULL)
    lilac_web_listener_stop (self->listener);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
}
