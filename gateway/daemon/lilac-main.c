/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * lilac, the gateway: options, locale, logging, signals and the main loop;
 * `lilac user ...` manages users in the same data folder.
 */
#include "config.h"

#include <locale.h>
#include <signal.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "lilac-config.h"
#include "lilac-daemon.h"
#include "lilac-user-cli.h"

typedef struct {
  char *listen;
  int port;
  char *data;
  char *config;
  gboolean verbose;
  gboolean admin;
  char **args;
} LilacOptions;

static gboolean
lilac_main_quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* run from a build tree, lilac reads the catalogs that build compiled (BUILD/po/LANG/LC_MESSAGES),
 * not the installed ones, which may be older or missing */
static const char *
lilac_main_locale_dir (void)
{
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);

  if (self_path != NULL && g_str_has_prefix (self_path, LILAC_BUILD_ROOT "/"))
    return LILAC_BUILD_ROOT "/po";
  return LOCALEDIR;
}

static LilacConfig *
lilac_main_build_config (LilacOptions *options,
                         GError      **error)
{
  g_autoptr(LilacConfig) config = lilac_config_new_default ();

  if (options->config != NULL && !lilac_config_load_file (config, options->config, error))
    return NULL;
  if (options->listen != NULL)
    {
      g_free (config->listen);
      config->listen = g_strdup (options->listen);
    }
  if (options->port >= 0)
    config->port = options->port;
  if (options->data != NULL)
    {
      g_free (config->data_dir);
      config->data_dir = g_strdup (options->data);
    }
  if (options->verbose)
    {
      g_free (config->log_level);
      config->log_level = g_strdup ("debug");
    }
  if (!lilac_config_finish (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

static int
lilac_main_serve (LilacDaemon *daemon)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) local_error = NULL;

  if (!lilac_daemon_setup (daemon, &local_error) || !lilac_daemon_start (daemon, &local_error))
    {
      g_printerr ("lilac: %s\n", local_error->message);
      return 1;
    }
  g_unix_signal_add (SIGTERM, lilac_main_quit_cb, loop);
  g_unix_signal_add (SIGINT, lilac_main_quit_cb, loop);
  g_main_loop_run (loop);
  g_message ("stopping");
  lilac_daemon_stop (daemon);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  LilacOptions options = { .port = -1 };
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &options.listen, N_("Address to listen on"), "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &options.port, N_("Port to listen on"), "PORT" },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &options.data, N_("Data folder"), "DIR" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &options.config, N_("Configuration file"), "FILE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options.verbose, N_("Log debug messages"), NULL },
    { "admin", 0, 0, G_OPTION_ARG_NONE, &options.admin, N_("With user add: an administrator"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.args, NULL, N_("[user add NAME|user list]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacDaemon) daemon = NULL;
  LilacConfig *config;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, lilac_main_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Lilac, a web gateway for instant messaging"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &local_error))
    {
      g_printerr ("lilac: %s\n", local_error->message);
      return 2;
    }
  config = lilac_main_build_config (&options, &local_error);
  if (config == NULL)
    {
      g_printerr ("lilac: %s\n", local_error->message);
      return 2;
    }
  if (!g_str_equal (config->log_level, "message"))
    g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  daemon = lilac_daemon_new (config);
  if (!lilac_daemon_open_store (daemon, &local_error))
    {
      g_printerr ("lilac: %s\n", local_error->message);
      return 1;
    }
  if (options.args != NULL && g_strcmp0 (options.args[0], "user") == 0)
    status = lilac_user_cli_run (daemon, options.args + 1, options.admin);
  else if (options.args != NULL)
    {
      g_printerr (_("lilac: unknown command %s\n"), options.args[0]);
      status = 2;
    }
  else
    status = lilac_main_serve (daemon);
  g_strfreev (options.args);
  g_free (options.listen);
  g_free (options.data);
  g_free (options.config);
  return status;
}
