/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Templates for the light view. A template is HTML with slots, `{{name}}`
 * (lower-case letters, digits, `_`), parsed once into literal pieces and
 * slot names. A slot gets either text, which lilac_web_html_escape() escapes,
 * or a LilacWebHtml, which only escaping and filling can make: no value
 * reaches a page unescaped. The templates are compiled into the binary
 * (lilac-web-templates.gresource.xml).
 */
#include "config.h"

#include "lilac-web-template.h"

#include <gio/gio.h>
#include <string.h>

#include "lilac-web-html-escape.h"
#include "lilac-web-templates-resources.h"

#define LILAC_WEB_TEMPLATE_PATH "/org/lilac/web/templates/"
#define LILAC_WEB_TEMPLATE_SLOT_MAX 64

struct _LilacWebHtml {
  GString *text;               /* (owned) */
};

struct _LilacWebSlots {
  GHashTable *values;          /* (owned) name -> (owned) LilacWebHtml */
};

typedef struct {
  gsize offset;                /* of the literal piece in the source */
  gsize length;
  char *slot;                  /* (owned) (nullable) the slot after the piece */
} LilacWebTemplatePiece;

struct _LilacWebTemplate {
  char *source;                /* (owned) */
  GArray *pieces;              /* (owned) of LilacWebTemplatePiece */
};

/* -------------------------------------------------------------------- HTML */

LilacWebHtml *
lilac_web_html_new (void)
{
  LilacWebHtml *html = g_new0 (LilacWebHtml, 1);

  html->text = g_string_new (NULL);
  return html;
}

void
lilac_web_html_free (LilacWebHtml *html)
{
  if (html == NULL)
    return;
  g_string_free (html->text, TRUE);
  g_free (html);
}

/**
 * lilac_web_html_append_text:
 * @html: HTML
 * @text: (nullable): any text
 *
 * Appends @text, escaped.
 */
void
lilac_web_html_append_text (LilacWebHtml *html,
                            const char   *text)
{
  lilac_web_html_escape (html->text, text, -1);
}

/**
 * lilac_web_html_append_lines:
 * @html: HTML
 * @text: (nullable): any text
 * @length: its length, or -1
 *
 * Appends @text escaped, with a `<br>` for each line break.
 */
void
lilac_web_html_append_lines (LilacWebHtml *html,
                             const char   *text,
                             gssize        length)
{
  const char *end;

  if (text == NULL)
    return;
  end = text + (length < 0 ? (gssize) strlen (text) : length);
  while (text < end)
    {
      const char *newline = memchr (text, '\n', end - text);
      const char *line_end = newline != NULL ? newline : end;

      lilac_web_html_escape (html->text, text, line_end - text);
      if (newline == NULL)
        break;
      g_string_append (html->text, "<br>");
      text = newline + 1;
    }
}

void
lilac_web_html_append_html (LilacWebHtml       *html,
                            const LilacWebHtml *other)
{
  g_string_append_len (html->text, other->text->str, other->text->len);
}

/**
 * lilac_web_html_append_owned:
 * @html: HTML
 * @other: (transfer full) (nullable): HTML to append, then free
 */
void
lilac_web_html_append_owned (LilacWebHtml *html,
                             LilacWebHtml *other)
{
  if (other == NULL)
    return;
  lilac_web_html_append_html (html, other);
  lilac_web_html_free (other);
}

gsize
lilac_web_html_get_length (const LilacWebHtml *html)
{
  return html->text->len;
}

const char *
lilac_web_html_get_data (const LilacWebHtml *html)
{
  return html->text->str;
}

/**
 * lilac_web_html_free_to_bytes:
 * @html: (transfer full): HTML
 *
 * Returns: (transfer full): its bytes
 */
GBytes *
lilac_web_html_free_to_bytes (LilacWebHtml *html)
{
  GString *text = html->text;

  g_free (html);
  return g_string_free_to_bytes (text);
}

/* ------------------------------------------------------------------- Slots */

LilacWebSlots *
lilac_web_slots_new (void)
{
  LilacWebSlots *slots = g_new0 (LilacWebSlots, 1);

  slots->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) lilac_web_html_free);
  return slots;
}

void
lilac_web_slots_free (LilacWebSlots *slots)
{
  if (slots == NULL)
    return;
  g_hash_table_unref (slots->values);
  g_free (slots);
}

/**
 * lilac_web_slots_take_html:
 * @slots: slots
 * @name: a slot
 * @html: (transfer full): its value
 */
void
lilac_web_slots_take_html (LilacWebSlots *slots,
                           const char    *name,
                           LilacWebHtml  *html)
{
  g_hash_table_replace (slots->values, g_strdup (name), html);
}

/**
 * lilac_web_slots_set_text:
 * @slots: slots
 * @name: a slot
 * @text: (nullable): its value, to be escaped
 */
void
lilac_web_slots_set_text (LilacWebSlots *slots,
                          const char    *name,
                          const char    *text)
{
  LilacWebHtml *html = lilac_web_html_new ();

  lilac_web_html_append_text (html, text);
  lilac_web_slots_take_html (slots, name, html);
}

void
lilac_web_slots_set_printf (LilacWebSlots *slots,
                            const char    *name,
                            const char    *format,
                            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  lilac_web_slots_set_text (slots, name, text);
}

/* --------------------------------------------------------------- Templates */

static void
lilac_web_template_piece_clear (gpointer data)
{
  LilacWebTemplatePiece *piece = data;

  g_free (piece->slot);
}

/* the length of the slot name at @text when a whole `{{name}}` starts there, else 0 */
static gsize
lilac_web_template_slot_length (const char *text,
                                const char *end)
{
  const char *name = text + 2;
  const char *p = name;

  if (end - text < 5 || text[0] != '{' || text[1] != '{')
    return 0;
  while (p < end && p - name <= LILAC_WEB_TEMPLATE_SLOT_MAX &&
         (g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'))
    p++;
  if (p == name || p - name > LILAC_WEB_TEMPLATE_SLOT_MAX || end - p < 2 || p[0] != '}' ||
      p[1] != '}')
    return 0;
  return p - name;
}

/**
 * lilac_web_template_new:
 * @source: the template's text
 * @length: its length
 *
 * Parses a template. A `{{` that does not start a whole slot stays as it is.
 *
 * Returns: (transfer full): the template
 */
LilacWebTemplate *
lilac_web_template_new (const char *source,
                        gsize       length)
{
  LilacWebTemplate *self = g_new0 (LilacWebTemplate, 1);
  const char *end, *p, *literal;

  self->source = g_strndup (source, length);
  self->pieces = g_array_new (FALSE, TRUE, sizeof (LilacWebTemplatePiece));
  g_array_set_clear_func (self->pieces, lilac_web_template_piece_clear);
  end = self->source + length;
  literal = p = self->source;
  while (p < end)
    {
      gsize name_length = *p == '{' ? lilac_web_template_slot_length (p, end) : 0;
      LilacWebTemplatePiece piece;

      if (name_length == 0)
        {
          p++;
          continue;
        }
      piece.offset = literal - self->source;
      piece.length = p - literal;
      piece.slot = g_strndup (p + 2, name_length);
      g_array_append_val (self->pieces, piece);
      p += name_length + 4;
      literal = p;
    }
  if (literal < end)
    {
      LilacWebTemplatePiece piece = { literal - self->source, end - literal, NULL };

      g_array_append_val (self->pieces, piece);
    }
  return self;
}

void
lilac_web_template_free (LilacWebTemplate *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->pieces);
  g_free (self->source);
  g_free (self);
}

/**
 * lilac_web_template_fill:
 * @self: a template
 * @slots: (nullable): the values of its slots
 * @out: where the page grows
 */
void
lilac_web_template_fill (const LilacWebTemplate *self,
                         const LilacWebSlots    *slots,
                         LilacWebHtml           *out)
{
  for (guint i = 0; i < self->pieces->len; i++)
    {
      const LilacWebTemplatePiece *piece = &g_array_index (self->pieces, LilacWebTemplatePiece, i);
      const LilacWebHtml *value;

      g_string_append_len (out->text, self->source + piece->offset, piece->length);
      if (piece->slot == NULL || slots == NULL)
        continue;
      value = g_hash_table_lookup (slots->values, piece->slot);
      if (value != NULL)
        lilac_web_html_append_html (out, value);
    }
}

G_LOCK_DEFINE_STATIC (lilac_web_templates);
static GHashTable *lilac_web_templates;

/**
 * lilac_web_template_get:
 * @name: a template of web/templates, without ".html"
 *
 * Returns: (transfer none): the template, parsed the first time it is asked
 *   for and kept; %NULL when there is no such template
 */
const LilacWebTemplate *
lilac_web_template_get (const char *name)
{
  LilacWebTemplate *self;

  G_LOCK (lilac_web_templates);
  if (lilac_web_templates == NULL)
    lilac_web_templates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) lilac_web_template_free);
  self = g_hash_table_lookup (lilac_web_templates, name);
  if (self == NULL)
    {
      g_autofree char *path = g_strconcat (LILAC_WEB_TEMPLATE_PATH, name, ".html", NULL);
      g_autoptr(GBytes) bytes = g_resource_lookup_data (lilac_web_templates_get_resource (), path,
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      gsize length = 0;
      const char *data = bytes != NULL ? g_bytes_get_data (bytes, &length) : NULL;

      if (data != NULL)
        {
          self = lilac_web_template_new (data, length);
          g_hash_table_insert (lilac_web_templates, g_strdup (name), self);
        }
    }
  G_UNLOCK (lilac_web_templates);
  return self;
}

/**
 * lilac_web_template_append:
 * @name: a template of web/templates
 * @slots: (nullable): the values of its slots
 * @out: where the page grows
 *
 * Fills the named template into @out. A missing template is a bug in
 * Lilac: it is reported and leaves @out as it was.
 */
void
lilac_web_template_append (const char          *name,
                           const LilacWebSlots *slots,
                           LilacWebHtml        *out)
{
  const LilacWebTemplate *self = lilac_web_template_get (name);

  if (self == NULL)
    {
      g_critical ("no template %s", name);
      return;
    }
  lilac_web_template_fill (self, slots, out);
}
