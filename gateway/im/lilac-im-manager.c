/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The active IM sessions, one per user, created at the user's first
 * authenticated request (with the data key that request opened). A session
 * stays while the user has a live login (one not logged out nor expired),
 * or is always-on; once the last login is gone, it stops after the idle
 * time. The epoch names this run of the gateway: event sequence numbers of
 * an older run answer "resync".
 */
#include "config.h"

#include "lilac-im-manager.h"

#include "lilac-im-session.h"

struct _LilacImManager {
  GObject parent_instance;

  LilacStore *store;                     /* (owned) */
  LilacUserStore *users;                 /* (owned) */
  LilacImAccountStore *accounts;         /* (owned) */
  LilacKey *server_key;                  /* (owned) (nullable) opens always-on users' keys */
  LilacLoginStore *logins;               /* (owned) (nullable) says who is logged in */
  guint idle_id;
  guint purge_id;
  LilacConversationStore *conversations; /* (owned) */
  LilacTransferStore *transfers;         /* (owned) */
  LilacProtocols *protocols;             /* (owned) */
  LilacSupervisor *supervisor;           /* (owned) */
  LilacImSettings settings;              /* users_dir owned */
  char *epoch;                           /* (owned) */
  GHashTable *sessions;                  /* (owned) user id -> (owned) LilacImSession */
};

G_DEFINE_TYPE (LilacImManager, lilac_im_manager, G_TYPE_OBJECT)

static void
lilac_im_manager_dispose (GObject *object)
{
  LilacImManager *self = LILAC_IM_MANAGER (object);

  lilac_im_manager_stop_all (self);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_handle_id (&self->purge_id, g_source_remove);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  G_OBJECT_CLASS (lilac_im_manager_parent_class)->dispose (object);
}

static void
lilac_im_manager_finalize (GObject *object)
{
  LilacImManager *self = LILAC_IM_MANAGER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->users);
  g_clear_pointer (&self->server_key, lilac_key_unref);
  g_clear_object (&self->logins);
  g_clear_object (&self->accounts);
  g_clear_object (&self->conversations);
  g_clear_object (&self->transfers);
  g_clear_object (&self->protocols);
  g_clear_object (&self->supervisor);
  g_free (self->settings.users_dir);
  g_free (self->epoch);
  G_OBJECT_CLASS (lilac_im_manager_parent_class)->finalize (object);
}

static void
lilac_im_manager_class_init (LilacImManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lilac_im_manager_dispose;
  object_class->finalize = lilac_im_manager_finalize;
}

static void
lilac_im_manager_init (LilacImManager *self)
{
  self->sessions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->epoch = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

/* whether the session stays: its user is always-on, or logged in (which
 * counts as activity, so that the idle time runs from the logout), or was
 * active within the idle time */
static gboolean
lilac_im_manager_is_in_use (LilacImManager *self,
                            LilacImSession *session,
                            gint64          limit)
{
  if (lilac_im_session_is_always_on (session))
    return TRUE;
  if (self->logins != NULL &&
      lilac_login_store_user_has_logins (self->logins, lilac_im_session_get_user_id (session)))
    {
      lilac_im_session_touch (session);
      return TRUE;
    }
  return lilac_im_session_get_last_active (session) > limit;
}

/* sessions of users logged out for the idle time stop (and forget the data
 * key), unless the user is always-on; the next login starts them again */
static gboolean
lilac_im_manager_idle_cb (gpointer user_data)
{
  LilacImManager *self = LILAC_IM_MANAGER (user_data);
  gint64 limit = g_get_monotonic_time () - (gint64) self->settings.idle_seconds * G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LilacImSession *session = value;

      if (lilac_im_manager_is_in_use (self, session, limit))
        continue;
      g_message ("user %s: idle, stopping the IM session", lilac_im_session_get_user (session)->name);
      lilac_im_session_stop (session);
      g_hash_table_iter_remove (&iter);
    }
  return G_SOURCE_CONTINUE;
}

/* history retention: hourly, drop the messages older than history_days */
static gboolean
lilac_im_manager_purge_cb (gpointer user_data)
{
  LilacImManager *self = LILAC_IM_MANAGER (user_data);
  gint64 before = g_get_real_time () / 1000 - (gint64) self->settings.history_days * 86400000;
  g_autoptr(GError) local_error = NULL;
  gint64 purged = lilac_conversation_store_purge (self->conversations, before, &local_error);

  if (purged < 0)
    g_message ("purging old history failed: %s", local_error->message);
  else if (purged > 0)
    g_message ("purged %" G_GINT64_FORMAT " messages older than %d days", purged,
               self->settings.history_days);
  return G_SOURCE_CONTINUE;
}

/**
 * lilac_im_manager_new:
 * @store: the store
 * @accounts: the IM account store
 * @protocols: the protocol list
 * @supervisor: starts workers
 * @settings: (transfer none): limits and folders
 *
 * Returns: (transfer full): a manager with no session
 */
LilacImManager *
lilac_im_manager_new (LilacStore            *store,
                      LilacUserStore        *users,
                      LilacImAccountStore   *accounts,
                      LilacProtocols        *protocols,
                      LilacSupervisor       *supervisor,
                      const LilacImSettings *settings)
{
  LilacImManager *self = g_object_new (LILAC_TYPE_IM_MANAGER, NULL);

  self->store = g_object_ref (store);
  self->users = g_object_ref (users);
  self->accounts = g_object_ref (accounts);
  self->conversations = lilac_conversation_store_new (store);
  self->transfers = lilac_transfer_store_new (store);
  self->protocols = g_object_ref (protocols);
  self->supervisor = g_object_ref (supervisor);
  self->settings = *settings;
  self->settings.users_dir = g_strdup (settings->users_dir);
  /* checked ten times within the idle time, at most every 30 s */
  self->idle_id = g_timeout_add (CLAMP ((guint) MAX (settings->idle_seconds, 1) * 100u, 100u, 30000u),
                                 lilac_im_manager_idle_cb, self);
  if (settings->history_days > 0)
    {
      lilac_im_manager_purge_cb (self);
      self->purge_id = g_timeout_add_seconds (3600, lilac_im_manager_purge_cb, self);
    }
  return self;
}

const char *
lilac_im_manager_get_epoch (LilacImManager *self)
{
  return self->epoch;
}

/**
 * lilac_im_manager_lookup:
 *
 * Returns: (transfer none) (nullable): the user's session, if active
 */
LilacImSession *
lilac_im_manager_lookup (LilacImManager *self,
                         gint64          user_id)
{
  return g_hash_table_lookup (self->sessions, &user_id);
}

/**
 * lilac_im_manager_ensure:
 * @self: the manager
 * @user: the user
 * @data_key: the user's data key, opened by a login
 *
 * Returns: (transfer none): the user's session, started if it was not active
 */
LilacImSession *
lilac_im_manager_ensure (LilacImManager  *self,
                         const LilacUser *user,
                         LilacKey        *data_key)
{
  LilacImSession *session = lilac_im_manager_lookup (self, user->id);

  if (session != NULL)
    return session;
  session = lilac_im_session_new (self, user, data_key);
  g_hash_table_insert (self->sessions, g_memdup2 (&user->id, sizeof user->id), session);
  lilac_im_session_start (session);
  return session;
}

void
lilac_im_manager_stop_all (LilacImManager *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self->sessions == NULL)
    return;
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    lilac_im_session_stop (value);
}

unsigned
lilac_im_manager_get_session_count (LilacImManager *self)
{
  return g_hash_table_size (self->sessions);
}

LilacStore *
lilac_im_manager_get_store (LilacImManager *self)
{
  return self->store;
}

LilacImAccountStore *
lilac_im_manager_get_accounts (LilacImManager *self)
{
  return self->accounts;
}

LilacConversationStore *
lilac_im_manager_get_conversations (LilacImManager *self)
{
  return self->conversations;
}

LilacTransferStore *
lilac_im_manager_get_transfers (LilacImManager *self)
{
  return self->transfers;
}

LilacProtocols *
lilac_im_manager_get_protocols (LilacImManager *self)
{
  return self->protocols;
}

LilacSupervisor *
lilac_im_manager_get_supervisor (LilacImManager *self)
{
  return self->supervisor;
}

const LilacImSettings *
lilac_im_manager_get_settings (LilacImManager *self)
{
  return &self->settings;
}

/**
 * lilac_im_manager_drop:
 *
 * Stops the user's session and forgets it (the user was deleted, or their
 * password reset): nothing of it stays in memory.
 */
void
lilac_im_manager_drop (LilacImManager *self,
                       gint64          user_id)
{
  LilacImSession *session = lilac_im_manager_lookup (self, user_id);

  if (session == NULL)
    return;
  lilac_im_session_stop (session);
  g_hash_table_remove (self->sessions, &user_id);
}

/**
 * lilac_im_manager_set_logins:
 * @self: the manager
 * @logins: the login store: a user with a live login keeps their session
 */
void
lilac_im_manager_set_logins (LilacImManager  *self,
                             LilacLoginStore *logins)
{
  g_set_object (&self->logins, logins);
}

void
lilac_im_manager_set_server_key (LilacImManager *self,
                                 LilacKey       *server_key)
{
  g_clear_pointer (&self->server_key, lilac_key_unref);
  self->server_key = server_key != NULL ? lilac_key_ref (server_key) : NULL;
}

/**
 * lilac_im_manager_get_server_key:
 *
 * Returns: (transfer none) (nullable): the server key
 */
LilacKey *
lilac_im_manager_get_server_key (LilacImManager *self)
{
  return self->server_key;
}

/**
 * lilac_im_manager_start_always_on:
 *
 * Starts the sessions of the always-on users, with no login needed.
 *
 * Returns: how many were started
 */
unsigned
lilac_im_manager_start_always_on (LilacImManager *self)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) local_error = NULL;

  if (self->server_key == NULL)
    return 0;
  users = lilac_user_store_list_always_on (self->users, self->server_key, &keys, &local_error);
  if (users == NULL)
    {
      g_message ("cannot list the always-on users: %s", local_error->message);
      return 0;
    }
  for (unsigned i = 0; i < users->len; i++)
    lilac_im_manager_ensure (self, users->pdata[i], keys->pdata[i]);
  return users->len;
}

/**
 * lilac_im_manager_broadcast:
 *
 * Sends a `notify` event to every user with an active session.
 *
 * Returns: how many users it reached
 */
unsigned
lilac_im_manager_broadcast (LilacImManager *self,
                            const char     *title,
                            const char     *text)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    lilac_im_session_notify (value, "info", title, text);
  return g_hash_table_size (self->sessions);
}

/**
 * lilac_im_manager_notify_users:
 * @self: the manager
 * @user_ids: (array length=count): the users to tell
 * @count: how many
 * @title: a title
 * @text: the text
 *
 * Sends a `notify` event to the listed users whose sessions are active.
 *
 * Returns: how many it reached
 */
unsigned
lilac_im_manager_notify_users (LilacImManager *self,
                               const gint64   *user_ids,
                               unsigned        count,
                               const char     *title,
                               const char     *text)
{
  unsigned reached = 0;

  for (unsigned i = 0; i < count; i++)
    {
      LilacImSession *session = lilac_im_manager_lookup (self, user_ids[i]);

      if (session == NULL)
        continue;
      lilac_im_session_notify (session, "info", title, text);
      reached++;
    }
  return reached;
}

unsigned
lilac_im_manager_get_worker_count (LilacImManager *self)
{
  return lilac_supervisor_get_running (self->supervisor);
}

unsigned
lilac_im_manager_get_worker_restarts (LilacImManager *self)
{
  return lilac_supervisor_get_restarts (self->supervisor);
}

LilacUserStore *
lilac_im_manager_get_users (LilacImManager *self)
{
  return self->users;
}
