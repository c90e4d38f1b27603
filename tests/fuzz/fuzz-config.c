/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Fuzzes the configuration file reader: GKeyFile parsing and the range
 * checks of every option.
 */
#include "config.h"

#include <unistd.h>

#include <glib/gstdio.h>

#include "fuzz.h"
#include "lilac-config.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(LilacConfig) config = lilac_config_new_default ();
  g_autofree char *path = NULL;
  int fd;

  fuzz_set_logging ();
  fd = g_file_open_tmp ("lilac-fuzz-config-XXXXXX", &path, NULL);
  if (fd < 0)
    return 0;
  if (write (fd, data, size) == (ssize_t) size &&
      lilac_config_load_file (config, path, NULL))
    lilac_config_finish (config, NULL);
  close (fd);
  g_unlink (path);
  return 0;
}
