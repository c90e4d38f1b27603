/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Starts worker processes, each with its own end of a socketpair: forked
 * from the zygote, or exec'ed. Watches them, and says when one ends.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LILAC_TYPE_SUPERVISOR (lilac_supervisor_get_type ())
G_DECLARE_FINAL_TYPE (LilacSupervisor, lilac_supervisor, LILAC, SUPERVISOR, GObject)

typedef struct {
  int memory_mib;     /* address space, 0: no limit */
  int cpu_seconds;    /* CPU time, 0: no limit */
  int files;          /* open files, 0: no limit */
} LilacWorkerLimits;

LilacSupervisor *lilac_supervisor_new (const char              *worker_path,
                                       gboolean                 verbose,
                                       const LilacWorkerLimits *limits,
                                       const char *const       *plugins,
                                       gboolean                 zygote);
void             lilac_supervisor_set_zygote_dir (LilacSupervisor *self,
                                                  const char      *dir);
void             lilac_supervisor_set_request_seconds (LilacSupervisor *self,
                                                       int              seconds);
const char      *lilac_supervisor_get_worker_path (LilacSupervisor *self);
char           **lilac_supervisor_get_protocols_argv (LilacSupervisor *self);
void             lilac_supervisor_spawn_async (LilacSupervisor    *self,
                                               const char         *user_dir,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
int              lilac_supervisor_spawn_finish (LilacSupervisor *self,
                                                GAsyncResult    *result,
                                                int             *gateway_fd,
                                                GError         **error);
void             lilac_supervisor_kill_worker (LilacSupervisor *self,
                                               int              pid);
unsigned         lilac_supervisor_get_running (LilacSupervisor *self);
unsigned         lilac_supervisor_get_restarts (LilacSupervisor *self);
void             lilac_supervisor_count_restart (LilacSupervisor *self);

G_END_DECLS
