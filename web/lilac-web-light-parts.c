/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Pieces that several light pages show — links, lists, notices, select
 * options, the pager — and small readers of the /state JSON.
 */
#include "config.h"

#include <string.h>

#include "lilac-web-light-private.h"

#define LILAC_WEB_LIGHT_PAGE_MAX 10000

/* the presences of API.md, for the user's own and for buddies */
static const LilacWebLightLabel lilac_web_light_presences[] = {
  { "available", N_("Available") },
  { "away", N_("Away") },
  { "busy", N_("Busy") },
  { "invisible", N_("Invisible") },
  { "offline", N_("Offline") },
};

void
lilac_web_light_slots_set_csrf (LilacWebSlots        *slots,
                                LilacWebLightRequest *request)
{
  lilac_web_slots_set_text (slots, "csrf", lilac_web_light_request_get_csrf (request));
}

/**
 * lilac_web_light_shorten:
 * @text: (nullable): text to show
 * @max_chars: the most characters to show
 *
 * Returns: (transfer full): @text, cut to @max_chars characters with "…"
 *   when longer, so that a long name cannot swell a page
 */
char *
lilac_web_light_shorten (const char *text,
                         glong       max_chars)
{
  g_autofree char *head = NULL;
  const char *end;

  if (text == NULL)
    return g_strdup ("");
  if (!g_utf8_validate (text, -1, NULL) || g_utf8_strlen (text, -1) <= max_chars)
    return g_strdup (text);
  end = g_utf8_offset_to_pointer (text, max_chars - 1);
  head = g_strndup (text, end - text);
  return g_strconcat (head, "\xe2\x80\xa6", NULL); /* … */
}

/**
 * lilac_web_light_url:
 * @path: a path
 * @...: query parameters: name, value (%NULL leaves the parameter out), ...,
 *   ended by a %NULL name
 *
 * Returns: (transfer full): @path with the parameters, escaped for a URL
 */
char *
lilac_web_light_url (const char *path,
                     ...)
{
  GString *url = g_string_new (path);
  const char *name;
  char separator = '?';
  va_list args;

  va_start (args, path);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      if (value == NULL)
        continue;
      g_string_append_c (url, separator);
      g_string_append_uri_escaped (url, name, NULL, FALSE);
      g_string_append_c (url, '=');
      g_string_append_uri_escaped (url, value, NULL, FALSE);
      separator = '&';
    }
  va_end (args);
  return g_string_free (url, FALSE);
}

/**
 * lilac_web_light_json_string:
 *
 * Returns: (transfer none): a string member of @object, or "" when it has none
 */
const char *
lilac_web_light_json_string (JsonObject *object,
                             const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

gint64
lilac_web_light_json_int (JsonObject *object,
                          const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  gint64 value = 0;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING &&
      g_ascii_string_to_signed (json_node_get_string (node), 10, G_MININT64, G_MAXINT64, &value,
                                NULL))
    return value;
  return 0;
}

/**
 * lilac_web_light_json_array:
 *
 * Returns: (transfer none) (nullable): an array member of @object
 */
JsonArray *
lilac_web_light_json_array (JsonObject *object,
                            const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/**
 * lilac_web_light_json_object:
 *
 * Returns: (transfer none) (nullable): an object member of @object
 */
JsonObject *
lilac_web_light_json_object (JsonObject *object,
                             const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

void
lilac_web_light_append_link (LilacWebHtml *out,
                             const char   *href,
                             const char   *text)
{
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();

  lilac_web_slots_set_text (slots, "href", href);
  lilac_web_slots_set_text (slots, "text", text);
  lilac_web_template_append ("link", slots, out);
}

/* a submit button: a form sends @name=@label when it is pressed */
void
lilac_web_light_append_button (LilacWebHtml *out,
                               const char   *name,
                               const char   *label)
{
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();

  lilac_web_slots_set_text (slots, "name", name);
  lilac_web_slots_set_text (slots, "label", label);
  lilac_web_template_append ("button", slots, out);
}

/* Returns: (transfer full): a paragraph that is a link */
LilacWebHtml *
lilac_web_light_link_paragraph (const char *href,
                                const char *text)
{
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  LilacWebHtml *html = lilac_web_html_new ();

  lilac_web_slots_set_text (slots, "href", href);
  lilac_web_slots_set_text (slots, "text", text);
  lilac_web_template_append ("link-paragraph", slots, html);
  return html;
}

static LilacWebHtml *
lilac_web_light_text_block (const char *template,
                            const char *text)
{
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  LilacWebHtml *html = lilac_web_html_new ();

  lilac_web_slots_set_text (slots, "text", text);
  lilac_web_template_append (template, slots, html);
  return html;
}

/* Returns: (transfer full): `<p>text</p>` */
LilacWebHtml *
lilac_web_light_paragraph (const char *text)
{
  return lilac_web_light_text_block ("paragraph", text);
}

/* Returns: (transfer full): the text, strong, as a paragraph */
LilacWebHtml *
lilac_web_light_notice (const char *text)
{
  return lilac_web_light_text_block ("notice", text);
}

/**
 * lilac_web_light_list:
 * @items: (transfer full): `<li>` elements
 *
 * Returns: (transfer full): the items in a list
 */
LilacWebHtml *
lilac_web_light_list (LilacWebHtml *items)
{
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  LilacWebHtml *html = lilac_web_html_new ();

  lilac_web_slots_take_html (slots, "items", items);
  lilac_web_template_append ("list", slots, html);
  return html;
}

void
lilac_web_light_append_option (LilacWebHtml *out,
                               const char   *value,
                               const char   *text,
                               gboolean      selected)
{
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();

  lilac_web_slots_set_text (slots, "value", value);
  lilac_web_slots_set_text (slots, "text", text);
  lilac_web_template_append (selected ? "option-selected" : "option", slots, out);
}

/**
 * lilac_web_light_account_options:
 * @accounts: the `accounts` of /state
 * @selected: (nullable): the id of the account to select
 *
 * Returns: (transfer full): an option for each enabled account
 */
LilacWebHtml *
lilac_web_light_account_options (JsonArray  *accounts,
                                 const char *selected)
{
  LilacWebHtml *html = lilac_web_html_new ();

  for (guint i = 0; accounts != NULL && i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);
      const char *id = lilac_web_light_json_string (account, "id");
      const char *alias = lilac_web_light_json_string (account, "alias");
      g_autofree char *name = lilac_web_light_shorten (alias[0] != '\0'
                                                         ? alias
                                                         : lilac_web_light_json_string (account,
                                                                                        "username"),
                                                       48);

      if (account == NULL || !json_object_get_boolean_member_with_default (account, "enabled", TRUE))
        continue;
      lilac_web_light_append_option (html, id, name, g_strcmp0 (id, selected) == 0);
    }
  return html;
}

/* the ?page= of a paged list, from 1 */
unsigned
lilac_web_light_page_number (LilacWebLightRequest *request)
{
  const char *text = lilac_web_light_request_get_query (request, "page");
  guint64 number = 1;

  if (text == NULL ||
      !g_ascii_string_to_unsigned (text, 10, 1, LILAC_WEB_LIGHT_PAGE_MAX, &number, NULL))
    return 1;
  return (unsigned) number;
}

/**
 * lilac_web_light_pager:
 * @path: the list's page
 * @number: the page shown, from 1
 * @more: whether there are more after it
 *
 * Returns: (transfer full) (nullable): links to the pages before and after,
 *   or %NULL when everything fits on one page
 */
LilacWebHtml *
lilac_web_light_pager (LilacWebLightRequest *request,
                       const char           *path,
                       unsigned              number,
                       gboolean              more)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  LilacWebHtml *html;

  if (number <= 1 && !more)
    return NULL;
  if (number > 1)
    {
      g_autofree char *page = g_strdup_printf ("%u", number - 1);
      g_autofree char *href = lilac_web_light_url (path, "page", number > 2 ? page : NULL, NULL);
      LilacWebHtml *link = lilac_web_html_new ();

      lilac_web_light_append_link (link, href, _("« Previous"));
      lilac_web_slots_take_html (slots, "previous", link);
    }
  if (number > 1 && more)
    lilac_web_slots_set_text (slots, "separator", " | ");
  if (more)
    {
      g_autofree char *page = g_strdup_printf ("%u", number + 1);
      g_autofree char *href = lilac_web_light_url (path, "page", page, NULL);
      LilacWebHtml *link = lilac_web_html_new ();

      lilac_web_light_append_link (link, href, _("Next »"));
      lilac_web_slots_take_html (slots, "next", link);
    }
  html = lilac_web_html_new ();
  lilac_web_template_append ("pager", slots, html);
  return html;
}

/**
 * lilac_web_light_fit:
 * @budget: the most bytes the part may take
 * @n_levels: how many levels of shortening @render knows, at least 1
 * @render: makes the part at a level
 *
 * Keeps a page small whatever its names and texts: the part is made at
 * level 0, and again with shorter texts at each next level until it fits.
 *
 * Returns: (transfer full): the part at the first level that fits in
 *   @budget, or at the last level
 */
LilacWebHtml *
lilac_web_light_fit (LilacWebLightRequest   *request,
                     gsize                   budget,
                     unsigned                n_levels,
                     LilacWebLightRenderFunc render,
                     gpointer                user_data)
{
  for (unsigned level = 0;; level++)
    {
      LilacWebHtml *html = render (request, level, user_data);

      if (level + 1 >= n_levels || lilac_web_html_get_length (html) <= budget)
        return html;
      lilac_web_html_free (html);
    }
}

/**
 * lilac_web_light_label:
 * @labels: (array length=n_labels): words and their labels
 * @key: (nullable): a word of the API
 *
 * Returns: (transfer none): the label of @key in @language, or @key itself
 *   when @labels do not have it
 */
const char *
lilac_web_light_label (const LilacWebLanguage   *language,
                       const LilacWebLightLabel *labels,
                       guint                     n_labels,
                       const char               *key)
{
  for (guint i = 0; i < n_labels; i++)
    {
      if (g_strcmp0 (key, labels[i].key) == 0)
        return _(labels[i].label);
    }
  return key;
}

/**
 * lilac_web_light_presence_label:
 * @status: a presence status, e.g. "away"
 *
 * Returns: (transfer none): its name in @language
 */
const char *
lilac_web_light_presence_label (const LilacWebLanguage *language,
                                const char             *status)
{
  return lilac_web_light_label (language, lilac_web_light_presences,
                                G_N_ELEMENTS (lilac_web_light_presences), status);
}

/* Returns: (transfer full): an option for each presence, @current selected */
LilacWebHtml *
lilac_web_light_presence_options (const LilacWebLanguage *language,
                                  const char             *current)
{
  LilacWebHtml *html = lilac_web_html_new ();

  for (guint i = 0; i < G_N_ELEMENTS (lilac_web_light_presences); i++)
    lilac_web_light_append_option (html, lilac_web_light_presences[i].key,
                                   _(lilac_web_light_presences[i].label),
                                   g_strcmp0 (current, lilac_web_light_presences[i].key) == 0);
  return html;
}
