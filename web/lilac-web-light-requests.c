/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * What waits for the user in the light view: requests from the IM networks
 * (a buddy asking for authorization, a certificate to accept, a question),
 * answered with one button per action, and file transfers, received files
 * with a link to download them.
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-web-light-private.h"
#include "lilac-web-server-private.h"

#define LILAC_WEB_LIGHT_REQUESTS_SHOWN 3
#define LILAC_WEB_LIGHT_ACTIONS_SHOWN 8
#define LILAC_WEB_LIGHT_TRANSFERS_SHOWN 15

static const LilacWebFormField lilac_web_light_answer_fields[] = {
  LILAC_WEB_LIGHT_CSRF_FIELD,
  { "action", N_("Answer"), 1024, LILAC_WEB_FORM_REQUIRED },
  { NULL }
};

static const struct {
  const char *state;
  const char *label;
} lilac_web_light_transfer_states[] = {
  { "pending", N_("waiting") },
  { "active", N_("in progress") },
  { "done", N_("done") },
  { "cancelled", N_("cancelled") },
  { "failed", N_("failed") },
};

/* ---------------------------------------------------------------- Requests */

static LilacWebHtml *
lilac_web_light_requests_buttons (JsonArray *actions)
{
  LilacWebHtml *buttons = lilac_web_html_new ();

  for (guint i = 0; actions != NULL && i < json_array_get_length (actions) &&
       i < LILAC_WEB_LIGHT_ACTIONS_SHOWN; i++)
    {
      JsonNode *node = json_array_get_element (actions, i);
      g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        continue;
      lilac_web_slots_set_text (slots, "label", json_node_get_string (node));
      lilac_web_template_append ("request-button", slots, buttons);
    }
  return buttons;
}

static void
lilac_web_light_requests_append (LilacWebLightRequest *request,
                                 JsonObject           *item,
                                 LilacWebHtml         *body)
{
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  g_autofree char *action = g_strconcat (LILAC_WEB_LIGHT_PREFIX "/requests/",
                                         lilac_web_light_json_string (item, "id"), NULL);
  g_autofree char *title = lilac_web_light_shorten (lilac_web_light_json_string (item, "title"), 80);
  g_autofree char *primary = lilac_web_light_shorten (lilac_web_light_json_string (item, "primary"),
                                                      300);
  g_autofree char *secondary = lilac_web_light_shorten (lilac_web_light_json_string (item,
                                                                                     "secondary"),
                                                        300);
  LilacWebHtml *lines = lilac_web_html_new ();

  lilac_web_html_append_lines (lines, secondary, -1);
  lilac_web_slots_set_text (slots, "action", action);
  lilac_web_slots_set_text (slots, "title", title[0] != '\0' ? title : "-");
  lilac_web_slots_set_text (slots, "primary", primary);
  lilac_web_slots_take_html (slots, "secondary", lines);
  lilac_web_slots_take_html (slots, "buttons",
                             lilac_web_light_requests_buttons (lilac_web_light_json_array (item,
                                                                                           "actions")));
  lilac_web_light_slots_set_csrf (slots, request);
  lilac_web_template_append ("request", slots, body);
}

static void
lilac_web_light_requests_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_auto(LilacWebLightPage) page = { _("Requests"), lilac_web_html_new () };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);
  JsonArray *requests = lilac_web_light_json_array (state, "requests");
  guint n_requests = requests != NULL ? json_array_get_length (requests) : 0;

  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  if (g_strcmp0 (lilac_web_light_request_get_query (request, "done"), "1") == 0)
    page.notice = lilac_web_light_notice (_("Your answer was sent."));
  if (n_requests == 0)
    lilac_web_html_append_owned (page.body,
                                 lilac_web_light_paragraph (_("Nothing waits for an answer.")));
  for (guint i = 0; i < n_requests && i < LILAC_WEB_LIGHT_REQUESTS_SHOWN; i++)
    lilac_web_light_requests_append (request, json_array_get_object_element (requests, i),
                                     page.body);
  if (n_requests > LILAC_WEB_LIGHT_REQUESTS_SHOWN)
    {
      g_autofree char *more = g_strdup_printf (_("%u more after these."),
                                               n_requests - LILAC_WEB_LIGHT_REQUESTS_SHOWN);

      lilac_web_html_append_owned (page.body, lilac_web_light_paragraph (more));
    }
  lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
}

static void
lilac_web_light_requests_answered_cb (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(LilacWebLightRequest) request = user_data;
  g_autoptr(GError) local_error = NULL;

  if (!lilac_im_session_finish_command (LILAC_IM_SESSION (source), result, &local_error))
    lilac_web_light_request_answer_error (request, local_error);
  else
    lilac_web_light_request_redirect (request, LILAC_WEB_LIGHT_PREFIX "/requests?done=1");
  lilac_web_light_request_resume (request);
}

static void
lilac_web_light_requests_post (LilacWebLightRequest *request)
{
  g_autoptr(JsonNode) action = json_node_new (JSON_NODE_VALUE);

  /* the button's label: the name of the action */
  json_node_set_string (action, lilac_web_light_request_get_field (request, "action"));
  lilac_web_light_request_pause (request);
  lilac_im_session_answer_request_async (request->session, request->params[0], action, NULL, NULL,
                                         lilac_web_light_requests_answered_cb,
                                         lilac_web_light_request_ref (request));
}

/* ------------------------------------------------------------------- Files */

static const char *
lilac_web_light_transfer_state (const LilacWebLanguage *language,
                                const char             *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (lilac_web_light_transfer_states); i++)
    {
      if (g_str_equal (state, lilac_web_light_transfer_states[i].state))
        return _(lilac_web_light_transfer_states[i].label);
    }
  return state;
}

static void
lilac_web_light_files_append (LilacWebLightRequest *request,
                              JsonObject           *transfer,
                              LilacWebHtml         *items)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  const char *state = lilac_web_light_json_string (transfer, "state");
  gboolean incoming = g_str_equal (lilac_web_light_json_string (transfer, "direction"), "in");
  g_autofree char *name = lilac_web_light_shorten (lilac_web_light_json_string (transfer, "filename"),
                                                   60);
  g_autofree char *peer = lilac_web_light_shorten (lilac_web_light_json_string (transfer, "peer"), 40);
  gint64 bytes = lilac_web_light_json_int (transfer, "size");
  g_autofree char *size = g_format_size ((guint64) MAX (bytes, 0));

  lilac_web_slots_set_text (slots, "name", name);
  lilac_web_slots_set_text (slots, "size", size);
  /* TRANSLATORS: a file received from someone, or sent to someone */
  lilac_web_slots_set_printf (slots, "peer", incoming ? _("from %s") : _("to %s"), peer);
  lilac_web_slots_set_text (slots, "state", lilac_web_light_transfer_state (language, state));
  if (incoming && g_str_equal (state, "done"))
    {
      g_autofree char *href = g_strconcat ("/api/v1/transfers/",
                                           lilac_web_light_json_string (transfer, "id"), "/content",
                                           NULL);
      LilacWebHtml *link = lilac_web_html_new ();

      lilac_web_html_append_text (link, " ");
      lilac_web_light_append_link (link, href, _("Download"));
      lilac_web_slots_take_html (slots, "link", link);
    }
  lilac_web_template_append ("file", slots, items);
}

static void
lilac_web_light_files_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_auto(LilacWebLightPage) page = { _("Files"), lilac_web_html_new () };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);
  JsonArray *transfers = lilac_web_light_json_array (state, "transfers");
  guint n_transfers = transfers != NULL ? json_array_get_length (transfers) : 0;
  g_autoptr(LilacWebHtml) items = lilac_web_html_new ();

  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  if (n_transfers == 0)
    {
      lilac_web_html_append_owned (page.body, lilac_web_light_paragraph (_("No files.")));
      lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
      return;
    }
  /* the newest last in /state: the newest are shown */
  for (guint i = n_transfers > LILAC_WEB_LIGHT_TRANSFERS_SHOWN
                   ? n_transfers - LILAC_WEB_LIGHT_TRANSFERS_SHOWN : 0;
       i < n_transfers; i++)
    lilac_web_light_files_append (request, json_array_get_object_element (transfers, i), items);
  lilac_web_html_append_owned (page.body, lilac_web_light_list (g_steal_pointer (&items)));
  lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
}

const LilacWebLightRoute lilac_web_light_routes_requests[] = {
  { "GET", "/requests", lilac_web_light_requests_get, LILAC_WEB_LIGHT_LOGIN },
  { "POST", "/requests/{}", lilac_web_light_requests_post,
    LILAC_WEB_LIGHT_LOGIN | LILAC_WEB_LIGHT_FORM, lilac_web_light_answer_fields },
  { "GET", "/files", lilac_web_light_files_get, LILAC_WEB_LIGHT_LOGIN },
  { NULL }
};
