/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * `lilac user ...`: managing gateway users from the command line.
 */
#pragma once

#include "lilac-daemon.h"

G_BEGIN_DECLS

int lilac_user_cli_run (LilacDaemon *daemon,
                        char       **args,
                        gboolean     admin);

G_END_DECLS
