/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Held polls. A poll with nothing newer than its `since` waits in its
 * user's list; the user's session announces each event once, and every
 * held poll of that user is answered from the already serialized ring.
 *
 * Over plain HTTP a held poll is parked: its connection is taken from
 * libsoup and kept as a bare descriptor in one epoll set that a single
 * GSource watches (for clients that hang up). Libsoup's per-connection
 * state and main-loop sources, which make a naive server stall near 18,000
 * held polls, are gone while it waits; the answer is written directly and
 * the connection is handed back to libsoup for its next request. Over TLS
 * the poll is paused inside libsoup instead. Timeouts of both kinds sit in
 * one sorted sequence behind one timer.
 */
#include "config.h"

#include "lilac-web-poll.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "lilac-web-response.h"
#include "lilac-web-server-private.h"

#define LILAC_WEB_POLL_MAX_EVENTS 500
#define LILAC_WEB_POLL_EPOLL_BATCH 256

typedef struct {
  LilacImSession *session;     /* (owned) */
  gint64 login_id;
  gint64 user_id;
  guint64 since;
  char *epoch;                 /* (owned) (nullable) */
  gint64 deadline;             /* monotonic us */
  GSequenceIter *timeout_iter; /* (unowned) in LilacWebPoll.timeouts, NULL once answered */
  LilacWebRequest *request;    /* (owned) (nullable) a paused poll (TLS) */
  int fd;                      /* (owned) a parked poll's connection, or -1 */
  GSocketAddress *local;       /* (owned) (nullable) of a parked poll, to give it back */
  GSocketAddress *remote;      /* (owned) (nullable) */
  gboolean keep_alive;
  GBytes *output;              /* (owned) (nullable) an answer still being written */
  gsize written;
} LilacHeldPoll;

typedef struct {
  GQueue held;                 /* (owned) of LilacHeldPoll, owned by LilacWebPoll.polls */
  gulong handler;
} LilacPollUser;

struct _LilacWebPoll {
  GObject parent_instance;

  LilacWebServer *server;      /* (unowned) owns this registry */
  GHashTable *users;           /* (owned) LilacImSession -> (owned) LilacPollUser */
  GHashTable *polls;           /* (owned) set of (owned) LilacHeldPoll, held or writing */
  GSequence *timeouts;         /* (owned) held LilacHeldPoll by deadline */
  GSource *timer;              /* (owned) */
  int epoll;                   /* (owned) the parked connections */
  guint epoll_id;
  unsigned held;
};

G_DEFINE_TYPE (LilacWebPoll, lilac_web_poll, G_TYPE_OBJECT)

static void
lilac_held_poll_free (LilacHeldPoll *poll)
{
  if (poll->fd >= 0)
    close (poll->fd);
  g_clear_pointer (&poll->request, lilac_web_request_unref);
  g_clear_object (&poll->session);
  g_clear_object (&poll->local);
  g_clear_object (&poll->remote);
  g_clear_pointer (&poll->output, g_bytes_unref);
  g_free (poll->epoch);
  g_free (poll);
}

static gint
lilac_held_poll_compare (gconstpointer a,
                         gconstpointer b,
                         gpointer      user_data)
{
  const LilacHeldPoll *first = a, *second = b;

  if (first->deadline != second->deadline)
    return first->deadline < second->deadline ? -1 : 1;
  return first < second ? -1 : first > second;
}

static void
lilac_web_poll_arm_timer (LilacWebPoll *self)
{
  GSequenceIter *first = g_sequence_get_begin_iter (self->timeouts);

  if (g_sequence_iter_is_end (first))
    g_source_set_ready_time (self->timer, -1);
  else
    g_source_set_ready_time (self->timer, ((LilacHeldPoll *) g_sequence_get (first))->deadline);
}

/* no longer waiting: out of its user's list and the timeouts (it may still be writing) */
static void
lilac_web_poll_unhold (LilacWebPoll  *self,
                       LilacHeldPoll *poll,
                       gboolean       unlink_user)
{
  if (poll->timeout_iter == NULL)
    return;
  if (unlink_user)
    {
      LilacPollUser *user = g_hash_table_lookup (self->users, poll->session);

      if (user != NULL)
        g_queue_remove (&user->held, poll);
    }
  g_sequence_remove (poll->timeout_iter);
  poll->timeout_iter = NULL;
  self->held--;
}

static void
lilac_web_poll_drop (LilacWebPoll  *self,
                     LilacHeldPoll *poll)
{
  if (poll->fd >= 0)
    epoll_ctl (self->epoll, EPOLL_CTL_DEL, poll->fd, NULL);
  lilac_web_poll_unhold (self, poll, TRUE);
  g_hash_table_remove (self->polls, poll);
}

/* ------------------------------------------------------------ Parked polls */

/* the answer is out: the connection goes back to libsoup, or is closed */
static void
lilac_web_poll_give_back (LilacWebPoll  *self,
                          LilacHeldPoll *poll)
{
  int fd = poll->fd;

  epoll_ctl (self->epoll, EPOLL_CTL_DEL, fd, NULL);
  poll->fd = -1;
  if (poll->keep_alive && self->server->listener != NULL)
    lilac_web_listener_adopt (self->server->listener, fd);
  else
    close (fd);
  g_hash_table_remove (self->polls, poll);
}

/* writes what the socket takes; TRUE when all of it went out */
static gboolean
lilac_web_poll_write (LilacHeldPoll *poll)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (poll->output, &length);

  while (poll->written < length)
    {
      ssize_t sent = send (poll->fd, data + poll->written, length - poll->written,
                           MSG_NOSIGNAL | MSG_DONTWAIT);

      if (sent < 0 && errno == EINTR)
        continue;
      if (sent < 0)
        return FALSE;
      poll->written += (gsize) sent;
    }
  return TRUE;
}

static void
lilac_web_poll_send_parked (LilacWebPoll  *self,
                            LilacHeldPoll *poll,
                            GBytes        *answer)
{
  struct epoll_event wanted = { .events = EPOLLOUT | EPOLLRDHUP, .data.ptr = poll };

  poll->output = answer;
  poll->written = 0;
  if (lilac_web_poll_write (poll))
    {
      lilac_web_poll_give_back (self, poll);
      return;
    }
  if (errno != EAGAIN && errno != EWOULDBLOCK)
    {
      lilac_web_poll_drop (self, poll);
      return;
    }
  /* a large answer to a slow reader: the rest goes out as the socket drains */
  epoll_ctl (self->epoll, EPOLL_CTL_MOD, poll->fd, &wanted);
}

static void
lilac_web_poll_handle_ready (LilacWebPoll       *self,
                             struct epoll_event *ready)
{
  LilacHeldPoll *poll = ready->data.ptr;
  char byte;

  if (poll->output != NULL && (ready->events & EPOLLOUT) != 0)
    {
      if (lilac_web_poll_write (poll))
        lilac_web_poll_give_back (self, poll);
      else if (errno != EAGAIN && errno != EWOULDBLOCK)
        lilac_web_poll_drop (self, poll);
      return;
    }
  if ((ready->events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0 ||
      recv (poll->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0)
    {
      /* the client went away: nothing to answer */
      lilac_web_poll_drop (self, poll);
      return;
    }
  /* the client sent its next request early: it waits in the socket until the answer */
  {
    struct epoll_event wanted = { .events = EPOLLRDHUP, .data.ptr = poll };

    epoll_ctl (self->epoll, EPOLL_CTL_MOD, poll->fd, &wanted);
  }
}

static gboolean
lilac_web_poll_epoll_cb (int          fd,
                         GIOCondition condition,
                         gpointer     user_data)
{
  LilacWebPoll *self = LILAC_WEB_POLL (user_data);
  struct epoll_event ready[LILAC_WEB_POLL_EPOLL_BATCH];
  int count = epoll_wait (fd, ready, LILAC_WEB_POLL_EPOLL_BATCH, 0);

  for (int i = 0; i < count; i++)
    lilac_web_poll_handle_ready (self, &ready[i]);
  lilac_web_poll_arm_timer (self);
  return G_SOURCE_CONTINUE;
}

/* takes the poll's connection from libsoup; FALSE when it cannot be parked (TLS) */
static gboolean
lilac_web_poll_park (LilacWebPoll    *self,
                     LilacHeldPoll   *poll,
                     LilacWebRequest *request)
{
  SoupServerMessage *msg = request->msg;
  GSocket *socket = self->server->tls ? NULL : lilac_web_server_get_socket (self->server, msg);
  const char *connection = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                         "Connection");
  struct epoll_event wanted = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = poll };
  g_autoptr(GIOStream) stream = NULL;

  if (socket == NULL || self->epoll < 0 || (poll->fd = dup (g_socket_get_fd (socket))) < 0)
    return FALSE;
  poll->local = g_object_ref (soup_server_message_get_local_address (msg));
  poll->remote = g_object_ref (soup_server_message_get_remote_address (msg));
  poll->keep_alive = soup_server_message_get_http_version (msg) == SOUP_HTTP_1_1 &&
                     (connection == NULL || strstr (connection, "close") == NULL);
  /* libsoup lets go of the connection; our duplicate keeps it open */
  stream = soup_server_message_steal_connection (msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
  g_unix_set_fd_nonblocking (poll->fd, TRUE, NULL);
  if (epoll_ctl (self->epoll, EPOLL_CTL_ADD, poll->fd, &wanted) != 0)
    {
      close (g_steal_fd (&poll->fd));
      return TRUE;   /* the connection is gone either way */
    }
  return TRUE;
}

/* ---------------------------------------------------------------- Answers */

static void
lilac_web_poll_answer_with (LilacWebPoll  *self,
                            LilacHeldPoll *poll,
                            unsigned       status,
                            char          *body,
                            gsize          length)
{
  if (poll->request != NULL)
    {
      if (status == SOUP_STATUS_OK)
        lilac_web_response_raw_json (poll->request->msg, status, body, length);
      else
        {
          lilac_web_response_error_literal (poll->request->msg, status, "unauthorized",
                                            "this login has ended");
          g_free (body);
        }
      lilac_web_request_resume (poll->request);
      g_hash_table_remove (self->polls, poll);
      return;
    }
  if (poll->fd < 0)
    {
      g_free (body);
      g_hash_table_remove (self->polls, poll);
      return;
    }
  lilac_web_poll_send_parked (self, poll, lilac_web_response_raw (status, body, length,
                                                                    poll->keep_alive));
  g_free (body);
}

static void
lilac_web_poll_respond (LilacWebPoll  *self,
                        LilacHeldPoll *poll)
{
  LilacEventQueue *queue = lilac_im_session_get_queue (poll->session);
  gsize length = 0;
  char *text = lilac_event_queue_render (queue, poll->since, poll->epoch,
                                         LILAC_WEB_POLL_MAX_EVENTS, &length);

  lilac_web_poll_answer_with (self, poll, SOUP_STATUS_OK, text, length);
}

static void
lilac_web_poll_event_cb (LilacImSession *session,
                         guint64         seq,
                         gpointer        user_data)
{
  LilacWebPoll *self = LILAC_WEB_POLL (user_data);
  LilacPollUser *user = g_hash_table_lookup (self->users, session);
  GQueue waiting = G_QUEUE_INIT;

  if (user == NULL || g_queue_is_empty (&user->held))
    return;
  /* answering may run a connection's next request at once, which may hold
   * a new poll of this user: detach the list before walking it */
  waiting = user->held;
  g_queue_init (&user->held);
  while (!g_queue_is_empty (&waiting))
    {
      LilacHeldPoll *poll = g_queue_pop_head (&waiting);

      lilac_web_poll_unhold (self, poll, FALSE);
      lilac_web_poll_respond (self, poll);
    }
  lilac_web_poll_arm_timer (self);
}

static gboolean
lilac_web_poll_timer_cb (gpointer user_data)
{
  LilacWebPoll *self = LILAC_WEB_POLL (user_data);
  gint64 now = g_get_monotonic_time ();

  while (TRUE)
    {
      GSequenceIter *first = g_sequence_get_begin_iter (self->timeouts);
      LilacHeldPoll *poll;

      if (g_sequence_iter_is_end (first))
        break;
      poll = g_sequence_get (first);
      if (poll->deadline > now)
        break;
      lilac_web_poll_unhold (self, poll, TRUE);
      lilac_web_poll_respond (self, poll);
    }
  lilac_web_poll_arm_timer (self);
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------- GObject */

static void
lilac_web_poll_session_gone (gpointer  user_data,
                             GObject  *where_the_session_was)
{
  LilacWebPoll *self = LILAC_WEB_POLL (user_data);

  g_hash_table_remove (self->users, where_the_session_was);
}

static void
lilac_poll_user_free (gpointer data)
{
  LilacPollUser *user = data;

  g_queue_clear (&user->held);
  g_free (user);
}

static void
lilac_web_poll_dispose (GObject *object)
{
  LilacWebPoll *self = LILAC_WEB_POLL (object);

  lilac_web_poll_release_all (self);
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  g_clear_handle_id (&self->epoll_id, g_source_remove);
  G_OBJECT_CLASS (lilac_web_poll_parent_class)->dispose (object);
}

static void
lilac_web_poll_finalize (GObject *object)
{
  LilacWebPoll *self = LILAC_WEB_POLL (object);

  g_hash_table_unref (self->users);
  g_hash_table_unref (self->polls);
  g_sequence_free (self->timeouts);
  if (self->epoll >= 0)
    close (self->epoll);
  G_OBJECT_CLASS (lilac_web_poll_parent_class)->finalize (object);
}

static void
lilac_web_poll_class_init (LilacWebPollClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lilac_web_poll_dispose;
  object_class->finalize = lilac_web_poll_finalize;
}

static void
lilac_web_poll_init (LilacWebPoll *self)
{
  self->users = g_hash_table_new_full (NULL, NULL, NULL, lilac_poll_user_free);
  self->polls = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) lilac_held_poll_free, NULL);
  self->timeouts = g_sequence_new (NULL);
  self->timer = g_timeout_source_new (G_MAXUINT);
  g_source_set_ready_time (self->timer, -1);
  g_source_set_callback (self->timer, lilac_web_poll_timer_cb, self, NULL);
  g_source_attach (self->timer, NULL);
  self->epoll = epoll_create1 (EPOLL_CLOEXEC);
  if (self->epoll >= 0)
    self->epoll_id = g_unix_fd_add (self->epoll, G_IO_IN, lilac_web_poll_epoll_cb, self);
}

/**
 * lilac_web_poll_new:
 * @server: the server whose polls these are
 *
 * Returns: (transfer full): the held-poll registry
 */
LilacWebPoll *
lilac_web_poll_new (LilacWebServer *server)
{
  LilacWebPoll *self = g_object_new (LILAC_TYPE_WEB_POLL, NULL);

  self->server = server;
  return self;
}

static LilacPollUser *
lilac_web_poll_ensure_user (LilacWebPoll   *self,
                            LilacImSession *session)
{
  LilacPollUser *user = g_hash_table_lookup (self->users, session);

  if (user != NULL)
    return user;
  user = g_new0 (LilacPollUser, 1);
  g_queue_init (&user->held);
  user->handler = g_signal_connect (session, "event-pushed", G_CALLBACK (lilac_web_poll_event_cb),
                                    self);
  g_object_weak_ref (G_OBJECT (session), lilac_web_poll_session_gone, self);
  g_hash_table_insert (self->users, session, user);
  return user;
}

/**
 * lilac_web_poll_answer:
 * @self: the registry
 * @request: an authenticated `GET /events`
 * @since: the last seq the client has
 * @epoch: (nullable): the epoch of @since
 * @timeout_seconds: how long to hold the poll when nothing is new
 *
 * Answers at once when there are events (or a resync), else holds the poll.
 */
void
lilac_web_poll_answer (LilacWebPoll    *self,
                       LilacWebRequest *request,
                       guint64          since,
                       const char      *epoch,
                       int              timeout_seconds)
{
  LilacEventQueue *queue = lilac_im_session_get_queue (request->session);
  LilacHeldPoll *poll;
  LilacPollUser *user;

  if (lilac_event_queue_check (queue, since, epoch) != LILAC_EVENT_READ_EMPTY)
    {
      gsize length = 0;
      char *text = lilac_event_queue_render (queue, since, epoch, LILAC_WEB_POLL_MAX_EVENTS,
                                             &length);

      lilac_web_response_raw_json (request->msg, SOUP_STATUS_OK, text, length);
      return;
    }
  poll = g_new0 (LilacHeldPoll, 1);
  poll->fd = -1;
  poll->session = g_object_ref (request->session);
  poll->login_id = request->login->id;
  poll->user_id = request->login->user_id;
  poll->since = since;
  poll->epoch = g_strdup (epoch);
  poll->deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  if (!lilac_web_poll_park (self, poll, request))
    {
      poll->request = lilac_web_request_ref (request);
      lilac_web_request_pause (request);
    }
  g_hash_table_add (self->polls, poll);
  poll->timeout_iter = g_sequence_insert_sorted (self->timeouts, poll, lilac_held_poll_compare,
                                                 NULL);
  user = lilac_web_poll_ensure_user (self, request->session);
  g_queue_push_tail (&user->held, poll);
  self->held++;
  lilac_web_poll_arm_timer (self);
}

unsigned
lilac_web_poll_get_held (LilacWebPoll *self)
{
  return self->held;
}

/**
 * lilac_web_poll_end:
 * @self: the registry
 * @login_id: a login whose polls end, or 0
 * @user_id: a user whose polls end, or 0
 *
 * Answers the held polls of an ended login (or of all a user's logins)
 * with 401 at once.
 */
void
lilac_web_poll_end (LilacWebPoll *self,
                    gint64        login_id,
                    gint64        user_id)
{
  g_autoptr(GPtrArray) ended = g_ptr_array_new ();
  const char *body = "{\"error\":{\"code\":\"unauthorized\",\"message\":\"this login has ended\"}}";

  for (GSequenceIter *iter = g_sequence_get_begin_iter (self->timeouts);
       !g_sequence_iter_is_end (iter); iter = g_sequence_iter_next (iter))
    {
      LilacHeldPoll *poll = g_sequence_get (iter);

      if (poll->login_id == login_id || poll->user_id == user_id)
        g_ptr_array_add (ended, poll);
    }
  for (unsigned i = 0; i < ended->len; i++)
    {
      LilacHeldPoll *poll = ended->pdata[i];

      lilac_web_poll_unhold (self, poll, TRUE);
      lilac_web_poll_answer_with (self, poll, SOUP_STATUS_UNAUTHORIZED, g_strdup (body),
                                  strlen (body));
    }
  lilac_web_poll_arm_timer (self);
}

/**
 * lilac_web_poll_release_all:
 *
 * Answers every held poll now, e.g. when the gateway stops.
 */
void
lilac_web_poll_release_all (LilacWebPoll *self)
{
  GHashTableIter iter;
  gpointer key, value;

  while (!g_sequence_is_empty (self->timeouts))
    {
      LilacHeldPoll *poll = g_sequence_get (g_sequence_get_begin_iter (self->timeouts));

      lilac_web_poll_unhold (self, poll, TRUE);
      poll->keep_alive = FALSE;
      lilac_web_poll_respond (self, poll);
    }
  g_hash_table_remove_all (self->polls);
  g_hash_table_iter_init (&iter, self->users);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_signal_handler_disconnect (key, ((LilacPollUser *) value)->handler);
      g_object_weak_unref (key, lilac_web_poll_session_gone, self);
    }
  g_hash_table_remove_all (self->users);
}
