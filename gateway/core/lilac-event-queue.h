/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * One user's event stream: a ring of the newest events, each numbered by a
 * contiguous per-user sequence number and kept already serialized.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _LilacEventQueue LilacEventQueue;

typedef enum {
  LILAC_EVENT_READ_EVENTS,   /* events newer than since */
  LILAC_EVENT_READ_EMPTY,    /* nothing newer yet: hold the poll */
  LILAC_EVENT_READ_RESYNC,   /* since is gone or from another epoch */
} LilacEventRead;

LilacEventQueue *lilac_event_queue_new (const char *epoch,
                                        unsigned    capacity);
void             lilac_event_queue_free (LilacEventQueue *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacEventQueue, lilac_event_queue_free)

const char      *lilac_event_queue_get_epoch (LilacEventQueue *self);
guint64          lilac_event_queue_get_seq (LilacEventQueue *self);
guint64          lilac_event_queue_get_oldest (LilacEventQueue *self);
guint64          lilac_event_queue_push (LilacEventQueue *self,
                                         const char      *type,
                                         JsonObject      *fields);
LilacEventRead   lilac_event_queue_check (LilacEventQueue *self,
                                          guint64          since,
                                          const char      *epoch);
char            *lilac_event_queue_render (LilacEventQueue *self,
                                           guint64          since,
                                           const char      *epoch,
                                           unsigned         max_events,
                                           gsize           *length);

G_END_DECLS
