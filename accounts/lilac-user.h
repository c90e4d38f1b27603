/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A gateway user (a person who logs in to Lilac), as a plain record.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  char *name;        /* (owned) */
  gboolean admin;
  gint64 created;    /* ms since the epoch */
} LilacUser;

LilacUser  *lilac_user_new (gint64      id,
                            const char *name,
                            gboolean    admin,
                            gint64      created);
LilacUser  *lilac_user_copy (const LilacUser *user);
void        lilac_user_free (LilacUser *user);
JsonObject *lilac_user_to_json (const LilacUser *user);
char       *lilac_user_id_to_string (const LilacUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacUser, lilac_user_free)

G_END_DECLS
