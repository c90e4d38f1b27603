/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Folders on disk.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void lilac_files_remove_tree (const char *path);

G_END_DECLS
