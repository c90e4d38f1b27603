/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The set of active IM sessions (one per logged-in user) and what they
 * share: the stores, the protocol list, the supervisor and the epoch.
 */
#pragma once

#include <glib-object.h>

#include "lilac-conversation-store.h"
#include "lilac-im-account-store.h"
#include "lilac-login.h"
#include "lilac-protocols.h"
#include "lilac-secret.h"
#include "lilac-store.h"
#include "lilac-supervisor.h"
#include "lilac-transfer-store.h"
#include "lilac-user.h"
#include "lilac-user-store.h"

G_BEGIN_DECLS

typedef struct _LilacImSession LilacImSession;

typedef struct {
  char *users_dir;     /* (owned) one libpurple folder per user below it */
  unsigned event_ring; /* events kept per user */
  int heartbeat;       /* seconds between worker pings */
  int idle_seconds;    /* a logged-out user's session stops after this, unless always-on */
  int history_days;    /* messages older than this are purged */
  gint64 max_transfer; /* bytes of one file transfer */
  gint64 transfer_quota; /* bytes of stored transfers per user */
} LilacImSettings;

#define LILAC_TYPE_IM_MANAGER (lilac_im_manager_get_type ())
G_DECLARE_FINAL_TYPE (LilacImManager, lilac_im_manager, LILAC, IM_MANAGER, GObject)

LilacImManager         *lilac_im_manager_new (LilacStore            *store,
                                              LilacUserStore        *users,
                                              LilacImAccountStore   *accounts,
                                              LilacProtocols        *protocols,
                                              LilacSupervisor       *supervisor,
                                              const LilacImSettings *settings);
const char             *lilac_im_manager_get_epoch (LilacImManager *self);
LilacImSession         *lilac_im_manager_lookup (LilacImManager *self,
                                                 gint64          user_id);
LilacImSession         *lilac_im_manager_ensure (LilacImManager  *self,
                                                 const LilacUser *user,
                                                 LilacKey        *data_key);
void                    lilac_im_manager_stop_all (LilacImManager *self);
void                    lilac_im_manager_drop (LilacImManager *self,
                                               gint64          user_id);
void                    lilac_im_manager_set_logins (LilacImManager  *self,
                                                     LilacLoginStore *logins);
void                    lilac_im_manager_set_server_key (LilacImManager *self,
                                                         LilacKey       *server_key);
LilacKey               *lilac_im_manager_get_server_key (LilacImManager *self);
unsigned                lilac_im_manager_start_always_on (LilacImManager *self);
unsigned                lilac_im_manager_broadcast (LilacImManager *self,
                                                    const char     *title,
                                                    const char     *text);
unsigned                lilac_im_manager_notify_users (LilacImManager *self,
                                                       const gint64   *user_ids,
                                                       unsigned        count,
                                                       const char     *title,
                                                       const char     *text);
unsigned                lilac_im_manager_get_worker_count (LilacImManager *self);
unsigned                lilac_im_manager_get_worker_restarts (LilacImManager *self);
LilacUserStore         *lilac_im_manager_get_users (LilacImManager *self);
unsigned                lilac_im_manager_get_session_count (LilacImManager *self);

LilacStore             *lilac_im_manager_get_store (LilacImManager *self);
LilacImAccountStore    *lilac_im_manager_get_accounts (LilacImManager *self);
LilacConversationStore *lilac_im_manager_get_conversations (LilacImManager *self);
LilacTransferStore     *lilac_im_manager_get_transfers (LilacImManager *self);
LilacProtocols         *lilac_im_manager_get_protocols (LilacImManager *self);
LilacSupervisor        *lilac_im_manager_get_supervisor (LilacImManager *self);
const LilacImSettings  *lilac_im_manager_get_settings (LilacImManager *self);

G_END_DECLS
