/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Keeping a worker small. Every worker is one user's libpurple, so whatever
 * libpurple drags in is paid once per user:
 *
 * - purple_core_init() opens every module in the plugin folder and loads
 *   every plugin loader it finds. The perl and tcl loaders map libperl,
 *   Tcl/Tk and X11 and start an interpreter, for script plugins a gateway
 *   does not run. libpurple skips a file when a plugin with the same
 *   basename is already registered (that is how a user's plugin shadows the
 *   system's), so inert placeholders named after those loaders, registered
 *   before the probe, keep them out.
 * - libpurple's media manager starts GStreamer, whose plugin scan and device
 *   monitor (sound servers, cameras, GL sinks) cost about 15 MiB of private
 *   memory per worker. Lilac has no voice or video, so GStreamer runs without
 *   its plugin registry.
 * - libpurple offers itself on the D-Bus session bus, or autolaunches one
 *   when there is an X display. A worker stays off D-Bus.
 *
 * An operator who sets GST_REGISTRY_DISABLE or DBUS_SESSION_BUS_ADDRESS
 * keeps the value given.
 *
 * And what a worker loads on purpose: every plugin in Lilac's plugin folders
 * (--plugin-dir, probed before the system's folders, so a plugin there
 * shadows a system one of the same name), and the system plugins the
 * operator lists (--load-plugin). The system's folders are libpurple's own
 * and, on a multiarch system, PREFIX/lib/purple-2, where some Debian packages
 * install theirs (purple-xmpp-carbons, purple-rocketchat); it is probed after
 * libpurple's, whose protocol plugins (and the libraries they bring, such as
 * libjabber) those plugins need. A plugin that is missing or fails to load is
 * logged and, once the gateway is there, reported as a notify event; the
 * worker goes on. The gateway is also told which plugins are loaded.
 *
 * The modules of the loaded plugins stay mapped until the process exits:
 * libpurple closes them as it quits, yet what they allocated is then still
 * around (a LeakSanitizer report could not name its functions) and a module
 * unmapped under a late callback would crash.
 */
#include "config.h"

#include "lilac-purple-plugins.h"

#include <purple.h>

#include "lilac-purple-core.h"
#include "lilac-purple-notify.h"

/* plugin basenames never loaded: the script loaders */
static const char *const lilac_purple_plugins_shadowed[] = {
  "perl",
  "tcl",
};

/* what to load, set once before the core starts */
static char **lilac_purple_plugins_dirs;
static char **lilac_purple_plugins_ids;
/* (owned) texts of the plugins that failed to load, reported once */
static GPtrArray *lilac_purple_plugins_failures;

/* a wrong magic number: libpurple never loads a placeholder, and at exit
 * frees it without calling into it */
static PurplePluginInfo lilac_purple_plugins_placeholder_info = {
  .magic = 0,
  .type = PURPLE_PLUGIN_STANDARD,
  .flags = PURPLE_PLUGIN_FLAG_INVISIBLE,
  .id = (char *) "lilac-placeholder",
  .name = (char *) "Lilac placeholder",
};

/**
 * lilac_purple_plugins_prepare:
 *
 * Sets up the process environment for libpurple. Call before
 * purple_core_init().
 */
void
lilac_purple_plugins_prepare (void)
{
  g_setenv ("GST_REGISTRY_DISABLE", "yes", FALSE);
  /* libdbus refuses this address, so it neither connects nor autolaunches */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "disabled:", FALSE);
  g_unsetenv ("DBUS_STARTER_ADDRESS");
  g_unsetenv ("DBUS_STARTER_BUS_TYPE");
}

/**
 * lilac_purple_plugins_shadow_loaders:
 *
 * Registers the placeholders that keep the script loaders from being
 * probed. Call from the core's ui_prefs_init operation: after libpurple's
 * D-Bus setup would be too late, since the probe follows it directly.
 */
void
lilac_purple_plugins_shadow_loaders (void)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (lilac_purple_plugins_shadowed); i++)
    {
      PurplePlugin *placeholder = g_new0 (PurplePlugin, 1);

      placeholder->native_plugin = TRUE;
      placeholder->path = g_strdup_printf ("lilac-shadowed/%s." G_MODULE_SUFFIX,
                                           lilac_purple_plugins_shadowed[i]);
      placeholder->info = &lilac_purple_plugins_placeholder_info;
      purple_plugin_register (placeholder);
    }
}

/**
 * lilac_purple_plugins_configure:
 * @dirs: (nullable) (array zero-terminated=1): Lilac's plugin folders
 * @ids: (nullable) (array zero-terminated=1): ids of system plugins to load
 *
 * Says what lilac_purple_plugins_add_search_paths() and
 * lilac_purple_plugins_load() do. Call before the core starts.
 */
void
lilac_purple_plugins_configure (const char *const *dirs,
                                const char *const *ids)
{
  g_strfreev (lilac_purple_plugins_dirs);
  g_strfreev (lilac_purple_plugins_ids);
  lilac_purple_plugins_dirs = g_strdupv ((char **) dirs);
  lilac_purple_plugins_ids = g_strdupv ((char **) ids);
}

/**
 * lilac_purple_plugins_add_search_paths:
 *
 * Adds Lilac's plugin folders to libpurple's search path. Call before
 * purple_core_init(), which probes them.
 */
void
lilac_purple_plugins_add_search_paths (void)
{
  for (unsigned i = 0; lilac_purple_plugins_dirs != NULL && lilac_purple_plugins_dirs[i] != NULL;
       i++)
    purple_plugins_add_search_path (lilac_purple_plugins_dirs[i]);
  purple_plugins_add_search_path (PURPLE_PLUGINDIR);
  if (!g_str_equal (PURPLE_NOARCH_PLUGINDIR, PURPLE_PLUGINDIR) &&
      g_file_test (PURPLE_NOARCH_PLUGINDIR, G_FILE_TEST_IS_DIR))
    purple_plugins_add_search_path (PURPLE_NOARCH_PLUGINDIR);
}

static void
lilac_purple_plugins_fail (const char *what,
                           const char *why)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", what, why);

  g_message ("plugin %s", text);
  if (lilac_purple_plugins_failures == NULL)
    lilac_purple_plugins_failures = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (lilac_purple_plugins_failures, g_steal_pointer (&text));
}

static void
lilac_purple_plugins_load_one (PurplePlugin *plugin,
                               const char   *what)
{
  if (purple_plugin_is_loaded (plugin))
    return;
  if (plugin->info == NULL || plugin->info->type == PURPLE_PLUGIN_LOADER)
    {
      lilac_purple_plugins_fail (what, "not a plugin that can be loaded");
      return;
    }
  if (!purple_plugin_load (plugin))
    {
      lilac_purple_plugins_fail (what, plugin->error != NULL ? plugin->error : "it failed to load");
      return;
    }
  g_debug ("plugin %s loaded", purple_plugin_get_id (plugin));
}

static gboolean
lilac_purple_plugins_is_lilacs (PurplePlugin *plugin)
{
  g_autofree char *dir = NULL;

  if (plugin->path == NULL || lilac_purple_plugins_dirs == NULL)
    return FALSE;
  dir = g_path_get_dirname (plugin->path);
  for (unsigned i = 0; lilac_purple_plugins_dirs[i] != NULL; i++)
    {
      g_autofree char *wanted = g_canonicalize_filename (lilac_purple_plugins_dirs[i], NULL);
      g_autofree char *found = g_canonicalize_filename (dir, NULL);

      if (g_str_equal (wanted, found))
        return TRUE;
    }
  return FALSE;
}

static void
lilac_purple_plugins_keep_mapped (void)
{
  for (GList *l = purple_plugins_get_loaded (); l != NULL; l = l->next)
    {
      PurplePlugin *plugin = l->data;

      if (plugin->native_plugin && plugin->handle != NULL)
        g_module_make_resident (plugin->handle);
    }
}

/**
 * lilac_purple_plugins_load:
 *
 * Loads every plugin found in Lilac's folders, then each plugin the
 * operator listed. Protocol plugins are loaded by libpurple itself. Call
 * after purple_core_init().
 */
void
lilac_purple_plugins_load (void)
{
  g_autoptr(GList) plugins = g_list_copy (purple_plugins_get_all ());

  for (GList *l = plugins; l != NULL; l = l->next)
    {
      PurplePlugin *plugin = l->data;

      if (lilac_purple_plugins_is_lilacs (plugin) && plugin->info != NULL &&
          plugin->info->type == PURPLE_PLUGIN_STANDARD)
        lilac_purple_plugins_load_one (plugin, plugin->path);
    }
  for (unsigned i = 0; lilac_purple_plugins_ids != NULL && lilac_purple_plugins_ids[i] != NULL;
       i++)
    {
      const char *id = lilac_purple_plugins_ids[i];
      PurplePlugin *plugin = purple_plugins_find_with_id (id);

      if (plugin == NULL)
        lilac_purple_plugins_fail (id, "no such plugin is installed");
      else
        lilac_purple_plugins_load_one (plugin, id);
    }
  lilac_purple_plugins_keep_mapped ();
}

/**
 * lilac_purple_plugins_report_failures:
 *
 * Sends a notify event for each plugin that failed to load, the first time
 * it is called with someone to tell (the gateway greeted the worker).
 */
void
lilac_purple_plugins_report_failures (void)
{
  if (lilac_purple_plugins_failures == NULL)
    return;
  for (unsigned i = 0; i < lilac_purple_plugins_failures->len; i++)
    lilac_purple_notify_emit (NULL, "warning", "A libpurple plugin did not load",
                              lilac_purple_plugins_failures->pdata[i]);
  g_clear_pointer (&lilac_purple_plugins_failures, g_ptr_array_unref);
}

static int
lilac_purple_plugins_compare_ids (gconstpointer a,
                                  gconstpointer b)
{
  return g_strcmp0 (json_node_get_string ((JsonNode *) a), json_node_get_string ((JsonNode *) b));
}

/* the ids of @plugins, sorted */
static JsonArray *
lilac_purple_plugins_list_ids (GList *plugins)
{
  g_autoptr(GList) nodes = NULL;
  JsonArray *ids = json_array_new ();

  for (GList *l = plugins; l != NULL; l = l->next)
    {
      PurplePlugin *plugin = l->data;

      if (plugin->info != NULL && plugin->info->type != PURPLE_PLUGIN_LOADER &&
          purple_plugin_get_id (plugin) != NULL)
        nodes = g_list_prepend (nodes, json_node_init_string (json_node_alloc (),
                                                              purple_plugin_get_id (plugin)));
    }
  nodes = g_list_sort (nodes, lilac_purple_plugins_compare_ids);
  for (GList *l = nodes; l != NULL; l = l->next)
    json_array_add_element (ids, l->data);
  return ids;
}

/**
 * lilac_purple_plugins_report_loaded:
 *
 * Sends a worker.plugins event: the protocol plugins of this libpurple
 * (purple_plugins_get_protocols()) and the other plugins loaded.
 */
void
lilac_purple_plugins_report_loaded (void)
{
  g_autoptr(JsonObject) event = lilac_purple_event_new ("worker.plugins");
  g_autoptr(GList) loaded = NULL;

  for (GList *l = purple_plugins_get_loaded (); l != NULL; l = l->next)
    {
      PurplePlugin *plugin = l->data;

      if (plugin->info != NULL && plugin->info->type == PURPLE_PLUGIN_STANDARD)
        loaded = g_list_prepend (loaded, plugin);
    }
  json_object_set_array_member (event, "protocols",
                                lilac_purple_plugins_list_ids (purple_plugins_get_protocols ()));
  json_object_set_array_member (event, "plugins", lilac_purple_plugins_list_ids (loaded));
  lilac_purple_emit (event);
}

/**
 * lilac_purple_plugins_get_dirs:
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): Lilac's
 *   plugin folders, as configured
 */
const char *const *
lilac_purple_plugins_get_dirs (void)
{
  return (const char *const *) lilac_purple_plugins_dirs;
}
