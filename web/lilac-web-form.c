/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Form bodies. soup_form_decode() decodes them, but it skips a field whose
 * escapes are broken, lets the last of two fields with one name win, and
 * cuts a value short at a %00: so the body is checked first, as bytes, and
 * the decoded fields after, against the form's own field table. The error
 * messages are for the reader, in their language.
 */
#include "config.h"

#include "lilac-web-form.h"

#include <string.h>

#include <libsoup/soup.h>

#include "lilac-error.h"

static const LilacWebFormField *
lilac_web_form_find_field (const LilacWebFormField *fields,
                           const char              *name)
{
  for (const LilacWebFormField *field = fields; field->name != NULL; field++)
    {
      if (g_str_equal (field->name, name))
        return field;
    }
  return NULL;
}

/* every pair is name=value with well-formed escapes and no NUL, encoded or not */
static gboolean
lilac_web_form_check_encoding (const char             *body,
                               gsize                   length,
                               guint                  *n_pairs,
                               const LilacWebLanguage *language,
                               GError                **error)
{
  gboolean has_equals = FALSE;

  *n_pairs = 0;
  for (gsize i = 0; length > 0 && i <= length; i++)
    {
      char c = i < length ? body[i] : '&';

      if (c == '&' && !has_equals)
        break;
      if (c == '&')
        {
          (*n_pairs)++;
          has_equals = FALSE;
        }
      else if (c == '=')
        has_equals = TRUE;
      else if (c == '\0' || (c == '%' && length - i >= 3 && body[i + 1] == '0' && body[i + 2] == '0'))
        {
          g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                               _("The form holds a NUL character."));
          return FALSE;
        }
      else if (c == '%' && (length - i < 3 || !g_ascii_isxdigit (body[i + 1]) ||
                            !g_ascii_isxdigit (body[i + 2])))
        break;
      if (i == length)
        return TRUE;
    }
  if (length == 0)
    return TRUE;
  g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       _("The form is not encoded the way a browser sends it."));
  return FALSE;
}

static gboolean
lilac_web_form_check_value (const LilacWebFormField *field,
                            const char              *value,
                            const LilacWebLanguage  *language,
                            GError                 **error)
{
  const char *label = _(field->label);

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   _("“%s” is not valid UTF-8 text."), label);
      return FALSE;
    }
  if (strlen (value) > field->max_length)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                   _("“%s” is too long: at most %u bytes."), label, (unsigned) field->max_length);
      return FALSE;
    }
  for (const char *p = value; *p != '\0'; p++)
    {
      gboolean line_break = *p == '\n' || *p == '\r' || *p == '\t';

      if (((guchar) *p < 0x20 || *p == 0x7f) &&
          !(line_break && (field->flags & LILAC_WEB_FORM_MULTILINE) != 0))
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       _("“%s” holds a control character."), label);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
lilac_web_form_check_fields (GHashTable              *form,
                             const LilacWebFormField *fields,
                             const LilacWebLanguage  *language,
                             GError                 **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, form);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const LilacWebFormField *field = lilac_web_form_find_field (fields, key);

      if (field == NULL)
        {
          g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                               _("The form has a field that this page does not send."));
          return FALSE;
        }
      if (!lilac_web_form_check_value (field, value, language, error))
        return FALSE;
    }
  for (const LilacWebFormField *field = fields; field->name != NULL; field++)
    {
      const char *given = g_hash_table_lookup (form, field->name);

      if ((field->flags & LILAC_WEB_FORM_REQUIRED) != 0 && (given == NULL || given[0] == '\0'))
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       _("Please fill in “%s”."), _(field->label));
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lilac_web_form_parse:
 * @body: the request body
 * @length: its length
 * @max_length: the most bytes a body may have
 * @fields: the fields the form may send
 * @language: (nullable): the language of the error messages
 * @error: return location for a #GError: INVALID_INPUT, or TOO_LARGE
 *
 * Decodes a form body. Refused: a body over @max_length, malformed escapes,
 * a NUL (raw or %00), a field twice, a field that is not in @fields, a
 * value that is not UTF-8, is longer than its field allows, or holds
 * control characters (line breaks only where the field is multi-line),
 * and a required field missing or empty.
 *
 * Returns: (transfer full) (nullable): the fields, name -> value
 */
GHashTable *
lilac_web_form_parse (const char              *body,
                      gsize                    length,
                      gsize                    max_length,
                      const LilacWebFormField *fields,
                      const LilacWebLanguage  *language,
                      GError                 **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GHashTable) form = NULL;
  guint n_pairs = 0;

  if (length > max_length)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                   _("The form is too large: at most %u bytes."), (unsigned) max_length);
      return NULL;
    }
  if (!lilac_web_form_check_encoding (body, length, &n_pairs, language, error))
    return NULL;
  text = g_strndup (body, length);
  form = soup_form_decode (text);
  if (g_hash_table_size (form) != n_pairs)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           _("The form sends a field twice."));
      return NULL;
    }
  if (!lilac_web_form_check_fields (form, fields, language, error))
    return NULL;
  return g_steal_pointer (&form);
}
