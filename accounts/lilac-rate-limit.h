/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Counting failures per key (a user name, an address) in a sliding window,
 * to refuse password guessing with 429.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LilacRateLimit LilacRateLimit;

LilacRateLimit *lilac_rate_limit_new (unsigned max_failures,
                                      gint64   window_us);
void            lilac_rate_limit_free (LilacRateLimit *self);
gint64          lilac_rate_limit_reserve (LilacRateLimit *self,
                                          const char     *key);
void            lilac_rate_limit_release (LilacRateLimit *self,
                                          const char     *key,
                                          gint64          stamp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacRateLimit, lilac_rate_limit_free)

G_END_DECLS
