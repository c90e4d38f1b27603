/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The light view's buddy list: online buddies first, by group, with their
 * status, twenty a page; a buddy links to the conversation with them.
 */
#include "config.h"

#include "lilac-web-light-private.h"

#define LILAC_WEB_LIGHT_BUDDIES_PAGE_SIZE 20

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

static void
lilac_web_light_buddies_append (LilacWebLightRequest *request,
                                JsonObject           *buddy,
                                JsonArray            *conversations,
                                LilacWebHtml         *items)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  JsonObject *presence = lilac_web_light_json_object (buddy, "presence");
  g_autofree char *name = lilac_web_light_shorten (lilac_web_light_buddy_display_name (buddy), 48);
  g_autofree char *message = lilac_web_light_shorten (lilac_web_light_json_string (presence,
                                                                                   "message"),
                                                      80);
  g_autofree char *href = lilac_web_light_buddy_href (buddy, conversations);
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

static void
lilac_web_light_buddies_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_auto(LilacWebLightPage) page = { _("Buddies"), lilac_web_html_new () };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);
  g_autoptr(GPtrArray) buddies = g_ptr_array_new ();
  g_autoptr(LilacWebHtml) items = NULL;
  JsonArray *list = lilac_web_light_json_array (state, "buddies");
  JsonArray *conversations = lilac_web_light_json_array (state, "conversations");
  unsigned number = lilac_web_light_page_number (request);
  guint first = (number - 1) * LILAC_WEB_LIGHT_BUDDIES_PAGE_SIZE;
  JsonObject *previous = NULL;
  LilacWebHtml *pager;

  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    g_ptr_array_add (buddies, json_array_get_object_element (list, i));
  g_ptr_array_sort (buddies, lilac_web_light_buddies_compare);
  for (guint i = first; i < buddies->len && i < first + LILAC_WEB_LIGHT_BUDDIES_PAGE_SIZE; i++)
    {
      JsonObject *buddy = buddies->pdata[i];

      if (previous == NULL ||
          lilac_web_light_buddy_is_online (previous) != lilac_web_light_buddy_is_online (buddy) ||
          g_strcmp0 (lilac_web_light_json_string (previous, "group"),
                     lilac_web_light_json_string (buddy, "group")) != 0)
        lilac_web_light_buddies_heading (request, buddy, page.body, &items);
      lilac_web_light_buddies_append (request, buddy, conversations, items);
      previous = buddy;
    }
  if (items != NULL)
    lilac_web_html_append_owned (page.body, lilac_web_light_list (g_steal_pointer (&items)));
  if (buddies->len == 0)
    page.notice = lilac_web_light_paragraph (_("Your buddy list is empty."));
  pager = lilac_web_light_pager (request, LILAC_WEB_LIGHT_PREFIX "/buddies", number,
                                 buddies->len > first + LILAC_WEB_LIGHT_BUDDIES_PAGE_SIZE);
  lilac_web_html_append_owned (page.body, pager);
  lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
}

const LilacWebLightRoute lilac_web_light_routes_buddies[] = {
  { "GET", "/buddies", lilac_web_light_buddies_get, LILAC_WEB_LIGHT_LOGIN },
  { NULL }
};
