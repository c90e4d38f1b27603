/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The subscription-policy plugin in a headless libpurple core: for each
 * policy, a buddy authorization request is accepted, refused or left to the
 * UI (which this test plays), as README.md says.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>

#include <glib-unix.h>
#include <purple.h>

#define POLICY_ID "core-lilac-subscription-policy"
#define POLICY_PREF "/plugins/core/lilac-subscription-policy/policy"

/* what the request came to */
typedef struct {
  unsigned authorized;
  unsigned denied;
  unsigned asked;
} PolicyOutcome;

static PolicyOutcome policy_outcome;

/* ------------------------------------------------------------ A headless UI */

typedef struct {
  PurpleInputFunction function;
  gpointer data;
} PolicyInput;

static gboolean
policy_input_cb (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  PolicyInput *input = user_data;

  input->function (input->data, fd, (condition & G_IO_IN ? PURPLE_INPUT_READ : 0) |
                                    (condition & G_IO_OUT ? PURPLE_INPUT_WRITE : 0));
  return G_SOURCE_CONTINUE;
}

static guint
policy_input_add (int                  fd,
                  PurpleInputCondition condition,
                  PurpleInputFunction  function,
                  gpointer             data)
{
  PolicyInput *input = g_new0 (PolicyInput, 1);

  input->function = function;
  input->data = data;
  return g_unix_fd_add_full (G_PRIORITY_DEFAULT, fd,
                             (condition & PURPLE_INPUT_READ ? G_IO_IN : 0) |
                             (condition & PURPLE_INPUT_WRITE ? G_IO_OUT : 0),
                             policy_input_cb, input, g_free);
}

static gboolean
policy_source_remove (guint handle)
{
  GSource *source = g_main_context_find_source_by_id (NULL, handle);

  if (source == NULL)
    return FALSE;
  g_source_destroy (source);
  return TRUE;
}

static PurpleEventLoopUiOps policy_eventloop_ops = {
  .timeout_add = g_timeout_add,
  .timeout_remove = policy_source_remove,
  .input_add = policy_input_add,
  .input_remove = policy_source_remove,
  .timeout_add_seconds = g_timeout_add_seconds,
};

static void *
policy_request_authorize_cb (PurpleAccount                      *account,
                             const char                         *remote_user,
                             const char                         *id,
                             const char                         *alias,
                             const char                         *message,
                             gboolean                            on_list,
                             PurpleAccountRequestAuthorizationCb authorize_cb,
                             PurpleAccountRequestAuthorizationCb deny_cb,
                             void                               *user_data)
{
  policy_outcome.asked++;
  return &policy_outcome;
}

static PurpleAccountUiOps policy_account_ops = {
  .request_authorize = policy_request_authorize_cb,
};

/* ------------------------------------------------------------ The core */

/* one libpurple core for the whole run (libpurple is not made to start
 * twice in a process), in a temporary folder, with the plugin loaded, an
 * XMPP account that never connects and bob@localhost in its buddy list */
static char *policy_dir;
static PurpleAccount *policy_account;

static int
policy_remove_entry (const char        *path,
                     const struct stat *info,
                     int                flag,
                     struct FTW        *ftw)
{
  remove (path);
  return 0;
}

static void
policy_core_start (void)
{
  g_autoptr(GError) local_error = NULL;
  const char *plugin_dir = g_getenv ("LILAC_PLUGIN_DIR");
  PurplePlugin *plugin;

  g_assert_nonnull (plugin_dir);
  policy_dir = g_dir_make_tmp ("test-subscription-policy-XXXXXX", &local_error);
  g_assert_no_error (local_error);
  purple_util_set_user_dir (policy_dir);
  purple_plugins_add_search_path (plugin_dir);
  purple_eventloop_set_ui_ops (&policy_eventloop_ops);
  g_assert_true (purple_core_init ("lilac-test"));
  purple_accounts_set_ui_ops (&policy_account_ops);
  purple_set_blist (purple_blist_new ());

  plugin = purple_plugins_find_with_id (POLICY_ID);
  g_assert_nonnull (plugin);
  g_assert_true (purple_plugin_load (plugin));

  policy_account = purple_account_new ("alice@localhost/test", "prpl-jabber");
  purple_accounts_add (policy_account);
  purple_blist_add_buddy (purple_buddy_new (policy_account, "bob@localhost", NULL), NULL,
                          NULL, NULL);
}

static void
policy_core_stop (void)
{
  purple_core_quit ();
  nftw (policy_dir, policy_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  g_clear_pointer (&policy_dir, g_free);
}

static void
policy_authorize_cb (void *user_data)
{
  policy_outcome.authorized++;
}

static void
policy_deny_cb (void *user_data)
{
  policy_outcome.denied++;
}

/* a request from @who under @policy: what happened */
static void
policy_assert_request (const char    *policy,
                       const char    *who,
                       unsigned       authorized,
                       unsigned       denied,
                       unsigned       asked)
{
  memset (&policy_outcome, 0, sizeof policy_outcome);
  if (policy != NULL)
    purple_prefs_set_string (POLICY_PREF, policy);
  purple_account_request_authorization (policy_account, who, NULL, NULL, NULL,
                                        purple_find_buddy (policy_account, who) != NULL,
                                        policy_authorize_cb, policy_deny_cb, NULL);
  purple_account_request_close_with_account (policy_account);
  if (policy_outcome.authorized != authorized || policy_outcome.denied != denied ||
      policy_outcome.asked != asked)
    g_printerr ("policy %s, request from %s: authorized %u, denied %u, asked %u\n",
                policy, who, policy_outcome.authorized, policy_outcome.denied,
                policy_outcome.asked);
  g_assert_cmpuint (policy_outcome.authorized, ==, authorized);
  g_assert_cmpuint (policy_outcome.denied, ==, denied);
  g_assert_cmpuint (policy_outcome.asked, ==, asked);
}

/* ------------------------------------------------------------ Tests */

static void
test_policy_default_asks (void)
{
  g_test_summary ("without a policy set, the user is asked");
  g_assert_cmpstr (purple_prefs_get_string (POLICY_PREF), ==, "ask");
  policy_assert_request (NULL, "carol@localhost", 0, 0, 1);
  policy_assert_request ("ask", "bob@localhost", 0, 0, 1);
}

static void
test_policy_accept_all (void)
{
  g_test_summary ("accept_all accepts anyone without asking");
  policy_assert_request ("accept_all", "carol@localhost", 1, 0, 0);
  policy_assert_request ("accept_all", "bob@localhost", 1, 0, 0);
}

static void
test_policy_accept_buddies (void)
{
  g_test_summary ("accept_buddies accepts the buddy list and refuses the others");
  policy_assert_request ("accept_buddies", "bob@localhost", 1, 0, 0);
  policy_assert_request ("accept_buddies", "carol@localhost", 0, 1, 0);
}

static void
test_policy_reject (void)
{
  g_test_summary ("reject refuses everyone without asking");
  policy_assert_request ("reject", "bob@localhost", 0, 1, 0);
  policy_assert_request ("reject", "carol@localhost", 0, 1, 0);
}

static void
test_policy_unknown (void)
{
  g_test_summary ("an unknown policy asks the user");
  policy_assert_request ("maybe", "carol@localhost", 0, 0, 1);
}

static void
test_policy_unloaded (void)
{
  g_test_summary ("once the plugin is unloaded, libpurple asks the user again");
  g_assert_true (purple_plugin_unload (purple_plugins_find_with_id (POLICY_ID)));
  policy_assert_request ("reject", "carol@localhost", 0, 0, 1);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* a headless core: no session bus, no GStreamer registry scan */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  g_setenv ("GST_REGISTRY_DISABLE", "yes", TRUE);
  g_test_init (&argc, &argv, NULL);
  policy_core_start ();
  g_test_add_func ("/plugins/subscription-policy/default-asks", test_policy_default_asks);
  g_test_add_func ("/plugins/subscription-policy/accept-all", test_policy_accept_all);
  g_test_add_func ("/plugins/subscription-policy/accept-buddies", test_policy_accept_buddies);
  g_test_add_func ("/plugins/subscription-policy/reject", test_policy_reject);
  g_test_add_func ("/plugins/subscription-policy/unknown", test_policy_unknown);
  g_test_add_func ("/plugins/subscription-policy/unloaded", test_policy_unloaded);
  status = g_test_run ();
  policy_core_stop ();
  return status;
}
