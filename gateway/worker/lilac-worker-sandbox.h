/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The file system sandbox of a worker (Landlock): what a worker may still
 * read and write once it runs a user's accounts.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int      lilac_worker_sandbox_get_abi (void);
gboolean lilac_worker_sandbox_apply (const char        *user_dir,
                                     const char *const *read_dirs,
                                     GError           **error);
int      lilac_worker_sandbox_check (const char        *user_dir,
                                     const char *const *read_dirs,
                                     const char        *path);

G_END_DECLS
