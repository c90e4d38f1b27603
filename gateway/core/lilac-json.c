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

/* ------------------------------------------------------ Strict syntax check */

/* json-glib's scanner takes more than JSON: single-quoted strings, escapes of
 * lone UTF-16 surrogates (which it turns into invalid UTF-8), and integers
 * past 64 bits (which wrap around to any value). A body must be JSON as RFC
 * 8259 writes it, with integers that fit in 64 bits, before json-glib reads it. */

#define LILAC_JSON_MAX_DEPTH 64

typedef enum {
  LILAC_JSON_WANT_VALUE,
  LILAC_JSON_WANT_VALUE_OR_END,    /* just after '[' */
  LILAC_JSON_WANT_KEY,
  LILAC_JSON_WANT_KEY_OR_END,      /* just after '{' */
  LILAC_JSON_WANT_NEXT,            /* after a value: ',', the end of its container, or the end */
} LilacJsonWant;

typedef struct {
  const char *p;
  const char *end;
  char open[LILAC_JSON_MAX_DEPTH];  /* the containers around p: '{' or '[' */
  unsigned depth;
  const char *problem;              /* why the text is refused */
} LilacJsonCursor;

static void
lilac_json_skip_space (LilacJsonCursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

/* four hex digits after "\u" */
static gboolean
lilac_json_scan_unit (LilacJsonCursor *c,
                      gunichar        *unit)
{
  *unit = 0;
  if (c->end - c->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (*c->p++);

      if (digit < 0)
        return FALSE;
      *unit = *unit * 16 + (gunichar) digit;
    }
  return TRUE;
}

/* an escape after the backslash: a lone surrogate or a NUL is refused */
static gboolean
lilac_json_scan_escape (LilacJsonCursor *c)
{
  gunichar unit;
  char escaped;

  if (c->p >= c->end)
    return FALSE;
  escaped = *c->p++;
  if (escaped != 'u')
    return escaped != '\0' && strchr ("\"\\/bfnrt", escaped) != NULL;
  if (!lilac_json_scan_unit (c, &unit) || (unit >= 0xdc00 && unit <= 0xdfff))
    return FALSE;
  if (unit == 0)
    {
      c->problem = "the request body holds a NUL character";
      return FALSE;
    }
  if (unit < 0xd800 || unit > 0xdbff)
    return TRUE;
  if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
    return FALSE;
  c->p += 2;
  return lilac_json_scan_unit (c, &unit) && unit >= 0xdc00 && unit <= 0xdfff;
}

/* a string, from its opening quote; its bytes were checked as UTF-8 before */
static gboolean
lilac_json_scan_string (LilacJsonCursor *c)
{
  if (c->p >= c->end || *c->p != '"')
    return FALSE;
  for (c->p++; c->p < c->end; )
    {
      unsigned char byte = (unsigned char) *c->p++;

      if (byte == '"')
        return TRUE;
      if (byte < 0x20 || (byte == '\\' && !lilac_json_scan_escape (c)))
        return FALSE;
    }
  return FALSE;
}

static gsize
lilac_json_scan_digits (LilacJsonCursor *c)
{
  const char *start = c->p;

  while (c->p < c->end && g_ascii_isdigit (*c->p))
    c->p++;
  return (gsize) (c->p - start);
}

/* a number; an integer (no fraction, no exponent) must fit in 64 bits */
static gboolean
lilac_json_scan_number (LilacJsonCursor *c)
{
  gboolean negative = c->p < c->end && *c->p == '-';
  const char *digits = c->p + (negative ? 1 : 0);
  gsize count;
  gboolean integer = TRUE;

  c->p = digits;
  count = lilac_json_scan_digits (c);
  if (count == 0 || (digits[0] == '0' && count > 1))
    return FALSE;
  if (c->p < c->end && *c->p == '.')
    {
      c->p++;
      integer = FALSE;
      if (lilac_json_scan_digits (c) == 0)
        return FALSE;
    }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E'))
    {
      c->p++;
      integer = FALSE;
      if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
        c->p++;
      if (lilac_json_scan_digits (c) == 0)
        return FALSE;
    }
  if (integer && (count > 19 || (count == 19 && memcmp (digits, negative ? "9223372036854775808"
                                                                         : "9223372036854775807",
                                                         19) > 0)))
    {
      c->problem = "the request body holds an integer that does not fit in 64 bits";
      return FALSE;
    }
  return TRUE;
}

/* a value where one is wanted: a container opens, anything else is read whole */
static gboolean
lilac_json_scan_value (LilacJsonCursor *c,
                       LilacJsonWant   *want)
{
  static const char *const words[] = { "true", "false", "null" };

  *want = LILAC_JSON_WANT_NEXT;
  if (*c->p == '{' || *c->p == '[')
    {
      if (c->depth == LILAC_JSON_MAX_DEPTH)
        {
          c->problem = "the request body is nested too deeply";
          return FALSE;
        }
      *want = *c->p == '{' ? LILAC_JSON_WANT_KEY_OR_END : LILAC_JSON_WANT_VALUE_OR_END;
      c->open[c->depth++] = *c->p++;
      return TRUE;
    }
  if (*c->p == '"')
    return lilac_json_scan_string (c);
  if (*c->p == '-' || g_ascii_isdigit (*c->p))
    return lilac_json_scan_number (c);
  for (unsigned i = 0; i < G_N_ELEMENTS (words); i++)
    {
      gsize length = strlen (words[i]);

      if ((gsize) (c->end - c->p) >= length && memcmp (c->p, words[i], length) == 0)
        {
          c->p += length;
          return TRUE;
        }
    }
  return FALSE;
}

/* after a value inside a container: ',' or the container's end */
static gboolean
lilac_json_scan_next (LilacJsonCursor *c,
                      LilacJsonWant   *want)
{
  char open = c->depth > 0 ? c->open[c->depth - 1] : '\0';

  if (open != '\0' && *c->p == ',')
    {
      c->p++;
      *want = open == '{' ? LILAC_JSON_WANT_KEY : LILAC_JSON_WANT_VALUE;
      return TRUE;
    }
  if (open != '\0' && *c->p == (open == '{' ? '}' : ']'))
    {
      c->p++;
      c->depth--;
      *want = LILAC_JSON_WANT_NEXT;
      return TRUE;
    }
  return FALSE;
}

static gboolean
lilac_json_scan_step (LilacJsonCursor *c,
                      LilacJsonWant   *want)
{
  switch (*want)
    {
    case LILAC_JSON_WANT_VALUE_OR_END:
    case LILAC_JSON_WANT_KEY_OR_END:
      if (*c->p == (*want == LILAC_JSON_WANT_KEY_OR_END ? '}' : ']'))
        return lilac_json_scan_next (c, want);
      *want = *want == LILAC_JSON_WANT_KEY_OR_END ? LILAC_JSON_WANT_KEY : LILAC_JSON_WANT_VALUE;
      return TRUE;
    case LILAC_JSON_WANT_KEY:
      if (!lilac_json_scan_string (c))
        return FALSE;
      lilac_json_skip_space (c);
      if (c->p >= c->end || *c->p != ':')
        return FALSE;
      c->p++;
      *want = LILAC_JSON_WANT_VALUE;
      return TRUE;
    case LILAC_JSON_WANT_VALUE:
      return lilac_json_scan_value (c, want);
    case LILAC_JSON_WANT_NEXT:
    default:
      return lilac_json_scan_next (c, want);
    }
}

/* whether @data is one JSON text (valid UTF-8 without NUL bytes, checked before) */
static gboolean
lilac_json_check_syntax (const char *data,
                         gsize       length,
                         GError    **error)
{
  LilacJsonCursor c = { .p = data, .end = data + length };
  LilacJsonWant want = LILAC_JSON_WANT_VALUE;

  /* json-glib skips a byte order mark */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    c.p += 3;
  for (lilac_json_skip_space (&c); c.p < c.end; lilac_json_skip_space (&c))
    {
      if (!lilac_json_scan_step (&c, &want))
        break;
    }
  if (c.p == c.end && c.depth == 0 && want == LILAC_JSON_WANT_NEXT)
    return TRUE;
  g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       c.problem != NULL ? c.problem : "the request body is not valid JSON");
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
  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the request body holds a NUL character");
      return NULL;
    }
  if (!lilac_json_check_syntax (data, length, error))
    return NULL;
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
