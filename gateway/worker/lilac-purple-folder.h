/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Moving a running libpurple into a user's folder (a worker forked from the
 * zygote).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean lilac_purple_folder_enter (const char *user_dir,
                                    GError    **error);
void     lilac_purple_folder_load_accounts (void);

G_END_DECLS
