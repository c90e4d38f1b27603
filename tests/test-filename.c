/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of the file name sanitizer: hostile names come out harmless, and
 * ordinary names in any script come out as they went in.
 */
#include "config.h"

#include "lilac-filename.h"

static void
test_filename_sanitize (void)
{
  const struct {
    const char *name;
    const char *sanitized;
  } cases[] = {
    { "report.pdf", "report.pdf" },
    { "一个文件.txt", "一个文件.txt" },           /* 一 is U+4E00, 个 U+4E2A: their low bytes are NUL and '*' */
    { "résumé ünïcødé.odt", "résumé ünïcødé.odt" },
    { "../../etc/passwd", "passwd" },
    { "a\"b*c:d<e>f?g|h;i.txt", "a_b_c_d_e_f_g_h_i.txt" },
    { "\xe2\x80\xaegpj.exe", "_gpj.exe" },         /* right-to-left override */
    { "..", "file" },
  };

  g_test_summary ("hostile file names are made harmless; names in Chinese or with accents are kept "
                  "as they are");
  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *sanitized = lilac_filename_sanitize (cases[i].name, -1);

      g_assert_cmpstr (sanitized, ==, cases[i].sanitized);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/filename/sanitize", test_filename_sanitize);
  return g_test_run ();
}
