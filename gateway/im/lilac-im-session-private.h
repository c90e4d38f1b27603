/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Internals of LilacImSession shared with lilac-im-session-events.c, which
 * turns worker events into the mirror, the store and the event stream.
 */
#pragma once

#include "lilac-im-session.h"
#include "lilac-worker-proxy.h"

G_BEGIN_DECLS

typedef struct {
  char *status;   /* (owned) offline, connecting, online or error */
  char *error;    /* (owned) (nullable) */
} LilacAccountStatus;

struct _LilacImSession {
  GObject parent_instance;

  LilacImManager *manager;     /* (unowned) outlives its sessions */
  LilacUser *user;             /* (owned) */
  LilacKey *data_key;          /* (owned) opens the IM passwords */
  LilacEventQueue *queue;      /* (owned) */
  LilacWorkerProxy *worker;    /* (owned) (nullable) created with the first enabled account */
  GHashTable *accounts;        /* (owned) account id -> (owned) LilacImAccount */
  GHashTable *statuses;        /* (owned) account id -> (owned) LilacAccountStatus */
  GHashTable *buddies;         /* (owned) "account\nname" -> (owned) JsonObject as in /state */
  GHashTable *members;         /* (owned) conversation id -> (owned) set of names */
  GHashTable *topics;          /* (owned) conversation id -> (owned) topic */
  GHashTable *pending_out;     /* (owned) reserved message ids awaiting the worker's echo */
  GHashTable *requests;        /* (owned) gateway request id -> (owned) Request JSON */
  GHashTable *request_ids;     /* (owned) the worker's request id -> (owned) gateway id */
  GHashTable *unread_seqs;     /* (owned) conversation id -> (owned) GArray of guint64 seqs */
  GHashTable *transfers;       /* (owned) transfer id -> (owned) running transfer */
  GHashTable *transfer_ids;    /* (owned) the worker's transfer id -> (owned) gateway id */
  guint64 next_request;
  char *presence_status;       /* (owned) */
  char *presence_message;      /* (owned) */
  JsonObject *settings;        /* (owned) the user's settings, as stored */
  JsonObject *worker_plugins;  /* (owned) (nullable) what the worker said it loaded */
  GQueue notices;              /* (owned) the newest notify events for the user, JsonObject */
  gint64 last_active;          /* monotonic us of the last request of a login */
  gint64 storage_warned;       /* monotonic us of the last "history not saved" notice */
};

void               lilac_im_session_close_requests (LilacImSession *self);
void               lilac_im_session_on_transfer_offered (LilacImSession *self,
                                                         JsonObject     *event);
void               lilac_im_session_on_transfer_progress (LilacImSession *self,
                                                          JsonObject     *event);
void               lilac_im_session_fail_transfers (LilacImSession *self);
void               lilac_im_session_transfers_init (LilacImSession *self);
void               lilac_im_session_send_settings (LilacImSession *self);
void               lilac_im_session_send_presence (LilacImSession *self);
LilacImAccount    *lilac_im_session_find_account (LilacImSession *self,
                                                  const char     *id,
                                                  GError        **error);
LilacConversation *lilac_im_session_find_conversation (LilacImSession *self,
                                                       const char     *id,
                                                       GError        **error);
gboolean           lilac_im_session_check_running (LilacImSession *self,
                                                   GError        **error);

guint64 lilac_im_session_push (LilacImSession *self,
                               const char     *type,
                               JsonObject     *fields);
void    lilac_im_session_push_notice (LilacImSession *self,
                                      JsonObject     *fields);
void    lilac_im_session_set_status_reason (LilacImSession *self,
                                            gint64          account_id,
                                            const char     *status,
                                            const char     *error,
                                            const char     *reason,
                                            gint64          retry_in);
void    lilac_im_session_set_status (LilacImSession *self,
                                     gint64          account_id,
                                     const char     *status,
                                     const char     *error);
void    lilac_im_session_handle_event (LilacImSession *self,
                                       JsonObject     *event);

G_END_DECLS
