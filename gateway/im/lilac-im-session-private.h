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
  char *presence_status;       /* (owned) */
  char *presence_message;      /* (owned) */
};

guint64 lilac_im_session_push (LilacImSession *self,
                               const char     *type,
                               JsonObject     *fields);
void    lilac_im_session_set_status (LilacImSession *self,
                                     gint64          account_id,
                                     const char     *status,
                                     const char     *error);
void    lilac_im_session_handle_event (LilacImSession *self,
                                       JsonObject     *event);

G_END_DECLS
