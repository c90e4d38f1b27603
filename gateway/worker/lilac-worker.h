/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * LilacWorker: the worker's end of the wire. It runs the libpurple core,
 * answers the gateway's requests and forwards the core's events.
 */
#pragma once

#include <glib-object.h>

#include "lilac-purple-core.h"

G_BEGIN_DECLS

#define LILAC_TYPE_WORKER (lilac_worker_get_type ())
G_DECLARE_FINAL_TYPE (LilacWorker, lilac_worker, LILAC, WORKER, GObject)

LilacWorker *lilac_worker_new (int         fd,
                               const char *user_dir);
LilacWorker *lilac_worker_new_forked (int              fd,
                                      const char      *user_dir,
                                      LilacPurpleCore *core);
gboolean     lilac_worker_start (LilacWorker *self,
                                 GError     **error);
void         lilac_worker_stop (LilacWorker *self);
gboolean     lilac_worker_is_running (LilacWorker *self);

char        *lilac_worker_describe_protocols (GError **error);

G_END_DECLS
