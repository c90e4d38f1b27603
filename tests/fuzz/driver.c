/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A stand-in for libFuzzer's main: runs a target on each file named on the
 * command line (the seed corpus), so that targets build and their seeds pass
 * in every build, with or without clang.
 */
#include "config.h"

#include <stdio.h>

#include "fuzz.h"

int
main (int   argc,
      char *argv[])
{
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (argv[i], &contents, &length, NULL))
        {
          fprintf (stderr, "cannot read %s\n", argv[i]);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const unsigned char *) contents, length);
      printf ("ok %d - %s\n", i, argv[i]);
    }
  printf ("1..%d\n", argc - 1);
  return 0;
}
