/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * What the unit tests on a real SQLite file share: removing the database, its
 * WAL and shared-memory files and the temp folder they were in.
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

static inline void
lilac_test_store_remove (char *dir,
                         char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", NULL };

  for (unsigned i = 0; suffixes[i] != NULL; i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}
