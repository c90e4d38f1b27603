/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * SETTINGS_SET: the user's settings that the worker applies.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* what plugins/subscription-policy reads */
#define LILAC_PURPLE_SETTINGS_POLICY_PLUGIN "core-lilac-subscription-policy"
#define LILAC_PURPLE_SETTINGS_POLICY_DIR "/plugins/core/lilac-subscription-policy"
#define LILAC_PURPLE_SETTINGS_POLICY_PREF LILAC_PURPLE_SETTINGS_POLICY_DIR "/policy"

JsonObject *lilac_purple_settings_set (JsonObject *body,
                                       GError    **error);

G_END_DECLS
