/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The lightweight view, /m/: server-rendered pages with plain HTML forms
 * and no JavaScript, for old phones and text browsers.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _LilacWebServer LilacWebServer;

#define LILAC_WEB_LIGHT_PREFIX "/m"

void lilac_web_light_dispatch (LilacWebServer    *server,
                               SoupServerMessage *msg,
                               const char        *path);

G_END_DECLS
