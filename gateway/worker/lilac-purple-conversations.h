/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Conversations: how the wire names them (conversation references), their
 * lifetime events, topics, typing, and the sends waiting for their echo.
 */
#pragma once

#include <purple.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* a conversation reference read from a request; strings belong to the body */
typedef struct {
  PurpleAccount *account;
  const char *account_id;
  PurpleConversationType type;
  const char *name;
} LilacPurpleConversationRef;

PurpleConversationUiOps *lilac_purple_conversations_get_ui_ops (void);
void                lilac_purple_conversations_init (void);

JsonObject         *lilac_purple_conversations_ref (PurpleConversation *conv);
JsonObject         *lilac_purple_conversations_ref_new (const char            *account_id,
                                                        PurpleConversationType type,
                                                        const char            *name);
gboolean            lilac_purple_conversations_parse_ref (JsonObject                 *object,
                                                          gboolean                    connected,
                                                          LilacPurpleConversationRef *ref,
                                                          GError                    **error);
PurpleConversation *lilac_purple_conversations_find (const LilacPurpleConversationRef *ref,
                                                     GError                          **error);

void                lilac_purple_conversations_push_pending (PurpleConversation *conv,
                                                             const char         *id,
                                                             const char         *text);
char               *lilac_purple_conversations_take_pending (PurpleConversation *conv,
                                                             const char         *text);
gboolean            lilac_purple_conversations_drop_pending (PurpleConversation *conv,
                                                             const char         *id);

JsonObject         *lilac_purple_conversations_close (JsonObject *body,
                                                      GError    **error);
JsonObject         *lilac_purple_conversations_set_typing (JsonObject *body,
                                                           GError    **error);

G_END_DECLS
