/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The gateway's listening socket: connections accepted under caps and
 * handed to libsoup, and deadlines for every request's headers and body.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define LILAC_TYPE_WEB_LISTENER (lilac_web_listener_get_type ())
G_DECLARE_FINAL_TYPE (LilacWebListener, lilac_web_listener, LILAC, WEB_LISTENER, GObject)

LilacWebListener *lilac_web_listener_new (SoupServer      *soup,
                                          GTlsCertificate *tls,
                                          unsigned         max_per_address,
                                          unsigned         header_seconds,
                                          unsigned         request_seconds);
int               lilac_web_listener_listen (LilacWebListener *self,
                                             const char       *address,
                                             int               port,
                                             GError          **error);
void              lilac_web_listener_stop (LilacWebListener *self);
void              lilac_web_listener_adopt (LilacWebListener *self,
                                            int               fd);
unsigned          lilac_web_listener_get_connections (LilacWebListener *self);
GSocket          *lilac_web_listener_get_socket (LilacWebListener  *self,
                                                 SoupServerMessage *msg);

G_END_DECLS
