/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Presence: the wire's status names, and the user's own status.
 */
#pragma once

#include <purple.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

const char *lilac_purple_status_to_wire (PurpleStatusPrimitive primitive);
gboolean    lilac_purple_status_from_wire (const char            *name,
                                           PurpleStatusPrimitive *primitive);
void        lilac_purple_status_activate (PurpleStatusPrimitive primitive,
                                          const char           *message);
JsonObject *lilac_purple_status_set (JsonObject *body,
                                     GError    **error);

G_END_DECLS
