/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A libpurple form (PurpleRequestFields) on the wire. Each visible field
 * becomes {"id","label","type",...}: a string field is "string" (with
 * "masked" and "multiline"), an integer "int", a boolean "bool", a choice or
 * a list "choice" with its "choices" and the index of the chosen one as
 * "value" (a list that allows several has "multiple": true and an array of
 * indexes), a label "label" (text to show, no value). Account and image
 * fields are not shown and keep their defaults.
 *
 * An answer sets fields by id; each value must have the field's type (a
 * choice takes an index or one of its labels), or the answer is refused
 * with bad_request and the request stays open.
 */
#include "config.h"

#include "lilac-purple-request-fields.h"

#include <string.h>

#include "lilac-error.h"

/* ------------------------------------------------------------ Describing */

/**
 * lilac_purple_request_fields_new_field:
 * @id: the field's id
 * @label: (nullable): its label
 * @type: "string", "int", "bool", "choice" or "label"
 *
 * Returns: (transfer full): the start of a field's description
 */
JsonObject *
lilac_purple_request_fields_new_field (const char *id,
                                       const char *label,
                                       const char *type)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", id != NULL ? id : "");
  json_object_set_string_member (object, "label", label != NULL ? label : "");
  json_object_set_string_member (object, "type", type);
  return object;
}

static JsonArray *
lilac_purple_request_fields_strings (GList *strings)
{
  JsonArray *array = json_array_new ();

  for (GList *l = strings; l != NULL; l = l->next)
    json_array_add_string_element (array, l->data != NULL ? l->data : "");
  return array;
}

static void
lilac_purple_request_fields_describe_list (PurpleRequestField *field,
                                           JsonObject         *object)
{
  GList *items = purple_request_field_list_get_items (field);
  gboolean multiple = purple_request_field_list_get_multi_select (field);
  JsonArray *chosen = json_array_new ();
  int index = 0;

  json_object_set_array_member (object, "choices", lilac_purple_request_fields_strings (items));
  for (GList *l = items; l != NULL; l = l->next, index++)
    {
      if (purple_request_field_list_is_selected (field, l->data))
        json_array_add_int_element (chosen, index);
    }
  if (multiple)
    {
      json_object_set_boolean_member (object, "multiple", TRUE);
      json_object_set_array_member (object, "value", chosen);
      return;
    }
  if (json_array_get_length (chosen) > 0)
    json_object_set_int_member (object, "value", json_array_get_int_element (chosen, 0));
  json_array_unref (chosen);
}

static JsonObject *
lilac_purple_request_fields_describe_one (PurpleRequestField *field)
{
  const char *id = purple_request_field_get_id (field);
  const char *label = purple_request_field_get_label (field);
  JsonObject *object = NULL;
  const char *text;

  switch (purple_request_field_get_type (field))
    {
    case PURPLE_REQUEST_FIELD_STRING:
      object = lilac_purple_request_fields_new_field (id, label, "string");
      text = purple_request_field_string_get_value (field);
      json_object_set_string_member (object, "value", text != NULL ? text : "");
      json_object_set_boolean_member (object, "masked", purple_request_field_string_is_masked (field));
      json_object_set_boolean_member (object, "multiline",
                                      purple_request_field_string_is_multiline (field));
      break;
    case PURPLE_REQUEST_FIELD_INTEGER:
      object = lilac_purple_request_fields_new_field (id, label, "int");
      json_object_set_int_member (object, "value", purple_request_field_int_get_value (field));
      break;
    case PURPLE_REQUEST_FIELD_BOOLEAN:
      object = lilac_purple_request_fields_new_field (id, label, "bool");
      json_object_set_boolean_member (object, "value", purple_request_field_bool_get_value (field));
      break;
    case PURPLE_REQUEST_FIELD_CHOICE:
      object = lilac_purple_request_fields_new_field (id, label, "choice");
      json_object_set_array_member (object, "choices",
                                    lilac_purple_request_fields_strings (
                                      purple_request_field_choice_get_labels (field)));
      json_object_set_int_member (object, "value", purple_request_field_choice_get_value (field));
      break;
    case PURPLE_REQUEST_FIELD_LIST:
      object = lilac_purple_request_fields_new_field (id, label, "choice");
      lilac_purple_request_fields_describe_list (field, object);
      break;
    case PURPLE_REQUEST_FIELD_LABEL:
      object = lilac_purple_request_fields_new_field (id, label, "label");
      break;
    default:
      return NULL;
    }
  if (purple_request_field_is_required (field))
    json_object_set_boolean_member (object, "required", TRUE);
  return object;
}

/**
 * lilac_purple_request_fields_describe:
 * @fields: a form
 *
 * Returns: (transfer full): its visible fields, in order
 */
JsonArray *
lilac_purple_request_fields_describe (PurpleRequestFields *fields)
{
  JsonArray *array = json_array_new ();

  for (GList *g = purple_request_fields_get_groups (fields); g != NULL; g = g->next)
    {
      for (GList *f = purple_request_field_group_get_fields (g->data); f != NULL; f = f->next)
        {
          JsonObject *object;

          if (!purple_request_field_is_visible (f->data))
            continue;
          object = lilac_purple_request_fields_describe_one (f->data);
          if (object != NULL)
            json_array_add_object_element (array, object);
        }
    }
  return array;
}

/* ------------------------------------------------------------- Answering */

static gboolean
lilac_purple_request_fields_bad (GError    **error,
                                 const char *id,
                                 const char *wanted)
{
  g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
               "the field \"%s\" takes %s", id, wanted);
  return FALSE;
}

static gboolean
lilac_purple_request_fields_is (JsonNode *node,
                                GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/**
 * lilac_purple_request_fields_read_choice:
 * @node: an answer's value: an index, or one of @labels
 * @labels: (element-type utf8): the choices
 * @id: the field's id, for the error
 * @index: (out): the index chosen
 * @error: return location for a #GError
 *
 * Returns: %FALSE with bad_request unless @node names one of @labels
 */
gboolean
lilac_purple_request_fields_read_choice (JsonNode   *node,
                                         GPtrArray  *labels,
                                         const char *id,
                                         int        *index,
                                         GError    **error)
{
  if (lilac_purple_request_fields_is (node, G_TYPE_INT64))
    {
      gint64 value = json_node_get_int (node);

      if (value >= 0 && value < labels->len)
        {
          *index = (int) value;
          return TRUE;
        }
    }
  else if (lilac_purple_request_fields_is (node, G_TYPE_STRING))
    {
      for (unsigned i = 0; i < labels->len; i++)
        {
          if (g_strcmp0 (labels->pdata[i], json_node_get_string (node)) == 0)
            {
              *index = (int) i;
              return TRUE;
            }
        }
    }
  return lilac_purple_request_fields_bad (error, id, "the index or the label of one of its choices");
}

static GPtrArray *
lilac_purple_request_fields_labels (GList *strings)
{
  GPtrArray *labels = g_ptr_array_new ();

  for (GList *l = strings; l != NULL; l = l->next)
    g_ptr_array_add (labels, l->data);
  return labels;
}

static gboolean
lilac_purple_request_fields_set_list (PurpleRequestField *field,
                                      JsonNode           *node,
                                      GError            **error)
{
  const char *id = purple_request_field_get_id (field);
  g_autoptr(GPtrArray) labels =
    lilac_purple_request_fields_labels (purple_request_field_list_get_items (field));
  g_autoptr(GArray) chosen = g_array_new (FALSE, FALSE, sizeof (int));
  int index;

  if (purple_request_field_list_get_multi_select (field) && node != NULL &&
      JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (unsigned i = 0; i < json_array_get_length (array); i++)
        {
          if (!lilac_purple_request_fields_read_choice (json_array_get_element (array, i), labels,
                                                        id, &index, error))
            return FALSE;
          g_array_append_val (chosen, index);
        }
    }
  else
    {
      if (!lilac_purple_request_fields_read_choice (node, labels, id, &index, error))
        return FALSE;
      g_array_append_val (chosen, index);
    }
  purple_request_field_list_clear_selected (field);
  for (unsigned i = 0; i < chosen->len; i++)
    purple_request_field_list_add_selected (field, labels->pdata[g_array_index (chosen, int, i)]);
  return TRUE;
}

static gboolean
lilac_purple_request_fields_set (PurpleRequestField *field,
                                 JsonNode           *node,
                                 GError            **error)
{
  const char *id = purple_request_field_get_id (field);
  g_autoptr(GPtrArray) labels = NULL;
  int index;

  switch (purple_request_field_get_type (field))
    {
    case PURPLE_REQUEST_FIELD_STRING:
      if (!lilac_purple_request_fields_is (node, G_TYPE_STRING) ||
          strlen (json_node_get_string (node)) > LILAC_PURPLE_REQUEST_FIELDS_MAX_TEXT)
        return lilac_purple_request_fields_bad (error, id, "a string");
      purple_request_field_string_set_value (field, json_node_get_string (node));
      return TRUE;
    case PURPLE_REQUEST_FIELD_INTEGER:
      if (!lilac_purple_request_fields_is (node, G_TYPE_INT64) ||
          json_node_get_int (node) < G_MININT || json_node_get_int (node) > G_MAXINT)
        return lilac_purple_request_fields_bad (error, id, "an integer");
      purple_request_field_int_set_value (field, (int) json_node_get_int (node));
      return TRUE;
    case PURPLE_REQUEST_FIELD_BOOLEAN:
      if (!lilac_purple_request_fields_is (node, G_TYPE_BOOLEAN))
        return lilac_purple_request_fields_bad (error, id, "true or false");
      purple_request_field_bool_set_value (field, json_node_get_boolean (node));
      return TRUE;
    case PURPLE_REQUEST_FIELD_CHOICE:
      labels = lilac_purple_request_fields_labels (purple_request_field_choice_get_labels (field));
      if (!lilac_purple_request_fields_read_choice (node, labels, id, &index, error))
        return FALSE;
      purple_request_field_choice_set_value (field, index);
      return TRUE;
    case PURPLE_REQUEST_FIELD_LIST:
      return lilac_purple_request_fields_set_list (field, node, error);
    default:
      return lilac_purple_request_fields_bad (error, id, "no value");
    }
}

/**
 * lilac_purple_request_fields_apply:
 * @fields: a form
 * @values: an answer's "fields": {"FIELD ID": value}
 * @error: return location for a #GError
 *
 * Sets the fields @values names; the others keep their values.
 *
 * Returns: %FALSE with bad_request for an unknown field or a value of the
 *   wrong type
 */
gboolean
lilac_purple_request_fields_apply (PurpleRequestFields *fields,
                                   JsonObject          *values,
                                   GError             **error)
{
  JsonObjectIter iter;
  const char *id;
  JsonNode *node;

  json_object_iter_init (&iter, values);
  while (json_object_iter_next (&iter, &id, &node))
    {
      PurpleRequestField *field = purple_request_fields_get_field (fields, id);

      if (field == NULL || !purple_request_field_is_visible (field))
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT, "no field \"%s\"", id);
          return FALSE;
        }
      if (!lilac_purple_request_fields_set (field, node, error))
        return FALSE;
    }
  return TRUE;
}
