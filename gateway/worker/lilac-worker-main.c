/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * lilac-worker: libpurple for one Lilac user, driven by the gateway over an
 * inherited socket. Options, locale, logging, signals and the main loop.
 *
 *   lilac-worker --fd N --dir DIR [--plugin-dir DIR]... [--load-plugin ID]... [--verbose]
 *   lilac-worker --zygote --fd N [--dir TEMPLATE] [--plugin-dir DIR]... [--load-plugin ID]... [--verbose]
 *   lilac-worker --protocols
 *   lilac-worker --sandbox-check PATH --dir DIR [--plugin-dir DIR]...
 */
#include "config.h"

#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <sys/prctl.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "lilac-purple-core.h"
#include "lilac-purple-plugins.h"
#include "lilac-purple-requests.h"
#include "lilac-worker.h"
#include "lilac-worker-sandbox.h"
#include "lilac-zygote.h"

/* the log domains whose warnings and criticals are our bugs */
static const char *const lilac_worker_main_strict_domains[] = {
  "lilac-worker", "lilac-core", "lilac-plugin-subscription-policy",
  "GLib", "GLib-GObject", "GLib-GIO", "Json",
};

/* G_DEBUG=fatal-warnings (as the tests run) makes warnings and criticals
 * abort in every log domain. libpurple and its plugins log without a domain,
 * and some of their criticals are known upstream races (libjabber's
 * purple_conv_chat_find_user during a room's presence storm): those are
 * kept non-fatal, while our own domains (and GLib's) still abort. */
static void
lilac_worker_main_setup_fatal_levels (void)
{
  GLogLevelFlags fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK) &
                         (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);

  for (unsigned i = 0; i < G_N_ELEMENTS (lilac_worker_main_strict_domains); i++)
    g_log_set_fatal_mask (lilac_worker_main_strict_domains[i], G_LOG_FATAL_MASK | fatal);
}

static void
lilac_worker_main_setup_logging (gboolean verbose)
{
  /* stdout carries the --protocols answer and nothing else */
  g_log_writer_default_set_use_stderr (TRUE);
  if (verbose)
    g_log_set_debug_enabled (TRUE);
  lilac_worker_main_setup_fatal_levels ();
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

/* @core: (nullable): the zygote's core, in a forked worker */
static int
lilac_worker_main_run (int              fd,
                       const char      *dir,
                       LilacPurpleCore *core)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LilacWorker) worker = core != NULL ? lilac_worker_new_forked (fd, dir, core)
                                               : lilac_worker_new (fd, dir);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  /* an exec'ed worker never outlives its gateway; a forked one's parent is
   * the zygote, and it ends when the gateway closes its socket */
  if (core == NULL)
    prctl (PR_SET_PDEATHSIG, SIGTERM);
  signal (SIGPIPE, SIG_IGN);
  g_signal_connect_swapped (worker, "stopped", G_CALLBACK (g_main_loop_quit), loop);
  if (!lilac_worker_start (worker, &error))
    {
      g_printerr ("lilac-worker: %s\n", error->message);
      return 1;
    }
  /* GLib starts a thread for these: only once the worker is sandboxed */
  g_unix_signal_add (SIGTERM, lilac_worker_main_signal_cb, worker);
  g_unix_signal_add (SIGINT, lilac_worker_main_signal_cb, worker);
  g_main_loop_run (loop);
  return 0;
}

static int
lilac_worker_main_zygote (int         fd,
                          const char *template_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LilacZygote) zygote = lilac_zygote_new (fd, template_dir);
  LilacZygoteChild child;

  /* the zygote never outlives its gateway either */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  signal (SIGPIPE, SIG_IGN);
  if (!lilac_zygote_start (zygote, &error) || !lilac_zygote_run (zygote, &child, &error))
    {
      g_printerr ("lilac-worker: zygote: %s\n", error->message);
      return 1;
    }
  if (child.fd >= 0)
    {
      g_autofree char *dir = child.user_dir;
      g_autoptr(LilacPurpleCore) core = g_object_ref (lilac_zygote_get_core (zygote));

      g_clear_object (&zygote);
      return lilac_worker_main_run (child.fd, dir, core);
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *sandbox_check = NULL;
  g_auto(GStrv) plugin_dirs = NULL;
  g_auto(GStrv) plugin_ids = NULL;
  gboolean protocols = FALSE, zygote = FALSE, verbose = FALSE;
  int fd = -1, request_seconds = 0;
  const GOptionEntry entries[] = {
    { "fd", 0, 0, G_OPTION_ARG_INT, &fd, "The connected socket to the gateway", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      "This user's libpurple folder (with --zygote: the zygote's, emptied first)", "DIR" },
    { "zygote", 0, 0, G_OPTION_ARG_NONE, &zygote,
      "Start libpurple once and fork a worker for each FORK request on --fd", NULL },
    { "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_dirs,
      "Load every plugin of this folder (Lilac's plugins); repeatable", "DIR" },
    { "load-plugin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &plugin_ids,
      "Load this installed libpurple plugin; repeatable", "ID" },
    { "protocols", 0, 0, G_OPTION_ARG_NONE, &protocols,
      "Print the protocol plugins and their options as JSON, then exit", NULL },
    { "sandbox-check", 0, 0, G_OPTION_ARG_FILENAME, &sandbox_check,
      "Enter the sandbox of a worker for --dir and open PATH (create it if missing): exit 0 if "
      "refused, 1 if allowed, 77 without Landlock", "PATH" },
    { "request-seconds", 0, 0, G_OPTION_ARG_INT, &request_seconds,
      "Cancel a request nobody answers after this many seconds (default 600)", "S" },
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
  if (request_seconds > 0)
    lilac_purple_requests_set_lifetime ((guint) request_seconds);
  lilac_purple_plugins_configure ((const char *const *) plugin_dirs,
                                  (const char *const *) plugin_ids);
  if (protocols)
    return lilac_worker_main_print_protocols ();
  if (sandbox_check != NULL && dir != NULL)
    return lilac_worker_sandbox_check (dir, (const char *const *) plugin_dirs, sandbox_check);
  if (fd < 0 || fcntl (fd, F_GETFD) < 0 || (dir == NULL && !zygote))
    {
      g_printerr ("lilac-worker: --fd with an open socket, and --dir or --zygote, are required\n");
      return 2;
    }
  if (zygote)
    return lilac_worker_main_zygote (fd, dir);
  return lilac_worker_main_run (fd, dir, NULL);
}
