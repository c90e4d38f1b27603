/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * libpurple's requests and buddy authorizations, asked of the user as
 * request.opened events and answered with REQUEST_ANSWER.
 */
#pragma once

#include <purple.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

PurpleRequestUiOps *lilac_purple_requests_get_ui_ops (void);
PurpleAccountUiOps *lilac_purple_requests_get_account_ui_ops (void);
void                lilac_purple_requests_init (void);
void                lilac_purple_requests_cancel_all (void);
void                lilac_purple_requests_set_lifetime (guint seconds);
JsonObject         *lilac_purple_requests_answer (JsonObject *body,
                                                  GError    **error);

G_END_DECLS
