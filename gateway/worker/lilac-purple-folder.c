/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A worker forked from the zygote inherits a libpurple initialised in a
 * template folder. Before anything is written, it makes the user's folder
 * libpurple's (purple_util_set_user_dir(): the files libpurple writes later,
 * prefs.xml, accounts.xml, blist.xml, status.xml and the certificates it
 * keeps, all find their paths through it), and reads what libpurple read at
 * start in the template's place:
 *
 * - the preferences (prefs.xml), over the template's;
 * - the buddy icon cache, whose folder libpurple fixed at start;
 * - the folder of the certificates the user accepted (x509/tls_peers), which
 *   libpurple created at start in the template;
 * - the accounts. The gateway owns the account settings and sends them all
 *   again, so only what ties an account to the gateway and to the buddy list
 *   is read from accounts.xml: the protocol, the username and the gateway's
 *   id. libpurple's own loader runs only inside purple_core_init(), and
 *   starting the accounts subsystem again would drop every plugin's handlers
 *   on its signals.
 */
#include "config.h"

#include "lilac-purple-folder.h"

#include <errno.h>

#include <purple.h>

#include "lilac-error.h"
#include "lilac-purple-core.h"

static char *
lilac_purple_folder_child_text (xmlnode    *node,
                                const char *name)
{
  xmlnode *child = xmlnode_get_child (node, name);

  return child != NULL ? xmlnode_get_data (child) : NULL;
}

/* the "id" the account carries among the UI settings of Lilac */
static char *
lilac_purple_folder_read_id (xmlnode *account)
{
  for (xmlnode *settings = xmlnode_get_child (account, "settings"); settings != NULL;
       settings = xmlnode_get_next_twin (settings))
    {
      if (g_strcmp0 (xmlnode_get_attrib (settings, "ui"), LILAC_PURPLE_UI) != 0)
        continue;
      for (xmlnode *setting = xmlnode_get_child (settings, "setting"); setting != NULL;
           setting = xmlnode_get_next_twin (setting))
        {
          if (g_strcmp0 (xmlnode_get_attrib (setting, "name"), "id") == 0)
            return xmlnode_get_data (setting);
        }
    }
  return NULL;
}

/**
 * lilac_purple_folder_load_accounts:
 *
 * Adds the accounts of the folder's accounts.xml that carry a gateway id,
 * unless libpurple has them already. Call once the buddy list exists.
 */
void
lilac_purple_folder_load_accounts (void)
{
  xmlnode *root = purple_util_read_xml_from_file ("accounts.xml", "accounts");

  if (root == NULL)
    return;
  for (xmlnode *node = xmlnode_get_child (root, "account"); node != NULL;
       node = xmlnode_get_next_twin (node))
    {
      g_autofree char *protocol = lilac_purple_folder_child_text (node, "protocol");
      g_autofree char *username = lilac_purple_folder_child_text (node, "name");
      g_autofree char *id = lilac_purple_folder_read_id (node);
      PurpleAccount *account;

      if (protocol == NULL || username == NULL || id == NULL ||
          purple_accounts_find (username, protocol) != NULL)
        continue;
      account = purple_account_new (username, protocol);
      purple_account_set_ui_string (account, LILAC_PURPLE_UI, "id", id);
      purple_accounts_add (account);
    }
  xmlnode_free (root);
}

/**
 * lilac_purple_folder_enter:
 * @user_dir: the user's libpurple folder; it is created (0700) if missing
 * @error: return location for a #GError
 *
 * Makes @user_dir libpurple's folder and reads the user's preferences from
 * it. Call in a forked worker, before the buddy list and the accounts.
 *
 * Returns: %TRUE on success
 */
gboolean
lilac_purple_folder_enter (const char *user_dir,
                           GError    **error)
{
  PurpleCertificatePool *peers;
  g_autofree char *icons = NULL;

  if (g_mkdir_with_parents (user_dir, 0700) != 0)
    {
      lilac_error_set_from_errno (error, errno, "creating the user's libpurple folder");
      return FALSE;
    }
  purple_util_set_user_dir (user_dir);
  purple_prefs_load ();
  icons = g_build_filename (user_dir, "icons", NULL);
  purple_buddy_icons_set_cache_dir (icons);
  peers = purple_certificate_find_pool ("x509", "tls_peers");
  if (peers != NULL)
    {
      g_autofree char *path = purple_certificate_pool_mkpath (peers, NULL);

      purple_build_dir (path, 0700);
    }
  return TRUE;
}
