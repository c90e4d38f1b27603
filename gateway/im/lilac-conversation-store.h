/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Conversations (an IM or a chat room of one IM account) with stable ids,
 * and the messages in them, in the store.
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "lilac-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  gint64 user_id;
  gint64 account_id;
  char *type;        /* (owned) "im" or "chat" */
  char *name;        /* (owned) libpurple's normalized name */
  char *title;       /* (owned) */
  gboolean open;
  gint64 unread;
} LilacConversation;

void        lilac_conversation_free (LilacConversation *conversation);
JsonObject *lilac_conversation_to_json (const LilacConversation *conversation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacConversation, lilac_conversation_free)

typedef struct {
  gint64 id;
  const char *sender;
  const char *text;
  gboolean outgoing;
  gboolean system;
  gint64 time;
} LilacMessageRecord;

#define LILAC_TYPE_CONVERSATION_STORE (lilac_conversation_store_get_type ())
G_DECLARE_FINAL_TYPE (LilacConversationStore, lilac_conversation_store, LILAC, CONVERSATION_STORE, GObject)

LilacConversationStore *lilac_conversation_store_new (LilacStore *store);
LilacConversation      *lilac_conversation_store_resolve (LilacConversationStore *self,
                                                          gint64                  user_id,
                                                          gint64                  account_id,
                                                          const char             *type,
                                                          const char             *name,
                                                          const char             *title,
                                                          gboolean               *opened,
                                                          GError                **error);
LilacConversation      *lilac_conversation_store_lookup (LilacConversationStore *self,
                                                         gint64                  account_id,
                                                         const char             *type,
                                                         const char             *name,
                                                         GError                **error);
LilacConversation      *lilac_conversation_store_get (LilacConversationStore *self,
                                                      gint64                  user_id,
                                                      gint64                  conversation_id,
                                                      GError                **error);
GPtrArray              *lilac_conversation_store_list_open (LilacConversationStore *self,
                                                            gint64                  user_id,
                                                            GError                **error);
gboolean                lilac_conversation_store_set_open (LilacConversationStore *self,
                                                           LilacConversation      *conversation,
                                                           gboolean                open,
                                                           GError                **error);
JsonArray              *lilac_conversation_store_list_messages (LilacConversationStore *self,
                                                                const LilacConversation *conversation,
                                                                gint64                  before,
                                                                unsigned                limit,
                                                                gboolean               *more,
                                                                GError                **error);
JsonArray              *lilac_conversation_store_list_messages_after (LilacConversationStore *self,
                                                                      const LilacConversation *conversation,
                                                                      gint64                  after,
                                                                      unsigned                limit,
                                                                      GError                **error);
JsonArray              *lilac_conversation_store_search (LilacConversationStore *self,
                                                         gint64                  user_id,
                                                         const char             *query,
                                                         gint64                  account_id,
                                                         gint64                  before,
                                                         unsigned                limit,
                                                         gboolean               *more,
                                                         GError                **error);
gboolean                lilac_conversation_store_set_unread (LilacConversationStore *self,
                                                             LilacConversation      *conversation,
                                                             gint64                  unread,
                                                             GError                **error);
gint64                  lilac_conversation_store_purge (LilacConversationStore *self,
                                                        gint64                  before,
                                                        GError                **error);
gint64                  lilac_conversation_store_reserve_message_id (LilacConversationStore *self);
gboolean                lilac_conversation_store_add_message (LilacConversationStore *self,
                                                              LilacConversation      *conversation,
                                                              const LilacMessageRecord *message,
                                                              GError                **error);
gint64                  lilac_conversation_store_index       (LilacConversationStore *self,
                                                              unsigned                limit,
                                                              GError                **error);

G_END_DECLS
