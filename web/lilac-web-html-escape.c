/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * HTML escaping of untrusted text, on its own so that a fuzzer can target it:
 * whatever the input, the output is valid UTF-8 that holds no markup and no
 * character an HTML parser reports as an error.
 */
#include "config.h"

#include "lilac-web-html-escape.h"

#include <string.h>

#define LILAC_WEB_HTML_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* what HTML calls control characters and noncharacters: parse errors in a page */
static gboolean
lilac_web_html_escape_is_forbidden (gunichar c)
{
  if (c < 0x20)
    return c != '\t' && c != '\n' && c != '\r';
  if (c >= 0x7f && c <= 0x9f)
    return TRUE;
  if (c >= 0xfdd0 && c <= 0xfdef)
    return TRUE;
  return (c & 0xfffe) == 0xfffe;
}

static void
lilac_web_html_escape_char (GString    *out,
                            const char *start,
                            const char *end)
{
  gunichar c = g_utf8_get_char (start);

  switch (c)
    {
    case '&':
      g_string_append (out, "&amp;");
      break;
    case '<':
      g_string_append (out, "&lt;");
      break;
    case '>':
      g_string_append (out, "&gt;");
      break;
    case '"':
      g_string_append (out, "&quot;");
      break;
    case '\'':
      g_string_append (out, "&#39;");
      break;
    default:
      if (lilac_web_html_escape_is_forbidden (c))
        g_string_append (out, LILAC_WEB_HTML_REPLACEMENT);
      else
        g_string_append_len (out, start, end - start);
    }
}

/**
 * lilac_web_html_escape:
 * @out: where the escaped text is appended
 * @text: (nullable): untrusted text, UTF-8 or not
 * @length: its length in bytes, or -1 when it ends with a NUL
 *
 * Appends @text to @out with `& < > " '` as character references, so that
 * the result is safe both between tags and inside a quoted attribute value.
 * Bytes that are not UTF-8, NULs, control characters and noncharacters
 * become U+FFFD.
 */
void
lilac_web_html_escape (GString    *out,
                       const char *text,
                       gssize      length)
{
  const char *end;

  g_return_if_fail (out != NULL);
  if (text == NULL)
    return;
  end = text + (length < 0 ? (gssize) strlen (text) : length);
  while (text < end)
    {
      const char *valid_end = NULL;

      g_utf8_validate (text, end - text, &valid_end);
      while (text < valid_end)
        {
          const char *next = g_utf8_next_char (text);

          lilac_web_html_escape_char (out, text, next);
          text = next;
        }
      if (text < end)
        {
          /* one replacement per invalid byte, as a decoder would show it */
          g_string_append (out, LILAC_WEB_HTML_REPLACEMENT);
          text++;
        }
    }
}
