/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A failure counter per key over a sliding window. Each key keeps the times
 * of its recent failures, and of attempts still being checked, which count
 * as failures until they are released (at most max_failures in all), so
 * memory stays bounded per key; keys without recent failures are dropped as
 * they are met and in a sweep every so many calls.
 */
#include "config.h"

#include "lilac-rate-limit.h"

#define LILAC_RATE_LIMIT_SWEEP_EVERY 1024
#define LILAC_RATE_LIMIT_MAX_KEYS 100000

struct _LilacRateLimit {
  unsigned max_failures;
  gint64 window;        /* us */
  GHashTable *keys;     /* (owned) key -> (owned) GQueue of failure times (gint64 in pointers) */
  unsigned calls;
};

static void
lilac_rate_limit_queue_free (gpointer data)
{
  g_queue_free (data);
}

/**
 * lilac_rate_limit_new:
 * @max_failures: failures allowed within the window
 * @window_us: the window's length
 *
 * Returns: (transfer full): a limiter
 */
LilacRateLimit *
lilac_rate_limit_new (unsigned max_failures,
                      gint64   window_us)
{
  LilacRateLimit *self = g_new0 (LilacRateLimit, 1);

  self->max_failures = MAX (max_failures, 1);
  self->window = window_us;
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, lilac_rate_limit_queue_free);
  return self;
}

void
lilac_rate_limit_free (LilacRateLimit *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->keys);
  g_free (self);
}

static void
lilac_rate_limit_expire (LilacRateLimit *self,
                         GQueue         *times,
                         gint64          now)
{
  while (!g_queue_is_empty (times) &&
         now - (gint64) GPOINTER_TO_SIZE (g_queue_peek_head (times)) > self->window)
    g_queue_pop_head (times);
}

static void
lilac_rate_limit_sweep (LilacRateLimit *self,
                        gint64          now)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->keys);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      lilac_rate_limit_expire (self, value, now);
      if (g_queue_is_empty (value))
        g_hash_table_iter_remove (&iter);
    }
}

/**
 * lilac_rate_limit_reserve:
 * @self: the limiter
 * @key: what is limited (a user name, an address)
 *
 * Counts an attempt for @key now, as a failure until it is released, when
 * @key has had fewer than max_failures in the window. Counting before the
 * attempt is checked means attempts made at the same time cannot all slip
 * under the limit.
 *
 * Returns: the attempt's stamp for lilac_rate_limit_release(), or 0 when
 *   @key is over the limit
 */
gint64
lilac_rate_limit_reserve (LilacRateLimit *self,
                          const char     *key)
{
  GQueue *times = g_hash_table_lookup (self->keys, key);
  gint64 now = MAX (g_get_monotonic_time (), 1);

  if (++self->calls % LILAC_RATE_LIMIT_SWEEP_EVERY == 0)
    lilac_rate_limit_sweep (self, now);
  if (times == NULL)
    {
      if (g_hash_table_size (self->keys) >= LILAC_RATE_LIMIT_MAX_KEYS)
        lilac_rate_limit_sweep (self, now);
      times = g_queue_new ();
      g_hash_table_insert (self->keys, g_strdup (key), times);
    }
  lilac_rate_limit_expire (self, times, now);
  if (g_queue_get_length (times) >= self->max_failures)
    return 0;
  g_queue_push_tail (times, GSIZE_TO_POINTER ((gsize) now));
  return now;
}

/**
 * lilac_rate_limit_release:
 * @self: the limiter
 * @key: the key of the attempt
 * @stamp: what lilac_rate_limit_reserve() returned
 *
 * Uncounts an attempt that did not fail.
 */
void
lilac_rate_limit_release (LilacRateLimit *self,
                          const char     *key,
                          gint64          stamp)
{
  GQueue *times = g_hash_table_lookup (self->keys, key);

  if (times == NULL || stamp == 0)
    return;
  g_queue_remove (times, GSIZE_TO_POINTER ((gsize) stamp));
  if (g_queue_is_empty (times))
    g_hash_table_remove (self->keys, key);
}
