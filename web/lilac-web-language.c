/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The light view's languages. English is the text in the code; every other
 * language has a compiled catalog of the gateway's text domain, read once
 * from the folder the text domain is bound to (the build tree's po folder
 * when lilac runs uninstalled, LOCALEDIR once installed) and kept read-only,
 * so that any request, on any thread, can be answered in any language.
 */
#include "config.h"

#include "lilac-web-language.h"

#include <libintl.h>
#include <string.h>

#include <libsoup/soup.h>

#include "lilac-web-catalog.h"

/* a language here needs its code in po/LINGUAS too */
static const LilacWebLanguage lilac_web_languages[] = {
  { "en", "en", "English" },
  { "zh_CN", "zh-CN", "\xe7\xae\x80\xe4\xbd\x93\xe4\xb8\xad\xe6\x96\x87" }, /* 简体中文 */
};

/* Accept-Language ranges (lower case) and the language each asks for; a range
 * matches itself and its longer tags ("zh-cn" matches "zh-cn-x-y"), unless exact */
static const struct {
  const char *range;
  const char *code;
  gboolean exact;
} lilac_web_language_ranges[] = {
  { "en", "en", FALSE },
  { "zh-cn", "zh_CN", FALSE },
  { "zh-hans", "zh_CN", FALSE },
  { "zh-sg", "zh_CN", FALSE },
  { "zh-my", "zh_CN", FALSE },
  { "zh", "zh_CN", TRUE },
};

static LilacWebCatalog *lilac_web_language_catalogs[G_N_ELEMENTS (lilac_web_languages)];

const LilacWebLanguage *
lilac_web_language_get_all (guint *n_languages)
{
  *n_languages = G_N_ELEMENTS (lilac_web_languages);
  return lilac_web_languages;
}

const LilacWebLanguage *
lilac_web_language_get_default (void)
{
  return &lilac_web_languages[0];
}

/**
 * lilac_web_language_find:
 * @code: (nullable): a language code, e.g. "zh_CN"
 *
 * Returns: (transfer none) (nullable): the language, if the light view speaks it
 */
const LilacWebLanguage *
lilac_web_language_find (const char *code)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (lilac_web_languages); i++)
    {
      if (g_str_equal (lilac_web_languages[i].code, code))
        return &lilac_web_languages[i];
    }
  return NULL;
}

static const LilacWebLanguage *
lilac_web_language_match (const char *tag)
{
  g_autofree char *lower = g_ascii_strdown (tag, -1);

  g_strdelimit (lower, "_", '-');
  for (guint i = 0; i < G_N_ELEMENTS (lilac_web_language_ranges); i++)
    {
      const char *range = lilac_web_language_ranges[i].range;
      gsize length = strlen (range);

      if (g_str_equal (lower, range) ||
          (!lilac_web_language_ranges[i].exact && strncmp (lower, range, length) == 0 &&
           lower[length] == '-'))
        return lilac_web_language_find (lilac_web_language_ranges[i].code);
    }
  return NULL;
}

/**
 * lilac_web_language_choose:
 * @cookie: (nullable): the language cookie's value: the reader's own choice
 * @accept_language: (nullable): the Accept-Language header
 *
 * Returns: (transfer none): the language to answer in; English when nothing
 *   the reader accepts is spoken here
 */
const LilacWebLanguage *
lilac_web_language_choose (const char *cookie,
                           const char *accept_language)
{
  const LilacWebLanguage *chosen = lilac_web_language_find (cookie);
  GSList *ranges;

  if (chosen != NULL || accept_language == NULL)
    return chosen != NULL ? chosen : lilac_web_language_get_default ();
  /* sorted by quality, best first; q=0 left out */
  ranges = soup_header_parse_quality_list (accept_language, NULL);
  for (GSList *l = ranges; l != NULL && chosen == NULL; l = l->next)
    chosen = lilac_web_language_match (l->data);
  soup_header_free_list (ranges);
  return chosen != NULL ? chosen : lilac_web_language_get_default ();
}

static void
lilac_web_language_load_catalogs (void)
{
  const char *dir = bindtextdomain (GETTEXT_PACKAGE, NULL);

  for (guint i = 1; i < G_N_ELEMENTS (lilac_web_languages); i++)
    {
      g_autofree char *path = g_build_filename (dir, lilac_web_languages[i].code, "LC_MESSAGES",
                                                GETTEXT_PACKAGE ".mo", NULL);
      g_autoptr(GError) local_error = NULL;

      lilac_web_language_catalogs[i] = lilac_web_catalog_new_from_file (path, &local_error);
      if (lilac_web_language_catalogs[i] == NULL)
        g_message ("the light view shows English instead of %s: %s", lilac_web_languages[i].code,
                   local_error->message);
      else
        g_debug ("%u translations into %s from %s",
                 lilac_web_catalog_get_size (lilac_web_language_catalogs[i]),
                 lilac_web_languages[i].code, path);
    }
}

/**
 * lilac_web_language_gettext:
 * @language: (nullable): a language of lilac_web_language_get_all(); %NULL for English
 * @msgid: English text
 *
 * The catalogs are read on the first call, from the folder the gateway's
 * text domain is bound to.
 *
 * Returns: (transfer none): @msgid in @language, or @msgid itself
 */
const char *
lilac_web_language_gettext (const LilacWebLanguage *language,
                            const char             *msgid)
{
  static gsize loaded = 0;
  gsize index;

  if (language == NULL || language == &lilac_web_languages[0])
    return msgid;
  if (g_once_init_enter (&loaded))
    {
      lilac_web_language_load_catalogs ();
      g_once_init_leave (&loaded, 1);
    }
  index = language - lilac_web_languages;
  g_return_val_if_fail (index < G_N_ELEMENTS (lilac_web_languages), msgid);
  return lilac_web_catalog_lookup (lilac_web_language_catalogs[index], msgid);
}
