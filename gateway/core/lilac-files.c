/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 */
#include "config.h"

#include "lilac-files.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>

static int
lilac_files_remove_entry (const char        *path,
                          const struct stat *info,
                          int                flag,
                          struct FTW        *ftw)
{
  if (remove (path) != 0)
    g_debug ("%s not removed: %s", path, g_strerror (errno));
  return 0;
}

/**
 * lilac_files_remove_tree:
 * @path: a folder (or a file)
 *
 * Removes @path and everything below it, without following symbolic links;
 * what cannot be removed is left and logged at debug level. A missing @path
 * is no error.
 */
void
lilac_files_remove_tree (const char *path)
{
  nftw (path, lilac_files_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
