/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of the reconnection backoff of the worker's accounts: the first try
 * within 5 s, doubling, capped at 5 minutes, jitter between half and all.
 */
#include "config.h"

#include "lilac-purple-retry.h"

/* the undrawn delay of the try after @retries failures */
static guint
test_retry_full (unsigned retries)
{
  guint64 full = (guint64) LILAC_PURPLE_RETRY_FIRST_MS << MIN (retries, 20u);

  return (guint) MIN (full, (guint64) LILAC_PURPLE_RETRY_MAX_MS);
}

static void
test_retry_first (void)
{
  g_assert_cmpuint (LILAC_PURPLE_RETRY_FIRST_MS, ==, 5000);
  g_assert_cmpuint (lilac_purple_retry_delay (0, 0), ==, 2500);
  g_assert_cmpuint (lilac_purple_retry_delay (0, G_MAXUINT32), ==, 5000);
  g_assert_cmpuint (lilac_purple_retry_delay (0, G_MAXUINT32 / 2), >=, 3700);
  g_assert_cmpuint (lilac_purple_retry_delay (0, G_MAXUINT32 / 2), <=, 3800);
}

static void
test_retry_growth (void)
{
  guint expected[] = { 5000, 10000, 20000, 40000, 80000, 160000, 300000, 300000 };

  for (unsigned retries = 0; retries < G_N_ELEMENTS (expected); retries++)
    {
      g_assert_cmpuint (lilac_purple_retry_delay (retries, G_MAXUINT32), ==, expected[retries]);
      g_assert_cmpuint (lilac_purple_retry_delay (retries, 0), ==, (expected[retries] + 1) / 2);
    }
}

static void
test_retry_cap (void)
{
  unsigned retries[] = { 6, 7, 16, 17, 31, 32, 33, 64, 1000, G_MAXUINT };

  g_assert_cmpuint (LILAC_PURPLE_RETRY_MAX_MS, ==, 5 * 60 * 1000);
  for (unsigned i = 0; i < G_N_ELEMENTS (retries); i++)
    {
      g_assert_cmpuint (lilac_purple_retry_delay (retries[i], G_MAXUINT32), ==, 300000);
      g_assert_cmpuint (lilac_purple_retry_delay (retries[i], 0), ==, 150000);
    }
}

/* random draws stay between half and all, and spread over that range */
static void
test_retry_jitter (void)
{
  for (unsigned retries = 0; retries < 10; retries++)
    {
      guint full = test_retry_full (retries);
      guint lowest = G_MAXUINT, highest = 0;

      for (unsigned i = 0; i < 2000; i++)
        {
          guint delay = lilac_purple_retry_delay (retries, g_random_int ());

          g_assert_cmpuint (delay, >=, (full + 1) / 2);
          g_assert_cmpuint (delay, <=, full);
          lowest = MIN (lowest, delay);
          highest = MAX (highest, delay);
        }
      /* 2000 draws leave no tenth of the range empty at either end */
      g_assert_cmpuint (lowest, <, full / 2 + full / 20);
      g_assert_cmpuint (highest, >, full - full / 20);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/worker/retry/first", test_retry_first);
  g_test_add_func ("/worker/retry/growth", test_retry_growth);
  g_test_add_func ("/worker/retry/cap", test_retry_cap);
  g_test_add_func ("/worker/retry/jitter", test_retry_jitter);
  return g_test_run ();
}
