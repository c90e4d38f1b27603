/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The active IM sessions, one per user, created at the user's first
 * authenticated request (with the data key that request opened) and kept
 * while the gateway runs. The epoch names this run of the gateway: event
 * sequence numbers of an older run answer "resync".
 */
#include "config.h"

#include "lilac-im-manager.h"

#include "lilac-im-session.h"

struct _LilacImManager {
  GObject parent_instance;

  LilacStore *store;                     /* (owned) */
  LilacImAccountStore *accounts;         /* (owned) */
  LilacConversationStore *conversations; /* (owned) */
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
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  G_OBJECT_CLASS (lilac_im_manager_parent_class)->dispose (object);
}

static void
lilac_im_manager_finalize (GObject *object)
{
  LilacImManager *self = LILAC_IM_MANAGER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->accounts);
  g_clear_object (&self->conversations);
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
                      LilacImAccountStore   *accounts,
                      LilacProtocols        *protocols,
                      LilacSupervisor       *supervisor,
                      const LilacImSettings *settings)
{
  LilacImManager *self = g_object_new (LILAC_TYPE_IM_MANAGER, NULL);

  self->store = g_object_ref (store);
  self->accounts = g_object_ref (accounts);
  self->conversations = lilac_conversation_store_new (store);
  self->protocols = g_object_ref (protocols);
  self->supervisor = g_object_ref (supervisor);
  self->settings = *settings;
  self->settings.users_dir = g_strdup (settings->users_dir);
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
