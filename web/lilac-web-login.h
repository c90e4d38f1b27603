/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The gateway's login, one for every face of it (the API, the light view):
 * failure limits, the password check, the login record and the IM session,
 * and opening a login from its token.
 */
#pragma once

#include <libsoup/soup.h>

#include "lilac-im-session.h"
#include "lilac-login.h"

G_BEGIN_DECLS

typedef struct _LilacWebServer LilacWebServer;

gboolean    lilac_web_login_reserve (LilacWebServer    *server,
                                     SoupServerMessage *msg,
                                     const char        *username);
void        lilac_web_login_async (LilacWebServer     *server,
                                   SoupServerMessage  *msg,
                                   const char         *username,
                                   const char         *password,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
LilacLogin *lilac_web_login_finish (LilacWebServer *server,
                                    GAsyncResult   *result,
                                    LilacUser     **user,
                                    char          **token,
                                    GError        **error);
gboolean    lilac_web_login_open (LilacWebServer  *server,
                                  const char      *token,
                                  LilacLogin     **login,
                                  LilacImSession **session,
                                  GError         **error);
gboolean    lilac_web_path_match (const char *pattern,
                                  char      **segments,
                                  char      **params,
                                  unsigned    max_params);

G_END_DECLS
