/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * One worker, seen from the gateway. The proxy has the supervisor start each
 * incarnation of the worker (forked from the zygote, or exec'ed) and owns its
 * wire channel; it knows the process by its pid, and hears from the
 * supervisor when that process ends. When the worker exits, closes its
 * socket or misses heartbeats, the proxy tears that incarnation down (a
 * worker still there is killed) and starts a new one after a backoff (1 s
 * doubling to 60 s, with jitter).
 */
#include "config.h"

#include "lilac-worker-proxy.h"

#include <unistd.h>

#include "lilac-error.h"
#include "lilac-wire.h"

#define LILAC_WORKER_PROXY_START_TIMEOUT 15
#define LILAC_WORKER_PROXY_BACKOFF_MAX 60
#define LILAC_WORKER_PROXY_STABLE_US (60 * G_USEC_PER_SEC)

struct _LilacWorkerProxy {
  GObject parent_instance;

  LilacSupervisor *supervisor;   /* (owned) */
  char *user_dir;                /* (owned) */
  int heartbeat;                 /* seconds */
  LilacWorkerState state;
  int pid;                       /* the current incarnation's process, or 0 */
  GCancellable *spawning;        /* (owned) (nullable) a spawn under way */
  LilacWireChannel *channel;     /* (owned) (nullable) */
  guint restart_id;
  guint overflow_id;             /* the worker stopped reading: it is given up on, soon */
  guint heartbeat_id;
  guint start_timeout_id;
  gint64 ping_sent;              /* monotonic us of the unanswered ping, or 0 */
  gint64 last_beat;              /* monotonic us of the last heartbeat tick */
  unsigned overdue;              /* ticks that found the ping overdue */
  gint64 started;                /* monotonic us when the incarnation became ready */
  unsigned failures;             /* consecutive short-lived incarnations */
  unsigned restarts;
};

G_DEFINE_TYPE (LilacWorkerProxy, lilac_worker_proxy, G_TYPE_OBJECT)

enum {
  SIGNAL_EVENT,
  SIGNAL_STATE_CHANGED,
  N_SIGNALS
};

static guint lilac_worker_proxy_signals[N_SIGNALS];

static void lilac_worker_proxy_spawn (LilacWorkerProxy *self);

const char *
lilac_worker_state_to_string (LilacWorkerState state)
{
  switch (state)
    {
    case LILAC_WORKER_STARTING:
      return "starting";
    case LILAC_WORKER_RUNNING:
      return "running";
    case LILAC_WORKER_RESTARTING:
      return "restarting";
    case LILAC_WORKER_STOPPED:
    default:
      return "stopped";
    }
}

static void
lilac_worker_proxy_set_state (LilacWorkerProxy *self,
                              LilacWorkerState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_signal_emit (self, lilac_worker_proxy_signals[SIGNAL_STATE_CHANGED], 0, (int) state);
}

/* drop the current incarnation: its channel, its timers, and the process (killed if alive) */
static void
lilac_worker_proxy_discard (LilacWorkerProxy *self)
{
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  g_clear_handle_id (&self->start_timeout_id, g_source_remove);
  g_clear_handle_id (&self->overflow_id, g_source_remove);
  self->ping_sent = 0;
  if (self->channel != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->channel, self);
      lilac_wire_channel_close (self->channel);
      g_clear_object (&self->channel);
    }
  if (self->spawning != NULL)
    {
      g_cancellable_cancel (self->spawning);
      g_clear_object (&self->spawning);
    }
  if (self->pid > 0)
    lilac_supervisor_kill_worker (self->supervisor, self->pid);
  self->pid = 0;
}

static gboolean
lilac_worker_proxy_restart_cb (gpointer user_data)
{
  LilacWorkerProxy *self = LILAC_WORKER_PROXY (user_data);

  self->restart_id = 0;
  self->restarts++;
  lilac_supervisor_count_restart (self->supervisor);
  lilac_worker_proxy_spawn (self);
  return G_SOURCE_REMOVE;
}

/* the current incarnation is gone or hopeless: start another after a backoff */
static void
lilac_worker_proxy_fail (LilacWorkerProxy *self,
                         const char       *why)
{
  unsigned delay_ms;

  if (self->state == LILAC_WORKER_STOPPED)
    return;
  if (self->started != 0 && g_get_monotonic_time () - self->started > LILAC_WORKER_PROXY_STABLE_US)
    self->failures = 0;
  self->started = 0;
  g_message ("worker for %s failed: %s", self->user_dir, why);
  lilac_worker_proxy_discard (self);
  delay_ms = 1000u << MIN (self->failures, 6u);
  delay_ms = MIN (delay_ms, LILAC_WORKER_PROXY_BACKOFF_MAX * 1000u);
  delay_ms = delay_ms / 2 + g_random_int_range (0, (gint32) delay_ms / 2 + 1);
  self->failures++;
  lilac_worker_proxy_set_state (self, LILAC_WORKER_RESTARTING);
  g_clear_handle_id (&self->restart_id, g_source_remove);
  self->restart_id = g_timeout_add (delay_ms, lilac_worker_proxy_restart_cb, self);
}

static gboolean
lilac_worker_proxy_overflow_cb (gpointer user_data)
{
  LilacWorkerProxy *self = LILAC_WORKER_PROXY (user_data);

  self->overflow_id = 0;
  lilac_worker_proxy_fail (self, "it stopped reading: the frames queued for it reached their limit");
  return G_SOURCE_REMOVE;
}

/* A worker that leaves the queue of frames for it full is hung (or stopped):
 * it is restarted at once, not only when the heartbeat notices, so that
 * commands meanwhile fail quickly and the gateway's memory stays bounded. */
static void
lilac_worker_proxy_check_overflow (LilacWorkerProxy *self)
{
  if (self->channel != NULL && self->overflow_id == 0 &&
      lilac_wire_channel_get_overflowed (self->channel))
    self->overflow_id = g_idle_add (lilac_worker_proxy_overflow_cb, self);
}

/* the supervisor saw a worker process end; ours, if it is the current one */
static void
lilac_worker_proxy_exited_cb (LilacSupervisor *supervisor,
                              int              pid,
                              const char      *why,
                              gpointer         user_data)
{
  LilacWorkerProxy *self = LILAC_WORKER_PROXY (user_data);
  g_autofree char *text = NULL;

  if (pid <= 0 || pid != self->pid)
    return;
  self->pid = 0;
  text = g_strdup_printf ("process %d %s", pid, why);
  lilac_worker_proxy_fail (self, text);
}

static void
lilac_worker_proxy_ping_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(LilacWorkerProxy) self = user_data;
  g_autoptr(JsonObject) reply = NULL;

  reply = lilac_wire_channel_request_finish (LILAC_WIRE_CHANNEL (source), result, NULL);
  if (reply != NULL && LILAC_WIRE_CHANNEL (source) == self->channel)
    {
      self->ping_sent = 0;
      self->overdue = 0;
    }
}

/* A worker is given up when its ping is still unanswered two ticks after
 * twice the interval, and the gateway itself was not held up: after a stall
 * of the gateway's own loop, this tick may come before the answer is read. */
static gboolean
lilac_worker_proxy_heartbeat_cb (gpointer user_data)
{
  LilacWorkerProxy *self = LILAC_WORKER_PROXY (user_data);
  gint64 now = g_get_monotonic_time ();
  gint64 interval = (gint64) self->heartbeat * G_USEC_PER_SEC;
  gboolean stalled = now - self->last_beat > 2 * interval;

  self->last_beat = now;
  if (self->ping_sent != 0)
    {
      if (!stalled && now - self->ping_sent > 2 * interval && ++self->overdue >= 2)
        {
          self->heartbeat_id = 0;
          lilac_worker_proxy_fail (self, "it stopped answering heartbeats");
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;
    }
  self->ping_sent = now;
  lilac_wire_channel_request_async (self->channel, LILAC_WIRE_PING, NULL, NULL,
                                    lilac_worker_proxy_ping_cb, g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

static void
lilac_worker_proxy_ready_cb (LilacWireChannel *channel,
                             gpointer          user_data)
{
  LilacWorkerProxy *self = LILAC_WORKER_PROXY (user_data);

  g_clear_handle_id (&self->start_timeout_id, g_source_remove);
  self->started = g_get_monotonic_time ();
  self->last_beat = self->started;
  self->overdue = 0;
  self->heartbeat_id = g_timeout_add_seconds ((unsigned) self->heartbeat,
                                              lilac_worker_proxy_heartbeat_cb, self);
  g_debug ("worker %d for %s is running", lilac_wire_channel_get_peer_pid (channel),
           self->user_dir);
  lilac_worker_proxy_set_state (self, LILAC_WORKER_RUNNING);
}

static void
lilac_worker_proxy_frame_cb (LilacWireChannel *channel,
                             LilacWireFrame   *frame,
                             gpointer          user_data)
{
  LilacWorkerProxy *self = LILAC_WORKER_PROXY (user_data);
  JsonNode *event = json_object_get_member (frame->body, "event");

  if (frame->type != LILAC_WIRE_EVENT || event == NULL || !JSON_NODE_HOLDS_OBJECT (event))
    {
      g_debug ("unexpected frame of type %d from the worker dropped", frame->type);
      return;
    }
  g_signal_emit (self, lilac_worker_proxy_signals[SIGNAL_EVENT], 0, json_node_get_object (event));
}

static void
lilac_worker_proxy_closed_cb (LilacWireChannel *channel,
                              const GError     *reason,
                              gpointer          user_data)
{
  LilacWorkerProxy *self = LILAC_WORKER_PROXY (user_data);

  lilac_worker_proxy_fail (self, reason != NULL ? reason->message : "its socket closed");
}

static gboolean
lilac_worker_proxy_start_timeout_cb (gpointer user_data)
{
  LilacWorkerProxy *self = LILAC_WORKER_PROXY (user_data);

  self->start_timeout_id = 0;
  lilac_worker_proxy_fail (self, "it did not say hello in time");
  return G_SOURCE_REMOVE;
}

static void
lilac_worker_proxy_spawned_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(LilacWorkerProxy) self = user_data;
  g_autoptr(GError) local_error = NULL;
  int fd = -1;
  int pid = lilac_supervisor_spawn_finish (LILAC_SUPERVISOR (source), result, &fd, &local_error);

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->spawning);
  if (pid <= 0)
    {
      lilac_worker_proxy_fail (self, local_error->message);
      return;
    }
  self->pid = pid;
  self->channel = lilac_wire_channel_new (fd, "gateway");
  g_signal_connect (self->channel, "ready", G_CALLBACK (lilac_worker_proxy_ready_cb), self);
  g_signal_connect (self->channel, "frame", G_CALLBACK (lilac_worker_proxy_frame_cb), self);
  g_signal_connect (self->channel, "closed", G_CALLBACK (lilac_worker_proxy_closed_cb), self);
  lilac_wire_channel_start (self->channel);
}

static void
lilac_worker_proxy_spawn (LilacWorkerProxy *self)
{
  lilac_worker_proxy_set_state (self, self->restarts > 0 ? LILAC_WORKER_RESTARTING
                                                         : LILAC_WORKER_STARTING);
  self->spawning = g_cancellable_new ();
  self->start_timeout_id = g_timeout_add_seconds (LILAC_WORKER_PROXY_START_TIMEOUT,
                                                  lilac_worker_proxy_start_timeout_cb, self);
  lilac_supervisor_spawn_async (self->supervisor, self->user_dir, self->spawning,
                                lilac_worker_proxy_spawned_cb, g_object_ref (self));
}

static void
lilac_worker_proxy_dispose (GObject *object)
{
  LilacWorkerProxy *self = LILAC_WORKER_PROXY (object);

  lilac_worker_proxy_stop (self);
  G_OBJECT_CLASS (lilac_worker_proxy_parent_class)->dispose (object);
}

static void
lilac_worker_proxy_finalize (GObject *object)
{
  LilacWorkerProxy *self = LILAC_WORKER_PROXY (object);

  g_clear_object (&self->supervisor);
  g_free (self->user_dir);
  G_OBJECT_CLASS (lilac_worker_proxy_parent_class)->finalize (object);
}

static void
lilac_worker_proxy_class_init (LilacWorkerProxyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lilac_worker_proxy_dispose;
  object_class->finalize = lilac_worker_proxy_finalize;

  /* an event from the worker: a JsonObject as in lilac-wire-protocol.h */
  lilac_worker_proxy_signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* the worker's LilacWorkerState changed */
  lilac_worker_proxy_signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
lilac_worker_proxy_init (LilacWorkerProxy *self)
{
  self->state = LILAC_WORKER_STOPPED;
}

/**
 * lilac_worker_proxy_new:
 * @supervisor: starts the processes
 * @user_dir: the user's libpurple folder
 * @heartbeat_seconds: seconds between pings; two missed answers restart
 *
 * Returns: (transfer full): a stopped proxy
 */
LilacWorkerProxy *
lilac_worker_proxy_new (LilacSupervisor *supervisor,
                        const char      *user_dir,
                        int              heartbeat_seconds)
{
  LilacWorkerProxy *self = g_object_new (LILAC_TYPE_WORKER_PROXY, NULL);

  self->supervisor = g_object_ref (supervisor);
  self->user_dir = g_strdup (user_dir);
  self->heartbeat = MAX (heartbeat_seconds, 1);
  g_signal_connect_object (supervisor, "worker-exited", G_CALLBACK (lilac_worker_proxy_exited_cb),
                           self, 0);
  return self;
}

void
lilac_worker_proxy_start (LilacWorkerProxy *self)
{
  g_return_if_fail (LILAC_IS_WORKER_PROXY (self));
  if (self->state != LILAC_WORKER_STOPPED)
    return;
  self->failures = 0;
  lilac_worker_proxy_spawn (self);
}

/* a worker asked to shut down that is still there after a while */
typedef struct {
  LilacSupervisor *supervisor;  /* (owned) */
  int pid;
} LilacWorkerProxyKill;

static void
lilac_worker_proxy_kill_free (gpointer data)
{
  LilacWorkerProxyKill *pending = data;

  g_object_unref (pending->supervisor);
  g_free (pending);
}

static gboolean
lilac_worker_proxy_kill_cb (gpointer user_data)
{
  LilacWorkerProxyKill *pending = user_data;

  lilac_supervisor_kill_worker (pending->supervisor, pending->pid);
  return G_SOURCE_REMOVE;
}

/**
 * lilac_worker_proxy_stop:
 * @self: a proxy
 *
 * Asks the worker to sign off and exit, and forgets it; a worker that is
 * still there after 5 s is killed.
 */
void
lilac_worker_proxy_stop (LilacWorkerProxy *self)
{
  g_return_if_fail (LILAC_IS_WORKER_PROXY (self));
  g_clear_handle_id (&self->restart_id, g_source_remove);
  if (self->channel != NULL && lilac_wire_channel_is_ready (self->channel))
    lilac_wire_channel_send (self->channel, LILAC_WIRE_SHUTDOWN, 0, NULL, NULL);
  if (self->spawning != NULL)
    {
      g_cancellable_cancel (self->spawning);
      g_clear_object (&self->spawning);
    }
  if (self->pid > 0)
    {
      /* outlives the proxy; the supervisor forgets the pid once the worker is gone */
      LilacWorkerProxyKill *pending = g_new0 (LilacWorkerProxyKill, 1);

      pending->supervisor = g_object_ref (self->supervisor);
      pending->pid = self->pid;
      self->pid = 0;
      g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 5, lilac_worker_proxy_kill_cb, pending,
                                  lilac_worker_proxy_kill_free);
    }
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  g_clear_handle_id (&self->start_timeout_id, g_source_remove);
  g_clear_handle_id (&self->overflow_id, g_source_remove);
  if (self->channel != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->channel, self);
      g_clear_object (&self->channel);
    }
  lilac_worker_proxy_set_state (self, LILAC_WORKER_STOPPED);
}

LilacWorkerState
lilac_worker_proxy_get_state (LilacWorkerProxy *self)
{
  return self->state;
}

unsigned
lilac_worker_proxy_get_restarts (LilacWorkerProxy *self)
{
  return self->restarts;
}

/**
 * lilac_worker_proxy_send:
 *
 * Sends a frame that needs no answer; fails when the worker is not running.
 */
gboolean
lilac_worker_proxy_send (LilacWorkerProxy *self,
                         LilacWireType     type,
                         JsonObject       *body,
                         GError          **error)
{
  if (self->state != LILAC_WORKER_RUNNING)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_WORKER_GONE,
                           "the IM session is not running");
      return FALSE;
    }
  if (lilac_wire_channel_send (self->channel, type, 0, body, error))
    return TRUE;
  lilac_worker_proxy_check_overflow (self);
  return FALSE;
}

static void
lilac_worker_proxy_request_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) local_error = NULL;
  JsonObject *reply;

  reply = lilac_wire_channel_request_finish (LILAC_WIRE_CHANNEL (source), result, &local_error);
  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, reply, (GDestroyNotify) json_object_unref);
}

/**
 * lilac_worker_proxy_request_async:
 * @self: a proxy
 * @type: a request type
 * @body: (nullable) (transfer none): the request
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: data for @callback
 *
 * Sends a request to the running worker; fails with WORKER_GONE when there
 * is none.
 */
void
lilac_worker_proxy_request_async (LilacWorkerProxy   *self,
                                  LilacWireType       type,
                                  JsonObject         *body,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lilac_worker_proxy_request_async);
  if (self->state != LILAC_WORKER_RUNNING || self->channel == NULL)
    {
      g_task_return_new_error (task, LILAC_ERROR, LILAC_ERROR_WORKER_GONE,
                               "the IM session is not running");
      return;
    }
  lilac_wire_channel_request_async (self->channel, type, body, cancellable,
                                    lilac_worker_proxy_request_cb, g_steal_pointer (&task));
  lilac_worker_proxy_check_overflow (self);
}

/**
 * lilac_worker_proxy_request_finish:
 *
 * Returns: (transfer full) (nullable): the worker's reply
 */
JsonObject *
lilac_worker_proxy_request_finish (LilacWorkerProxy *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * lilac_worker_proxy_request_fd_async:
 * @self: a proxy
 * @type: a request type
 * @body: (nullable) (transfer none): the request
 * @fd: (transfer full): a descriptor passed with the request (closed here if not sent)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer; finish with lilac_worker_proxy_request_finish()
 * @user_data: data for @callback
 *
 * lilac_worker_proxy_request_async() with a descriptor, e.g. a pipe for a
 * file transfer's bytes.
 */
void
lilac_worker_proxy_request_fd_async (LilacWorkerProxy   *self,
                                     LilacWireType       type,
                                     JsonObject         *body,
                                     int                 fd,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lilac_worker_proxy_request_async);
  if (self->state != LILAC_WORKER_RUNNING || self->channel == NULL)
    {
      close (fd);
      g_task_return_new_error (task, LILAC_ERROR, LILAC_ERROR_WORKER_GONE,
                               "the IM session is not running");
      return;
    }
  lilac_wire_channel_request_fd_async (self->channel, type, body, fd, cancellable,
                                       lilac_worker_proxy_request_cb, g_steal_pointer (&task));
}

/**
 * lilac_worker_proxy_get_pid:
 *
 * Returns: the running worker's process id (from its HELLO), or 0
 */
int
lilac_worker_proxy_get_pid (LilacWorkerProxy *self)
{
  if (self->state != LILAC_WORKER_RUNNING || self->channel == NULL)
    return 0;
  return lilac_wire_channel_get_peer_pid (self->channel);
}
