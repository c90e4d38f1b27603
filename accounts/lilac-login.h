/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Logins (a user's browser or bot sessions): random bearer tokens stored
 * only as a keyed hash, a CSRF token, and the user's data key wrapped by
 * the login token so the gateway can restart without asking for passwords.
 */
#pragma once

#include <glib-object.h>

#include "lilac-secret.h"
#include "lilac-store.h"
#include "lilac-user.h"

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  gint64 user_id;
  char *csrf;          /* (owned) */
  gint64 created;
  gint64 last_seen;
  char *address;       /* (owned) */
  char *agent;         /* (owned) */
} LilacLogin;

void lilac_login_free (LilacLogin *login);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacLogin, lilac_login_free)

#define LILAC_TYPE_LOGIN_STORE (lilac_login_store_get_type ())
G_DECLARE_FINAL_TYPE (LilacLoginStore, lilac_login_store, LILAC, LOGIN_STORE, GObject)

LilacLoginStore *lilac_login_store_new (LilacStore *store);
LilacLogin      *lilac_login_store_create (LilacLoginStore *self,
                                           const LilacUser *user,
                                           LilacKey        *data_key,
                                           const char      *address,
                                           const char      *agent,
                                           char           **token,
                                           GError         **error);
LilacLogin      *lilac_login_store_lookup (LilacLoginStore *self,
                                           const char      *token,
                                           GError         **error);
LilacKey        *lilac_login_store_open_key (LilacLoginStore *self,
                                             const char      *token,
                                             GError         **error);
gboolean         lilac_login_store_delete (LilacLoginStore *self,
                                           gint64           login_id,
                                           GError         **error);
void             lilac_login_store_set_lifetime (LilacLoginStore *self,
                                                 gint64           lifetime_ms);
GPtrArray       *lilac_login_store_list (LilacLoginStore *self,
                                         gint64           user_id,
                                         GError         **error);
gboolean         lilac_login_store_revoke (LilacLoginStore *self,
                                           gint64           user_id,
                                           gint64           login_id,
                                           GError         **error);
gboolean         lilac_login_store_delete_all (LilacLoginStore *self,
                                               gint64           user_id,
                                               GError         **error);
unsigned         lilac_login_store_purge_expired (LilacLoginStore *self);
gboolean         lilac_login_store_user_has_logins (LilacLoginStore *self,
                                                    gint64           user_id);

G_END_DECLS
