/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Messages: what libpurple writes to a conversation becomes a message
 * event; MESSAGE_SEND sends one.
 */
#pragma once

#include <purple.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void        lilac_purple_messages_write (PurpleConversation *conv,
                                         const char         *who,
                                         const char         *alias,
                                         const char         *message,
                                         PurpleMessageFlags  flags,
                                         time_t              mtime);
JsonObject *lilac_purple_messages_send (JsonObject *body,
                                        GError    **error);

G_END_DECLS
