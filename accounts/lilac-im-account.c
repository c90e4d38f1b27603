/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * An IM account record and its JSON form without status (the IM session adds
 * the live status).
 */
#include "config.h"

#include "lilac-im-account.h"

void
lilac_im_account_free (LilacImAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->protocol);
  g_free (account->username);
  g_free (account->alias);
  g_clear_pointer (&account->options, json_object_unref);
  g_clear_pointer (&account->secret, g_bytes_unref);
  g_free (account);
}

char *
lilac_im_account_id_to_string (const LilacImAccount *account)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, account->id);
}

/**
 * lilac_im_account_to_json:
 *
 * Returns: (transfer full): `{"id","protocol","username","alias","enabled","options"}`
 */
JsonObject *
lilac_im_account_to_json (const LilacImAccount *account)
{
  JsonObject *object = json_object_new ();
  g_autofree char *id = lilac_im_account_id_to_string (account);
  g_autoptr(JsonNode) options = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (options, account->options);
  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "protocol", account->protocol);
  json_object_set_string_member (object, "username", account->username);
  json_object_set_string_member (object, "alias", account->alias);
  json_object_set_boolean_member (object, "enabled", account->enabled);
  json_object_set_member (object, "options", json_node_copy (options));
  return object;
}
