/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A gateway user record and its JSON form ({"id","name","admin"}).
 */
#include "config.h"

#include "lilac-user.h"

/**
 * lilac_user_new:
 *
 * Returns: (transfer full): a user record
 */
LilacUser *
lilac_user_new (gint64      id,
                const char *name,
                gboolean    admin,
                gint64      created)
{
  LilacUser *user = g_new0 (LilacUser, 1);

  user->id = id;
  user->name = g_strdup (name);
  user->admin = admin;
  user->created = created;
  return user;
}

LilacUser *
lilac_user_copy (const LilacUser *user)
{
  return lilac_user_new (user->id, user->name, user->admin, user->created);
}

void
lilac_user_free (LilacUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  g_free (user);
}

char *
lilac_user_id_to_string (const LilacUser *user)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, user->id);
}

/**
 * lilac_user_to_json:
 *
 * Returns: (transfer full): `{"id","name","admin"}`
 */
JsonObject *
lilac_user_to_json (const LilacUser *user)
{
  JsonObject *object = json_object_new ();
  g_autofree char *id = lilac_user_id_to_string (user);

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "name", user->name);
  json_object_set_boolean_member (object, "admin", user->admin);
  return object;
}
