/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The loaded protocol plugins and their account options, as the gateway
 * sees them (lilac-worker --protocols) and as ACCOUNT_PUT sets them.
 */
#pragma once

#include <purple.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonNode *lilac_purple_protocols_to_json (void);
gboolean  lilac_purple_protocols_check_options (PurplePlugin *prpl,
                                                JsonObject   *options,
                                                GError      **error);
void      lilac_purple_protocols_apply_options (PurplePlugin  *prpl,
                                                PurpleAccount *account,
                                                JsonObject    *options);
char     *lilac_purple_protocols_describe_options (PurplePlugin  *prpl,
                                                   PurpleAccount *account);

G_END_DECLS
