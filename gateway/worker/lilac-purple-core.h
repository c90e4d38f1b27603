/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The libpurple core of a worker: initialised in the user's private folder,
 * wired to the GLib main loop, and the one place where the purple adapters
 * hand their events over to whoever speaks to the gateway.
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* the UI name libpurple keys per-account UI settings ("auto-login", "id") by */
#define LILAC_PURPLE_UI "lilac"

#define LILAC_TYPE_PURPLE_CORE (lilac_purple_core_get_type ())
G_DECLARE_FINAL_TYPE (LilacPurpleCore, lilac_purple_core, LILAC, PURPLE_CORE, GObject)

LilacPurpleCore *lilac_purple_core_new (const char *user_dir);
gboolean         lilac_purple_core_start (LilacPurpleCore *self,
                                          gboolean         session,
                                          GError         **error);
gboolean         lilac_purple_core_start_template (LilacPurpleCore *self,
                                                   GError         **error);
gboolean         lilac_purple_core_move_to (LilacPurpleCore *self,
                                            const char      *user_dir,
                                            GError         **error);
void             lilac_purple_core_stop (LilacPurpleCore *self);
void             lilac_purple_core_set_debug (gboolean enabled);

JsonObject      *lilac_purple_event_new (const char *type);
void             lilac_purple_emit (JsonObject *event);

G_END_DECLS
