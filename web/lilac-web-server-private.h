/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The web server's fields, for the route files of this folder.
 */
#pragma once

#include "lilac-rate-limit.h"
#include "lilac-web-listener.h"
#include "lilac-web-poll.h"
#include "lilac-web-server.h"

G_BEGIN_DECLS

struct _LilacWebServer {
  GObject parent_instance;

  SoupServer *soup;            /* (owned) */
  LilacWebSettings settings;   /* listen owned */
  LilacUserStore *users;       /* (owned) */
  LilacLoginStore *logins;     /* (owned) */
  LilacImManager *manager;     /* (owned) */
  LilacWebPoll *poll;          /* (owned) */
  LilacWebListener *listener;  /* (owned) (nullable) once listening */
  LilacRateLimit *name_failures;    /* (owned) failed logins per user name */
  LilacRateLimit *address_failures; /* (owned) failed logins per client address */
  GPtrArray *trusted_proxies;  /* (owned) of (owned) GInetAddressMask */
  int port;
  gboolean tls;
};

void lilac_web_server_end_login (LilacWebServer *self,
                                 gint64          login_id);
void lilac_web_server_end_user (LilacWebServer *self,
                                gint64          user_id);
GSocket *lilac_web_server_get_socket (LilacWebServer    *self,
                                      SoupServerMessage *msg);
gboolean lilac_web_server_check_body (SoupMessageHeaders *headers,
                                      gsize               max_body,
                                      GError            **error);
char    *lilac_web_server_resolve_client (GPtrArray    *trusted_proxies,
                                          GInetAddress *peer,
                                          const char   *forwarded);
char    *lilac_web_server_get_client_address (LilacWebServer    *self,
                                              SoupServerMessage *msg);
void lilac_web_route_session_set_cookie (LilacWebRequest *request,
                                         const char      *token);

G_END_DECLS
