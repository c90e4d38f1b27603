/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * libpurple notifications as notify events.
 */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

PurpleNotifyUiOps *lilac_purple_notify_get_ui_ops (void);
void               lilac_purple_notify_emit (PurpleAccount *account,
                                             const char    *level,
                                             const char    *title,
                                             const char    *text);

G_END_DECLS
