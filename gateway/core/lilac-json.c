/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * json-glib helpers for untrusted input: every failure is a
 * LILAC_ERROR_INVALID_INPUT that names what was wrong.
 */
#include "config.h"

#include "lilac-json.h"

#include <string.h>

#include "lilac-error.h"

/* whether the JSON text escapes a NUL character (\u0000), which json-glib
 * would silently turn into the end of the string */
static gboolean
lilac_json_has_nul_escape (const char *data,
                           gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      gsize run = 0;

      while (i < length && data[i] == '\\')
        {
          run++;
          i++;
        }
      /* an odd run of backslashes escapes what follows */
      if (run % 2 == 1 && i + 5 <= length && data[i] == 'u' &&
          g_ascii_strncasecmp (data + i + 1, "0000", 4) == 0)
        return TRUE;
    }
  return FALSE;
}

/**
 * lilac_json_is_valid_text:
 * @root: a parsed tree
 *
 * Whether every member name and string under @root is valid UTF-8:
 * json-glib turns an escaped lone UTF-16 surrogate ("\ud83d") into bytes
 * that are not. Walked with a queue, not recursion, however deep.
 *
 * Returns: %TRUE when all of the tree's text is valid UTF-8
 */
gboolean
lilac_json_is_valid_text (JsonNode *root)
{
  g_autoptr(GQueue) pending = g_queue_new ();

  g_queue_push_tail (pending, root);
  while (!g_queue_is_empty (pending))
    {
      JsonNode *node = g_queue_pop_head (pending);

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObjectIter iter;
          const char *name;
          JsonNode *member;

          json_object_iter_init (&iter, json_node_get_object (node));
          while (json_object_iter_next (&iter, &name, &member))
            {
              if (!g_utf8_validate (name, -1, NULL))
                return FALSE;
              g_queue_push_tail (pending, member);
            }
        }
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (unsigned i = 0; i < json_array_get_length (array); i++)
            g_queue_push_tail (pending, json_array_get_element (array, i));
        }
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
               !g_utf8_validate (json_node_get_string (node), -1, NULL))
        return FALSE;
    }
  return TRUE;
}

/**
 * lilac_json_parse_object:
 * @data: the bytes received
 * @length: their length
 * @error: return location for a #GError
 *
 * Parses a request body that must be one JSON object in valid UTF-8 without
 * NUL bytes.
 *
 * Returns: (transfer full) (nullable): the object
 */
JsonObject *
lilac_json_parse_object (const char *data,
                         gsize       length,
                         GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the request body is empty; a JSON object was expected");
      return NULL;
    }
  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the request body is not valid UTF-8");
      return NULL;
    }
  if (memchr (data, '\0', length) != NULL || lilac_json_has_nul_escape (data, length))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the request body holds a NUL character");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      /* json-glib quotes what it could not read, lone surrogates and all */
      g_autofree char *reason = g_utf8_make_valid (local_error->message, -1);

      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the request body is not valid JSON: %s", reason);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the request body must be a JSON object");
      return NULL;
    }
  if (!lilac_json_is_valid_text (root))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the request body escapes a character that is not valid Unicode");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/**
 * lilac_json_check_members:
 * @object: a request object
 * @allowed: (array zero-terminated=1): the member names it may have
 * @error: return location for a #GError
 *
 * Returns: %FALSE if @object has a member not in @allowed
 */
gboolean
lilac_json_check_members (JsonObject        *object,
                          const char *const *allowed,
                          GError           **error)
{
  JsonObjectIter iter;
  const char *name;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, NULL))
    {
      if (!g_strv_contains (allowed, name))
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       "unknown field \"%s\"", name);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lilac_json_get_string:
 * @object: a request object
 * @name: the member
 * @required: whether a missing member (or null) is an error
 * @max_length: the longest value accepted, in bytes
 * @error: return location for a #GError
 *
 * Returns: (transfer none) (nullable): the string, %NULL when absent and not
 *   required (no error set) or on error
 */
const char *
lilac_json_get_string (JsonObject *object,
                       const char *name,
                       gboolean    required,
                       gsize       max_length,
                       GError    **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                     "the field \"%s\" is required", name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the field \"%s\" must be a string", name);
      return NULL;
    }
  value = json_node_get_string (node);
  if (strlen (value) > max_length)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                   "the field \"%s\" is longer than %" G_GSIZE_FORMAT " bytes",
                   name, max_length);
      return NULL;
    }
  return value;
}

/* the outcome of a getter that sets no error for an absent member */
static gboolean
lilac_json_propagate (GError  *local_error,
                      GError **error)
{
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/**
 * lilac_json_get_optional_string:
 * @object: a request object
 * @name: the member
 * @max_length: the longest value accepted, in bytes
 * @value: (out) (transfer none) (nullable): the string, %NULL when absent
 * @error: return location for a #GError
 *
 * Returns: %FALSE when the member is there but not a string within the limit
 */
gboolean
lilac_json_get_optional_string (JsonObject  *object,
                                const char  *name,
                                gsize        max_length,
                                const char **value,
                                GError     **error)
{
  GError *local_error = NULL;

  *value = lilac_json_get_string (object, name, FALSE, max_length, &local_error);
  return lilac_json_propagate (local_error, error);
}

/**
 * lilac_json_get_text:
 * @object: a request object
 * @name: the member
 * @max_length: the longest value accepted, in bytes
 * @error: return location for a #GError
 *
 * Returns: (transfer none) (nullable): the member, a string that is required
 *   and must not be empty, or %NULL with @error set
 */
const char *
lilac_json_get_text (JsonObject *object,
                     const char *name,
                     gsize       max_length,
                     GError    **error)
{
  const char *value = lilac_json_get_string (object, name, TRUE, max_length, error);

  if (value != NULL && value[0] == '\0')
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT, "the field \"%s\" is empty", name);
      return NULL;
    }
  return value;
}

gboolean
lilac_json_get_bool (JsonObject *object,
                     const char *name,
                     gboolean    default_value,
                     gboolean   *value,
                     GError    **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *value = default_value;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the field \"%s\" must be true or false", name);
      return FALSE;
    }
  *value = json_node_get_boolean (node);
  return TRUE;
}

gboolean
lilac_json_get_int (JsonObject *object,
                    const char *name,
                    gint64      default_value,
                    gint64     *value,
                    GError    **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *value = default_value;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the field \"%s\" must be an integer", name);
      return FALSE;
    }
  *value = json_node_get_int (node);
  return TRUE;
}

/**
 * lilac_json_get_object:
 * @object: a request object
 * @name: the member
 * @error: return location for a #GError
 *
 * Returns: (transfer none) (nullable): the member if it is an object; %NULL
 *   with no error when absent, %NULL with an error when of another type
 */
JsonObject *
lilac_json_get_object (JsonObject *object,
                       const char *name,
                       GError    **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the field \"%s\" must be an object", name);
      return NULL;
    }
  return json_node_get_object (node);
}

/**
 * lilac_json_get_optional_object:
 * @object: a request object
 * @name: the member
 * @value: (out) (transfer none) (nullable): the object, %NULL when absent
 * @error: return location for a #GError
 *
 * Returns: %FALSE when the member is there but not an object
 */
gboolean
lilac_json_get_optional_object (JsonObject  *object,
                                const char  *name,
                                JsonObject **value,
                                GError     **error)
{
  GError *local_error = NULL;

  *value = lilac_json_get_object (object, name, &local_error);
  return lilac_json_propagate (local_error, error);
}

/**
 * lilac_json_to_string:
 * @node: a node
 * @length: (out) (optional): the length of the result
 *
 * Returns: (transfer full): compact JSON text
 */
char *
lilac_json_to_string (JsonNode *node,
                      gsize    *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, length);
}

char *
lilac_json_object_to_string (JsonObject *object,
                             gsize      *length)
{
  g_autoptr(JsonNode) node = lilac_json_node_new_object (object);

  return lilac_json_to_string (node, length);
}

/**
 * lilac_json_node_new_object:
 * @object: (transfer none): an object
 *
 * Returns: (transfer full): a node holding a new reference to @object
 */
JsonNode *
lilac_json_node_new_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return node;
}
