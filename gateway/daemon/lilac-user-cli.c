/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * `lilac user add NAME [--admin]` (the password is read from standard
 * input, or asked for twice without echo on a terminal) and `lilac user list`.
 */
#include "config.h"

#include "lilac-user-cli.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "lilac-error.h"

static char *
lilac_user_cli_read_line (gboolean echo)
{
  struct termios saved, quiet;
  gboolean terminal = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  char buffer[2048];
  char *line;

  if (terminal && !echo)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  line = fgets (buffer, sizeof buffer, stdin);
  if (terminal && !echo)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fputc ('\n', stderr);
    }
  if (line == NULL)
    return NULL;
  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  explicit_bzero (buffer, sizeof buffer);
  return line;
}

static char *
lilac_user_cli_ask_password (void)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  if (!isatty (STDIN_FILENO))
    return lilac_user_cli_read_line (TRUE);
  fputs (_("Password: "), stderr);
  first = lilac_user_cli_read_line (FALSE);
  fputs (_("Password again: "), stderr);
  second = lilac_user_cli_read_line (FALSE);
  if (first == NULL || g_strcmp0 (first, second) != 0)
    {
      fputs (_("The passwords differ.\n"), stderr);
      return NULL;
    }
  return g_steal_pointer (&first);
}

static int
lilac_user_cli_add (LilacDaemon *daemon,
                    const char  *name,
                    gboolean     admin)
{
  g_autofree char *password = lilac_user_cli_ask_password ();
  g_autoptr(LilacUser) user = NULL;
  g_autoptr(GError) local_error = NULL;

  if (password == NULL)
    {
      g_printerr (_("No password given.\n"));
      return 1;
    }
  user = lilac_user_store_add (lilac_daemon_get_users (daemon), name, password, admin,
                               &local_error);
  explicit_bzero (password, strlen (password));
  if (user == NULL)
    {
      g_printerr (_("Cannot add the user %s: %s\n"), name, local_error->message);
      return 1;
    }
  g_print (_("User %s added%s.\n"), user->name, admin ? _(" as an administrator") : "");
  return 0;
}

static int
lilac_user_cli_list (LilacDaemon *daemon)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) users = lilac_user_store_list (lilac_daemon_get_users (daemon),
                                                      &local_error);

  if (users == NULL)
    {
      g_printerr ("%s\n", local_error->message);
      return 1;
    }
  for (unsigned i = 0; i < users->len; i++)
    {
      LilacUser *user = users->pdata[i];

      g_print ("%s%s\n", user->name, user->admin ? " (admin)" : "");
    }
  return 0;
}

/**
 * lilac_user_cli_run:
 * @daemon: a daemon whose store is open
 * @args: (array zero-terminated=1): the words after `user`
 * @admin: whether --admin was given
 *
 * Returns: the exit status
 */
int
lilac_user_cli_run (LilacDaemon *daemon,
                    char       **args,
                    gboolean     admin)
{
  if (args[0] != NULL && g_str_equal (args[0], "add") && args[1] != NULL && args[2] == NULL)
    return lilac_user_cli_add (daemon, args[1], admin);
  if (args[0] != NULL && g_str_equal (args[0], "list") && args[1] == NULL)
    return lilac_user_cli_list (daemon);
  g_printerr (_("Usage: lilac user add NAME [--admin] | lilac user list\n"));
  return 2;
}
