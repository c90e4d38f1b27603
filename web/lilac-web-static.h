/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The browser page: `/` and the files it loads, embedded in the binary and
 * served under a versioned path with long cache lifetimes.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _LilacWebServer LilacWebServer;

#define LILAC_WEB_STATIC_PREFIX "/static/"

void lilac_web_static_serve (LilacWebServer    *server,
                             SoupServerMessage *msg,
                             const char        *path);

G_END_DECLS
