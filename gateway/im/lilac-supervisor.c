/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The supervisor starts one lilac-worker per active user, each with its own
 * socketpair end and its own libpurple folder, and watches it until it ends.
 * Watching the worker's wire channel and restarting it is the worker proxy's
 * part; this object only makes processes and says when one ended
 * ("worker-exited").
 *
 * Workers are forked from the zygote (lilac-worker --zygote, shared/
 * DESIGN.md), started here with GSubprocessLauncher and its control socket
 * as fd 3, watched with g_subprocess_wait_async() and restarted with backoff
 * (1 s doubling to 60 s) when it dies. A spawn asks it to FORK, passing the
 * worker's end of a new socketpair (SCM_RIGHTS); it answers with the pid.
 * The zygote reports each child's end (worker.exited, with its status); each
 * forked worker is also watched through a pidfd, so that a worker that
 * outlives its zygote (which does not take its children down with it) is
 * still seen to end: when the pidfd says so and no report follows within a
 * second, the worker ended without one. A worker is killed through its
 * pidfd, never by a pid that may have been reused.
 *
 * When the zygote is off ([workers] zygote = false) or waiting to be
 * restarted, workers are exec'ed with their limits applied in a child_setup
 * function, and watched as GSubprocesses.
 */
#include "config.h"

#include "lilac-supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib-unix.h>

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-wire.h"

#define LILAC_SUPERVISOR_WORKER_FD 3
/* how long a forked worker's end waits for the zygote's report */
#define LILAC_SUPERVISOR_REPORT_GRACE_MS 1000
#define LILAC_SUPERVISOR_ZYGOTE_BACKOFF_MAX_MS 60000u
#define LILAC_SUPERVISOR_ZYGOTE_STABLE_US (60 * G_USEC_PER_SEC)
/* a zygote that has not said hello by then is given up */
#define LILAC_SUPERVISOR_ZYGOTE_START_TIMEOUT_S 30

/* a worker process until it ends */
typedef struct {
  LilacSupervisor *supervisor;  /* (unowned) */
  int pid;
  int pidfd;                    /* (owned) -1 if the kernel gave none */
  GSubprocess *process;         /* (owned) (nullable) an exec'ed worker */
  guint pidfd_id;               /* a forked worker's end */
  guint grace_id;               /* waiting for the zygote's report */
} LilacSupervisorWorker;

/* a spawn in progress */
typedef struct {
  char *user_dir;               /* (owned) */
  int gateway_fd;               /* (owned) -1 once taken */
  int worker_fd;                /* (owned) -1 once handed over */
} LilacSupervisorSpawn;

struct _LilacSupervisor {
  GObject parent_instance;

  char *worker_path;            /* (owned) */
  char *zygote_dir;             /* (owned) (nullable) the zygote's libpurple folder */
  int request_seconds;          /* what workers give a request to be answered, 0: their default */
  gboolean verbose;
  LilacWorkerLimits limits;
  char **plugin_dirs;           /* (owned) Lilac's plugin folders */
  char **plugins;               /* (owned) (nullable) operator's plugin ids */
  gboolean use_zygote;
  GHashTable *workers;          /* (owned) pid -> (owned) LilacSupervisorWorker */
  GCancellable *cancellable;    /* (owned) cancelled when disposed */
  unsigned restarts;

  GSubprocess *zygote;          /* (owned) (nullable) */
  LilacWireChannel *control;    /* (owned) (nullable) the zygote's control socket */
  gboolean zygote_ready;        /* its HELLO came */
  gint64 zygote_started;        /* monotonic us */
  unsigned zygote_failures;     /* consecutive short-lived zygotes */
  guint zygote_restart_id;
  guint zygote_timeout_id;      /* the zygote's hello is late */
  GQueue waiting;               /* (owned) GTask: spawns waiting for the zygote's HELLO */
};

G_DEFINE_TYPE (LilacSupervisor, lilac_supervisor, G_TYPE_OBJECT)

enum {
  SIGNAL_WORKER_EXITED,
  N_SIGNALS
};

static guint lilac_supervisor_signals[N_SIGNALS];

static void lilac_supervisor_exec_spawn (LilacSupervisor *self,
                                         GTask           *task);

/* ------------------------------------------------------------- Workers */

static void
lilac_supervisor_spawn_free (LilacSupervisorSpawn *spawn)
{
  if (spawn->gateway_fd >= 0)
    close (spawn->gateway_fd);
  if (spawn->worker_fd >= 0)
    close (spawn->worker_fd);
  g_free (spawn->user_dir);
  g_free (spawn);
}

static void
lilac_supervisor_worker_free (LilacSupervisorWorker *worker)
{
  g_clear_handle_id (&worker->pidfd_id, g_source_remove);
  g_clear_handle_id (&worker->grace_id, g_source_remove);
  if (worker->pidfd >= 0)
    close (worker->pidfd);
  g_clear_object (&worker->process);
  g_free (worker);
}

/* the worker @pid ended: forget it and say so */
static void
lilac_supervisor_worker_ended (LilacSupervisor *self,
                               int              pid,
                               const char      *why)
{
  if (!g_hash_table_remove (self->workers, GINT_TO_POINTER (pid)))
    return;
  g_debug ("worker %d %s", pid, why);
  g_signal_emit (self, lilac_supervisor_signals[SIGNAL_WORKER_EXITED], 0, pid, why);
}

static char *
lilac_supervisor_describe_exit (gboolean signaled,
                                int      value)
{
  if (signaled)
    return g_strdup_printf ("was killed by signal %d", value);
  return g_strdup_printf ("exited with status %d", value);
}

static gboolean
lilac_supervisor_grace_cb (gpointer user_data)
{
  LilacSupervisorWorker *worker = user_data;

  worker->grace_id = 0;
  lilac_supervisor_worker_ended (worker->supervisor, worker->pid,
                                 "ended (its zygote did not say how)");
  return G_SOURCE_REMOVE;
}

static gboolean
lilac_supervisor_pidfd_cb (int          fd,
                           GIOCondition condition,
                           gpointer     user_data)
{
  LilacSupervisorWorker *worker = user_data;

  worker->pidfd_id = 0;
  worker->grace_id = g_timeout_add (LILAC_SUPERVISOR_REPORT_GRACE_MS, lilac_supervisor_grace_cb,
                                    worker);
  return G_SOURCE_REMOVE;
}

static void
lilac_supervisor_exec_exited_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LilacSupervisor) self = user_data;
  GSubprocess *process = G_SUBPROCESS (source);
  g_autofree char *why = NULL;
  GHashTableIter iter;
  gpointer value;

  if (!g_subprocess_wait_finish (process, result, NULL))
    return;
  why = g_subprocess_get_if_signaled (process)
        ? lilac_supervisor_describe_exit (TRUE, g_subprocess_get_term_sig (process))
        : lilac_supervisor_describe_exit (FALSE, g_subprocess_get_exit_status (process));
  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LilacSupervisorWorker *worker = value;

      if (worker->process == process)
        {
          lilac_supervisor_worker_ended (self, worker->pid, why);
          return;
        }
    }
}

static void
lilac_supervisor_add_worker (LilacSupervisor *self,
                             int              pid,
                             GSubprocess     *process)
{
  LilacSupervisorWorker *worker = g_new0 (LilacSupervisorWorker, 1);

  worker->supervisor = self;
  worker->pid = pid;
  worker->pidfd = (int) syscall (SYS_pidfd_open, (pid_t) pid, 0);
  if (worker->pidfd < 0)
    g_debug ("no pidfd for worker %d: %s", pid, g_strerror (errno));
  if (process != NULL)
    {
      worker->process = g_object_ref (process);
      g_subprocess_wait_async (process, self->cancellable, lilac_supervisor_exec_exited_cb,
                               g_object_ref (self));
    }
  else if (worker->pidfd >= 0)
    worker->pidfd_id = g_unix_fd_add (worker->pidfd, G_IO_IN, lilac_supervisor_pidfd_cb, worker);
  g_hash_table_replace (self->workers, GINT_TO_POINTER (pid), worker);
}

/* ------------------------------------------------------------- Arguments */

/* what makes a libpurple of a worker: Lilac's plugin folders, the operator's plugins */
static void
lilac_supervisor_add_plugins (LilacSupervisor *self,
                              GPtrArray       *argv)
{
  for (unsigned i = 0; self->plugin_dirs[i] != NULL; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--plugin-dir"));
      g_ptr_array_add (argv, g_strdup (self->plugin_dirs[i]));
    }
  for (unsigned i = 0; self->plugins != NULL && self->plugins[i] != NULL; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--load-plugin"));
      g_ptr_array_add (argv, g_strdup (self->plugins[i]));
    }
}

static void
lilac_supervisor_add_plugin_args (LilacSupervisor *self,
                                  GPtrArray       *argv)
{
  lilac_supervisor_add_plugins (self, argv);
  if (self->request_seconds > 0)
    {
      g_ptr_array_add (argv, g_strdup ("--request-seconds"));
      g_ptr_array_add (argv, g_strdup_printf ("%d", self->request_seconds));
    }
  if (self->verbose)
    g_ptr_array_add (argv, g_strdup ("--verbose"));
}

/* Lilac's plugin folders: the build tree's, for a worker of a build tree,
 * else the installed one */
static char **
lilac_supervisor_find_plugin_dirs (const char *worker_path)
{
  g_autofree char *worker = g_canonicalize_filename (worker_path, NULL);
  g_autofree char *built = g_canonicalize_filename (LILAC_BUILD_WORKER, NULL);
  g_autoptr(GStrvBuilder) dirs = g_strv_builder_new ();
  g_autofree char *root = g_build_filename (LILAC_BUILD_ROOT, "plugins", NULL);
  g_autoptr(GDir) folder = NULL;
  const char *name;

  if (!g_str_equal (worker, built))
    {
      if (g_file_test (LILAC_PLUGINDIR, G_FILE_TEST_IS_DIR))
        g_strv_builder_add (dirs, LILAC_PLUGINDIR);
      return g_strv_builder_end (dirs);
    }
  folder = g_dir_open (root, 0, NULL);
  while (folder != NULL && (name = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_str_has_suffix (name, ".p"))
        g_strv_builder_add (dirs, path);
    }
  return g_strv_builder_end (dirs);
}

/* ------------------------------------------------------------- Exec */

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

static void
lilac_supervisor_exec_spawn (LilacSupervisor *self,
                             GTask           *task)
{
  LilacSupervisorSpawn *spawn = g_task_get_task_data (task);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  GError *local_error = NULL;
  int pid;

  g_ptr_array_add (argv, g_strdup (self->worker_path));
  g_ptr_array_add (argv, g_strdup ("--fd"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", LILAC_SUPERVISOR_WORKER_FD));
  g_ptr_array_add (argv, g_strdup ("--dir"));
  g_ptr_array_add (argv, g_strdup (spawn->user_dir));
  lilac_supervisor_add_plugin_args (self, argv);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, lilac_supervisor_child_setup, &self->limits,
                                         NULL);
  g_subprocess_launcher_take_fd (launcher, g_steal_fd (&spawn->worker_fd),
                                 LILAC_SUPERVISOR_WORKER_FD);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata,
                                          &local_error);
  if (process == NULL)
    {
      g_task_return_error (task, local_error);
      return;
    }
  pid = atoi (g_subprocess_get_identifier (process));
  lilac_supervisor_add_worker (self, pid, process);
  g_task_return_int (task, pid);
}

/* ------------------------------------------------------------- The zygote */

static void lilac_supervisor_start_zygote (LilacSupervisor *self);

static gboolean
lilac_supervisor_zygote_restart_cb (gpointer user_data)
{
  LilacSupervisor *self = LILAC_SUPERVISOR (user_data);

  self->zygote_restart_id = 0;
  lilac_supervisor_start_zygote (self);
  return G_SOURCE_REMOVE;
}

static void
lilac_supervisor_close_control (LilacSupervisor *self)
{
  if (self->control == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->control, self);
  lilac_wire_channel_close (self->control);
  g_clear_object (&self->control);
}

/* no zygote for now: start one after a backoff; until then workers are
 * exec'ed, those waiting included */
static void
lilac_supervisor_zygote_back_off (LilacSupervisor *self)
{
  unsigned delay;
  GTask *task;

  if (g_get_monotonic_time () - self->zygote_started > LILAC_SUPERVISOR_ZYGOTE_STABLE_US)
    self->zygote_failures = 0;
  delay = MIN (1000u << MIN (self->zygote_failures, 6u), LILAC_SUPERVISOR_ZYGOTE_BACKOFF_MAX_MS);
  self->zygote_failures++;
  self->zygote_restart_id = g_timeout_add (delay, lilac_supervisor_zygote_restart_cb, self);
  while ((task = g_queue_pop_head (&self->waiting)) != NULL)
    {
      lilac_supervisor_exec_spawn (self, task);
      g_object_unref (task);
    }
}

static void
lilac_supervisor_zygote_failed (LilacSupervisor *self,
                                const char      *why)
{
  g_autoptr(GSubprocess) zygote = g_steal_pointer (&self->zygote);

  if (zygote == NULL)
    return;
  g_message ("the zygote failed: %s", why);
  self->zygote_ready = FALSE;
  g_clear_handle_id (&self->zygote_timeout_id, g_source_remove);
  lilac_supervisor_close_control (self);
  g_subprocess_force_exit (zygote);
  lilac_supervisor_zygote_back_off (self);
}

static void
lilac_supervisor_zygote_exited_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  g_autoptr(LilacSupervisor) self = user_data;
  GSubprocess *process = G_SUBPROCESS (source);
  g_autofree char *why = NULL;

  if (!g_subprocess_wait_finish (process, result, NULL) || process != self->zygote)
    return;
  why = g_subprocess_get_if_signaled (process)
        ? lilac_supervisor_describe_exit (TRUE, g_subprocess_get_term_sig (process))
        : lilac_supervisor_describe_exit (FALSE, g_subprocess_get_exit_status (process));
  lilac_supervisor_zygote_failed (self, why);
}

static void
lilac_supervisor_forked_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LilacSupervisor *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) reply = NULL;
  GError *local_error = NULL;
  gint64 pid = 0;

  reply = lilac_wire_channel_request_finish (LILAC_WIRE_CHANNEL (source), result, &local_error);
  if (reply != NULL && (!lilac_json_get_int (reply, "pid", 0, &pid, &local_error) || pid <= 0 ||
                        pid > G_MAXINT))
    {
      g_clear_error (&local_error);
      local_error = g_error_new_literal (LILAC_ERROR, LILAC_ERROR_INTERNAL,
                                         "the zygote answered without a pid");
    }
  if (local_error != NULL)
    {
      g_prefix_error (&local_error, "forking a worker: ");
      g_task_return_error (task, local_error);
      return;
    }
  lilac_supervisor_add_worker (self, (int) pid, NULL);
  g_task_return_int (task, (gssize) pid);
}

static void
lilac_supervisor_fork (LilacSupervisor *self,
                       GTask           *task)
{
  LilacSupervisorSpawn *spawn = g_task_get_task_data (task);
  g_autoptr(JsonObject) body = json_object_new ();
  JsonObject *limits = json_object_new ();

  json_object_set_int_member (limits, "memory_mib", self->limits.memory_mib);
  json_object_set_int_member (limits, "cpu_seconds", self->limits.cpu_seconds);
  json_object_set_int_member (limits, "files", self->limits.files);
  json_object_set_string_member (body, "dir", spawn->user_dir);
  json_object_set_object_member (body, "limits", limits);
  lilac_wire_channel_request_fd_async (self->control, LILAC_WIRE_FORK, body,
                                       g_steal_fd (&spawn->worker_fd),
                                       g_task_get_cancellable (task),
                                       lilac_supervisor_forked_cb, g_object_ref (task));
}

static void
lilac_supervisor_zygote_ready_cb (LilacWireChannel *channel,
                                  gpointer          user_data)
{
  LilacSupervisor *self = LILAC_SUPERVISOR (user_data);
  GTask *task;

  g_debug ("zygote %d is ready", lilac_wire_channel_get_peer_pid (channel));
  self->zygote_ready = TRUE;
  g_clear_handle_id (&self->zygote_timeout_id, g_source_remove);
  while ((task = g_queue_pop_head (&self->waiting)) != NULL)
    {
      lilac_supervisor_fork (self, task);
      g_object_unref (task);
    }
}

static void
lilac_supervisor_zygote_frame_cb (LilacWireChannel *channel,
                                  LilacWireFrame   *frame,
                                  gpointer          user_data)
{
  LilacSupervisor *self = LILAC_SUPERVISOR (user_data);
  JsonObject *event = lilac_json_get_object (frame->body, "event", NULL);
  gint64 pid = 0, code = -1, signal_number = -1;
  g_autofree char *why = NULL;

  if (frame->type != LILAC_WIRE_EVENT || event == NULL ||
      g_strcmp0 (lilac_json_get_string (event, "type", TRUE, 32, NULL), "worker.exited") != 0 ||
      !lilac_json_get_int (event, "pid", 0, &pid, NULL) || pid <= 0 || pid > G_MAXINT)
    {
      g_debug ("frame of type %d from the zygote dropped", frame->type);
      return;
    }
  lilac_json_get_int (event, "code", -1, &code, NULL);
  lilac_json_get_int (event, "signal", -1, &signal_number, NULL);
  why = signal_number >= 0 ? lilac_supervisor_describe_exit (TRUE, (int) signal_number)
                           : lilac_supervisor_describe_exit (FALSE, (int) code);
  lilac_supervisor_worker_ended (self, (int) pid, why);
}

static void
lilac_supervisor_zygote_closed_cb (LilacWireChannel *channel,
                                   const GError     *reason,
                                   gpointer          user_data)
{
  lilac_supervisor_zygote_failed (LILAC_SUPERVISOR (user_data),
                                  reason != NULL ? reason->message : "its socket closed");
}

static gboolean
lilac_supervisor_zygote_timeout_cb (gpointer user_data)
{
  LilacSupervisor *self = LILAC_SUPERVISOR (user_data);

  self->zygote_timeout_id = 0;
  lilac_supervisor_zygote_failed (self, "it did not say hello in time");
  return G_SOURCE_REMOVE;
}

static void
lilac_supervisor_start_zygote (LilacSupervisor *self)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  int fds[2];

  self->zygote_started = g_get_monotonic_time ();
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      g_message ("the zygote did not start: no socketpair: %s", g_strerror (errno));
      lilac_supervisor_zygote_back_off (self);
      return;
    }
  g_ptr_array_add (argv, g_strdup (self->worker_path));
  g_ptr_array_add (argv, g_strdup ("--zygote"));
  if (self->zygote_dir != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--dir"));
      g_ptr_array_add (argv, g_strdup (self->zygote_dir));
    }
  g_ptr_array_add (argv, g_strdup ("--fd"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", LILAC_SUPERVISOR_WORKER_FD));
  lilac_supervisor_add_plugin_args (self, argv);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_take_fd (launcher, fds[1], LILAC_SUPERVISOR_WORKER_FD);
  self->zygote = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata,
                                               &local_error);
  if (self->zygote == NULL)
    {
      close (fds[0]);
      g_message ("the zygote did not start: %s", local_error->message);
      lilac_supervisor_zygote_back_off (self);
      return;
    }
  self->control = lilac_wire_channel_new (fds[0], "gateway");
  g_signal_connect (self->control, "ready", G_CALLBACK (lilac_supervisor_zygote_ready_cb), self);
  g_signal_connect (self->control, "frame", G_CALLBACK (lilac_supervisor_zygote_frame_cb), self);
  g_signal_connect (self->control, "closed", G_CALLBACK (lilac_supervisor_zygote_closed_cb), self);
  g_subprocess_wait_async (self->zygote, self->cancellable, lilac_supervisor_zygote_exited_cb,
                           g_object_ref (self));
  self->zygote_timeout_id = g_timeout_add_seconds (LILAC_SUPERVISOR_ZYGOTE_START_TIMEOUT_S,
                                                   lilac_supervisor_zygote_timeout_cb, self);
  lilac_wire_channel_start (self->control);
}

/* ------------------------------------------------ GObject implementation */

static void
lilac_supervisor_dispose (GObject *object)
{
  LilacSupervisor *self = LILAC_SUPERVISOR (object);
  GTask *task;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->zygote_restart_id, g_source_remove);
  g_clear_handle_id (&self->zygote_timeout_id, g_source_remove);
  while ((task = g_queue_pop_head (&self->waiting)) != NULL)
    {
      g_task_return_new_error (task, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE,
                               "the gateway is stopping");
      g_object_unref (task);
    }
  /* the zygote exits when its control socket closes; its children when
   * their own sockets do */
  lilac_supervisor_close_control (self);
  g_clear_object (&self->zygote);
  g_hash_table_remove_all (self->workers);
  G_OBJECT_CLASS (lilac_supervisor_parent_class)->dispose (object);
}

static void
lilac_supervisor_finalize (GObject *object)
{
  LilacSupervisor *self = LILAC_SUPERVISOR (object);

  g_hash_table_unref (self->workers);
  g_object_unref (self->cancellable);
  g_strfreev (self->plugin_dirs);
  g_strfreev (self->plugins);
  g_free (self->worker_path);
  g_free (self->zygote_dir);
  G_OBJECT_CLASS (lilac_supervisor_parent_class)->finalize (object);
}

static void
lilac_supervisor_class_init (LilacSupervisorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lilac_supervisor_dispose;
  object_class->finalize = lilac_supervisor_finalize;

  /* a worker process this supervisor started ended: (pid, how, as text) */
  lilac_supervisor_signals[SIGNAL_WORKER_EXITED] =
    g_signal_new ("worker-exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
lilac_supervisor_init (LilacSupervisor *self)
{
  self->workers = g_hash_table_new_full (NULL, NULL, NULL,
                                         (GDestroyNotify) lilac_supervisor_worker_free);
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->waiting);
}

/* ------------------------------------------------------------- Public API */

/**
 * lilac_supervisor_new:
 * @worker_path: the lilac-worker binary
 * @verbose: whether workers log debug messages
 * @limits: (nullable): each worker's resource limits
 * @plugins: (nullable) (array zero-terminated=1): ids of installed libpurple
 *   plugins every worker loads, besides Lilac's own
 * @zygote: fork workers from a zygote; %FALSE exec's each
 *
 * Returns: (transfer full): the supervisor; the zygote starts with the
 *   first worker
 */
LilacSupervisor *
lilac_supervisor_new (const char              *worker_path,
                      gboolean                 verbose,
                      const LilacWorkerLimits *limits,
                      const char *const       *plugins,
                      gboolean                 zygote)
{
  LilacSupervisor *self = g_object_new (LILAC_TYPE_SUPERVISOR, NULL);

  self->worker_path = g_strdup (worker_path);
  self->verbose = verbose;
  if (limits != NULL)
    self->limits = *limits;
  self->plugin_dirs = lilac_supervisor_find_plugin_dirs (worker_path);
  self->plugins = g_strdupv ((char **) plugins);
  self->use_zygote = zygote;
  return self;
}

/**
 * lilac_supervisor_set_zygote_dir:
 * @self: the supervisor
 * @dir: (nullable): the folder the zygote starts libpurple in (emptied at
 *   each start, so a zygote that was killed leaves nothing behind for long),
 *   or %NULL for a temp folder of its own
 */
void
lilac_supervisor_set_zygote_dir (LilacSupervisor *self,
                                 const char      *dir)
{
  g_free (self->zygote_dir);
  self->zygote_dir = g_strdup (dir);
}

/**
 * lilac_supervisor_set_request_seconds:
 * @self: the supervisor
 * @seconds: how long workers keep a libpurple request nobody answers before
 *   cancelling it; for workers started from now on
 */
void
lilac_supervisor_set_request_seconds (LilacSupervisor *self,
                                      int              seconds)
{
  self->request_seconds = seconds;
}

const char *
lilac_supervisor_get_worker_path (LilacSupervisor *self)
{
  return self->worker_path;
}

/**
 * lilac_supervisor_get_protocols_argv:
 * @self: the supervisor
 *
 * The command that lists the protocol plugins of a worker: `lilac-worker
 * --protocols` with the plugin folders and plugins the workers get, so that
 * it sees the protocols they have.
 *
 * Returns: (transfer full) (array zero-terminated=1): the command
 */
char **
lilac_supervisor_get_protocols_argv (LilacSupervisor *self)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (self->worker_path));
  g_ptr_array_add (argv, g_strdup ("--protocols"));
  lilac_supervisor_add_plugins (self, argv);
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}

/**
 * lilac_supervisor_spawn_async:
 * @self: the supervisor
 * @user_dir: the user's libpurple folder, created 0700 if missing
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the worker process exists
 * @user_data: data for @callback
 *
 * Starts a worker: forked by the zygote (started first if need be), or
 * exec'ed when the zygote is off or down.
 */
void
lilac_supervisor_spawn_async (LilacSupervisor    *self,
                              const char         *user_dir,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  LilacSupervisorSpawn *spawn = g_new0 (LilacSupervisorSpawn, 1);
  int fds[2];

  g_task_set_source_tag (task, lilac_supervisor_spawn_async);
  spawn->user_dir = g_strdup (user_dir);
  spawn->gateway_fd = spawn->worker_fd = -1;
  g_task_set_task_data (task, spawn, (GDestroyNotify) lilac_supervisor_spawn_free);
  if (g_mkdir_with_parents (user_dir, 0700) != 0 ||
      socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      GError *local_error = NULL;

      lilac_error_set_from_errno (&local_error, errno, "preparing a worker");
      g_task_return_error (task, local_error);
      return;
    }
  spawn->gateway_fd = fds[0];
  spawn->worker_fd = fds[1];
  if (self->use_zygote && self->zygote == NULL && self->zygote_restart_id == 0)
    lilac_supervisor_start_zygote (self);
  if (self->use_zygote && self->zygote != NULL && self->zygote_ready)
    lilac_supervisor_fork (self, task);
  else if (self->use_zygote && self->zygote != NULL)
    g_queue_push_tail (&self->waiting, g_steal_pointer (&task));
  else
    lilac_supervisor_exec_spawn (self, task);
}

/**
 * lilac_supervisor_spawn_finish:
 * @self: the supervisor
 * @result: the result given to the callback
 * @gateway_fd: (out): the gateway's end of the worker's socketpair
 * @error: return location for a #GError
 *
 * Returns: the worker's pid, or 0 with @error
 */
int
lilac_supervisor_spawn_finish (LilacSupervisor *self,
                               GAsyncResult    *result,
                               int             *gateway_fd,
                               GError         **error)
{
  LilacSupervisorSpawn *spawn;
  gssize pid;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  pid = g_task_propagate_int (G_TASK (result), error);
  if (pid <= 0)
    return 0;
  spawn = g_task_get_task_data (G_TASK (result));
  *gateway_fd = g_steal_fd (&spawn->gateway_fd);
  return (int) pid;
}

/**
 * lilac_supervisor_kill_worker:
 * @self: the supervisor
 * @pid: a worker it started
 *
 * Sends SIGKILL to the worker, through its pidfd; does nothing for a worker
 * that already ended.
 */
void
lilac_supervisor_kill_worker (LilacSupervisor *self,
                              int              pid)
{
  LilacSupervisorWorker *worker = g_hash_table_lookup (self->workers, GINT_TO_POINTER (pid));

  if (worker == NULL)
    return;
  if (worker->pidfd >= 0)
    syscall (SYS_pidfd_send_signal, worker->pidfd, SIGKILL, NULL, 0);
  else if (worker->process != NULL)
    g_subprocess_force_exit (worker->process);
  else
    kill (pid, SIGKILL);
}

unsigned
lilac_supervisor_get_running (LilacSupervisor *self)
{
  return g_hash_table_size (self->workers);
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
