/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The buddy list as buddy.* and presence events.
 */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

PurpleBlistUiOps *lilac_purple_buddies_get_ui_ops (void);
void              lilac_purple_buddies_init (void);
void              lilac_purple_buddies_uninit (void);
void              lilac_purple_buddies_refresh_account (PurpleAccount *account);

G_END_DECLS
