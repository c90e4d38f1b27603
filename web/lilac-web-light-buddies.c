/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The light view's buddy list: online buddies first, by group, with their
 * status, twenty a page, names and status messages shortened further when
 * long ones would not fit the page's byte budget; a buddy links to the
 * conversation with them.
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-web-light-private.h"

#define LILAC_WEB_LIGHT_BUDDIES_PAGE_SIZE 20
#define LILAC_WEB_LIGHT_BUDDIES_BUDGET 6400     /* bytes of HTML for the list of a page */
#define LILAC_WEB_LIGHT_BUDDY_KEY_LENGTH 16

/* the most characters of a buddy's name and status message, at each level of shortening */
static const glong lilac_web_light_buddy_lengths[][2] = { { 48, 80 }, { 24, 32 }, { 12, 12 } };

static gboolean
lilac_web_light_buddy_is_online (JsonObject *buddy)
{
  JsonObject *presence = lilac_web_light_json_object (buddy, "presence");
  const char *status = lilac_web_light_json_string (presence, "status");

  return status[0] != '\0' && !g_str_equal (status, "offline");
}

static const char *
lilac_web_light_buddy_display_name (JsonObject *buddy)
{
  const char *alias = lilac_web_light_json_string (buddy, "alias");

  return alias[0] != '\0' ? alias : lilac_web_light_json_string (buddy, "name");
}

static int
lilac_web_light_buddies_compare (gconstpointer a,
                                 gconstpointer b)
{
  JsonObject *buddy_a = *(JsonObject **) a;
  JsonObject *buddy_b = *(JsonObject **) b;
  gboolean online_a = lilac_web_light_buddy_is_online (buddy_a);
  gboolean online_b = lilac_web_light_buddy_is_online (buddy_b);
  int order;

  if (online_a != online_b)
    return online_a ? -1 : 1;
  order = g_utf8_collate (lilac_web_light_json_string (buddy_a, "group"),
                          lilac_web_light_json_string (buddy_b, "group"));
  if (order != 0)
    return order;
  return g_utf8_collate (lilac_web_light_buddy_display_name (buddy_a),
                         lilac_web_light_buddy_display_name (buddy_b));
}

/* the open IM with @buddy, if there is one: its page; else the page that starts one */
static char *
lilac_web_light_buddy_href (JsonObject *buddy,
                            JsonArray  *conversations)
{
  const char *account = lilac_web_light_json_string (buddy, "account");
  const char *name = lilac_web_light_json_string (buddy, "name");

  for (guint i = 0; conversations != NULL && i < json_array_get_length (conversations); i++)
    {
      JsonObject *conversation = json_array_get_object_element (conversations, i);

      if (g_str_equal (lilac_web_light_json_string (conversation, "type"), "im") &&
          g_str_equal (lilac_web_light_json_string (conversation, "account"), account) &&
          g_str_equal (lilac_web_light_json_string (conversation, "name"), name))
        return g_strconcat (LILAC_WEB_LIGHT_PREFIX "/c/",
                            lilac_web_light_json_string (conversation, "id"), NULL);
    }
  return lilac_web_light_url (LILAC_WEB_LIGHT_PREFIX "/im", "account", account, "to", name, NULL);
}

/* a short stand-in for a buddy's name in a link, however long the name */
static char *
lilac_web_light_buddy_key (JsonObject *buddy)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                           lilac_web_light_json_string (buddy, "name"),
                                                           -1);

  return g_strndup (digest, LILAC_WEB_LIGHT_BUDDY_KEY_LENGTH);
}

static void
lilac_web_light_buddies_append (LilacWebLightRequest *request,
                                JsonObject           *buddy,
                                unsigned              level,
                                LilacWebHtml         *items)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  JsonObject *presence = lilac_web_light_json_object (buddy, "presence");
  g_autofree char *name = lilac_web_light_shorten (lilac_web_light_buddy_display_name (buddy),
                                                   lilac_web_light_buddy_lengths[level][0]);
  g_autofree char *message = lilac_web_light_shorten (lilac_web_light_json_string (presence,
                                                                                   "message"),
                                                      lilac_web_light_buddy_lengths[level][1]);
  g_autofree char *key = lilac_web_light_buddy_key (buddy);
  g_autofree char *href = g_strdup_printf (LILAC_WEB_LIGHT_PREFIX "/b/%s/%s",
                                           lilac_web_light_json_string (buddy, "account"), key);
  LilacWebHtml *link = lilac_web_html_new ();

  lilac_web_light_append_link (link, href, name);
  lilac_web_slots_take_html (slots, "name", link);
  lilac_web_slots_set_printf (slots, "status", " - %s",
                              lilac_web_light_presence_label (language,
                                                              lilac_web_light_json_string (presence,
                                                                                           "status")));
  if (message[0] != '\0')
    lilac_web_slots_set_printf (slots, "message", ": %s", message);
  lilac_web_template_append ("buddy", slots, items);
}

/* a heading where the online state or the group changes, then the buddy's list */
static void
lilac_web_light_buddies_heading (LilacWebLightRequest *request,
                                 JsonObject           *buddy,
                                 LilacWebHtml         *body,
                                 LilacWebHtml        **items)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  const char *group = lilac_web_light_json_string (buddy, "group");
  g_autofree char *group_name = lilac_web_light_shorten (group[0] != '\0' ? group : _("Buddies"),
                                                         48);

  if (*items != NULL)
    lilac_web_html_append_owned (body, lilac_web_light_list (g_steal_pointer (items)));
  lilac_web_slots_set_printf (slots, "title", "%s: %s",
                              lilac_web_light_buddy_is_online (buddy) ? _("Online") : _("Offline"),
                              group_name);
  lilac_web_template_append ("heading", slots, body);
  *items = lilac_web_html_new ();
}

static LilacWebHtml *
lilac_web_light_buddies_render (LilacWebLightRequest *request,
                                unsigned              level,
                                gpointer              user_data)
{
  LilacWebLightSlice *list = user_data;
  LilacWebHtml *body = lilac_web_html_new ();
  g_autoptr(LilacWebHtml) items = NULL;
  JsonObject *previous = NULL;

  for (guint i = list->first;
       i < list->items->len && i < list->first + LILAC_WEB_LIGHT_BUDDIES_PAGE_SIZE; i++)
    {
      JsonObject *buddy = list->items->pdata[i];

      if (previous == NULL ||
          lilac_web_light_buddy_is_online (previous) != lilac_web_light_buddy_is_online (buddy) ||
          g_strcmp0 (lilac_web_light_json_string (previous, "group"),
                     lilac_web_light_json_string (buddy, "group")) != 0)
        lilac_web_light_buddies_heading (request, buddy, body, &items);
      lilac_web_light_buddies_append (request, buddy, level, items);
      previous = buddy;
    }
  if (items != NULL)
    lilac_web_html_append_owned (body, lilac_web_light_list (g_steal_pointer (&items)));
  return body;
}

static void
lilac_web_light_buddies_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_auto(LilacWebLightPage) page = { _("Buddies"), lilac_web_html_new () };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);
  g_autoptr(GPtrArray) buddies = g_ptr_array_new ();
  JsonArray *list = lilac_web_light_json_array (state, "buddies");
  unsigned number = lilac_web_light_page_number (request);
  LilacWebLightSlice shown = { buddies, (number - 1) * LILAC_WEB_LIGHT_BUDDIES_PAGE_SIZE };

  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    g_ptr_array_add (buddies, json_array_get_object_element (list, i));
  g_ptr_array_sort (buddies, lilac_web_light_buddies_compare);
  lilac_web_html_append_owned (page.body,
                               lilac_web_light_fit (request, LILAC_WEB_LIGHT_BUDDIES_BUDGET,
                                                    G_N_ELEMENTS (lilac_web_light_buddy_lengths),
                                                    lilac_web_light_buddies_render, &shown));
  if (buddies->len == 0)
    page.notice = lilac_web_light_paragraph (_("Your buddy list is empty."));
  lilac_web_html_append_owned (page.body,
                               lilac_web_light_pager (request, LILAC_WEB_LIGHT_PREFIX "/buddies", number,
                                                      buddies->len >
                                                        shown.first + LILAC_WEB_LIGHT_BUDDIES_PAGE_SIZE));
  lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
}

/* a buddy's link: the conversation with them when it is open, else the form to start one */
static void
lilac_web_light_buddy_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);
  JsonArray *list = lilac_web_light_json_array (state, "buddies");

  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *buddy = json_array_get_object_element (list, i);
      g_autofree char *key = lilac_web_light_buddy_key (buddy);
      g_autofree char *href = NULL;

      if (!g_str_equal (lilac_web_light_json_string (buddy, "account"), request->params[0]) ||
          !g_str_equal (key, request->params[1]))
        continue;
      href = lilac_web_light_buddy_href (buddy, lilac_web_light_json_array (state, "conversations"));
      lilac_web_light_request_redirect (request, href);
      return;
    }
  g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND,
                       _("There is no such buddy."));
  lilac_web_light_request_answer_error (request, local_error);
}

const LilacWebLightRoute lilac_web_light_routes_buddies[] = {
  { "GET", "/buddies", lilac_web_light_buddies_get, LILAC_WEB_LIGHT_LOGIN },
  { "GET", "/b/{}/{}", lilac_web_light_buddy_get, LILAC_WEB_LIGHT_LOGIN },
  { NULL }
};
