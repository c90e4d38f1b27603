/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The gateway's handle on one user's worker: starts it, speaks the wire
 * protocol with it, watches it with a heartbeat and restarts it with backoff.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lilac-supervisor.h"
#include "lilac-wire-protocol.h"

G_BEGIN_DECLS

typedef enum {
  LILAC_WORKER_STOPPED,
  LILAC_WORKER_STARTING,
  LILAC_WORKER_RUNNING,
  LILAC_WORKER_RESTARTING,
} LilacWorkerState;

#define LILAC_TYPE_WORKER_PROXY (lilac_worker_proxy_get_type ())
G_DECLARE_FINAL_TYPE (LilacWorkerProxy, lilac_worker_proxy, LILAC, WORKER_PROXY, GObject)

LilacWorkerProxy *lilac_worker_proxy_new (LilacSupervisor *supervisor,
                                          const char      *user_dir,
                                          int              heartbeat_seconds);
void              lilac_worker_proxy_start (LilacWorkerProxy *self);
void              lilac_worker_proxy_stop (LilacWorkerProxy *self);
LilacWorkerState  lilac_worker_proxy_get_state (LilacWorkerProxy *self);
const char       *lilac_worker_state_to_string (LilacWorkerState state);
unsigned          lilac_worker_proxy_get_restarts (LilacWorkerProxy *self);
int               lilac_worker_proxy_get_pid (LilacWorkerProxy *self);
gboolean          lilac_worker_proxy_send (LilacWorkerProxy *self,
                                           LilacWireType     type,
                                           JsonObject       *body,
                                           GError          **error);
void              lilac_worker_proxy_request_async (LilacWorkerProxy   *self,
                                                    LilacWireType       type,
                                                    JsonObject         *body,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
void              lilac_worker_proxy_request_fd_async (LilacWorkerProxy   *self,
                                                       LilacWireType       type,
                                                       JsonObject         *body,
                                                       int                 fd,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
JsonObject       *lilac_worker_proxy_request_finish (LilacWorkerProxy *self,
                                                     GAsyncResult     *result,
                                                     GError          **error);

G_END_DECLS
