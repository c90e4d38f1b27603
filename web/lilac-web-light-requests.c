/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Requests from the IM networks in the light view (a buddy asking for
 * authorization, a certificate to accept, a question), answered with one
 * button per action.
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-web-light-private.h"
#include "lilac-web-server-private.h"

#define LILAC_WEB_LIGHT_REQUESTS_SHOWN 3
#define LILAC_WEB_LIGHT_ACTIONS_SHOWN 8

static const LilacWebFormField lilac_web_light_answer_fields[] = {
  LILAC_WEB_LIGHT_CSRF_FIELD,
  { "action", N_("Answer"), 1024, LILAC_WEB_FORM_REQUIRED },
  { NULL }
};

static LilacWebHtml *
lilac_web_light_requests_buttons (JsonArray *actions)
{
  LilacWebHtml *buttons = lilac_web_html_new ();

  for (guint i = 0; actions != NULL && i < json_array_get_length (actions) &&
       i < LILAC_WEB_LIGHT_ACTIONS_SHOWN; i++)
    {
      JsonNode *node = json_array_get_element (actions, i);

      /* the button's label is the name of the action */
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        lilac_web_light_append_button (buttons, "action", json_node_get_string (node));
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

const LilacWebLightRoute lilac_web_light_routes_requests[] = {
  { "GET", "/requests", lilac_web_light_requests_get, LILAC_WEB_LIGHT_LOGIN },
  { "POST", "/requests/{}", lilac_web_light_requests_post,
    LILAC_WEB_LIGHT_LOGIN | LILAC_WEB_LIGHT_FORM, lilac_web_light_answer_fields },
  { NULL }
};
