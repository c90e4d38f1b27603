/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Protocol plugins as data: each one's id, name, account options (with their
 * types, defaults and choices) and username splits come from the plugin's own
 * lists, so no protocol is special-cased here. The same lists type-check the
 * options of an ACCOUNT_PUT: "port": 6667 is an int option, "true" is not a
 * bool.
 */
#include "config.h"

#include "lilac-purple-protocols.h"

#include <string.h>

#include "lilac-error.h"

#define LILAC_PURPLE_PROTOCOLS_MAX_STRING 4096

/* ------------------------------------------------------------ Listing */

static const char *
lilac_purple_protocols_type_name (PurplePrefType type)
{
  switch (type)
    {
    case PURPLE_PREF_BOOLEAN:
      return "bool";
    case PURPLE_PREF_INT:
      return "int";
    case PURPLE_PREF_STRING:
      return "string";
    case PURPLE_PREF_STRING_LIST:
      return "list";
    default:
      return NULL;
    }
}

static JsonArray *
lilac_purple_protocols_choices_to_json (PurpleAccountOption *option)
{
  JsonArray *choices = json_array_new ();

  for (GList *l = purple_account_option_get_list (option); l != NULL; l = l->next)
    {
      PurpleKeyValuePair *pair = l->data;
      JsonObject *choice = json_object_new ();

      json_object_set_string_member (choice, "label", pair->key != NULL ? pair->key : "");
      json_object_set_string_member (choice, "value",
                                     pair->value != NULL ? (const char *) pair->value : "");
      json_array_add_object_element (choices, choice);
    }
  return choices;
}

static JsonObject *
lilac_purple_protocols_option_to_json (PurpleAccountOption *option)
{
  PurplePrefType type = purple_account_option_get_type (option);
  const char *type_name = lilac_purple_protocols_type_name (type);
  const char *text;
  JsonObject *object;

  if (type_name == NULL)
    return NULL;
  object = json_object_new ();
  json_object_set_string_member (object, "key", purple_account_option_get_setting (option));
  text = purple_account_option_get_text (option);
  json_object_set_string_member (object, "label", text != NULL ? text : "");
  json_object_set_string_member (object, "type", type_name);
  if (type == PURPLE_PREF_BOOLEAN)
    json_object_set_boolean_member (object, "default",
                                    purple_account_option_get_default_bool (option));
  else if (type == PURPLE_PREF_INT)
    json_object_set_int_member (object, "default", purple_account_option_get_default_int (option));
  else if (type == PURPLE_PREF_STRING)
    {
      text = purple_account_option_get_default_string (option);
      json_object_set_string_member (object, "default", text != NULL ? text : "");
      if (purple_account_option_get_masked (option))
        json_object_set_boolean_member (object, "masked", TRUE);
    }
  else
    {
      text = purple_account_option_get_default_list_value (option);
      json_object_set_string_member (object, "default", text != NULL ? text : "");
      json_object_set_array_member (object, "choices",
                                    lilac_purple_protocols_choices_to_json (option));
    }
  return object;
}

static JsonArray *
lilac_purple_protocols_splits_to_json (PurplePluginProtocolInfo *info)
{
  JsonArray *splits = json_array_new ();

  for (GList *l = info->user_splits; l != NULL; l = l->next)
    {
      PurpleAccountUserSplit *split = l->data;
      JsonObject *object = json_object_new ();
      const char *text = purple_account_user_split_get_text (split);
      const char *value = purple_account_user_split_get_default_value (split);
      char separator[2] = { purple_account_user_split_get_separator (split), '\0' };

      json_object_set_string_member (object, "label", text != NULL ? text : "");
      json_object_set_string_member (object, "default", value != NULL ? value : "");
      json_object_set_string_member (object, "separator", separator);
      json_array_add_object_element (splits, object);
    }
  return splits;
}

static JsonObject *
lilac_purple_protocols_plugin_to_json (PurplePlugin *prpl)
{
  PurplePluginProtocolInfo *info = PURPLE_PLUGIN_PROTOCOL_INFO (prpl);
  JsonObject *object = json_object_new ();
  JsonArray *options = json_array_new ();

  json_object_set_string_member (object, "id", prpl->info->id);
  json_object_set_string_member (object, "name",
                                 prpl->info->name != NULL ? prpl->info->name : prpl->info->id);
  for (GList *l = info->protocol_options; l != NULL; l = l->next)
    {
      JsonObject *option = lilac_purple_protocols_option_to_json (l->data);

      if (option != NULL)
        json_array_add_object_element (options, option);
    }
  json_object_set_array_member (object, "options", options);
  json_object_set_array_member (object, "user_splits", lilac_purple_protocols_splits_to_json (info));
  return object;
}

/**
 * lilac_purple_protocols_to_json:
 *
 * Returns: (transfer full): a JSON array describing every loaded protocol
 *   plugin: id, name, options and user splits
 */
JsonNode *
lilac_purple_protocols_to_json (void)
{
  JsonArray *protocols = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (GList *l = purple_plugins_get_protocols (); l != NULL; l = l->next)
    json_array_add_object_element (protocols, lilac_purple_protocols_plugin_to_json (l->data));
  json_node_take_array (node, protocols);
  return node;
}

/* ------------------------------------------------------------ Options */

static PurpleAccountOption *
lilac_purple_protocols_find_option (PurplePlugin *prpl,
                                    const char   *key)
{
  PurplePluginProtocolInfo *info = PURPLE_PLUGIN_PROTOCOL_INFO (prpl);

  for (GList *l = info->protocol_options; l != NULL; l = l->next)
    {
      if (g_strcmp0 (purple_account_option_get_setting (l->data), key) == 0)
        return l->data;
    }
  return NULL;
}

static gboolean
lilac_purple_protocols_node_is (JsonNode *node,
                                GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
lilac_purple_protocols_is_choice (PurpleAccountOption *option,
                                  const char          *value)
{
  for (GList *l = purple_account_option_get_list (option); l != NULL; l = l->next)
    {
      PurpleKeyValuePair *pair = l->data;

      if (g_strcmp0 (pair->value, value) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
lilac_purple_protocols_check_value (PurpleAccountOption *option,
                                    JsonNode            *value,
                                    GError             **error)
{
  const char *key = purple_account_option_get_setting (option);
  PurplePrefType type = purple_account_option_get_type (option);
  const char *type_name = lilac_purple_protocols_type_name (type);
  gboolean valid;

  if (type == PURPLE_PREF_BOOLEAN)
    valid = lilac_purple_protocols_node_is (value, G_TYPE_BOOLEAN);
  else if (type == PURPLE_PREF_INT)
    valid = lilac_purple_protocols_node_is (value, G_TYPE_INT64) &&
            json_node_get_int (value) >= G_MININT && json_node_get_int (value) <= G_MAXINT;
  else if (type == PURPLE_PREF_STRING || type == PURPLE_PREF_STRING_LIST)
    valid = lilac_purple_protocols_node_is (value, G_TYPE_STRING) &&
            strlen (json_node_get_string (value)) <= LILAC_PURPLE_PROTOCOLS_MAX_STRING;
  else
    valid = FALSE;
  if (!valid)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the option \"%s\" must be of type %s", key,
                   type_name != NULL ? type_name : "unknown");
      return FALSE;
    }
  if (type == PURPLE_PREF_STRING_LIST &&
      !lilac_purple_protocols_is_choice (option, json_node_get_string (value)))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "\"%s\" is not a choice of the option \"%s\"",
                   json_node_get_string (value), key);
      return FALSE;
    }
  return TRUE;
}

/**
 * lilac_purple_protocols_check_options:
 * @prpl: a protocol plugin
 * @options: (nullable): option values by key
 * @error: return location for a #GError
 *
 * Returns: %FALSE if an option is not one of @prpl's or its value has the
 *   wrong type (or is not one of its choices)
 */
gboolean
lilac_purple_protocols_check_options (PurplePlugin *prpl,
                                      JsonObject   *options,
                                      GError      **error)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (options == NULL)
    return TRUE;
  json_object_iter_init (&iter, options);
  while (json_object_iter_next (&iter, &key, &value))
    {
      PurpleAccountOption *option = lilac_purple_protocols_find_option (prpl, key);

      if (option == NULL)
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       "%s has no option \"%s\"", prpl->info->id, key);
          return FALSE;
        }
      if (!lilac_purple_protocols_check_value (option, value, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * lilac_purple_protocols_apply_options:
 * @prpl: the account's protocol plugin
 * @account: the account
 * @options: (nullable): checked option values by key
 *
 * Sets the options given and resets the plugin's other options to their
 * defaults: the gateway's list is the whole truth.
 */
void
lilac_purple_protocols_apply_options (PurplePlugin  *prpl,
                                      PurpleAccount *account,
                                      JsonObject    *options)
{
  PurplePluginProtocolInfo *info = PURPLE_PLUGIN_PROTOCOL_INFO (prpl);

  for (GList *l = info->protocol_options; l != NULL; l = l->next)
    {
      const char *key = purple_account_option_get_setting (l->data);
      JsonNode *value = options != NULL ? json_object_get_member (options, key) : NULL;

      if (value == NULL)
        {
          purple_account_remove_setting (account, key);
          continue;
        }
      switch (purple_account_option_get_type (l->data))
        {
        case PURPLE_PREF_BOOLEAN:
          purple_account_set_bool (account, key, json_node_get_boolean (value));
          break;
        case PURPLE_PREF_INT:
          purple_account_set_int (account, key, (int) json_node_get_int (value));
          break;
        default:
          purple_account_set_string (account, key, json_node_get_string (value));
          break;
        }
    }
}

static char *
lilac_purple_protocols_get_value (PurpleAccount       *account,
                                  PurpleAccountOption *option)
{
  const char *key = purple_account_option_get_setting (option);
  const char *value;

  switch (purple_account_option_get_type (option))
    {
    case PURPLE_PREF_BOOLEAN:
      value = purple_account_get_bool (account, key,
                                       purple_account_option_get_default_bool (option))
              ? "true" : "false";
      break;
    case PURPLE_PREF_INT:
      return g_strdup_printf ("%d", purple_account_get_int (account, key,
                                                            purple_account_option_get_default_int (option)));
    case PURPLE_PREF_STRING:
      value = purple_account_get_string (account, key,
                                         purple_account_option_get_default_string (option));
      break;
    default:
      value = purple_account_get_string (account, key,
                                         purple_account_option_get_default_list_value (option));
      break;
    }
  return g_strdup (value != NULL ? value : "");
}

/**
 * lilac_purple_protocols_describe_options:
 * @prpl: the account's protocol plugin
 * @account: the account
 *
 * Returns: (transfer full): the effective value of each of @prpl's options
 *   for @account, as text: equal texts mean equal settings
 */
char *
lilac_purple_protocols_describe_options (PurplePlugin  *prpl,
                                         PurpleAccount *account)
{
  PurplePluginProtocolInfo *info = PURPLE_PLUGIN_PROTOCOL_INFO (prpl);
  GString *text = g_string_new (NULL);

  for (GList *l = info->protocol_options; l != NULL; l = l->next)
    {
      g_autofree char *value = lilac_purple_protocols_get_value (account, l->data);

      g_string_append_printf (text, "%s=%s\n", purple_account_option_get_setting (l->data),
                              value);
    }
  return g_string_free (text, FALSE);
}
