/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The reconnection backoff: 5 s doubling at each failed try up to 5
 * minutes, each delay drawn between its half and itself, so that the
 * accounts of many workers that lost the same server do not all come back
 * at the same moment.
 */
#include "config.h"

#include "lilac-purple-retry.h"

/**
 * lilac_purple_retry_delay:
 * @retries: the tries that failed since the account was last online
 * @random: a uniformly random number (g_random_int()): where the delay
 *   falls between its half (0) and all of it (G_MAXUINT32)
 *
 * Returns: milliseconds to wait before the next try
 */
guint
lilac_purple_retry_delay (unsigned retries,
                          guint32  random)
{
  guint64 delay = (guint64) LILAC_PURPLE_RETRY_FIRST_MS << MIN (retries, 16u);
  guint64 half;

  delay = MIN (delay, (guint64) LILAC_PURPLE_RETRY_MAX_MS);
  half = delay / 2;
  return (guint) (delay - half + (((guint64) random * (half + 1)) >> 32));
}
