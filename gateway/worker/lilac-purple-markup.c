/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Plain text <-> libpurple's HTML. Protocol plugins hand over messages as
 * HTML (a plain "<b> & x" from an XMPP peer arrives as "&lt;b&gt; &amp; x")
 * and take HTML to send, so plain text is escaped on the way out and tags
 * are dropped and entities decoded on the way in.
 */
#include "config.h"

#include "lilac-purple-markup.h"

#include <purple.h>

/**
 * lilac_purple_markup_to_plain:
 * @html: (nullable): libpurple HTML
 *
 * Drops the tags, turns <br> into newlines, keeps a link's address when it
 * differs from its text and decodes the entities.
 *
 * Returns: (transfer full): plain text, "" for %NULL
 */
char *
lilac_purple_markup_to_plain (const char *html)
{
  if (html == NULL)
    return g_strdup ("");
  return purple_markup_strip_html (html);
}

/**
 * lilac_purple_markup_from_plain:
 * @text: plain text
 *
 * Returns: (transfer full): @text escaped for libpurple, newlines as <br>
 */
char *
lilac_purple_markup_from_plain (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_auto(GStrv) lines = g_strsplit (escaped, "\n", -1);

  return g_strjoinv ("<br>", lines);
}
