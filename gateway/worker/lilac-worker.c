/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The worker's end of the gateway <-> worker protocol. Requests are looked
 * up in a table of handlers, each a function of the purple adapters that
 * takes the request body and returns the reply body or a LILAC_ERROR; every
 * request gets exactly one REPLY or ERROR (SHUTDOWN, which has no reply,
 * aside). The core's events go out as EVENT frames once the gateway's HELLO
 * has arrived. When the gateway closes the socket, asks to shut down, or the
 * process is told to stop, the worker signs off, lets libpurple write its
 * files, and emits "stopped".
 */
#include "config.h"

#include "lilac-worker.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "lilac-error.h"
#include "lilac-files.h"
#include "lilac-json.h"
#include "lilac-purple-accounts.h"
#include "lilac-purple-buddies.h"
#include "lilac-purple-chats.h"
#include "lilac-purple-conversations.h"
#include "lilac-purple-core.h"
#include "lilac-purple-messages.h"
#include "lilac-purple-plugins.h"
#include "lilac-purple-protocols.h"
#include "lilac-purple-requests.h"
#include "lilac-purple-settings.h"
#include "lilac-purple-status.h"
#include "lilac-purple-transfers.h"
#include "lilac-wire.h"
#include "lilac-worker-sandbox.h"

struct _LilacWorker {
  GObject parent_instance;

  int fd;                       /* (owned) the socket until the channel takes it, or -1 */
  char *user_dir;               /* (owned) */
  LilacPurpleCore *core;        /* (owned) (nullable) */
  LilacWireChannel *channel;    /* (owned) (nullable) */
  guint stop_id;                /* idle that stops the worker */
  gboolean running;
};

G_DEFINE_TYPE (LilacWorker, lilac_worker, G_TYPE_OBJECT)

enum {
  SIGNAL_STOPPED,
  N_SIGNALS
};

static guint lilac_worker_signals[N_SIGNALS];

/* --------------------------------------------------------------- Requests */

typedef JsonObject *(*LilacWorkerHandler) (JsonObject *body,
                                           GError    **error);
/* a handler of a request that may carry a descriptor: it takes @fd (or -1) */
typedef JsonObject *(*LilacWorkerFdHandler) (JsonObject *body,
                                             int         fd,
                                             GError    **error);

static JsonObject *
lilac_worker_ping (JsonObject *body,
                   GError    **error)
{
  return json_object_new ();
}

typedef struct {
  LilacWireType type;
  LilacWorkerHandler handler;
  LilacWorkerFdHandler fd_handler;
} LilacWorkerRequest;

static const LilacWorkerRequest lilac_worker_handlers[] = {
  { LILAC_WIRE_ACCOUNT_PUT, lilac_purple_accounts_put },
  { LILAC_WIRE_ACCOUNT_DEL, lilac_purple_accounts_delete },
  { LILAC_WIRE_MESSAGE_SEND, lilac_purple_messages_send },
  { LILAC_WIRE_CHAT_JOIN, lilac_purple_chats_join },
  { LILAC_WIRE_CONVERSATION_CLOSE, lilac_purple_conversations_close },
  { LILAC_WIRE_PRESENCE_SET, lilac_purple_status_set },
  { LILAC_WIRE_TYPING_SET, lilac_purple_conversations_set_typing },
  { LILAC_WIRE_BUDDY_ADD, lilac_purple_buddies_add },
  { LILAC_WIRE_BUDDY_REMOVE, lilac_purple_buddies_remove },
  { LILAC_WIRE_BUDDY_INFO, lilac_purple_buddies_get_info },
  { LILAC_WIRE_REQUEST_ANSWER, lilac_purple_requests_answer },
  { LILAC_WIRE_SETTINGS_SET, lilac_purple_settings_set },
  { LILAC_WIRE_PING, lilac_worker_ping },
  { LILAC_WIRE_TRANSFER_ACCEPT, NULL, lilac_purple_transfers_accept },
  { LILAC_WIRE_TRANSFER_REJECT, NULL, lilac_purple_transfers_reject },
  { LILAC_WIRE_TRANSFER_CANCEL, NULL, lilac_purple_transfers_cancel },
  { LILAC_WIRE_TRANSFER_SEND, NULL, lilac_purple_transfers_send },
};

static void
lilac_worker_answer (LilacWorker              *self,
                     LilacWireFrame           *frame,
                     const LilacWorkerRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) reply = NULL;

  if (request->fd_handler != NULL)
    reply = request->fd_handler (frame->body, g_steal_fd (&frame->fd), &local_error);
  else
    reply = request->handler (frame->body, &local_error);

  if (reply == NULL)
    {
      if (local_error == NULL)
        local_error = g_error_new_literal (LILAC_ERROR, LILAC_ERROR_INTERNAL, "the request failed");
      g_debug ("request %" G_GINT64_FORMAT " of type %d failed: %s",
               frame->id, frame->type, local_error->message);
      lilac_wire_channel_send_error (self->channel, frame->id, local_error);
      return;
    }
  if (!lilac_wire_channel_send (self->channel, LILAC_WIRE_REPLY, frame->id, reply, &local_error))
    g_message ("reply to request %" G_GINT64_FORMAT " not sent: %s",
               frame->id, local_error->message);
}

static gboolean
lilac_worker_stop_cb (gpointer user_data)
{
  LilacWorker *self = LILAC_WORKER (user_data);

  self->stop_id = 0;
  lilac_worker_stop (self);
  return G_SOURCE_REMOVE;
}

/* stopping runs libpurple's shutdown, which must not happen inside the
 * channel's own callbacks. Before anything else the loop has to do: at the
 * default idle priority, a flood of incoming messages (always ready at the
 * default priority) kept a worker whose gateway was gone running for
 * seconds. */
static void
lilac_worker_stop_soon (LilacWorker *self)
{
  if (self->running && self->stop_id == 0)
    self->stop_id = g_idle_add_full (G_PRIORITY_HIGH, lilac_worker_stop_cb, self, NULL);
}

static void
lilac_worker_frame_cb (LilacWireChannel *channel,
                       LilacWireFrame   *frame,
                       gpointer          user_data)
{
  LilacWorker *self = LILAC_WORKER (user_data);

  if (frame->type == LILAC_WIRE_SHUTDOWN)
    {
      g_debug ("the gateway asked the worker to shut down");
      lilac_worker_stop_soon (self);
      return;
    }
  for (unsigned i = 0; i < G_N_ELEMENTS (lilac_worker_handlers); i++)
    {
      if (lilac_worker_handlers[i].type != frame->type)
        continue;
      if (frame->id <= 0)
        {
          g_message ("request of type %d without an id dropped", frame->type);
          return;
        }
      if (self->running)
        lilac_worker_answer (self, frame, &lilac_worker_handlers[i]);
      return;
    }
  /* a request this worker has no handler for still gets its one answer */
  if (frame->id > 0 && frame->type >= LILAC_WIRE_ACCOUNT_PUT && frame->type < LILAC_WIRE_EVENT)
    {
      g_autoptr(GError) unsupported = g_error_new (LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                                                   "requests of type %d are not supported",
                                                   frame->type);

      lilac_wire_channel_send_error (channel, frame->id, unsupported);
      return;
    }
  g_debug ("frame of type %d from the gateway ignored", frame->type);
}

/* ------------------------------------------------------------ Channel */

static void
lilac_worker_ready_cb (LilacWireChannel *channel,
                       gpointer          user_data)
{
  g_debug ("the gateway (pid %d) is ready", lilac_wire_channel_get_peer_pid (channel));
  lilac_purple_plugins_report_failures ();
  lilac_purple_plugins_report_loaded ();
}

static void
lilac_worker_closed_cb (LilacWireChannel *channel,
                        const GError     *reason,
                        gpointer          user_data)
{
  LilacWorker *self = LILAC_WORKER (user_data);

  if (self->running)
    g_message ("the connection to the gateway ended: %s",
               reason != NULL ? reason->message : "closed");
  lilac_worker_stop_soon (self);
}

static void
lilac_worker_event_cb (LilacPurpleCore *core,
                       JsonObject      *event,
                       gpointer         user_data)
{
  LilacWorker *self = LILAC_WORKER (user_data);
  const char *type = json_object_get_string_member_with_default (event, "type", "?");
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) local_error = NULL;

  if (self->channel == NULL || !lilac_wire_channel_is_ready (self->channel))
    {
      g_debug ("event %s while the gateway is not there dropped", type);
      return;
    }
  body = json_object_new ();
  json_object_set_object_member (body, "event", json_object_ref (event));
  if (!lilac_wire_channel_send (self->channel, LILAC_WIRE_EVENT, 0, body, &local_error))
    g_message ("event %s not sent: %s", type, local_error->message);
}

/* ------------------------------------------------ GObject implementation */

static void
lilac_worker_dispose (GObject *object)
{
  LilacWorker *self = LILAC_WORKER (object);

  lilac_worker_stop (self);
  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_data (self->channel, self);
  if (self->core != NULL)
    g_signal_handlers_disconnect_by_data (self->core, self);
  g_clear_object (&self->channel);
  g_clear_object (&self->core);
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  G_OBJECT_CLASS (lilac_worker_parent_class)->dispose (object);
}

static void
lilac_worker_finalize (GObject *object)
{
  LilacWorker *self = LILAC_WORKER (object);

  g_free (self->user_dir);
  G_OBJECT_CLASS (lilac_worker_parent_class)->finalize (object);
}

static void
lilac_worker_class_init (LilacWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lilac_worker_dispose;
  object_class->finalize = lilac_worker_finalize;

  /* the worker signed off and closed its connection; the process may exit */
  lilac_worker_signals[SIGNAL_STOPPED] =
    g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lilac_worker_init (LilacWorker *self)
{
  self->fd = -1;
}

/* ------------------------------------------------------------ Public API */

/**
 * lilac_worker_new:
 * @fd: (transfer full): a connected stream socket to the gateway
 * @user_dir: this user's libpurple folder
 *
 * Returns: (transfer full): a worker; call lilac_worker_start() next
 */
LilacWorker *
lilac_worker_new (int         fd,
                  const char *user_dir)
{
  LilacWorker *self = g_object_new (LILAC_TYPE_WORKER, NULL);

  self->fd = fd;
  self->user_dir = g_strdup (user_dir);
  return self;
}

/**
 * lilac_worker_new_forked:
 * @fd: (transfer full): a connected stream socket to the gateway
 * @user_dir: this user's libpurple folder
 * @core: the core the zygote started, in this forked process
 *
 * Returns: (transfer full): a worker that moves @core into @user_dir when
 *   it starts
 */
LilacWorker *
lilac_worker_new_forked (int              fd,
                         const char      *user_dir,
                         LilacPurpleCore *core)
{
  LilacWorker *self = lilac_worker_new (fd, user_dir);

  self->core = g_object_ref (core);
  return self;
}

/* the worker works in its user's folder, which ps(1) and /proc show */
static gboolean
lilac_worker_enter_folder (LilacWorker *self,
                           GError     **error)
{
  if (!g_path_is_absolute (self->user_dir))
    {
      g_autofree char *absolute = g_canonicalize_filename (self->user_dir, NULL);

      g_free (self->user_dir);
      self->user_dir = g_steal_pointer (&absolute);
    }
  if (g_mkdir_with_parents (self->user_dir, 0700) != 0 || chdir (self->user_dir) != 0)
    {
      lilac_error_set_from_errno (error, errno, "entering the user's libpurple folder");
      return FALSE;
    }
  return TRUE;
}

/**
 * lilac_worker_start:
 * @self: a worker
 * @error: return location for a #GError
 *
 * Starts libpurple in the user's folder (or moves the zygote's there),
 * enters the sandbox (lilac-worker-sandbox.c), then greets the gateway. Call
 * it before starting any thread: threads already running stay outside the
 * sandbox.
 *
 * Returns: %TRUE on success
 */
gboolean
lilac_worker_start (LilacWorker *self,
                    GError     **error)
{
  g_return_val_if_fail (LILAC_IS_WORKER (self), FALSE);
  g_return_val_if_fail (self->channel == NULL, FALSE);

  if (!lilac_worker_enter_folder (self, error))
    return FALSE;
  if (self->core != NULL)
    {
      g_signal_connect (self->core, "event", G_CALLBACK (lilac_worker_event_cb), self);
      if (!lilac_purple_core_move_to (self->core, self->user_dir, error))
        return FALSE;
    }
  else
    {
      self->core = lilac_purple_core_new (self->user_dir);
      g_signal_connect (self->core, "event", G_CALLBACK (lilac_worker_event_cb), self);
      if (!lilac_purple_core_start (self->core, TRUE, error))
        return FALSE;
    }
  /* libpurple has what it needs; no account signs on before the gateway asks */
  if (!lilac_worker_sandbox_apply (self->user_dir, lilac_purple_plugins_get_dirs (), error))
    return FALSE;
  self->channel = lilac_wire_channel_new (self->fd, "worker");
  self->fd = -1;
  g_signal_connect (self->channel, "ready", G_CALLBACK (lilac_worker_ready_cb), self);
  g_signal_connect (self->channel, "frame", G_CALLBACK (lilac_worker_frame_cb), self);
  g_signal_connect (self->channel, "closed", G_CALLBACK (lilac_worker_closed_cb), self);
  self->running = TRUE;
  lilac_wire_channel_start (self->channel);
  return TRUE;
}

/**
 * lilac_worker_stop:
 * @self: a worker
 *
 * Signs every account off, shuts libpurple down (writing its files), closes
 * the connection and emits "stopped". Does nothing when not running.
 */
void
lilac_worker_stop (LilacWorker *self)
{
  g_return_if_fail (LILAC_IS_WORKER (self));

  if (!self->running)
    return;
  self->running = FALSE;
  g_clear_handle_id (&self->stop_id, g_source_remove);
  lilac_purple_core_stop (self->core);
  lilac_wire_channel_close (self->channel);
  g_signal_emit (self, lilac_worker_signals[SIGNAL_STOPPED], 0);
}

gboolean
lilac_worker_is_running (LilacWorker *self)
{
  g_return_val_if_fail (LILAC_IS_WORKER (self), FALSE);
  return self->running;
}

/**
 * lilac_worker_describe_protocols:
 * @error: return location for a #GError
 *
 * Starts libpurple in a throwaway folder (removed afterwards) and describes
 * every protocol plugin it loads.
 *
 * Returns: (transfer full) (nullable): a JSON array, as text
 */
char *
lilac_worker_describe_protocols (GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("lilac-worker-XXXXXX", error);
  g_autoptr(LilacPurpleCore) core = NULL;
  g_autoptr(JsonNode) protocols = NULL;
  char *text = NULL;

  if (dir == NULL)
    return NULL;
  core = lilac_purple_core_new (dir);
  if (lilac_purple_core_start (core, FALSE, error))
    {
      protocols = lilac_purple_protocols_to_json ();
      text = lilac_json_to_string (protocols, NULL);
      lilac_purple_core_stop (core);
    }
  lilac_files_remove_tree (dir);
  return text;
}
