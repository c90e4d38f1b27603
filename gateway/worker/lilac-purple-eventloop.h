/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * libpurple's timers and socket watches on the GLib main loop.
 */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

PurpleEventLoopUiOps *lilac_purple_eventloop_get_ui_ops (void);
void                  lilac_purple_eventloop_defer (void);
void                  lilac_purple_eventloop_attach (void);
void                  lilac_purple_eventloop_clear (void);

G_END_DECLS
