/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The HTTP server of the gateway (libsoup 3): the API, long polling, and
 * what the browser loads.
 */
#pragma once

#include <gio/gio.h>

#include "lilac-im-manager.h"
#include "lilac-login.h"
#include "lilac-user-store.h"

G_BEGIN_DECLS

typedef struct {
  const char *listen;        /* address to listen on */
  int port;                  /* 0 picks a free port */
  gsize max_body;            /* bytes of a JSON request body */
  gsize max_message;         /* bytes of a message's text */
  int poll_timeout;          /* default seconds a poll is held */
  int poll_timeout_max;
  gboolean registration;     /* anyone may POST /users */
  int login_failures;        /* failed logins a minute per name and per address */
  int session_days;          /* the cookie's lifetime */
  const char *tls_certificate; /* (nullable) PEM file: serve HTTPS */
  const char *tls_key;       /* (nullable) */
  int max_per_address;       /* connections per client address (loopback excepted), 0: no cap */
  int header_seconds;        /* time a request has to send its headers */
  int request_seconds;       /* time a request's body may stall, or its answer wait unread */
  const char *const *trusted_proxies; /* (nullable) reverse proxies (addresses, networks) whose
                                       * X-Forwarded-For names the client; not kept */
} LilacWebSettings;

#define LILAC_TYPE_WEB_SERVER (lilac_web_server_get_type ())
G_DECLARE_FINAL_TYPE (LilacWebServer, lilac_web_server, LILAC, WEB_SERVER, GObject)

LilacWebServer *lilac_web_server_new (const LilacWebSettings *settings,
                                      LilacUserStore         *users,
                                      LilacLoginStore        *logins,
                                      LilacImManager         *manager);
gboolean        lilac_web_server_listen (LilacWebServer *self,
                                         GError        **error);
int             lilac_web_server_get_port (LilacWebServer *self);
void            lilac_web_server_stop (LilacWebServer *self);

G_END_DECLS
