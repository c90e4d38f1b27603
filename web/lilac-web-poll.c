/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Held polls. A poll with nothing newer than its `since` is paused and kept
 * in its user's list; the user's session announces each event once, and all
 * of the user's held polls are answered from the already serialized ring.
 * Timeouts sit in one sorted sequence behind a single timer source, so a
 * held poll costs the main loop no source of its own.
 */
#include "config.h"

#include "lilac-web-poll.h"

#include "lilac-web-response.h"

#define LILAC_WEB_POLL_MAX_EVENTS 500

typedef struct {
  LilacWebRequest *request;    /* (owned) */
  LilacImSession *session;     /* (unowned) the request holds it */
  guint64 since;
  char *epoch;                 /* (owned) (nullable) */
  gint64 deadline;             /* monotonic us */
  GSequenceIter *timeout_iter; /* (unowned) in LilacWebPoll.timeouts */
} LilacHeldPoll;

typedef struct {
  GQueue held;                 /* (owned) of LilacHeldPoll, owned by the timeouts sequence */
  gulong handler;
} LilacPollUser;

struct _LilacWebPoll {
  GObject parent_instance;

  GHashTable *users;           /* (owned) LilacImSession -> (owned) LilacPollUser */
  GSequence *timeouts;         /* (owned) LilacHeldPoll by deadline */
  GSource *timer;              /* (owned) */
  unsigned held;
};

G_DEFINE_TYPE (LilacWebPoll, lilac_web_poll, G_TYPE_OBJECT)

static void
lilac_held_poll_free (LilacHeldPoll *poll)
{
  lilac_web_request_unref (poll->request);
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

static void
lilac_web_poll_respond (LilacHeldPoll *poll)
{
  LilacEventQueue *queue = lilac_im_session_get_queue (poll->session);
  gsize length = 0;
  char *text = lilac_event_queue_render (queue, poll->since, poll->epoch,
                                         LILAC_WEB_POLL_MAX_EVENTS, &length);

  lilac_web_response_raw_json (poll->request->msg, SOUP_STATUS_OK, text, length);
  lilac_web_request_resume (poll->request);
}

/* takes @poll out of its user's list and the timeouts, answers it and frees it */
static void
lilac_web_poll_finish (LilacWebPoll  *self,
                       LilacHeldPoll *poll,
                       gboolean       unlink_user)
{
  if (unlink_user)
    {
      LilacPollUser *user = g_hash_table_lookup (self->users, poll->session);

      if (user != NULL)
        g_queue_remove (&user->held, poll);
    }
  self->held--;
  g_sequence_remove (poll->timeout_iter);   /* frees nothing: see the sequence's free func */
  lilac_web_poll_respond (poll);
  lilac_held_poll_free (poll);
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
  /* answering may run the connection's next request at once, which may
   * hold a new poll of this user: detach the list before walking it */
  waiting = user->held;
  g_queue_init (&user->held);
  while (!g_queue_is_empty (&waiting))
    lilac_web_poll_finish (self, g_queue_pop_head (&waiting), FALSE);
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
      lilac_web_poll_finish (self, poll, TRUE);
    }
  lilac_web_poll_arm_timer (self);
  return G_SOURCE_CONTINUE;
}

/* a session that ends takes its entry with it */
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
  G_OBJECT_CLASS (lilac_web_poll_parent_class)->dispose (object);
}

static void
lilac_web_poll_finalize (GObject *object)
{
  LilacWebPoll *self = LILAC_WEB_POLL (object);

  g_hash_table_unref (self->users);
  g_sequence_free (self->timeouts);
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
  self->timeouts = g_sequence_new (NULL);
  self->timer = g_timeout_source_new (G_MAXUINT);
  g_source_set_ready_time (self->timer, -1);
  g_source_set_callback (self->timer, lilac_web_poll_timer_cb, self, NULL);
  g_source_attach (self->timer, NULL);
}

/**
 * lilac_web_poll_new:
 *
 * Returns: (transfer full): the held-poll registry
 */
LilacWebPoll *
lilac_web_poll_new (void)
{
  return g_object_new (LILAC_TYPE_WEB_POLL, NULL);
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
  poll->request = lilac_web_request_ref (request);
  poll->session = request->session;
  poll->since = since;
  poll->epoch = g_strdup (epoch);
  poll->deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  poll->timeout_iter = g_sequence_insert_sorted (self->timeouts, poll, lilac_held_poll_compare,
                                                 NULL);
  user = lilac_web_poll_ensure_user (self, request->session);
  g_queue_push_tail (&user->held, poll);
  self->held++;
  lilac_web_request_pause (request);
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
  GSequenceIter *iter;

  for (iter = g_sequence_get_begin_iter (self->timeouts); !g_sequence_iter_is_end (iter);
       iter = g_sequence_iter_next (iter))
    {
      LilacHeldPoll *poll = g_sequence_get (iter);
      LilacLogin *login = poll->request->login;

      if (login != NULL && (login->id == login_id || login->user_id == user_id))
        g_ptr_array_add (ended, poll);
    }
  for (unsigned i = 0; i < ended->len; i++)
    {
      LilacHeldPoll *poll = ended->pdata[i];
      LilacPollUser *user = g_hash_table_lookup (self->users, poll->session);

      if (user != NULL)
        g_queue_remove (&user->held, poll);
      self->held--;
      g_sequence_remove (poll->timeout_iter);
      lilac_web_response_error_literal (poll->request->msg, SOUP_STATUS_UNAUTHORIZED,
                                        "unauthorized", "this login has ended");
      lilac_web_request_resume (poll->request);
      lilac_held_poll_free (poll);
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
    lilac_web_poll_finish (self, g_sequence_get (g_sequence_get_begin_iter (self->timeouts)),
                           TRUE);
  g_hash_table_iter_init (&iter, self->users);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_signal_handler_disconnect (key, ((LilacPollUser *) value)->handler);
      g_object_weak_unref (key, lilac_web_poll_session_gone, self);
    }
  g_hash_table_remove_all (self->users);
}
