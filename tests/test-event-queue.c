/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of the per-user event ring: contiguous numbering, reads, resync.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "lilac-event-queue.h"

static JsonArray *
test_event_queue_events (const char *rendered,
                         gint64     *next)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  g_assert_true (json_parser_load_from_data (parser, rendered, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  *next = json_object_get_int_member (root, "next");
  return json_array_ref (json_object_get_array_member (root, "events"));
}

static void
test_event_queue_contiguous (void)
{
  g_autoptr(LilacEventQueue) queue = lilac_event_queue_new ("e1", 8);
  g_autoptr(JsonArray) events = NULL;
  g_autofree char *rendered = NULL;
  gint64 next = 0;

  g_test_summary ("events are numbered 1, 2, 3 and read back in order after since");
  g_assert_cmpint (lilac_event_queue_check (queue, 0, NULL), ==, LILAC_EVENT_READ_EMPTY);
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(JsonObject) fields = json_object_new ();

      json_object_set_int_member (fields, "n", i);
      g_assert_cmpuint (lilac_event_queue_push (queue, "notify", fields), ==, (guint64) i + 1);
    }
  g_assert_cmpint (lilac_event_queue_check (queue, 2, "e1"), ==, LILAC_EVENT_READ_EVENTS);
  rendered = lilac_event_queue_render (queue, 2, "e1", 100, NULL);
  events = test_event_queue_events (rendered, &next);
  g_assert_cmpint (next, ==, 5);
  g_assert_cmpuint (json_array_get_length (events), ==, 3);
  for (unsigned i = 0; i < 3; i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, 3 + i);
      g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "notify");
      g_assert_cmpint (json_object_get_int_member (event, "n"), ==, 2 + i);
      g_assert_true (json_object_get_int_member (event, "time") > 0);
    }
}

static void
test_event_queue_limit (void)
{
  g_autoptr(LilacEventQueue) queue = lilac_event_queue_new ("e1", 64);
  g_autoptr(JsonArray) events = NULL;
  g_autofree char *rendered = NULL;
  gint64 next = 0;

  g_test_summary ("one answer carries at most max_events; next points at the last one");
  for (int i = 0; i < 10; i++)
    lilac_event_queue_push (queue, "notify", NULL);
  rendered = lilac_event_queue_render (queue, 0, NULL, 4, NULL);
  events = test_event_queue_events (rendered, &next);
  g_assert_cmpuint (json_array_get_length (events), ==, 4);
  g_assert_cmpint (next, ==, 4);
}

static void
test_event_queue_resync (void)
{
  g_autoptr(LilacEventQueue) queue = lilac_event_queue_new ("e1", 4);
  g_autoptr(JsonArray) events = NULL;
  g_autofree char *rendered = NULL;
  gint64 next = 0;

  g_test_summary ("a since older than the ring, from the future or another epoch resyncs");
  for (int i = 0; i < 10; i++)
    lilac_event_queue_push (queue, "notify", NULL);
  g_assert_cmpuint (lilac_event_queue_get_oldest (queue), ==, 7);
  g_assert_cmpint (lilac_event_queue_check (queue, 6, NULL), ==, LILAC_EVENT_READ_EVENTS);
  g_assert_cmpint (lilac_event_queue_check (queue, 5, NULL), ==, LILAC_EVENT_READ_RESYNC);
  g_assert_cmpint (lilac_event_queue_check (queue, 11, NULL), ==, LILAC_EVENT_READ_RESYNC);
  g_assert_cmpint (lilac_event_queue_check (queue, 10, "other"), ==, LILAC_EVENT_READ_RESYNC);
  g_assert_cmpint (lilac_event_queue_check (queue, 10, "e1"), ==, LILAC_EVENT_READ_EMPTY);

  rendered = lilac_event_queue_render (queue, 1, NULL, 100, NULL);
  events = test_event_queue_events (rendered, &next);
  g_assert_cmpuint (json_array_get_length (events), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0),
                                                  "type"), ==, "resync");
  g_assert_cmpint (next, ==, 10);
}

static void
test_event_queue_reserved_fields (void)
{
  g_autoptr(LilacEventQueue) queue = lilac_event_queue_new ("e1", 4);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonArray) events = NULL;
  g_autofree char *rendered = NULL;
  gint64 next = 0;
  JsonObject *event;

  g_test_summary ("fields cannot override seq, type or time");
  json_object_set_int_member (fields, "seq", 99);
  json_object_set_string_member (fields, "type", "resync");
  json_object_set_string_member (fields, "text", "hi");
  lilac_event_queue_push (queue, "message", fields);
  rendered = lilac_event_queue_render (queue, 0, NULL, 10, NULL);
  events = test_event_queue_events (rendered, &next);
  event = json_array_get_object_element (events, 0);
  g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "message");
  g_assert_cmpstr (json_object_get_string_member (event, "text"), ==, "hi");
}

static void
test_event_queue_growth (void)
{
  g_autoptr(LilacEventQueue) queue = lilac_event_queue_new ("e1", 100);

  g_test_summary ("a ring that grows to its capacity (not a power of two) and wraps keeps "
                  "every held event, in order, with its own fields");
  for (int i = 1; i <= 350; i++)
    {
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autoptr(JsonArray) events = NULL;
      g_autofree char *rendered = NULL;
      guint64 oldest;
      gint64 next = 0;

      json_object_set_int_member (fields, "n", i);
      g_assert_cmpuint (lilac_event_queue_push (queue, "notify", fields), ==, (guint64) i);
      oldest = lilac_event_queue_get_oldest (queue);
      g_assert_cmpuint (oldest, ==, (guint64) MAX (1, i - 99));
      rendered = lilac_event_queue_render (queue, oldest - 1, "e1", 1000, NULL);
      events = test_event_queue_events (rendered, &next);
      g_assert_cmpint (next, ==, i);
      g_assert_cmpuint (json_array_get_length (events), ==, (guint) (i - (gint64) oldest + 1));
      for (unsigned k = 0; k < json_array_get_length (events); k++)
        {
          JsonObject *event = json_array_get_object_element (events, k);

          g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, (gint64) (oldest + k));
          g_assert_cmpint (json_object_get_int_member (event, "n"), ==, (gint64) (oldest + k));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/event-queue/contiguous", test_event_queue_contiguous);
  g_test_add_func ("/core/event-queue/limit", test_event_queue_limit);
  g_test_add_func ("/core/event-queue/resync", test_event_queue_resync);
  g_test_add_func ("/core/event-queue/growth", test_event_queue_growth);
  g_test_add_func ("/core/event-queue/reserved-fields", test_event_queue_reserved_fields);
  return g_test_run ();
}
