/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * subscription-policy: answers buddy authorization requests by the policy
 * in a preference (ask, accept_all, accept_buddies, reject) before libpurple
 * asks the user. See README.md.
 */
#include "config.h"

#include <purple.h>

#define LILAC_SUBSCRIPTION_POLICY_ID "core-lilac-subscription-policy"
#define LILAC_SUBSCRIPTION_POLICY_PREFS "/plugins/core/lilac-subscription-policy"
#define LILAC_SUBSCRIPTION_POLICY_PREF LILAC_SUBSCRIPTION_POLICY_PREFS "/policy"

/* what the "account-authorization-requested" handlers return */
#define LILAC_SUBSCRIPTION_POLICY_ASK 0
#define LILAC_SUBSCRIPTION_POLICY_ACCEPT 1
#define LILAC_SUBSCRIPTION_POLICY_REFUSE (-1)

static int
lilac_subscription_policy_decide (PurpleAccount *account,
                                  const char    *remote_user)
{
  const char *policy = purple_prefs_get_string (LILAC_SUBSCRIPTION_POLICY_PREF);

  if (g_strcmp0 (policy, "accept_all") == 0)
    return LILAC_SUBSCRIPTION_POLICY_ACCEPT;
  if (g_strcmp0 (policy, "reject") == 0)
    return LILAC_SUBSCRIPTION_POLICY_REFUSE;
  if (g_strcmp0 (policy, "accept_buddies") == 0)
    return purple_find_buddy (account, remote_user) != NULL ? LILAC_SUBSCRIPTION_POLICY_ACCEPT
                                                            : LILAC_SUBSCRIPTION_POLICY_REFUSE;
  if (g_strcmp0 (policy, "ask") != 0)
    g_message ("unknown subscription policy \"%s\": asking", policy != NULL ? policy : "");
  return LILAC_SUBSCRIPTION_POLICY_ASK;
}

static int
lilac_subscription_policy_requested_cb (PurpleAccount *account,
                                        const char    *remote_user,
                                        gpointer       user_data)
{
  int decision;

  if (account == NULL || remote_user == NULL)
    return LILAC_SUBSCRIPTION_POLICY_ASK;
  decision = lilac_subscription_policy_decide (account, remote_user);
  g_debug ("authorization request on a %s account: %s",
           purple_account_get_protocol_id (account),
           decision > 0 ? "accepted" : decision < 0 ? "refused" : "asked");
  return decision;
}

static gboolean
lilac_subscription_policy_load (PurplePlugin *plugin)
{
  /* libpurple disconnects the plugin's handlers when it unloads it */
  purple_signal_connect (purple_accounts_get_handle (), "account-authorization-requested", plugin,
                         PURPLE_CALLBACK (lilac_subscription_policy_requested_cb), NULL);
  return TRUE;
}

static PurplePluginInfo lilac_subscription_policy_info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_STANDARD,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = (char *) LILAC_SUBSCRIPTION_POLICY_ID,
  .name = (char *) "Subscription policy",
  .version = (char *) PACKAGE_VERSION,
  .summary = (char *) "Answers buddy authorization requests by the user's policy",
  .description = (char *) "Accepts or refuses requests to add you to a buddy list before you "
                          "are asked: ask, accept_all, accept_buddies (only people in your buddy "
                          "list) or reject, from the preference " LILAC_SUBSCRIPTION_POLICY_PREF ".",
  .author = (char *) "The Lilac developers",
  .homepage = (char *) "",
  .load = lilac_subscription_policy_load,
};

static void
lilac_subscription_policy_init (PurplePlugin *plugin)
{
  purple_prefs_add_none (LILAC_SUBSCRIPTION_POLICY_PREFS);
  purple_prefs_add_string (LILAC_SUBSCRIPTION_POLICY_PREF, "ask");
}

PURPLE_INIT_PLUGIN (lilac_subscription_policy, lilac_subscription_policy_init,
                    lilac_subscription_policy_info)
