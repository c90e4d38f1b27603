/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * One language's translations of the gateway's text domain, read from its
 * compiled message catalog (.mo), looked up without the process's locale.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LilacWebCatalog LilacWebCatalog;

LilacWebCatalog *lilac_web_catalog_new_from_data (const guint8 *data,
                                                  gsize         length,
                                                  GError      **error);
LilacWebCatalog *lilac_web_catalog_new_from_file (const char *path,
                                                  GError    **error);
void             lilac_web_catalog_free (LilacWebCatalog *self);
const char      *lilac_web_catalog_lookup (const LilacWebCatalog *self,
                                           const char            *msgid);
guint            lilac_web_catalog_get_size (const LilacWebCatalog *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacWebCatalog, lilac_web_catalog_free)

G_END_DECLS
