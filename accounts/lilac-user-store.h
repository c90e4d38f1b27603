/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Gateway users in the store: creation with an Argon2id password hash and a
 * wrapped data key, listing, and password checks off the main thread.
 */
#pragma once

#include <gio/gio.h>

#include "lilac-password.h"
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
LilacUser      *lilac_user_store_insert (LilacUserStore            *self,
                                         const char                *name,
                                         const LilacPasswordRecord *record,
                                         gboolean                   admin,
                                         GError                   **error);
void            lilac_user_store_create_async (LilacUserStore     *self,
                                               const char         *name,
                                               const char         *password,
                                               gboolean            admin,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
LilacUser      *lilac_user_store_create_finish (LilacUserStore *self,
                                                GAsyncResult   *result,
                                                GError        **error);
gboolean        lilac_user_store_delete (LilacUserStore *self,
                                         gint64          id,
                                         GError        **error);
JsonObject     *lilac_user_store_get_settings (LilacUserStore *self,
                                               gint64          id,
                                               GError        **error);
gboolean        lilac_user_store_put_settings (LilacUserStore *self,
                                               gint64          id,
                                               JsonObject     *settings,
                                               GError        **error);
gboolean        lilac_user_store_set_always_on (LilacUserStore *self,
                                                gint64          id,
                                                LilacKey       *server_key,
                                                LilacKey       *data_key,
                                                GError        **error);
GPtrArray      *lilac_user_store_list_always_on (LilacUserStore *self,
                                                 LilacKey       *server_key,
                                                 GPtrArray     **keys,
                                                 GError        **error);
gboolean        lilac_user_store_take_credentials_reset (LilacUserStore *self,
                                                         gint64          id);
void            lilac_user_store_change_password_async (LilacUserStore     *self,
                                                        gint64              id,
                                                        const char         *old_password,
                                                        const char         *new_password,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
gboolean        lilac_user_store_change_password_finish (LilacUserStore *self,
                                                         GAsyncResult   *result,
                                                         GError        **error);
void            lilac_user_store_reset_password_async (LilacUserStore     *self,
                                                       gint64              id,
                                                       const char         *new_password,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
gboolean        lilac_user_store_reset_password_finish (LilacUserStore *self,
                                                        GAsyncResult   *result,
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
