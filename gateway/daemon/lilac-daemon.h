/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The composition root: builds the store, the account stores, the IM
 * sessions and the web server from the configuration, and wires them.
 */
#pragma once

#include <glib-object.h>

#include "lilac-config.h"
#include "lilac-user-store.h"

G_BEGIN_DECLS

#define LILAC_TYPE_DAEMON (lilac_daemon_get_type ())
G_DECLARE_FINAL_TYPE (LilacDaemon, lilac_daemon, LILAC, DAEMON, GObject)

LilacDaemon    *lilac_daemon_new (LilacConfig *config);
gboolean        lilac_daemon_open_store (LilacDaemon *self,
                                         GError     **error);
gboolean        lilac_daemon_setup (LilacDaemon *self,
                                    GError     **error);
gboolean        lilac_daemon_start (LilacDaemon *self,
                                    GError     **error);
void            lilac_daemon_stop (LilacDaemon *self);
LilacUserStore *lilac_daemon_get_users (LilacDaemon *self);
char           *lilac_daemon_find_worker (const LilacConfig *config);

G_END_DECLS
