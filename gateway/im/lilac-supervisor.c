/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The supervisor starts one lilac-worker per active user, each with its own
 * socketpair end as fd 3 and its own libpurple folder, and counts them.
 * Watching and restarting a worker is the worker proxy's part.
 */
#include "config.h"

#include "lilac-supervisor.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lilac-error.h"

#define LILAC_SUPERVISOR_WORKER_FD 3

struct _LilacSupervisor {
  GObject parent_instance;

  char *worker_path;   /* (owned) */
  gboolean verbose;
  LilacWorkerLimits limits;
  unsigned running;
  unsigned restarts;
};

G_DEFINE_TYPE (LilacSupervisor, lilac_supervisor, G_TYPE_OBJECT)

static void
lilac_supervisor_finalize (GObject *object)
{
  LilacSupervisor *self = LILAC_SUPERVISOR (object);

  g_free (self->worker_path);
  G_OBJECT_CLASS (lilac_supervisor_parent_class)->finalize (object);
}

static void
lilac_supervisor_class_init (LilacSupervisorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lilac_supervisor_finalize;
}

static void
lilac_supervisor_init (LilacSupervisor *self)
{
}

/**
 * lilac_supervisor_new:
 * @worker_path: the lilac-worker binary
 * @verbose: whether workers log debug messages
 *
 * Returns: (transfer full): the supervisor
 */
LilacSupervisor *
lilac_supervisor_new (const char              *worker_path,
                      gboolean                 verbose,
                      const LilacWorkerLimits *limits)
{
  LilacSupervisor *self = g_object_new (LILAC_TYPE_SUPERVISOR, NULL);

  self->worker_path = g_strdup (worker_path);
  self->verbose = verbose;
  if (limits != NULL)
    self->limits = *limits;
  return self;
}

static void
lilac_supervisor_set_limit (int      resource,
                            guint64  value)
{
  struct rlimit limit = { .rlim_cur = value, .rlim_max = value };

  if (value > 0)
    setrlimit (resource, &limit);
}

/* runs in the forked child before exec: only async-signal-safe calls */
static void
lilac_supervisor_child_setup (gpointer user_data)
{
  const LilacWorkerLimits *limits = user_data;

#if !defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer reserves terabytes of address space: no limit under it */
  lilac_supervisor_set_limit (RLIMIT_AS, (guint64) limits->memory_mib * 1024 * 1024);
#endif
  lilac_supervisor_set_limit (RLIMIT_CPU, (guint64) limits->cpu_seconds);
  lilac_supervisor_set_limit (RLIMIT_NOFILE, (guint64) limits->files);
  lilac_supervisor_set_limit (RLIMIT_CORE, 0);
}

const char *
lilac_supervisor_get_worker_path (LilacSupervisor *self)
{
  return self->worker_path;
}

static void
lilac_supervisor_exited_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(LilacSupervisor) self = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  self->running--;
}

/**
 * lilac_supervisor_spawn:
 * @self: the supervisor
 * @user_dir: the user's libpurple folder, created 0700 if missing
 * @gateway_fd: (out): the gateway's end of the socketpair
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the worker process
 */
GSubprocess *
lilac_supervisor_spawn (LilacSupervisor *self,
                        const char      *user_dir,
                        int             *gateway_fd,
                        GError         **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *fd_text = g_strdup_printf ("%d", LILAC_SUPERVISOR_WORKER_FD);
  int fds[2];

  if (g_mkdir_with_parents (user_dir, 0700) != 0)
    {
      lilac_error_set_from_errno (error, errno, "creating the user's libpurple folder");
      return NULL;
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      lilac_error_set_from_errno (error, errno, "creating a socketpair");
      return NULL;
    }
  g_ptr_array_add (argv, self->worker_path);
  g_ptr_array_add (argv, (char *) "--fd");
  g_ptr_array_add (argv, fd_text);
  g_ptr_array_add (argv, (char *) "--dir");
  g_ptr_array_add (argv, (char *) user_dir);
  if (self->verbose)
    g_ptr_array_add (argv, (char *) "--verbose");
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_child_setup (launcher, lilac_supervisor_child_setup, &self->limits,
                                         NULL);
  g_subprocess_launcher_take_fd (launcher, fds[1], LILAC_SUPERVISOR_WORKER_FD);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
  if (process == NULL)
    {
      close (fds[0]);
      return NULL;
    }
  self->running++;
  g_subprocess_wait_async (process, NULL, lilac_supervisor_exited_cb, g_object_ref (self));
  *gateway_fd = fds[0];
  return g_steal_pointer (&process);
}

unsigned
lilac_supervisor_get_running (LilacSupervisor *self)
{
  return self->running;
}

unsigned
lilac_supervisor_get_restarts (LilacSupervisor *self)
{
  return self->restarts;
}

void
lilac_supervisor_count_restart (LilacSupervisor *self)
{
  self->restarts++;
}
