/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The user's settings in the worker. The subscription policy (who may add
 * the user to their buddy list without asking) is a libpurple preference
 * that Lilac's subscription-policy plugin reads whenever someone asks; with
 * "ask", or without the plugin, libpurple asks the user. Members a worker
 * does not know are ignored, so a newer gateway may send more settings.
 */
#include "config.h"

#include "lilac-purple-settings.h"

#include <purple.h>

#include "lilac-error.h"
#include "lilac-worker-body.h"

static const char *const lilac_purple_settings_policies[] = {
  "ask", "accept_all", "accept_buddies", "reject", NULL
};

static gboolean
lilac_purple_settings_set_policy (const char *policy,
                                  GError    **error)
{
  PurplePlugin *plugin = purple_plugins_find_with_id (LILAC_PURPLE_SETTINGS_POLICY_PLUGIN);

  if (!g_strv_contains (lilac_purple_settings_policies, policy))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "unknown subscription policy \"%s\"", policy);
      return FALSE;
    }
  if (!g_str_equal (policy, "ask") && (plugin == NULL || !purple_plugin_is_loaded (plugin)))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE,
                           "the subscription policy plugin is not loaded");
      return FALSE;
    }
  if (!purple_prefs_exists (LILAC_PURPLE_SETTINGS_POLICY_DIR))
    purple_prefs_add_none (LILAC_PURPLE_SETTINGS_POLICY_DIR);
  if (!purple_prefs_exists (LILAC_PURPLE_SETTINGS_POLICY_PREF))
    purple_prefs_add_string (LILAC_PURPLE_SETTINGS_POLICY_PREF, "ask");
  purple_prefs_set_string (LILAC_PURPLE_SETTINGS_POLICY_PREF, policy);
  g_debug ("subscription policy: %s", policy);
  return TRUE;
}

/**
 * lilac_purple_settings_set:
 * @body: a SETTINGS_SET body: {"subscription_policy"?:"ask|accept_all|accept_buddies|reject"}
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the reply, {}; bad_request for an
 *   unknown policy, unavailable for a policy other than "ask" when the
 *   plugin that applies it is not loaded
 */
JsonObject *
lilac_purple_settings_set (JsonObject *body,
                           GError    **error)
{
  const char *policy;

  if (!lilac_worker_body_get_string (body, "subscription_policy", FALSE, 32, &policy, error))
    return NULL;
  if (policy != NULL && !lilac_purple_settings_set_policy (policy, error))
    return NULL;
  return json_object_new ();
}
