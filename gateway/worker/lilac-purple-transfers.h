/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * File transfers: offers as transfer.offered events, TRANSFER_ACCEPT,
 * TRANSFER_REJECT, TRANSFER_CANCEL and TRANSFER_SEND, with the bytes in
 * pipes the gateway hands over.
 */
#pragma once

#include <purple.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

PurpleXferUiOps *lilac_purple_transfers_get_ui_ops (void);
void             lilac_purple_transfers_init (void);
void             lilac_purple_transfers_uninit (void);

JsonObject      *lilac_purple_transfers_accept (JsonObject *body,
                                                int         fd,
                                                GError    **error);
JsonObject      *lilac_purple_transfers_reject (JsonObject *body,
                                                int         fd,
                                                GError    **error);
JsonObject      *lilac_purple_transfers_cancel (JsonObject *body,
                                                int         fd,
                                                GError    **error);
JsonObject      *lilac_purple_transfers_send (JsonObject *body,
                                              int         fd,
                                              GError    **error);

G_END_DECLS
