/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The user's IM accounts in the light view, with their network and status:
 * the first few on the home page, all of them, twenty a page, on their own.
 */
#include "config.h"

#include "lilac-web-light-private.h"
#include "lilac-web-server-private.h"

#define LILAC_WEB_LIGHT_ACCOUNTS_PAGE_SIZE 20
#define LILAC_WEB_LIGHT_ACCOUNTS_BUDGET 6400    /* bytes of HTML for the list of a page */

static const LilacWebLightLabel lilac_web_light_account_statuses[] = {
  { "offline", N_("offline") },
  { "connecting", N_("connecting") },
  { "online", N_("online") },
  { "error", N_("error") },
};

/* the most characters of an account's name and of its error, at each level of shortening */
static const glong lilac_web_light_account_lengths[][2] = { { 64, 120 }, { 32, 40 }, { 16, 0 } };

/* the protocol's name (XMPP, IRC, ...) from the protocol list, else its id */
static const char *
lilac_web_light_account_protocol_name (LilacWebLightRequest *request,
                                       const char           *id)
{
  LilacProtocols *protocols = lilac_im_manager_get_protocols (request->server->manager);
  JsonArray *list = lilac_protocols_get_list (protocols);

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *protocol = json_array_get_object_element (list, i);

      if (g_str_equal (lilac_web_light_json_string (protocol, "id"), id))
        return lilac_web_light_json_string (protocol, "name");
    }
  return id;
}

static void
lilac_web_light_account_append (LilacWebLightRequest *request,
                                JsonObject           *account,
                                unsigned              level,
                                LilacWebHtml         *items)
{
  const LilacWebLanguage *language = request->language;
  const char *protocol = lilac_web_light_json_string (account, "protocol");
  const char *status = lilac_web_light_json_string (account, "status");
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  g_autofree char *name = NULL;
  g_autofree char *error = NULL;

  level = MIN (level, G_N_ELEMENTS (lilac_web_light_account_lengths) - 1);
  name = lilac_web_light_shorten (lilac_web_light_json_string (account, "username"),
                                  lilac_web_light_account_lengths[level][0]);
  error = lilac_web_light_shorten (lilac_web_light_json_string (account, "error"),
                                   lilac_web_light_account_lengths[level][1]);
  lilac_web_slots_set_text (slots, "name", name);
  lilac_web_slots_set_text (slots, "protocol",
                            lilac_web_light_account_protocol_name (request, protocol));
  lilac_web_slots_set_text (slots, "status",
                            lilac_web_light_label (language, lilac_web_light_account_statuses,
                                                   G_N_ELEMENTS (lilac_web_light_account_statuses),
                                                   status));
  if (error[0] != '\0')
    lilac_web_slots_set_printf (slots, "error", " (%s)", error);
  lilac_web_template_append ("home-account", slots, items);
}

/**
 * lilac_web_light_accounts_list:
 * @accounts: (nullable): the `accounts` of /state
 * @first: the first to show
 * @count: how many to show at most
 * @level: how much to shorten their names (see lilac_web_light_fit())
 *
 * Returns: (transfer full): the accounts as a list, or a paragraph saying
 *   that there are none
 */
LilacWebHtml *
lilac_web_light_accounts_list (LilacWebLightRequest *request,
                               JsonArray            *accounts,
                               guint                 first,
                               guint                 count,
                               unsigned              level)
{
  const LilacWebLanguage *language = request->language;
  LilacWebHtml *items = lilac_web_html_new ();
  guint n_accounts = accounts != NULL ? json_array_get_length (accounts) : 0;

  if (n_accounts == 0)
    {
      lilac_web_html_free (items);
      return lilac_web_light_paragraph (_("No IM accounts yet: add one in the full page."));
    }
  for (guint i = first; i < n_accounts && i - first < count; i++)
    lilac_web_light_account_append (request, json_array_get_object_element (accounts, i), level,
                                    items);
  return lilac_web_light_list (items);
}

typedef struct {
  JsonArray *accounts;       /* (unowned) */
  guint first;
} LilacWebLightAccountsPage;

static LilacWebHtml *
lilac_web_light_accounts_render (LilacWebLightRequest *request,
                                 unsigned              level,
                                 gpointer              user_data)
{
  LilacWebLightAccountsPage *shown = user_data;

  return lilac_web_light_accounts_list (request, shown->accounts, shown->first,
                                        LILAC_WEB_LIGHT_ACCOUNTS_PAGE_SIZE, level);
}

static void
lilac_web_light_accounts_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_auto(LilacWebLightPage) page = { _("Accounts"), lilac_web_html_new () };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);
  JsonArray *accounts = lilac_web_light_json_array (state, "accounts");
  unsigned number = lilac_web_light_page_number (request);
  LilacWebLightAccountsPage shown = { accounts, (number - 1) * LILAC_WEB_LIGHT_ACCOUNTS_PAGE_SIZE };
  guint n_accounts = accounts != NULL ? json_array_get_length (accounts) : 0;

  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  lilac_web_html_append_owned (page.body,
                               lilac_web_light_fit (request, LILAC_WEB_LIGHT_ACCOUNTS_BUDGET,
                                                    G_N_ELEMENTS (lilac_web_light_account_lengths),
                                                    lilac_web_light_accounts_render, &shown));
  lilac_web_html_append_owned (page.body,
                               lilac_web_light_pager (request, LILAC_WEB_LIGHT_PREFIX "/accounts",
                                                      number,
                                                      n_accounts >
                                                        shown.first + LILAC_WEB_LIGHT_ACCOUNTS_PAGE_SIZE));
  lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
}

const LilacWebLightRoute lilac_web_light_routes_accounts[] = {
  { "GET", "/accounts", lilac_web_light_accounts_get, LILAC_WEB_LIGHT_LOGIN },
  { NULL }
};
