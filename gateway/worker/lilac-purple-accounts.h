/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The gateway's IM accounts as libpurple accounts: ACCOUNT_PUT and
 * ACCOUNT_DEL, connection states as account.status events.
 */
#pragma once

#include <purple.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

PurpleConnectionUiOps *lilac_purple_accounts_get_ui_ops (void);
void           lilac_purple_accounts_init (void);
void           lilac_purple_accounts_uninit (void);
void           lilac_purple_accounts_adopt_loaded (void);
void           lilac_purple_accounts_restore_passwords (void);

const char    *lilac_purple_accounts_get_id (PurpleAccount *account);
PurpleAccount *lilac_purple_accounts_lookup (const char *id,
                                             gboolean    connected,
                                             GError    **error);

JsonObject    *lilac_purple_accounts_put (JsonObject *body,
                                          GError    **error);
JsonObject    *lilac_purple_accounts_delete (JsonObject *body,
                                             GError    **error);

G_END_DECLS
