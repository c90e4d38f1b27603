/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Fuzzes the file name sanitizer and the Content-Disposition it makes:
 * never a path, a control character or a header break.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "lilac-filename.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *name = lilac_filename_sanitize ((const char *) data, (gssize) size);
  g_autofree char *header = lilac_filename_content_disposition (name);

  fuzz_set_logging ();
  g_assert (name[0] != '\0' && name[0] != '.');
  g_assert (g_utf8_validate (name, -1, NULL));
  g_assert (strpbrk (name, "/\\\"\r\n") == NULL);
  for (const char *p = header; *p != '\0'; p++)
    g_assert ((unsigned char) *p >= 0x20 && (unsigned char) *p < 0x7f);
  return 0;
}
