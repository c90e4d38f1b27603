/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * File names that came from outside (a peer's file offer, an upload) made
 * harmless for storage, for the page and for a Content-Disposition header.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *lilac_filename_sanitize (const char *name,
                               gssize      length);
char *lilac_filename_content_disposition (const char *name);

G_END_DECLS
