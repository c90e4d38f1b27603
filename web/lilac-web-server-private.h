/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The web server's fields, for the route files of this folder.
 */
#pragma once

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
  int port;
};

G_END_DECLS
