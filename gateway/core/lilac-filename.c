/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Sanitizing file names: no directories, no control or reserved characters,
 * no leading dots, bounded length, always something left.
 */
#include "config.h"

#include "lilac-filename.h"

#include <string.h>

#define LILAC_FILENAME_MAX_CHARS 120

static gboolean
lilac_filename_char_is_bad (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029 ||
         c == 0x202e || c == 0x202d || c == 0xfeff ||
         (c < 0x80 && strchr ("\"*:<>?|\\/;", (int) c) != NULL);
}

/**
 * lilac_filename_sanitize:
 * @name: (nullable): a file name from outside, possibly with a path
 * @length: its length in bytes, or -1 if NUL-terminated
 *
 * Keeps the last path component, made valid UTF-8, with control, bidi
 * override and reserved characters replaced by '_', leading dots and spaces
 * removed, and at most 120 characters (keeping the extension when possible).
 *
 * Returns: (transfer full): a harmless, non-empty name
 */
char *
lilac_filename_sanitize (const char *name,
                         gssize      length)
{
  g_autofree char *valid = name != NULL ? g_utf8_make_valid (name, length) : g_strdup ("");
  const char *base = valid;
  GString *clean = g_string_new (NULL);
  glong chars;

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == '/' || *p == '\\')
        base = p + 1;
    }
  for (const char *p = base; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (clean->len == 0 && (c == '.' || g_unichar_isspace (c)))
        continue;
      if (lilac_filename_char_is_bad (c))
        g_string_append_c (clean, '_');
      else
        g_string_append_unichar (clean, c);
    }
  while (clean->len > 0 && (clean->str[clean->len - 1] == ' ' || clean->str[clean->len - 1] == '.'))
    g_string_truncate (clean, clean->len - 1);
  chars = g_utf8_strlen (clean->str, -1);
  if (chars > LILAC_FILENAME_MAX_CHARS)
    {
      const char *dot = g_utf8_strrchr (clean->str, -1, '.');
      glong extension = dot != NULL ? g_utf8_strlen (dot, -1) : 0;
      g_autofree char *suffix = NULL;
      g_autofree char *head = NULL;

      if (extension > 16)
        extension = 0;
      /* copies first: both point into the string about to be replaced */
      suffix = extension > 0 ? g_strdup (dot) : NULL;
      head = g_utf8_substring (clean->str, 0, LILAC_FILENAME_MAX_CHARS - extension);
      g_string_assign (clean, head);
      if (suffix != NULL)
        g_string_append (clean, suffix);
    }
  if (clean->len == 0)
    g_string_assign (clean, "file");
  return g_string_free (clean, FALSE);
}

/**
 * lilac_filename_content_disposition:
 * @name: a sanitized file name
 *
 * Returns: (transfer full): `attachment; filename="ASCII"; filename*=UTF-8''PERCENT-ENCODED`
 */
char *
lilac_filename_content_disposition (const char *name)
{
  GString *ascii = g_string_new (NULL);
  g_autofree char *encoded = g_uri_escape_string (name, NULL, FALSE);
  char *result;

  for (const char *p = name; *p != '\0'; p++)
    {
      unsigned char c = (unsigned char) *p;

      g_string_append_c (ascii, c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%' ? (char) c
                                                                                        : '_');
    }
  result = g_strdup_printf ("attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii->str, encoded);
  g_string_free (ascii, TRUE);
  return result;
}
