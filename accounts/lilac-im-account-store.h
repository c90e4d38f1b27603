/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * IM accounts in the store, their passwords sealed with the owner's data key.
 */
#pragma once

#include <glib-object.h>

#include "lilac-im-account.h"
#include "lilac-secret.h"
#include "lilac-store.h"

G_BEGIN_DECLS

#define LILAC_TYPE_IM_ACCOUNT_STORE (lilac_im_account_store_get_type ())
G_DECLARE_FINAL_TYPE (LilacImAccountStore, lilac_im_account_store, LILAC, IM_ACCOUNT_STORE, GObject)

LilacImAccountStore *lilac_im_account_store_new (LilacStore *store);
GPtrArray           *lilac_im_account_store_list (LilacImAccountStore *self,
                                                  gint64               user_id,
                                                  GError             **error);
LilacImAccount      *lilac_im_account_store_get (LilacImAccountStore *self,
                                                 gint64               user_id,
                                                 gint64               account_id,
                                                 GError             **error);
LilacImAccount      *lilac_im_account_store_add (LilacImAccountStore *self,
                                                 gint64               user_id,
                                                 LilacKey            *data_key,
                                                 const char          *protocol,
                                                 const char          *username,
                                                 const char          *password,
                                                 const char          *alias,
                                                 JsonObject          *options,
                                                 gboolean             enabled,
                                                 GError             **error);
gboolean             lilac_im_account_store_update (LilacImAccountStore *self,
                                                    LilacImAccount      *account,
                                                    LilacKey            *data_key,
                                                    gboolean             new_password,
                                                    const char          *password,
                                                    GError             **error);
gboolean             lilac_im_account_store_delete (LilacImAccountStore *self,
                                                    LilacImAccount      *account,
                                                    GError             **error);
char                *lilac_im_account_store_open_password (LilacImAccount *account,
                                                           LilacKey       *data_key,
                                                           GError        **error);

G_END_DECLS
