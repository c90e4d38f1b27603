/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A user's event ring. Events are serialized once when pushed, so answering
 * many held polls (tabs) costs a string copy each, not a JSON walk. The ring
 * starts small and doubles up to its capacity as events come: most users of a
 * large gateway hold few events, and a full ring of 4,096 would be 32 KiB each.
 */
#include "config.h"

#include "lilac-event-queue.h"

#include <string.h>

struct _LilacEventQueue {
  char *epoch;       /* (owned) */
  unsigned capacity;
  unsigned allocated; /* the length of slots, up to capacity */
  guint64 seq;       /* the newest event's number; 0 before the first */
  char **slots;      /* (owned) (array length=allocated) event seq lives at seq % allocated */
};

#define LILAC_EVENT_QUEUE_FIRST_SLOTS 16

/**
 * lilac_event_queue_new:
 * @epoch: the epoch the sequence numbers belong to
 * @capacity: how many of the newest events are kept
 *
 * Returns: (transfer full): an empty queue
 */
LilacEventQueue *
lilac_event_queue_new (const char *epoch,
                       unsigned    capacity)
{
  LilacEventQueue *self = g_new0 (LilacEventQueue, 1);

  self->epoch = g_strdup (epoch);
  self->capacity = MAX (capacity, 1);
  self->allocated = MIN (self->capacity, LILAC_EVENT_QUEUE_FIRST_SLOTS);
  self->slots = g_new0 (char *, self->allocated);
  return self;
}

void
lilac_event_queue_free (LilacEventQueue *self)
{
  if (self == NULL)
    return;
  for (unsigned i = 0; i < self->allocated; i++)
    g_free (self->slots[i]);
  g_free (self->slots);
  g_free (self->epoch);
  g_free (self);
}

const char *
lilac_event_queue_get_epoch (LilacEventQueue *self)
{
  return self->epoch;
}

guint64
lilac_event_queue_get_seq (LilacEventQueue *self)
{
  return self->seq;
}

/**
 * lilac_event_queue_get_oldest:
 * @self: a queue
 *
 * Returns: the number of the oldest event still held (seq + 1 when empty)
 */
guint64
lilac_event_queue_get_oldest (LilacEventQueue *self)
{
  if (self->seq < self->capacity)
    return 1;
  return self->seq - self->capacity + 1;
}

static char *
lilac_event_queue_serialize (guint64     seq,
                             const char *type,
                             gint64      time,
                             JsonObject *fields)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, (gint64) seq);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, time);
  if (fields != NULL)
    {
      /* in the order the members were set */
      g_autoptr(GList) names = json_object_get_members (fields);

      for (GList *l = names; l != NULL; l = l->next)
        {
          const char *name = l->data;

          if (g_str_equal (name, "seq") || g_str_equal (name, "type") ||
              g_str_equal (name, "time"))
            continue;
          json_builder_set_member_name (builder, name);
          json_builder_add_value (builder, json_node_copy (json_object_get_member (fields, name)));
        }
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/**
 * lilac_event_queue_push:
 * @self: a queue
 * @type: the event type, e.g. "message"
 * @fields: (nullable) (transfer none): the event's other fields
 *
 * Numbers the event with the next sequence number and the current time and
 * keeps it, dropping the oldest event when the ring is full.
 *
 * Returns: the event's sequence number
 */
/* room for the events from the oldest held to seq, whose slots move */
static void
lilac_event_queue_grow (LilacEventQueue *self,
                        guint64          seq)
{
  unsigned allocated = self->allocated;
  char **slots;

  while ((guint64) allocated < MIN (seq, (guint64) self->capacity))
    allocated = (unsigned) MIN ((guint64) allocated * 2, (guint64) self->capacity);
  if (allocated == self->allocated)
    return;
  slots = g_new0 (char *, allocated);
  for (guint64 held = lilac_event_queue_get_oldest (self); held <= self->seq; held++)
    slots[held % allocated] = self->slots[held % self->allocated];
  g_free (self->slots);
  self->slots = slots;
  self->allocated = allocated;
}

guint64
lilac_event_queue_push (LilacEventQueue *self,
                        const char      *type,
                        JsonObject      *fields)
{
  guint64 seq = self->seq + 1;
  unsigned slot;

  lilac_event_queue_grow (self, seq);
  slot = (unsigned) (seq % self->allocated);

  g_free (self->slots[slot]);
  self->slots[slot] = lilac_event_queue_serialize (seq, type, g_get_real_time () / 1000,
                                                   fields);
  self->seq = seq;
  return seq;
}

/**
 * lilac_event_queue_check:
 * @self: a queue
 * @since: the last sequence number the client has
 * @epoch: (nullable): the epoch the client's @since belongs to
 *
 * Returns: whether a poll with @since has events, must wait, or must resync
 */
LilacEventRead
lilac_event_queue_check (LilacEventQueue *self,
                         guint64          since,
                         const char      *epoch)
{
  if (epoch != NULL && !g_str_equal (epoch, self->epoch))
    return LILAC_EVENT_READ_RESYNC;
  if (since > self->seq)
    return LILAC_EVENT_READ_RESYNC;
  if (since + 1 < lilac_event_queue_get_oldest (self))
    return LILAC_EVENT_READ_RESYNC;
  if (since == self->seq)
    return LILAC_EVENT_READ_EMPTY;
  return LILAC_EVENT_READ_EVENTS;
}

/**
 * lilac_event_queue_render:
 * @self: a queue
 * @since: the last sequence number the client has
 * @epoch: (nullable): the client's epoch
 * @max_events: the most events one answer carries
 * @length: (out) (optional): the length of the result
 *
 * Renders the answer to `GET /events`: the events after @since (at most
 * @max_events, oldest first), none when there are none, or a single
 * `resync` event when @since cannot be served.
 *
 * Returns: (transfer full): `{"epoch","next","events":[...]}`
 */
char *
lilac_event_queue_render (LilacEventQueue *self,
                          guint64          since,
                          const char      *epoch,
                          unsigned         max_events,
                          gsize           *length)
{
  GString *out = g_string_sized_new (256);
  LilacEventRead state = lilac_event_queue_check (self, since, epoch);
  guint64 last = since;

  g_string_append (out, "{\"epoch\":\"");
  g_string_append (out, self->epoch);
  g_string_append (out, "\",\"events\":[");
  if (state == LILAC_EVENT_READ_RESYNC)
    {
      g_string_append_printf (out, "{\"seq\":%" G_GUINT64_FORMAT
                              ",\"type\":\"resync\",\"time\":%" G_GINT64_FORMAT "}",
                              self->seq, g_get_real_time () / 1000);
      last = self->seq;
    }
  else if (state == LILAC_EVENT_READ_EVENTS)
    {
      guint64 end = MIN (self->seq, since + MAX (max_events, 1));

      for (guint64 seq = since + 1; seq <= end; seq++)
        {
          if (seq > since + 1)
            g_string_append_c (out, ',');
          g_string_append (out, self->slots[seq % self->allocated]);
        }
      last = end;
    }
  g_string_append_printf (out, "],\"next\":%" G_GUINT64_FORMAT "}", last);
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}
