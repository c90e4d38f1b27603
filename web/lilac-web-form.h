/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * HTML form bodies (application/x-www-form-urlencoded), read strictly: a
 * form that is not exactly what its page sends is refused as a whole.
 */
#pragma once

#include <glib.h>

#include "lilac-web-language.h"

G_BEGIN_DECLS

typedef enum {
  LILAC_WEB_FORM_REQUIRED = 1 << 0,   /* must be there, and not empty */
  LILAC_WEB_FORM_MULTILINE = 1 << 1,  /* may hold line breaks and tabs */
} LilacWebFormFlags;

/* one field a form may send; tables end with { NULL } */
typedef struct {
  const char *name;
  const char *label;           /* for error messages: N_() English, translated when shown */
  gsize max_length;            /* in bytes, once decoded */
  LilacWebFormFlags flags;
} LilacWebFormField;

GHashTable *lilac_web_form_parse (const char              *body,
                                  gsize                    length,
                                  gsize                    max_length,
                                  const LilacWebFormField *fields,
                                  const LilacWebLanguage  *language,
                                  GError                 **error);

G_END_DECLS
