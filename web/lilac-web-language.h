/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The languages the light view speaks, the choice of one for a request
 * (a cookie, else Accept-Language), and translation into it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *code;            /* as in po/LINGUAS, e.g. "zh_CN" */
  const char *tag;             /* BCP 47, for lang="" and Content-Language, e.g. "zh-CN" */
  const char *name;            /* in the language itself, for the switch link */
} LilacWebLanguage;

#define LILAC_WEB_LANGUAGE_COOKIE "lilac_lang"

/*
 * One gateway answers readers of many languages at once, so the light view
 * never translates through the process's locale: its _() looks the text up
 * in the catalog of `language`, a variable that every function which
 * translates has (the request's language). Files that use these include
 * this header instead of <glib/gi18n.h>.
 */
#define _(msgid) lilac_web_language_gettext (language, msgid)
#define N_(msgid) (msgid)

const LilacWebLanguage *lilac_web_language_get_all (guint *n_languages);
const LilacWebLanguage *lilac_web_language_get_default (void);
const LilacWebLanguage *lilac_web_language_find (const char *code);
const LilacWebLanguage *lilac_web_language_choose (const char *cookie,
                                                   const char *accept_language);
const char             *lilac_web_language_gettext (const LilacWebLanguage *language,
                                                    const char             *msgid) G_GNUC_FORMAT (2);

G_END_DECLS
