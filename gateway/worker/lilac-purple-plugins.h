/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * What libpurple loads into a worker, and what it is kept from loading.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void lilac_purple_plugins_prepare (void);
void lilac_purple_plugins_shadow_loaders (void);
void lilac_purple_plugins_configure (const char *const *dirs,
                                     const char *const *ids);
void lilac_purple_plugins_add_search_paths (void);
void lilac_purple_plugins_load (void);
void lilac_purple_plugins_report_failures (void);
void lilac_purple_plugins_report_loaded (void);
const char *const *lilac_purple_plugins_get_dirs (void);

G_END_DECLS
