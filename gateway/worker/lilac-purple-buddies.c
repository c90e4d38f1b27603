/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The buddy list UI operations. libpurple calls "update" for a buddy on
 * nearly any change (status, idle, alias, group, contact priority), so each
 * buddy's last reported state is kept and compared: a new buddy is
 * buddy.added, a changed alias or group is buddy.updated, a changed status,
 * status message or idle time is presence, a deleted buddy is buddy.removed.
 * The buddies of an account that signs off stay (they go offline).
 *
 * Buddies of an account are reported from the moment the gateway sent the
 * account in this session; lilac_purple_buddies_refresh_account() then
 * reports the ones libpurple had cached in its buddy list.
 *
 * BUDDY_ADD puts a buddy in the list (group "Buddies" unless another is
 * given) and tells the server, which for XMPP sends a subscription request;
 * BUDDY_INFO asks the protocol for someone's user info, which comes back
 * through the notify operations (lilac-purple-notify.c).
 *
 * BUDDY_REMOVE takes every buddy of that name off the account's list and
 * the server's. Both need the account connected: offline, the server would
 * not hear of it and would undo the change at the next sign-on.
 */
#include "config.h"

#include "lilac-purple-buddies.h"

#include "lilac-error.h"
#include "lilac-purple-accounts.h"
#include "lilac-purple-core.h"
#include "lilac-purple-markup.h"
#include "lilac-purple-status.h"
#include "lilac-worker-body.h"

#define LILAC_PURPLE_BUDDIES_DEFAULT_GROUP "Buddies"

/* one buddy as last reported */
typedef struct {
  char *alias;        /* (owned) */
  char *group;        /* (owned) */
  char *status;       /* (owned) a wire status name */
  char *message;      /* (owned) plain text */
  time_t idle_since;  /* 0 when not idle */
  gboolean idle;
} LilacPurpleBuddy;

/* PurpleBuddy -> (owned) LilacPurpleBuddy */
static GHashTable *lilac_purple_buddies;
static int lilac_purple_buddies_handle;

static void
lilac_purple_buddy_free (LilacPurpleBuddy *state)
{
  g_free (state->alias);
  g_free (state->group);
  g_free (state->status);
  g_free (state->message);
  g_free (state);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacPurpleBuddy, lilac_purple_buddy_free)

/* A plugin's status_text() is HTML made for display (XMPP escapes the
 * message there), while the "message" attribute itself is plain text in
 * most plugins; so the former is preferred and made plain again. */
static char *
lilac_purple_buddy_read_message (PurpleBuddy  *buddy,
                                 PurpleStatus *status)
{
  PurpleAccount *account = purple_buddy_get_account (buddy);
  PurpleConnection *gc = purple_account_get_connection (account);
  PurplePlugin *prpl = gc != NULL ? purple_connection_get_prpl (gc) : NULL;
  PurplePluginProtocolInfo *info = prpl != NULL ? PURPLE_PLUGIN_PROTOCOL_INFO (prpl) : NULL;
  const char *message;

  if (info != NULL && info->status_text != NULL && purple_account_is_connected (account))
    {
      g_autofree char *html = info->status_text (buddy);

      return lilac_purple_markup_to_plain (html);
    }
  message = status != NULL ? purple_status_get_attr_string (status, "message") : NULL;
  return g_strdup (message != NULL ? message : "");
}

static LilacPurpleBuddy *
lilac_purple_buddy_read (PurpleBuddy *buddy)
{
  LilacPurpleBuddy *state = g_new0 (LilacPurpleBuddy, 1);
  PurplePresence *presence = purple_buddy_get_presence (buddy);
  PurpleStatus *status = purple_presence_get_active_status (presence);
  PurpleGroup *group = purple_buddy_get_group (buddy);

  state->alias = g_strdup (purple_buddy_get_alias (buddy));
  state->group = g_strdup (group != NULL ? purple_group_get_name (group) : "");
  if (status == NULL || !purple_presence_is_online (presence))
    state->status = g_strdup ("offline");
  else
    state->status = g_strdup (lilac_purple_status_to_wire (
      purple_status_type_get_primitive (purple_status_get_type (status))));
  state->message = lilac_purple_buddy_read_message (buddy, status);
  state->idle = purple_presence_is_idle (presence);
  state->idle_since = state->idle ? purple_presence_get_idle_time (presence) : 0;
  return state;
}

/* seconds idle; a buddy idle for an unknown time counts as idle for 1 s */
static gint64
lilac_purple_buddy_get_idle (const LilacPurpleBuddy *state)
{
  if (!state->idle)
    return 0;
  if (state->idle_since <= 0)
    return 1;
  return MAX ((gint64) (time (NULL) - state->idle_since), 1);
}

static void
lilac_purple_buddy_set_presence (JsonObject             *object,
                                 const LilacPurpleBuddy *state)
{
  json_object_set_string_member (object, "status", state->status);
  json_object_set_string_member (object, "message", state->message);
  json_object_set_int_member (object, "idle", lilac_purple_buddy_get_idle (state));
}

static void
lilac_purple_buddy_emit (const char             *type,
                         const char             *account_id,
                         PurpleBuddy            *buddy,
                         const LilacPurpleBuddy *state)
{
  g_autoptr(JsonObject) event = lilac_purple_event_new (type);

  json_object_set_string_member (event, "account", account_id);
  json_object_set_string_member (event, "name", purple_buddy_get_name (buddy));
  if (g_str_equal (type, "presence"))
    lilac_purple_buddy_set_presence (event, state);
  else
    {
      JsonObject *presence = json_object_new ();

      json_object_set_string_member (event, "alias", state->alias);
      json_object_set_string_member (event, "group", state->group);
      lilac_purple_buddy_set_presence (presence, state);
      json_object_set_object_member (event, "presence", presence);
    }
  lilac_purple_emit (event);
}

static void
lilac_purple_buddies_refresh (PurpleBuddy *buddy)
{
  const char *account_id = lilac_purple_accounts_get_id (purple_buddy_get_account (buddy));
  g_autoptr(LilacPurpleBuddy) state = NULL;
  LilacPurpleBuddy *known;
  gboolean renamed, changed;

  if (account_id == NULL || purple_buddy_get_group (buddy) == NULL)
    return;
  state = lilac_purple_buddy_read (buddy);
  known = g_hash_table_lookup (lilac_purple_buddies, buddy);
  if (known == NULL)
    {
      lilac_purple_buddy_emit ("buddy.added", account_id, buddy, state);
      g_hash_table_insert (lilac_purple_buddies, buddy, g_steal_pointer (&state));
      return;
    }
  renamed = g_strcmp0 (known->alias, state->alias) != 0 ||
            g_strcmp0 (known->group, state->group) != 0;
  changed = g_strcmp0 (known->status, state->status) != 0 ||
            g_strcmp0 (known->message, state->message) != 0 ||
            known->idle != state->idle || known->idle_since != state->idle_since;
  if (renamed)
    lilac_purple_buddy_emit ("buddy.updated", account_id, buddy, state);
  if (changed)
    lilac_purple_buddy_emit ("presence", account_id, buddy, state);
  g_hash_table_replace (lilac_purple_buddies, buddy, g_steal_pointer (&state));
}

/* a group's name shows in each of its buddies */
static void
lilac_purple_buddies_refresh_group (PurpleBlistNode *group)
{
  for (PurpleBlistNode *contact = purple_blist_node_get_first_child (group); contact != NULL;
       contact = purple_blist_node_get_sibling_next (contact))
    {
      if (!PURPLE_BLIST_NODE_IS_CONTACT (contact))
        continue;
      for (PurpleBlistNode *node = purple_blist_node_get_first_child (contact); node != NULL;
           node = purple_blist_node_get_sibling_next (node))
        {
          if (PURPLE_BLIST_NODE_IS_BUDDY (node))
            lilac_purple_buddies_refresh ((PurpleBuddy *) node);
        }
    }
}

/* ------------------------------------------------------------ Blist ops */

static void
lilac_purple_buddies_update_cb (PurpleBuddyList *list,
                                PurpleBlistNode *node)
{
  if (node == NULL || lilac_purple_buddies == NULL)
    return;
  if (PURPLE_BLIST_NODE_IS_BUDDY (node))
    lilac_purple_buddies_refresh ((PurpleBuddy *) node);
  else if (PURPLE_BLIST_NODE_IS_GROUP (node))
    lilac_purple_buddies_refresh_group (node);
}

/* "buddy-removed" means deleted; the blist "remove" operation also hides
 * the buddies of an account that signs off, which are not gone */
static void
lilac_purple_buddies_removed_cb (PurpleBuddy *buddy,
                                 gpointer     user_data)
{
  LilacPurpleBuddy *known;
  const char *account_id;

  if (lilac_purple_buddies == NULL)
    return;
  known = g_hash_table_lookup (lilac_purple_buddies, buddy);
  if (known == NULL)
    return;
  account_id = lilac_purple_accounts_get_id (purple_buddy_get_account (buddy));
  if (account_id != NULL)
    lilac_purple_buddy_emit ("buddy.removed", account_id, buddy, known);
  g_hash_table_remove (lilac_purple_buddies, buddy);
}

/* libpurple sets the buddies of an account that signed off offline without
 * telling the buddy list UI */
static void
lilac_purple_buddies_signed_off_cb (PurpleConnection *gc,
                                    gpointer          user_data)
{
  lilac_purple_buddies_refresh_account (purple_connection_get_account (gc));
}

static void
lilac_purple_buddies_new_list_cb (PurpleBuddyList *list)
{
  if (lilac_purple_buddies == NULL)
    lilac_purple_buddies = g_hash_table_new_full (NULL, NULL, NULL,
                                                  (GDestroyNotify) lilac_purple_buddy_free);
}

static PurpleBlistUiOps lilac_purple_buddies_ops = {
  .new_list = lilac_purple_buddies_new_list_cb,
  .update = lilac_purple_buddies_update_cb,
};

/* ------------------------------------------------------------- Public API */

/**
 * lilac_purple_buddies_get_ui_ops:
 *
 * Returns: (transfer none): the buddy list UI operations
 */
PurpleBlistUiOps *
lilac_purple_buddies_get_ui_ops (void)
{
  return &lilac_purple_buddies_ops;
}

/**
 * lilac_purple_buddies_init:
 *
 * Follows buddies being deleted, and accounts signing off. Call from the
 * core's ui_init.
 */
void
lilac_purple_buddies_init (void)
{
  purple_signal_connect (purple_blist_get_handle (), "buddy-removed", &lilac_purple_buddies_handle,
                         PURPLE_CALLBACK (lilac_purple_buddies_removed_cb), NULL);
  purple_signal_connect (purple_connections_get_handle (), "signed-off",
                         &lilac_purple_buddies_handle,
                         PURPLE_CALLBACK (lilac_purple_buddies_signed_off_cb), NULL);
}

/**
 * lilac_purple_buddies_uninit:
 *
 * Forgets the buddies' states. Call after purple_core_quit().
 */
void
lilac_purple_buddies_uninit (void)
{
  g_clear_pointer (&lilac_purple_buddies, g_hash_table_unref);
}

/**
 * lilac_purple_buddies_refresh_account:
 * @account: an account
 *
 * Reports what changed about each of @account's buddies: when the gateway
 * just sent the account, the buddies libpurple had cached are all
 * buddy.added.
 */
void
lilac_purple_buddies_refresh_account (PurpleAccount *account)
{
  if (lilac_purple_buddies == NULL)
    return;
  for (PurpleBlistNode *node = purple_blist_get_root (); node != NULL;
       node = purple_blist_node_next (node, TRUE))
    {
      if (PURPLE_BLIST_NODE_IS_BUDDY (node) &&
          purple_buddy_get_account ((PurpleBuddy *) node) == account)
        lilac_purple_buddies_refresh ((PurpleBuddy *) node);
    }
}

/**
 * lilac_purple_buddies_add_to_list:
 * @account: an account
 * @name: the buddy's name
 * @alias: (nullable): an alias for the buddy
 * @group: (nullable): the group, "Buddies" when %NULL or empty
 *
 * Puts @name in the buddy list (or updates the alias of the buddy there)
 * and asks the server to add it, which subscribes to its presence.
 */
void
lilac_purple_buddies_add_to_list (PurpleAccount *account,
                                  const char    *name,
                                  const char    *alias,
                                  const char    *group)
{
  const char *group_name = group != NULL && *group != '\0' ? group
                                                            : LILAC_PURPLE_BUDDIES_DEFAULT_GROUP;
  PurpleBuddy *buddy = purple_find_buddy (account, name);
  PurpleGroup *target;

  if (buddy != NULL)
    {
      if (alias != NULL && *alias != '\0')
        purple_blist_alias_buddy (buddy, alias);
      purple_account_add_buddy (account, buddy);
      return;
    }
  target = purple_find_group (group_name);
  if (target == NULL)
    {
      target = purple_group_new (group_name);
      purple_blist_add_group (target, NULL);
    }
  buddy = purple_buddy_new (account, name, alias != NULL && *alias != '\0' ? alias : NULL);
  purple_blist_add_buddy (buddy, NULL, target, NULL);
  purple_account_add_buddy (account, buddy);
}

/**
 * lilac_purple_buddies_add:
 * @body: a BUDDY_ADD body: {"account","name","alias"?,"group"?}
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the reply, {}; unavailable when the
 *   account is not connected
 */
JsonObject *
lilac_purple_buddies_add (JsonObject *body,
                          GError    **error)
{
  const char *account_id, *name, *alias, *group;
  PurpleAccount *account;

  if (!lilac_worker_body_get_string (body, "account", TRUE, LILAC_WORKER_BODY_MAX_ID,
                                     &account_id, error) ||
      !lilac_worker_body_get_string (body, "name", TRUE, LILAC_WORKER_BODY_MAX_NAME, &name, error) ||
      !lilac_worker_body_get_string (body, "alias", FALSE, LILAC_WORKER_BODY_MAX_NAME, &alias,
                                     error) ||
      !lilac_worker_body_get_string (body, "group", FALSE, LILAC_WORKER_BODY_MAX_NAME, &group,
                                     error))
    return NULL;
  account = lilac_purple_accounts_lookup (account_id, TRUE, error);
  if (account == NULL)
    return NULL;
  lilac_purple_buddies_add_to_list (account, name, alias, group);
  return json_object_new ();
}

/* the connected account and the person a {"account","name"} body names */
static PurpleAccount *
lilac_purple_buddies_get_target (JsonObject  *body,
                                 const char **name,
                                 GError     **error)
{
  const char *account_id;

  if (!lilac_worker_body_get_string (body, "account", TRUE, LILAC_WORKER_BODY_MAX_ID,
                                     &account_id, error) ||
      !lilac_worker_body_get_string (body, "name", TRUE, LILAC_WORKER_BODY_MAX_NAME, name, error))
    return NULL;
  return lilac_purple_accounts_lookup (account_id, TRUE, error);
}

/**
 * lilac_purple_buddies_remove:
 * @body: a BUDDY_REMOVE body: {"account","name"}
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the reply, {}; not_found when the
 *   account has no such buddy, unavailable when it is not connected
 */
JsonObject *
lilac_purple_buddies_remove (JsonObject *body,
                             GError    **error)
{
  const char *name = NULL;
  PurpleAccount *account = lilac_purple_buddies_get_target (body, &name, error);
  GSList *buddies;

  if (account == NULL)
    return NULL;
  buddies = purple_find_buddies (account, name);
  if (buddies == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no buddy \"%s\"", name);
      return NULL;
    }
  for (GSList *l = buddies; l != NULL; l = l->next)
    {
      PurpleBuddy *buddy = l->data;

      purple_account_remove_buddy (account, buddy, purple_buddy_get_group (buddy));
      purple_blist_remove_buddy (buddy);
    }
  g_slist_free (buddies);
  return json_object_new ();
}

/**
 * lilac_purple_buddies_get_info:
 * @body: a BUDDY_INFO body: {"account","name"}
 * @error: return location for a #GError
 *
 * Asks the account's protocol for @name's user info; libpurple shows it
 * through notify_userinfo when the server answers.
 *
 * Returns: (transfer full) (nullable): the reply, {}; unavailable when the
 *   account is not connected
 */
JsonObject *
lilac_purple_buddies_get_info (JsonObject *body,
                               GError    **error)
{
  const char *name = NULL;
  PurpleAccount *account = lilac_purple_buddies_get_target (body, &name, error);

  if (account == NULL)
    return NULL;
  serv_get_info (purple_account_get_connection (account), name);
  return json_object_new ();
}
