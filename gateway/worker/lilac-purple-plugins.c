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
 */
#include "config.h"

#include "lilac-purple-plugins.h"

#include <purple.h>

/* plugin basenames never loaded: the script loaders */
static const char *const lilac_purple_plugins_shadowed[] = {
  "perl",
  "tcl",
};

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
