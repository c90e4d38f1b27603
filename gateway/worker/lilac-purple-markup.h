/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Text on the wire is plain; libpurple speaks HTML. These convert.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *lilac_purple_markup_to_plain (const char *html);
char *lilac_purple_markup_from_plain (const char *text);

G_END_DECLS
