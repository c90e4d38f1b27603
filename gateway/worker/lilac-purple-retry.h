/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The reconnection backoff of an account after a network error: a pure
 * function, so that its growth, cap and jitter can be tested as they are.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the first try comes within this long, and no try waits longer than the cap */
#define LILAC_PURPLE_RETRY_FIRST_MS 5000u
#define LILAC_PURPLE_RETRY_MAX_MS (5u * 60u * 1000u)

guint lilac_purple_retry_delay (unsigned retries,
                                guint32  random);

G_END_DECLS
