/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * libpurple's requests (questions for the user).
 */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

PurpleRequestUiOps *lilac_purple_requests_get_ui_ops (void);

G_END_DECLS
