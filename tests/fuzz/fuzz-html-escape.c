/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Fuzzes the one HTML escaper of the light view: whatever goes in, what
 * comes out is valid UTF-8 with no markup character left unescaped.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "lilac-web-html-escape.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(GString) out = g_string_new (NULL);

  fuzz_set_logging ();
  lilac_web_html_escape (out, (const char *) data, (gssize) size);
  g_assert (g_utf8_validate (out->str, (gssize) out->len, NULL));
  g_assert (strpbrk (out->str, "<>\"'") == NULL);
  for (const char *amp = strchr (out->str, '&'); amp != NULL; amp = strchr (amp + 1, '&'))
    g_assert (amp[1] == '#' || g_str_has_prefix (amp, "&amp;") || g_str_has_prefix (amp, "&lt;") ||
              g_str_has_prefix (amp, "&gt;") || g_str_has_prefix (amp, "&quot;"));
  return 0;
}
