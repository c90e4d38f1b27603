/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The gateway's counters for /metrics: one process-wide set, counted where
 * things happen.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LILAC_METRIC_EVENTS,            /* events appended to users' streams */
  LILAC_METRIC_MESSAGES_IN,       /* messages received */
  LILAC_METRIC_MESSAGES_OUT,      /* messages sent */
  LILAC_METRIC_HTTP_REQUESTS,     /* HTTP requests answered */
  LILAC_METRIC_HTTP_ERRORS,       /* answers with a 5xx status */
  LILAC_METRIC_LOGIN_FAILURES,    /* wrong passwords and unknown users */
  LILAC_METRIC_RATE_LIMITED,      /* logins refused with 429 */
  LILAC_METRIC_LAST
} LilacMetric;

void    lilac_metrics_add (LilacMetric metric,
                           guint64     count);
guint64 lilac_metrics_get (LilacMetric metric);

G_END_DECLS
