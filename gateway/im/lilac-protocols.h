/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The libpurple protocols the worker can load, with their account options,
 * as reported by `lilac-worker --protocols`; used to check account requests.
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LILAC_TYPE_PROTOCOLS (lilac_protocols_get_type ())
G_DECLARE_FINAL_TYPE (LilacProtocols, lilac_protocols, LILAC, PROTOCOLS, GObject)

LilacProtocols *lilac_protocols_new_from_json (JsonArray *list);
LilacProtocols *lilac_protocols_new_from_worker (const char *const *argv,
                                                 GError           **error);
JsonArray      *lilac_protocols_get_list (LilacProtocols *self);
gboolean        lilac_protocols_check_account (LilacProtocols *self,
                                               const char     *protocol,
                                               JsonObject     *options,
                                               GError        **error);

G_END_DECLS
