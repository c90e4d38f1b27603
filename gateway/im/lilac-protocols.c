/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The protocol list. The gateway never loads libpurple itself: it asks the
 * worker binary once, at start, and checks every account's protocol and
 * options against that answer, so any installed protocol plugin works and
 * none is special-cased.
 */
#include "config.h"

#include "lilac-protocols.h"

#include <string.h>

#include <gio/gio.h>

#include "lilac-error.h"
#include "lilac-json.h"

#define LILAC_PROTOCOLS_OPTION_MAX 4096

struct _LilacProtocols {
  GObject parent_instance;

  JsonArray *list;       /* (owned) as in GET /protocols */
  GHashTable *by_id;     /* (owned) protocol id -> (unowned) JsonObject */
};

G_DEFINE_TYPE (LilacProtocols, lilac_protocols, G_TYPE_OBJECT)

static void
lilac_protocols_finalize (GObject *object)
{
  LilacProtocols *self = LILAC_PROTOCOLS (object);

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->list, json_array_unref);
  G_OBJECT_CLASS (lilac_protocols_parent_class)->finalize (object);
}

static void
lilac_protocols_class_init (LilacProtocolsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lilac_protocols_finalize;
}

static void
lilac_protocols_init (LilacProtocols *self)
{
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * lilac_protocols_new_from_json:
 * @list: (transfer none): `[{"id","name","options":[...]}]`
 *
 * Returns: (transfer full): the protocols; malformed entries are skipped
 */
LilacProtocols *
lilac_protocols_new_from_json (JsonArray *list)
{
  LilacProtocols *self = g_object_new (LILAC_TYPE_PROTOCOLS, NULL);

  self->list = json_array_new ();
  for (unsigned i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *protocol;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      protocol = json_node_get_object (node);
      id = json_object_get_string_member_with_default (protocol, "id", NULL);
      if (id == NULL || g_hash_table_contains (self->by_id, id))
        continue;
      json_array_add_object_element (self->list, json_object_ref (protocol));
      g_hash_table_insert (self->by_id, (gpointer) id, protocol);
    }
  return self;
}

/**
 * lilac_protocols_new_from_worker:
 * @argv: (array zero-terminated=1): `lilac-worker --protocols` and its options
 * @error: return location for a #GError
 *
 * Runs the worker's protocol listing and reads its answer.
 *
 * Returns: (transfer full) (nullable): the protocols
 */
LilacProtocols *
lilac_protocols_new_from_worker (const char *const *argv,
                                 GError           **error)
{
  const char *worker_path = argv[0];
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (process == NULL)
    return NULL;
  if (!g_subprocess_communicate (process, NULL, NULL, &output, NULL, error))
    return NULL;
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                   "%s --protocols failed", worker_path);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (output, NULL),
                                   (gssize) g_bytes_get_size (output), error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                   "%s --protocols printed no list", worker_path);
      return NULL;
    }
  return lilac_protocols_new_from_json (json_node_get_array (root));
}

/**
 * lilac_protocols_get_list:
 *
 * Returns: (transfer none): the list as `GET /protocols` answers it
 */
JsonArray *
lilac_protocols_get_list (LilacProtocols *self)
{
  return self->list;
}

static JsonObject *
lilac_protocols_find_option (JsonObject *protocol,
                             const char *key)
{
  JsonArray *options = json_object_get_array_member (protocol, "options");

  for (unsigned i = 0; options != NULL && i < json_array_get_length (options); i++)
    {
      JsonObject *option = json_array_get_object_element (options, i);

      if (option != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (option, "key", NULL), key) == 0)
        return option;
    }
  return NULL;
}

static gboolean
lilac_protocols_check_choice (JsonObject *option,
                              const char *value)
{
  JsonArray *choices = json_object_get_array_member (option, "choices");

  for (unsigned i = 0; choices != NULL && i < json_array_get_length (choices); i++)
    {
      JsonObject *choice = json_array_get_object_element (choices, i);

      if (choice != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (choice, "value", NULL),
                     value) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
lilac_protocols_check_value (const char *key,
                             JsonObject *option,
                             JsonNode   *value,
                             GError    **error)
{
  const char *type = json_object_get_string_member_with_default (option, "type", "string");
  GType value_type = JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_NONE;

  if (g_str_equal (type, "bool") && value_type == G_TYPE_BOOLEAN)
    return TRUE;
  if (g_str_equal (type, "int") && value_type == G_TYPE_INT64)
    {
      gint64 number = json_node_get_int (value);

      if (number >= G_MININT && number <= G_MAXINT)
        return TRUE;
    }
  if ((g_str_equal (type, "string") || g_str_equal (type, "list")) && value_type == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (value);

      if (strlen (text) > LILAC_PROTOCOLS_OPTION_MAX)
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       "the option \"%s\" is too long", key);
          return FALSE;
        }
      if (g_str_equal (type, "list") && !lilac_protocols_check_choice (option, text))
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       "\"%s\" is not one of the choices of the option \"%s\"", text, key);
          return FALSE;
        }
      return TRUE;
    }
  g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
               "the option \"%s\" must be of type %s", key, type);
  return FALSE;
}

/**
 * lilac_protocols_check_account:
 * @self: the protocols
 * @protocol: a protocol id
 * @options: (nullable): account options
 * @error: return location for a #GError
 *
 * Returns: %FALSE with INVALID_INPUT for an unknown protocol, an option the
 *   protocol does not have, or a value of the wrong type or choice
 */
gboolean
lilac_protocols_check_account (LilacProtocols *self,
                               const char     *protocol,
                               JsonObject     *options,
                               GError        **error)
{
  JsonObject *entry = g_hash_table_lookup (self->by_id, protocol);
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (entry == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "unknown protocol \"%s\"", protocol);
      return FALSE;
    }
  if (options == NULL)
    return TRUE;
  json_object_iter_init (&iter, options);
  while (json_object_iter_next (&iter, &key, &value))
    {
      JsonObject *option = lilac_protocols_find_option (entry, key);

      if (option == NULL)
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       "the protocol %s has no option \"%s\"", protocol, key);
          return FALSE;
        }
      if (!lilac_protocols_check_value (key, option, value, error))
        return FALSE;
    }
  return TRUE;
}
