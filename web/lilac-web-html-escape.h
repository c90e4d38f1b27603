/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The one HTML escaping function: every value the light view puts in a page
 * goes through it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void lilac_web_html_escape (GString    *out,
                            const char *text,
                            gssize      length);

G_END_DECLS
