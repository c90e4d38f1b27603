/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Gateway users in the store: creation with an Argon2id password hash and a
 * wrapped data key, listing, and password checks off the main thread.
 */
#pragma once

#include <gio/gio.h>

#include "lilac-secret.h"
#include "lilac-store.h"
#include "lilac-user.h"

G_BEGIN_DECLS

#define LILAC_USER_NAME_MAX 64
#define LILAC_PASSWORD_MIN 8
#define LILAC_PASSWORD_MAX 1024

#define LILAC_TYPE_USER_STORE (lilac_user_store_get_type ())
G_DECLARE_FINAL_TYPE (LilacUserStore, lilac_user_store, LILAC, USER_STORE, GObject)

LilacUserStore *lilac_user_store_new (LilacStore *store,
                                      guint64     argon2_ops,
                                      gsize       argon2_mem);
gboolean        lilac_user_store_check_name (const char *name,
                                             GError    **error);
gboolean        lilac_user_store_check_password (const char *password,
                                                 GError    **error);
LilacUser      *lilac_user_store_add (LilacUserStore *self,
                                      const char     *name,
                                      const char     *password,
                                      gboolean        admin,
                                      GError        **error);
LilacUser      *lilac_user_store_get (LilacUserStore *self,
                                      gint64          id,
                                      GError        **error);
GPtrArray      *lilac_user_store_list (LilacUserStore *self,
                                       GError        **error);
void            lilac_user_store_authenticate_async (LilacUserStore     *self,
                                                     const char         *name,
                                                     const char         *password,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
LilacUser      *lilac_user_store_authenticate_finish (LilacUserStore *self,
                                                      GAsyncResult   *result,
                                                      LilacKey      **data_key,
                                                      GError        **error);

G_END_DECLS
