/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Chats: joining one (CHAT_JOIN) and who is in it (chat.members).
 */
#pragma once

#include <purple.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void        lilac_purple_chats_add_users (PurpleConversation *conv,
                                          GList              *buddies,
                                          gboolean            new_arrivals);
void        lilac_purple_chats_rename_user (PurpleConversation *conv,
                                            const char         *old_name,
                                            const char         *new_name,
                                            const char         *new_alias);
void        lilac_purple_chats_remove_users (PurpleConversation *conv,
                                             GList              *names);
JsonObject *lilac_purple_chats_join (JsonObject *body,
                                     GError    **error);

G_END_DECLS
