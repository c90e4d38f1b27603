/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Worker events into the session: each is checked (a worker runs third-party
 * plugins and is not trusted with other users' data), applied to the mirror
 * and the store, and appended to the user's stream with gateway ids.
 */
#include "config.h"

#include "lilac-im-session-private.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-metrics.h"
#include "lilac-wire.h"

#define LILAC_EVENT_NAME_MAX 1024
#define LILAC_EVENT_TEXT_MAX (256 * 1024)

typedef void (*LilacImEventHandler) (LilacImSession *self,
                                     JsonObject     *event);

/* a conversation reference from the worker, checked */
typedef struct {
  LilacImAccount *account;   /* (unowned) one of the session's accounts */
  const char *type;          /* "im" or "chat" */
  const char *name;
} LilacImReference;

static LilacImAccount *
lilac_im_session_event_account (LilacImSession *self,
                                JsonObject     *object)
{
  const char *id = lilac_json_get_string (object, "account", TRUE, 32, NULL);
  gint64 number = 0;

  if (id == NULL || !g_ascii_string_to_signed (id, 10, 1, G_MAXINT64, &number, NULL))
    return NULL;
  return g_hash_table_lookup (self->accounts, &number);
}

static gboolean
lilac_im_session_event_reference (LilacImSession   *self,
                                  JsonObject       *event,
                                  LilacImReference *reference)
{
  JsonObject *object = lilac_json_get_object (event, "conversation", NULL);

  if (object == NULL)
    return FALSE;
  reference->account = lilac_im_session_event_account (self, object);
  reference->type = lilac_json_get_string (object, "type", TRUE, 8, NULL);
  reference->name = lilac_json_get_string (object, "name", TRUE, LILAC_EVENT_NAME_MAX, NULL);
  return reference->account != NULL && reference->name != NULL && reference->name[0] != '\0' &&
         (g_strcmp0 (reference->type, "im") == 0 || g_strcmp0 (reference->type, "chat") == 0);
}

static const char *
lilac_im_session_event_string (JsonObject *event,
                               const char *name,
                               gsize       max_length)
{
  const char *value = lilac_json_get_string (event, name, FALSE, max_length, NULL);

  return value != NULL ? value : "";
}

static LilacConversationStore *
lilac_im_session_conversations (LilacImSession *self)
{
  return lilac_im_manager_get_conversations (self->manager);
}

static void
lilac_im_session_push_conversation (LilacImSession    *self,
                                    const char        *type,
                                    LilacConversation *conversation)
{
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_object_member (fields, "conversation", lilac_conversation_to_json (conversation));
  lilac_im_session_push (self, type, fields);
}

/* the conversation a reference names, opened (and announced) when it is new or was closed */
static LilacConversation *
lilac_im_session_open_conversation (LilacImSession   *self,
                                    LilacImReference *reference,
                                    const char       *title)
{
  g_autoptr(GError) local_error = NULL;
  LilacConversation *conversation;
  gboolean opened = FALSE;

  conversation = lilac_conversation_store_resolve (lilac_im_session_conversations (self),
                                                   self->user->id, reference->account->id,
                                                   reference->type, reference->name, title,
                                                   &opened, &local_error);
  if (conversation == NULL)
    {
      g_message ("user %s: cannot store a conversation: %s", self->user->name,
                 local_error->message);
      return NULL;
    }
  if (opened)
    lilac_im_session_push_conversation (self, "conversation.opened", conversation);
  return conversation;
}

static LilacConversation *
lilac_im_session_lookup_conversation (LilacImSession   *self,
                                      LilacImReference *reference)
{
  return lilac_conversation_store_lookup (lilac_im_session_conversations (self),
                                          reference->account->id, reference->type,
                                          reference->name, NULL);
}

static void
lilac_im_session_set_conversation_id (JsonObject              *fields,
                                      const LilacConversation *conversation)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, conversation->id);

  json_object_set_string_member (fields, "conversation", id);
}

/* ---------------------------------------------------------------- Handlers */

static gboolean
lilac_im_session_account_is_online (LilacImSession *self,
                                    gint64          account_id)
{
  LilacAccountStatus *status = g_hash_table_lookup (self->statuses, &account_id);

  return status != NULL && g_str_equal (status->status, "online");
}

static void
lilac_im_session_rejoin_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) local_error = NULL;

  reply = lilac_worker_proxy_request_finish (LILAC_WORKER_PROXY (source), result, &local_error);
  if (reply == NULL)
    g_debug ("joining a room again failed: %s", local_error->message);
}

static void
lilac_im_session_rejoin_chats (LilacImSession *self,
                               LilacImAccount *account)
{
  g_autoptr(GPtrArray) open = lilac_conversation_store_list_open (lilac_im_session_conversations (self),
                                                                  self->user->id, NULL);
  g_autofree char *account_id = g_strdup_printf ("%" G_GINT64_FORMAT, account->id);

  for (unsigned i = 0; open != NULL && i < open->len; i++)
    {
      LilacConversation *conversation = open->pdata[i];
      g_autoptr(JsonObject) body = NULL;

      if (conversation->account_id != account->id || !g_str_equal (conversation->type, "chat") ||
          self->worker == NULL)
        continue;
      body = json_object_new ();
      json_object_set_string_member (body, "account", account_id);
      json_object_set_string_member (body, "room", conversation->name);
      lilac_worker_proxy_request_async (self->worker, LILAC_WIRE_CHAT_JOIN, body, NULL,
                                        lilac_im_session_rejoin_cb, NULL);
    }
}

static void
lilac_im_session_on_account_status (LilacImSession *self,
                                    JsonObject     *event)
{
  static const char *const statuses[] = { "offline", "connecting", "online", "error", NULL };
  static const char *const reasons[] = { "network", "auth", "certificate", "other", NULL };
  LilacImAccount *account = lilac_im_session_event_account (self, event);
  const char *status = lilac_json_get_string (event, "status", TRUE, 16, NULL);
  const char *error = lilac_json_get_string (event, "error", FALSE, LILAC_EVENT_NAME_MAX, NULL);
  const char *reason = lilac_json_get_string (event, "reason", FALSE, 16, NULL);
  gint64 retry_in = -1;
  gboolean was_online;

  if (account == NULL || status == NULL || !g_strv_contains (statuses, status))
    return;
  if (!lilac_json_get_int (event, "retry_in", -1, &retry_in, NULL) || retry_in < 0)
    retry_in = -1;
  was_online = lilac_im_session_account_is_online (self, account->id);
  lilac_im_session_set_status_reason (self, account->id, status, error,
                                      reason != NULL && g_strv_contains (reasons, reason) ? reason
                                                                                        : NULL,
                                      retry_in);
  /* back online (after a reconnect or a restart of the worker or the gateway): the rooms
   * the user has open are joined again */
  if (!was_online && g_str_equal (status, "online"))
    lilac_im_session_rejoin_chats (self, account);
}

static void
lilac_im_session_on_conversation_opened (LilacImSession *self,
                                         JsonObject     *event)
{
  LilacImReference reference;
  g_autoptr(LilacConversation) conversation = NULL;

  if (!lilac_im_session_event_reference (self, event, &reference))
    return;
  conversation = lilac_im_session_open_conversation (self, &reference,
                                                     lilac_json_get_string (event, "title", FALSE,
                                                                            LILAC_EVENT_NAME_MAX,
                                                                            NULL));
}

/* libpurple destroys every conversation when a worker stops, so only a chat
 * that the worker says it left is closed; IMs close when the user says so */
static void
lilac_im_session_on_conversation_closed (LilacImSession *self,
                                         JsonObject     *event)
{
  LilacImReference reference;
  g_autoptr(LilacConversation) conversation = NULL;

  if (!lilac_im_session_event_reference (self, event, &reference) ||
      !g_str_equal (reference.type, "chat"))
    return;
  conversation = lilac_im_session_lookup_conversation (self, &reference);
  if (conversation == NULL || !conversation->open)
    return;
  g_hash_table_remove (self->members, &conversation->id);
  if (!lilac_conversation_store_set_open (lilac_im_session_conversations (self), conversation,
                                          FALSE, NULL))
    return;
  lilac_im_session_push_conversation (self, "conversation.closed", conversation);
}

static gint64
lilac_im_session_claim_message_id (LilacImSession *self,
                                   JsonObject     *event)
{
  const char *given = lilac_json_get_string (event, "message", FALSE, 32, NULL);
  gint64 id = 0;

  if (given != NULL && g_ascii_string_to_signed (given, 10, 1, G_MAXINT64, &id, NULL) &&
      g_hash_table_remove (self->pending_out, &id))
    return id;
  return lilac_conversation_store_reserve_message_id (lilac_im_session_conversations (self));
}

static void
lilac_im_session_on_message (LilacImSession *self,
                             JsonObject     *event)
{
  LilacImReference reference;
  g_autoptr(LilacConversation) conversation = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) local_error = NULL;
  LilacMessageRecord message = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *account_id = NULL;
  gboolean system = FALSE;
  gboolean saved;
  guint64 seq;

  if (!lilac_im_session_event_reference (self, event, &reference))
    return;
  conversation = lilac_im_session_open_conversation (self, &reference, NULL);
  if (conversation == NULL)
    {
      /* no conversation can be stored (a full disk): the message still reaches the user */
      g_autofree char *title = g_strdup_printf ("Message from %s (not saved)",
                                                lilac_im_session_event_string (event, "from",
                                                                               LILAC_EVENT_NAME_MAX));

      lilac_im_session_notify (self, "error", title,
                               lilac_im_session_event_string (event, "text", LILAC_EVENT_TEXT_MAX));
      return;
    }
  lilac_json_get_bool (event, "system", FALSE, &system, NULL);
  message.id = lilac_im_session_claim_message_id (self, event);
  message.sender = lilac_im_session_event_string (event, "from", LILAC_EVENT_NAME_MAX);
  message.text = lilac_im_session_event_string (event, "text", LILAC_EVENT_TEXT_MAX);
  message.outgoing = g_strcmp0 (lilac_json_get_string (event, "direction", FALSE, 8, NULL),
                                "out") == 0;
  message.system = system;
  message.time = g_get_real_time () / 1000;
  /* a message that cannot be stored (the disk is full) still reaches the user, who is told */
  saved = lilac_conversation_store_add_message (lilac_im_session_conversations (self), conversation,
                                                &message, &local_error);
  if (!saved)
    {
      gint64 now = g_get_monotonic_time ();

      g_message ("user %s: cannot store a message: %s", self->user->name, local_error->message);
      /* once a minute at most */
      if (self->storage_warned == 0 || now - self->storage_warned > 60 * G_USEC_PER_SEC)
        {
          lilac_im_session_notify (self, "error", "History not saved",
                                   "A message could not be saved in your history (the server's "
                                   "storage is full or failing); it is shown, but it will not be "
                                   "there later.");
          self->storage_warned = now;
        }
    }

  id = g_strdup_printf ("%" G_GINT64_FORMAT, message.id);
  lilac_im_session_set_conversation_id (fields, conversation);
  account_id = g_strdup_printf ("%" G_GINT64_FORMAT, reference.account->id);
  json_object_set_string_member (fields, "account", account_id);
  json_object_set_string_member (fields, "id", id);
  json_object_set_string_member (fields, "from", message.sender);
  json_object_set_string_member (fields, "text", message.text);
  json_object_set_string_member (fields, "direction", message.outgoing ? "out" : "in");
  if (message.system)
    json_object_set_boolean_member (fields, "system", TRUE);
  if (!saved)
    json_object_set_boolean_member (fields, "saved", FALSE);
  json_object_set_int_member (fields, "unread", conversation->unread);
  seq = lilac_im_session_push (self, "message", fields);
  lilac_metrics_add (message.outgoing ? LILAC_METRIC_MESSAGES_OUT : LILAC_METRIC_MESSAGES_IN, 1);
  if (!message.outgoing && !message.system)
    lilac_im_session_note_unread (self, conversation->id, seq);
}

static void
lilac_im_session_on_typing (LilacImSession *self,
                            JsonObject     *event)
{
  static const char *const states[] = { "typing", "paused", "none", NULL };
  LilacImReference reference;
  g_autoptr(LilacConversation) conversation = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  const char *state = lilac_json_get_string (event, "state", TRUE, 16, NULL);

  if (!lilac_im_session_event_reference (self, event, &reference) || state == NULL ||
      !g_strv_contains (states, state))
    return;
  conversation = lilac_im_session_lookup_conversation (self, &reference);
  if (conversation == NULL)
    return;
  lilac_im_session_set_conversation_id (fields, conversation);
  json_object_set_string_member (fields, "from",
                                 lilac_im_session_event_string (event, "from", LILAC_EVENT_NAME_MAX));
  json_object_set_string_member (fields, "state", state);
  lilac_im_session_push (self, "typing", fields);
}

/* copies the string elements of event[name] into a new array, applying them to @members */
static JsonArray *
lilac_im_session_apply_names (JsonObject *event,
                              const char *name,
                              GHashTable *members,
                              gboolean    joined)
{
  JsonArray *given = json_object_has_member (event, name) &&
                     JSON_NODE_HOLDS_ARRAY (json_object_get_member (event, name))
                       ? json_object_get_array_member (event, name) : NULL;
  JsonArray *names = json_array_new ();

  for (unsigned i = 0; given != NULL && i < json_array_get_length (given); i++)
    {
      JsonNode *node = json_array_get_element (given, i);
      const char *member;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        continue;
      member = json_node_get_string (node);
      if (member[0] == '\0' || strlen (member) > LILAC_EVENT_NAME_MAX)
        continue;
      if (joined)
        g_hash_table_add (members, g_strdup (member));
      else
        g_hash_table_remove (members, member);
      json_array_add_string_element (names, member);
    }
  return names;
}

static JsonArray *
lilac_im_session_apply_renames (JsonObject *event,
                                GHashTable *members)
{
  JsonArray *given = json_object_has_member (event, "renamed") &&
                     JSON_NODE_HOLDS_ARRAY (json_object_get_member (event, "renamed"))
                       ? json_object_get_array_member (event, "renamed") : NULL;
  JsonArray *renamed = json_array_new ();

  for (unsigned i = 0; given != NULL && i < json_array_get_length (given); i++)
    {
      JsonNode *node = json_array_get_element (given, i);
      JsonObject *rename;
      const char *from, *to;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      rename = json_node_get_object (node);
      from = lilac_json_get_string (rename, "from", TRUE, LILAC_EVENT_NAME_MAX, NULL);
      to = lilac_json_get_string (rename, "to", TRUE, LILAC_EVENT_NAME_MAX, NULL);
      if (from == NULL || to == NULL || to[0] == '\0')
        continue;
      g_hash_table_remove (members, from);
      g_hash_table_add (members, g_strdup (to));
      json_array_add_object_element (renamed, json_object_ref (rename));
    }
  return renamed;
}

static void
lilac_im_session_on_chat_members (LilacImSession *self,
                                  JsonObject     *event)
{
  LilacImReference reference;
  g_autoptr(LilacConversation) conversation = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  GHashTable *members;

  if (!lilac_im_session_event_reference (self, event, &reference))
    return;
  conversation = lilac_im_session_open_conversation (self, &reference, NULL);
  if (conversation == NULL)
    return;
  members = g_hash_table_lookup (self->members, &conversation->id);
  if (members == NULL)
    {
      members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (self->members, g_memdup2 (&conversation->id, sizeof (gint64)), members);
    }
  lilac_im_session_set_conversation_id (fields, conversation);
  json_object_set_array_member (fields, "joined",
                                lilac_im_session_apply_names (event, "joined", members, TRUE));
  json_object_set_array_member (fields, "left",
                                lilac_im_session_apply_names (event, "left", members, FALSE));
  json_object_set_array_member (fields, "renamed", lilac_im_session_apply_renames (event, members));
  lilac_im_session_push (self, "chat.members", fields);
}

static void
lilac_im_session_on_chat_topic (LilacImSession *self,
                                JsonObject     *event)
{
  LilacImReference reference;
  g_autoptr(LilacConversation) conversation = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  const char *topic = lilac_im_session_event_string (event, "topic", LILAC_EVENT_TEXT_MAX);

  if (!lilac_im_session_event_reference (self, event, &reference))
    return;
  conversation = lilac_im_session_open_conversation (self, &reference, NULL);
  if (conversation == NULL)
    return;
  g_hash_table_replace (self->topics, g_memdup2 (&conversation->id, sizeof (gint64)),
                        g_strdup (topic));
  lilac_im_session_set_conversation_id (fields, conversation);
  json_object_set_string_member (fields, "topic", topic);
  lilac_im_session_push (self, "chat.topic", fields);
}

static JsonObject *
lilac_im_session_presence_json (JsonObject *given)
{
  static const char *const statuses[] = { "available", "away", "busy", "invisible", "offline",
                                          NULL };
  JsonObject *presence = json_object_new ();
  const char *status = given != NULL
    ? lilac_json_get_string (given, "status", FALSE, 16, NULL) : NULL;
  gint64 idle = 0;

  if (given != NULL)
    lilac_json_get_int (given, "idle", 0, &idle, NULL);
  json_object_set_string_member (presence, "status",
                                 status != NULL && g_strv_contains (statuses, status) ? status
                                                                                      : "offline");
  json_object_set_string_member (presence, "message",
                                 given != NULL ? lilac_im_session_event_string (given, "message",
                                                                                LILAC_EVENT_TEXT_MAX)
                                               : "");
  json_object_set_int_member (presence, "idle", MAX (idle, 0));
  return presence;
}

static void
lilac_im_session_on_buddy (LilacImSession *self,
                           JsonObject     *event)
{
  const char *type = lilac_json_get_string (event, "type", TRUE, 32, NULL);
  LilacImAccount *account = lilac_im_session_event_account (self, event);
  const char *name = lilac_json_get_string (event, "name", TRUE, LILAC_EVENT_NAME_MAX, NULL);
  g_autoptr(JsonObject) buddy = json_object_new ();
  g_autofree char *account_id = NULL;
  g_autofree char *key = NULL;

  if (account == NULL || name == NULL || name[0] == '\0')
    return;
  account_id = g_strdup_printf ("%" G_GINT64_FORMAT, account->id);
  json_object_set_string_member (buddy, "account", account_id);
  json_object_set_string_member (buddy, "name", name);
  json_object_set_string_member (buddy, "alias",
                                 lilac_im_session_event_string (event, "alias", LILAC_EVENT_NAME_MAX));
  json_object_set_string_member (buddy, "group",
                                 lilac_im_session_event_string (event, "group", LILAC_EVENT_NAME_MAX));
  json_object_set_object_member (buddy, "presence",
                                 lilac_im_session_presence_json (lilac_json_get_object (event, "presence",
                                                                                        NULL)));
  key = g_strdup_printf ("%s\n%s", account_id, name);
  if (g_str_equal (type, "buddy.removed"))
    g_hash_table_remove (self->buddies, key);
  else
    g_hash_table_replace (self->buddies, g_steal_pointer (&key), json_object_ref (buddy));
  lilac_im_session_push (self, type, buddy);
}

static void
lilac_im_session_on_presence (LilacImSession *self,
                              JsonObject     *event)
{
  LilacImAccount *account = lilac_im_session_event_account (self, event);
  const char *name = lilac_json_get_string (event, "name", TRUE, LILAC_EVENT_NAME_MAX, NULL);
  g_autoptr(JsonObject) presence = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *account_id = NULL;
  g_autofree char *key = NULL;
  JsonObject *buddy;

  if (account == NULL || name == NULL)
    return;
  presence = lilac_im_session_presence_json (event);
  account_id = g_strdup_printf ("%" G_GINT64_FORMAT, account->id);
  key = g_strdup_printf ("%s\n%s", account_id, name);
  buddy = g_hash_table_lookup (self->buddies, key);
  if (buddy != NULL)
    json_object_set_object_member (buddy, "presence", json_object_ref (presence));
  json_object_set_string_member (fields, "account", account_id);
  json_object_set_string_member (fields, "name", name);
  json_object_set_string_member (fields, "status", json_object_get_string_member (presence, "status"));
  json_object_set_string_member (fields, "message", json_object_get_string_member (presence, "message"));
  json_object_set_int_member (fields, "idle", json_object_get_int_member (presence, "idle"));
  lilac_im_session_push (self, "presence", fields);
}

static void
lilac_im_session_on_notify (LilacImSession *self,
                            JsonObject     *event)
{
  static const char *const levels[] = { "info", "warning", "error", NULL };
  LilacImAccount *account = lilac_im_session_event_account (self, event);
  const char *level = lilac_im_session_event_string (event, "level", 16);
  g_autoptr(JsonObject) fields = json_object_new ();

  if (account != NULL)
    {
      g_autofree char *account_id = g_strdup_printf ("%" G_GINT64_FORMAT, account->id);

      json_object_set_string_member (fields, "account", account_id);
    }
  json_object_set_string_member (fields, "level", g_strv_contains (levels, level) ? level : "info");
  json_object_set_string_member (fields, "title",
                                 lilac_im_session_event_string (event, "title", LILAC_EVENT_NAME_MAX));
  json_object_set_string_member (fields, "text",
                                 lilac_im_session_event_string (event, "text", LILAC_EVENT_TEXT_MAX));
  lilac_im_session_push_notice (self, fields);
}

/* copies the members of a worker's request that clients may see, checked */
static JsonObject *
lilac_im_session_request_json (LilacImSession *self,
                               JsonObject     *given,
                               const char     *id)
{
  static const char *const kinds[] = { "authorize", "action", "input", "fields", "choice", NULL };
  static const char *const copied[] = { "actions", "fields", "default_action", NULL };
  const char *kind = lilac_json_get_string (given, "kind", TRUE, 16, NULL);
  LilacImAccount *account = lilac_im_session_event_account (self, given);
  JsonObject *request = json_object_new ();

  json_object_set_string_member (request, "id", id);
  if (account != NULL)
    {
      g_autofree char *account_id = g_strdup_printf ("%" G_GINT64_FORMAT, account->id);

      json_object_set_string_member (request, "account", account_id);
    }
  json_object_set_string_member (request, "kind",
                                 kind != NULL && g_strv_contains (kinds, kind) ? kind : "action");
  json_object_set_string_member (request, "title",
                                 lilac_im_session_event_string (given, "title", LILAC_EVENT_NAME_MAX));
  json_object_set_string_member (request, "primary",
                                 lilac_im_session_event_string (given, "primary", LILAC_EVENT_TEXT_MAX));
  json_object_set_string_member (request, "secondary",
                                 lilac_im_session_event_string (given, "secondary", LILAC_EVENT_TEXT_MAX));
  for (unsigned i = 0; copied[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (given, copied[i]);

      if (node != NULL)
        json_object_set_member (request, copied[i], json_node_copy (node));
    }
  if (!json_object_has_member (request, "actions") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (request, "actions")))
    json_object_set_array_member (request, "actions", json_array_new ());
  return request;
}

static void
lilac_im_session_on_request_opened (LilacImSession *self,
                                    JsonObject     *event)
{
  JsonObject *given = lilac_json_get_object (event, "request", NULL);
  const char *worker_id = given != NULL ? lilac_json_get_string (given, "id", TRUE, 64, NULL) : NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *id = NULL;
  JsonObject *request;

  if (worker_id == NULL || g_hash_table_contains (self->request_ids, worker_id))
    return;
  id = g_strdup_printf ("%" G_GUINT64_FORMAT, ++self->next_request);
  request = lilac_im_session_request_json (self, given, id);
  g_hash_table_insert (self->request_ids, g_strdup (worker_id), g_strdup (id));
  g_hash_table_insert (self->requests, g_strdup (id), json_object_ref (request));
  json_object_set_object_member (fields, "request", request);
  lilac_im_session_push (self, "request.opened", fields);
}

static void
lilac_im_session_on_request_closed (LilacImSession *self,
                                    JsonObject     *event)
{
  const char *worker_id = lilac_json_get_string (event, "request", TRUE, 64, NULL);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *key = NULL;
  g_autofree char *id = NULL;

  if (worker_id == NULL || !g_hash_table_steal_extended (self->request_ids, worker_id,
                                                         (gpointer *) &key, (gpointer *) &id))
    return;
  g_hash_table_remove (self->requests, id);
  json_object_set_string_member (fields, "id", id);
  lilac_im_session_push (self, "request.closed", fields);
}

/* the worker's list of plugin ids: strings only, and not too many */
static JsonArray *
lilac_im_session_plugin_ids (JsonObject *event,
                             const char *member)
{
  JsonNode *node = json_object_get_member (event, member);
  JsonArray *given = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  JsonArray *ids = json_array_new ();

  for (unsigned i = 0; given != NULL && i < json_array_get_length (given) && i < 1024; i++)
    {
      JsonNode *element = json_array_get_element (given, i);
      const char *id = json_node_get_value_type (element) == G_TYPE_STRING
                       ? json_node_get_string (element) : NULL;

      if (id != NULL && strlen (id) <= LILAC_EVENT_NAME_MAX && g_utf8_validate (id, -1, NULL))
        json_array_add_string_element (ids, id);
    }
  return ids;
}

static void
lilac_im_session_on_worker_plugins (LilacImSession *self,
                                    JsonObject     *event)
{
  JsonObject *plugins = json_object_new ();

  json_object_set_array_member (plugins, "protocols",
                                lilac_im_session_plugin_ids (event, "protocols"));
  json_object_set_array_member (plugins, "plugins", lilac_im_session_plugin_ids (event, "plugins"));
  g_clear_pointer (&self->worker_plugins, json_object_unref);
  self->worker_plugins = plugins;
}

static const struct {
  const char *type;
  LilacImEventHandler handler;
} lilac_im_session_handlers[] = {
  { "account.status", lilac_im_session_on_account_status },
  { "conversation.opened", lilac_im_session_on_conversation_opened },
  { "conversation.closed", lilac_im_session_on_conversation_closed },
  { "message", lilac_im_session_on_message },
  { "typing", lilac_im_session_on_typing },
  { "chat.members", lilac_im_session_on_chat_members },
  { "chat.topic", lilac_im_session_on_chat_topic },
  { "buddy.added", lilac_im_session_on_buddy },
  { "buddy.updated", lilac_im_session_on_buddy },
  { "buddy.removed", lilac_im_session_on_buddy },
  { "presence", lilac_im_session_on_presence },
  { "notify", lilac_im_session_on_notify },
  { "request.opened", lilac_im_session_on_request_opened },
  { "request.closed", lilac_im_session_on_request_closed },
  { "transfer.offered", lilac_im_session_on_transfer_offered },
  { "transfer.progress", lilac_im_session_on_transfer_progress },
  { "worker.plugins", lilac_im_session_on_worker_plugins },
};

/**
 * lilac_im_session_handle_event:
 * @self: a session
 * @event: an event from the worker
 *
 * Applies one worker event. Events of unknown types, or naming accounts that
 * are not this user's, are dropped.
 */
void
lilac_im_session_handle_event (LilacImSession *self,
                               JsonObject     *event)
{
  const char *type = lilac_json_get_string (event, "type", TRUE, 32, NULL);

  for (unsigned i = 0; type != NULL && i < G_N_ELEMENTS (lilac_im_session_handlers); i++)
    {
      if (g_str_equal (type, lilac_im_session_handlers[i].type))
        {
          lilac_im_session_handlers[i].handler (self, event);
          return;
        }
    }
  g_debug ("user %s: worker event of type %s dropped", self->user->name,
           type != NULL ? type : "(none)");
}
