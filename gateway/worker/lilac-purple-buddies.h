/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The buddy list as buddy.* and presence events.
 */
#pragma once

#include <purple.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

PurpleBlistUiOps *lilac_purple_buddies_get_ui_ops (void);
void              lilac_purple_buddies_init (void);
void              lilac_purple_buddies_uninit (void);
void              lilac_purple_buddies_refresh_account (PurpleAccount *account);
void              lilac_purple_buddies_add_to_list (PurpleAccount *account,
                                                    const char    *name,
                                                    const char    *alias,
                                                    const char    *group);
JsonObject       *lilac_purple_buddies_add (JsonObject *body,
                                            GError    **error);
JsonObject       *lilac_purple_buddies_remove (JsonObject *body,
                                               GError    **error);
JsonObject       *lilac_purple_buddies_get_info (JsonObject *body,
                                                 GError    **error);

G_END_DECLS
