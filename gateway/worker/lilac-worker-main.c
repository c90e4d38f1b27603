/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * lilac-worker: libpurple for one Lilac user, driven by the gateway over an
 * inherited socket. Options, locale, logging, signals and the main loop.
 *
 *   lilac-worker --fd N --dir DIR [--verbose]
 *   lilac-worker --protocols
 */
#include "config.h"

#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <sys/prctl.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "lilac-purple-core.h"
#include "lilac-worker.h"

static void
lilac_worker_main_setup_logging (gboolean verbose)
{
  /* stdout carries the --protocols answer and nothing else */
  g_log_writer_default_set_use_stderr (TRUE);
  if (verbose)
    g_log_set_debug_enabled (TRUE);
  lilac_purple_core_set_debug (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, "purple"));
}

static int
lilac_worker_main_print_protocols (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *protocols = lilac_worker_describe_protocols (&error);

  if (protocols == NULL)
    {
      g_printerr ("lilac-worker: %s\n", error->message);
      return 1;
    }
  g_print ("%s\n", protocols);
  return 0;
}

static gboolean
lilac_worker_main_signal_cb (gpointer user_data)
{
  g_debug ("stopping on a signal");
  lilac_worker_stop (LILAC_WORKER (user_data));
  return G_SOURCE_CONTINUE;
}

static int
lilac_worker_main_run (int         fd,
                       const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LilacWorker) worker = lilac_worker_new (fd, dir);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  /* a worker never outlives its gateway */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  signal (SIGPIPE, SIG_IGN);
  g_unix_signal_add (SIGTERM, lilac_worker_main_signal_cb, worker);
  g_unix_signal_add (SIGINT, lilac_worker_main_signal_cb, worker);
  g_signal_connect_swapped (worker, "stopped", G_CALLBACK (g_main_loop_quit), loop);
  if (!lilac_worker_start (worker, &error))
    {
      g_printerr ("lilac-worker: %s\n", error->message);
      return 1;
    }
  g_main_loop_run (loop);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  gboolean protocols = FALSE;
  gboolean verbose = FALSE;
  int fd = -1;
  const GOptionEntry entries[] = {
    { "fd", 0, 0, G_OPTION_ARG_INT, &fd, "The connected socket to the gateway", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "This user's libpurple folder", "DIR" },
    { "protocols", 0, 0, G_OPTION_ARG_NONE, &protocols,
      "Print the protocol plugins and their options as JSON, then exit", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debug messages", NULL },
    G_OPTION_ENTRY_NULL
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_option_context_set_summary (context, "Runs libpurple for one Lilac user.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("lilac-worker: %s\n", error->message);
      return 2;
    }
  lilac_worker_main_setup_logging (verbose);
  if (protocols)
    return lilac_worker_main_print_protocols ();
  if (fd < 0 || dir == NULL || fcntl (fd, F_GETFD) < 0)
    {
      g_printerr ("lilac-worker: --fd with an open socket and --dir are required\n");
      return 2;
    }
  return lilac_worker_main_run (fd, dir);
}
