/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Process-wide counters. The gateway counts on its main thread; reading and
 * adding are atomic anyway, so a thread may count too.
 */
#include "config.h"

#include "lilac-metrics.h"

static guint64 lilac_metrics_counters[LILAC_METRIC_LAST];

void
lilac_metrics_add (LilacMetric metric,
                   guint64     count)
{
  g_return_if_fail (metric < LILAC_METRIC_LAST);
  __atomic_add_fetch (&lilac_metrics_counters[metric], count, __ATOMIC_RELAXED);
}

guint64
lilac_metrics_get (LilacMetric metric)
{
  g_return_val_if_fail (metric < LILAC_METRIC_LAST, 0);
  return __atomic_load_n (&lilac_metrics_counters[metric], __ATOMIC_RELAXED);
}
