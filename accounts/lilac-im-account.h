/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * An IM account (one network identity of a gateway user), as stored: never
 * with its password in the clear.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  gint64 user_id;
  char *protocol;        /* (owned) libpurple protocol id, e.g. prpl-jabber */
  char *username;        /* (owned) */
  char *alias;           /* (owned) */
  JsonObject *options;   /* (owned) protocol options */
  gboolean enabled;
  GBytes *secret;        /* (owned) (nullable) the sealed password */
} LilacImAccount;

void        lilac_im_account_free (LilacImAccount *account);
char       *lilac_im_account_id_to_string (const LilacImAccount *account);
JsonObject *lilac_im_account_to_json (const LilacImAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacImAccount, lilac_im_account_free)

G_END_DECLS
