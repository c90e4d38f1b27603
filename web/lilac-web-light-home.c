/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The light view's home page: the user's presence, the open conversations
 * with their unread counts, what waits for an answer, and the IM accounts
 * with their status.
 */
#include "config.h"

#include "lilac-web-light-private.h"

#define LILAC_WEB_LIGHT_HOME_PAGE_SIZE 15
#define LILAC_WEB_LIGHT_HOME_ACCOUNTS 5         /* the others on /m/accounts */
#define LILAC_WEB_LIGHT_HOME_BUDGET 6400        /* bytes of HTML for the page's body */

/* the most characters of a conversation's name, at each level of shortening */
static const glong lilac_web_light_home_lengths[] = { 64, 32, 16 };

static const LilacWebFormField lilac_web_light_presence_fields[] = {
  LILAC_WEB_LIGHT_CSRF_FIELD,
  { "status", N_("Status"), 16, LILAC_WEB_FORM_REQUIRED },
  { "message", N_("Status message"), 1024, 0 },
  { NULL }
};

static int
lilac_web_light_home_compare_unread (gconstpointer a,
                                     gconstpointer b)
{
  gint64 unread_a = lilac_web_light_json_int (*(JsonObject **) a, "unread");
  gint64 unread_b = lilac_web_light_json_int (*(JsonObject **) b, "unread");

  return (unread_b > 0) - (unread_a > 0);
}

static void
lilac_web_light_home_append_conversation (LilacWebLightRequest *request,
                                          JsonObject           *conversation,
                                          unsigned              level,
                                          LilacWebHtml         *items)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  const char *title = lilac_web_light_json_string (conversation, "title");
  g_autofree char *name = lilac_web_light_shorten (title[0] != '\0'
                                                     ? title
                                                     : lilac_web_light_json_string (conversation,
                                                                                    "name"),
                                                   lilac_web_light_home_lengths[level]);
  g_autofree char *href = g_strconcat (LILAC_WEB_LIGHT_PREFIX "/c/",
                                       lilac_web_light_json_string (conversation, "id"), NULL);
  gint64 unread = lilac_web_light_json_int (conversation, "unread");

  lilac_web_slots_set_text (slots, "href", href);
  lilac_web_slots_set_text (slots, "name", name);
  if (g_str_equal (lilac_web_light_json_string (conversation, "type"), "chat"))
    lilac_web_slots_set_printf (slots, "kind", " (%s)", _("chat"));
  if (unread > 0)
    {
      g_autoptr(LilacWebSlots) strong = lilac_web_slots_new ();
      LilacWebHtml *html = lilac_web_html_new ();

      /* TRANSLATORS: the number of unread messages of a conversation */
      lilac_web_slots_set_printf (strong, "text", _("%d unread"), (int) MIN (unread, G_MAXINT));
      lilac_web_template_append ("unread", strong, html);
      lilac_web_slots_take_html (slots, "unread", html);
    }
  lilac_web_template_append ("home-conversation", slots, items);
}

/* one page of the conversations, those with unread messages first */
static void
lilac_web_light_home_conversations (LilacWebLightRequest *request,
                                    JsonArray            *conversations,
                                    unsigned              level,
                                    LilacWebSlots        *slots)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(LilacWebHtml) items = lilac_web_html_new ();
  unsigned number = lilac_web_light_page_number (request);
  guint first = (number - 1) * LILAC_WEB_LIGHT_HOME_PAGE_SIZE;
  LilacWebHtml *pager;

  for (guint i = 0; conversations != NULL && i < json_array_get_length (conversations); i++)
    g_ptr_array_add (sorted, json_array_get_object_element (conversations, i));
  if (sorted->len == 0)
    {
      lilac_web_slots_take_html (slots, "conversations",
                                 lilac_web_light_paragraph (_("No open conversations.")));
      return;
    }
  /* a stable sort: otherwise in the order of /state */
  g_ptr_array_sort (sorted, lilac_web_light_home_compare_unread);
  for (guint i = first; i < sorted->len && i < first + LILAC_WEB_LIGHT_HOME_PAGE_SIZE; i++)
    lilac_web_light_home_append_conversation (request, sorted->pdata[i], level, items);
  lilac_web_slots_take_html (slots, "conversations", lilac_web_light_list (g_steal_pointer (&items)));
  pager = lilac_web_light_pager (request, LILAC_WEB_LIGHT_PREFIX "/", number,
                                 sorted->len > first + LILAC_WEB_LIGHT_HOME_PAGE_SIZE);
  if (pager != NULL)
    lilac_web_slots_take_html (slots, "pager", pager);
}

/* a link, after a separator when @html holds one already */
static void
lilac_web_light_home_append_link (LilacWebHtml *html,
                                  const char   *href,
                                  const char   *text)
{
  if (lilac_web_html_get_length (html) > 0)
    lilac_web_html_append_text (html, " | ");
  lilac_web_light_append_link (html, href, text);
}

/* what waits for an answer, at the top where it is noticed */
static LilacWebHtml *
lilac_web_light_home_waiting (LilacWebLightRequest *request,
                              guint                 n_requests,
                              guint                 n_offers)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  LilacWebHtml *links = lilac_web_html_new ();
  LilacWebHtml *html = lilac_web_html_new ();

  if (n_requests > 0)
    {
      /* TRANSLATORS: a link to the requests (buddy authorizations, certificates) that wait */
      g_autofree char *text = g_strdup_printf (_("Requests waiting: %u"), n_requests);

      lilac_web_light_home_append_link (links, LILAC_WEB_LIGHT_PREFIX "/requests", text);
    }
  if (n_offers > 0)
    {
      /* TRANSLATORS: a link to the files offered to the user that wait for an answer */
      g_autofree char *text = g_strdup_printf (_("File offers waiting: %u"), n_offers);

      lilac_web_light_home_append_link (links, LILAC_WEB_LIGHT_PREFIX "/files", text);
    }
  lilac_web_slots_take_html (slots, "links", links);
  lilac_web_template_append ("waiting", slots, html);
  return html;
}

static void
lilac_web_light_home_counts (LilacWebLightRequest *request,
                             JsonObject           *state,
                             LilacWebSlots        *slots)
{
  const LilacWebLanguage *language = request->language;
  JsonArray *requests = lilac_web_light_json_array (state, "requests");
  JsonArray *transfers = lilac_web_light_json_array (state, "transfers");
  guint n_requests = requests != NULL ? json_array_get_length (requests) : 0;
  guint n_offers = lilac_web_light_files_count_offers (transfers);
  LilacWebHtml *html = lilac_web_html_new ();
  g_autofree char *requests_text = NULL;
  g_autofree char *files_text = NULL;

  if (n_requests > 0 || n_offers > 0)
    lilac_web_slots_take_html (slots, "waiting",
                               lilac_web_light_home_waiting (request, n_requests, n_offers));
  /* TRANSLATORS: a link to the requests (buddy authorizations, certificates) */
  requests_text = g_strdup_printf (_("Requests (%u)"), n_requests);
  lilac_web_light_home_append_link (html, LILAC_WEB_LIGHT_PREFIX "/requests", requests_text);
  /* TRANSLATORS: a link to the file transfers */
  files_text = g_strdup_printf (_("Files (%u)"),
                                transfers != NULL ? json_array_get_length (transfers) : 0);
  lilac_web_light_home_append_link (html, LILAC_WEB_LIGHT_PREFIX "/files", files_text);
  lilac_web_slots_take_html (slots, "links", html);
}

/* the first accounts, and a link to them all when there are more */
static void
lilac_web_light_home_accounts (LilacWebLightRequest *request,
                               JsonArray            *accounts,
                               unsigned              level,
                               LilacWebSlots        *slots)
{
  const LilacWebLanguage *language = request->language;
  guint n_accounts = accounts != NULL ? json_array_get_length (accounts) : 0;

  lilac_web_slots_take_html (slots, "accounts",
                             lilac_web_light_accounts_list (request, accounts, 0,
                                                            LILAC_WEB_LIGHT_HOME_ACCOUNTS, level));
  if (n_accounts > LILAC_WEB_LIGHT_HOME_ACCOUNTS)
    {
      /* TRANSLATORS: a link to the page that lists all the user's IM accounts */
      g_autofree char *text = g_strdup_printf (_("All accounts (%u)"), n_accounts);

      lilac_web_slots_take_html (slots, "all_accounts",
                                 lilac_web_light_link_paragraph (LILAC_WEB_LIGHT_PREFIX "/accounts",
                                                                 text));
    }
}

static LilacWebHtml *
lilac_web_light_home_render (LilacWebLightRequest *request,
                             unsigned              level,
                             gpointer              user_data)
{
  const LilacWebLanguage *language = request->language;
  JsonObject *state = user_data;
  JsonObject *presence = lilac_web_light_json_object (state, "presence");
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  LilacWebHtml *html = lilac_web_html_new ();

  lilac_web_light_slots_set_csrf (slots, request);
  lilac_web_slots_take_html (slots, "statuses",
                             lilac_web_light_presence_options (language,
                                                               lilac_web_light_json_string (presence,
                                                                                            "status")));
  lilac_web_slots_set_text (slots, "message", lilac_web_light_json_string (presence, "message"));
  lilac_web_slots_set_text (slots, "l_status", _("Status"));
  lilac_web_slots_set_text (slots, "l_message", _("Message"));
  lilac_web_slots_set_text (slots, "l_set", _("Set"));
  lilac_web_slots_set_text (slots, "l_conversations", _("Conversations"));
  lilac_web_slots_set_text (slots, "l_accounts", _("Accounts"));
  lilac_web_slots_set_text (slots, "l_logout", _("Log out"));
  lilac_web_light_home_conversations (request, lilac_web_light_json_array (state, "conversations"),
                                      level, slots);
  lilac_web_light_home_counts (request, state, slots);
  lilac_web_light_home_accounts (request, lilac_web_light_json_array (state, "accounts"), level,
                                 slots);
  lilac_web_template_append ("home", slots, html);
  return html;
}

static void
lilac_web_light_home_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_auto(LilacWebLightPage) page = { _("Home"), NULL };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);

  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  if (g_strcmp0 (lilac_web_light_request_get_query (request, "done"), "presence") == 0)
    page.notice = lilac_web_light_notice (_("Your status is set."));
  page.body = lilac_web_light_fit (request, LILAC_WEB_LIGHT_HOME_BUDGET,
                                   G_N_ELEMENTS (lilac_web_light_home_lengths),
                                   lilac_web_light_home_render, state);
  lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
}

static void
lilac_web_light_presence_post (LilacWebLightRequest *request)
{
  g_autoptr(GError) local_error = NULL;

  if (!lilac_im_session_set_presence (request->session,
                                      lilac_web_light_request_get_field (request, "status"),
                                      lilac_web_light_request_get_field (request, "message"),
                                      &local_error))
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  lilac_web_light_request_redirect (request, LILAC_WEB_LIGHT_PREFIX "/?done=presence");
}

const LilacWebLightRoute lilac_web_light_routes_home[] = {
  { "GET", "/", lilac_web_light_home_get, LILAC_WEB_LIGHT_LOGIN },
  { "POST", "/presence", lilac_web_light_presence_post, LILAC_WEB_LIGHT_LOGIN | LILAC_WEB_LIGHT_FORM,
    lilac_web_light_presence_fields },
  { NULL }
};
