/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Chat rooms. Joining builds the protocol plugin's chat components from its
 * own defaults for the room name (an XMPP "room@conference.host" splits into
 * room, server and nick; an IRC "#channel" is the channel), then sets the
 * nick ("handle" in XMPP, "nick" elsewhere) and password where the plugin
 * has those entries. The members UI operations become chat.members events:
 * those present when we join arrive as "joined" like later arrivals.
 */
#include "config.h"

#include "lilac-purple-chats.h"

#include "lilac-error.h"
#include "lilac-purple-accounts.h"
#include "lilac-purple-conversations.h"
#include "lilac-purple-core.h"
#include "lilac-worker-body.h"

/* ------------------------------------------------------------- Members */

static void
lilac_purple_chats_emit_members (PurpleConversation *conv,
                                 JsonArray          *joined,
                                 JsonArray          *left,
                                 JsonArray          *renamed)
{
  g_autoptr(JsonObject) event = lilac_purple_event_new ("chat.members");
  JsonObject *ref = lilac_purple_conversations_ref (conv);

  if (ref == NULL)
    {
      json_array_unref (joined);
      json_array_unref (left);
      if (renamed != NULL)
        json_array_unref (renamed);
      return;
    }
  json_object_set_object_member (event, "conversation", ref);
  json_object_set_array_member (event, "joined", joined);
  json_object_set_array_member (event, "left", left);
  if (renamed != NULL)
    json_object_set_array_member (event, "renamed", renamed);
  lilac_purple_emit (event);
}

/**
 * lilac_purple_chats_add_users:
 * @conv: a chat
 * @buddies: (element-type PurpleConvChatBuddy): who came in
 * @new_arrivals: %FALSE for those already there when we joined
 *
 * The chat_add_users UI operation.
 */
void
lilac_purple_chats_add_users (PurpleConversation *conv,
                              GList              *buddies,
                              gboolean            new_arrivals)
{
  JsonArray *joined = json_array_new ();

  for (GList *l = buddies; l != NULL; l = l->next)
    json_array_add_string_element (joined, purple_conv_chat_cb_get_name (l->data));
  lilac_purple_chats_emit_members (conv, joined, json_array_new (), NULL);
}

/**
 * lilac_purple_chats_rename_user:
 * @conv: a chat
 * @old_name: the member's name before
 * @new_name: and after
 * @new_alias: the new alias
 *
 * The chat_rename_user UI operation.
 */
void
lilac_purple_chats_rename_user (PurpleConversation *conv,
                                const char         *old_name,
                                const char         *new_name,
                                const char         *new_alias)
{
  JsonArray *renamed = json_array_new ();
  JsonObject *rename = json_object_new ();

  json_object_set_string_member (rename, "from", old_name != NULL ? old_name : "");
  json_object_set_string_member (rename, "to", new_name != NULL ? new_name : "");
  json_array_add_object_element (renamed, rename);
  lilac_purple_chats_emit_members (conv, json_array_new (), json_array_new (), renamed);
}

/**
 * lilac_purple_chats_remove_users:
 * @conv: a chat
 * @names: (element-type utf8): who left
 *
 * The chat_remove_users UI operation.
 */
void
lilac_purple_chats_remove_users (PurpleConversation *conv,
                                 GList              *names)
{
  JsonArray *left = json_array_new ();

  for (GList *l = names; l != NULL; l = l->next)
    json_array_add_string_element (left, l->data);
  lilac_purple_chats_emit_members (conv, json_array_new (), left, NULL);
}

/* ---------------------------------------------------------------- Join */

/* the plugin's defaults for @room, copied into a table whose keys and values
 * we own, plus the nick and password */
static GHashTable *
lilac_purple_chats_components (PurpleConnection         *gc,
                               PurplePluginProtocolInfo *info,
                               const char               *room,
                               const char               *nick,
                               const char               *password)
{
  GHashTable *components = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTable *defaults = info->chat_info_defaults != NULL ? info->chat_info_defaults (gc, room)
                                                          : NULL;
  GList *entries = info->chat_info != NULL ? info->chat_info (gc) : NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (defaults != NULL)
    {
      g_hash_table_iter_init (&iter, defaults);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_replace (components, g_strdup (key), g_strdup (value));
      g_hash_table_destroy (defaults);
    }
  for (GList *l = entries; l != NULL; l = l->next)
    {
      const char *id = ((struct proto_chat_entry *) l->data)->identifier;
      const char *wanted = NULL;

      /* a plugin without defaults takes the room as its first entry */
      if (l == entries && g_hash_table_lookup (components, id) == NULL)
        wanted = room;
      if (nick != NULL && (g_str_equal (id, "handle") || g_str_equal (id, "nick")))
        wanted = nick;
      else if (password != NULL && g_str_equal (id, "password"))
        wanted = password;
      if (wanted != NULL)
        g_hash_table_replace (components, g_strdup (id), g_strdup (wanted));
    }
  g_list_free_full (entries, g_free);
  return components;
}

/**
 * lilac_purple_chats_join:
 * @body: a CHAT_JOIN body: {"account","room","nick"?,"password"?}
 * @error: return location for a #GError
 *
 * Asks to join a room; the conversation opens when the server lets us in.
 *
 * Returns: (transfer full) (nullable): the reply, {"conversation":REF} with
 *   the name the conversation will have
 */
JsonObject *
lilac_purple_chats_join (JsonObject *body,
                         GError    **error)
{
  const char *account_id, *room, *nick, *password;
  g_autoptr(GHashTable) components = NULL;
  g_autofree char *name = NULL;
  PurplePluginProtocolInfo *info;
  PurpleAccount *account;
  PurpleConnection *gc;
  JsonObject *reply;

  if (!lilac_worker_body_get_string (body, "account", TRUE, LILAC_WORKER_BODY_MAX_ID,
                                     &account_id, error) ||
      !lilac_worker_body_get_string (body, "room", TRUE, LILAC_WORKER_BODY_MAX_NAME, &room, error) ||
      !lilac_worker_body_get_string (body, "nick", FALSE, LILAC_WORKER_BODY_MAX_NAME, &nick, error) ||
      !lilac_worker_body_get_string (body, "password", FALSE, LILAC_WORKER_BODY_MAX_NAME,
                                     &password, error))
    return NULL;
  account = lilac_purple_accounts_lookup (account_id, TRUE, error);
  if (account == NULL)
    return NULL;
  gc = purple_account_get_connection (account);
  info = PURPLE_PLUGIN_PROTOCOL_INFO (purple_connection_get_prpl (gc));
  if (info->join_chat == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "%s has no chat rooms", purple_account_get_protocol_id (account));
      return NULL;
    }
  components = lilac_purple_chats_components (gc, info, room, nick, password);
  if (info->get_chat_name != NULL)
    name = info->get_chat_name (components);
  if (name == NULL)
    name = g_strdup (room);
  serv_join_chat (gc, components);

  reply = json_object_new ();
  json_object_set_object_member (reply, "conversation",
                                 lilac_purple_conversations_ref_new (account_id,
                                                                     PURPLE_CONV_TYPE_CHAT,
                                                                     purple_normalize (account,
                                                                                       name)));
  return reply;
}
