/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Starting a conversation in the light view: an IM with any name, or a
 * chat room (IRC channels, XMPP rooms, ...).
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-web-light-private.h"
#include "lilac-web-server-private.h"

static const LilacWebFormField lilac_web_light_im_fields[] = {
  LILAC_WEB_LIGHT_CSRF_FIELD,
  { "account", N_("Account"), 32, LILAC_WEB_FORM_REQUIRED },
  { "to", N_("To"), 1024, LILAC_WEB_FORM_REQUIRED },
  { "text", N_("Message"), 16 * 1024, LILAC_WEB_FORM_REQUIRED | LILAC_WEB_FORM_MULTILINE },
  { NULL }
};

static const LilacWebFormField lilac_web_light_join_fields[] = {
  LILAC_WEB_LIGHT_CSRF_FIELD,
  { "account", N_("Account"), 32, LILAC_WEB_FORM_REQUIRED },
  { "room", N_("Room"), 1024, LILAC_WEB_FORM_REQUIRED },
  { "nick", N_("Nick"), 256, 0 },
  { "password", N_("Room password"), 1024, 0 },
  { NULL }
};

static void
lilac_web_light_new_show (LilacWebLightRequest *request,
                          JsonObject           *state,
                          LilacWebHtml         *notice)
{
  const LilacWebLanguage *language = request->language;
  g_auto(LilacWebLightPage) page = { _("New chat"), lilac_web_html_new (), notice };
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  const char *account = lilac_web_light_request_get_query (request, "account");
  JsonArray *accounts = lilac_web_light_json_array (state, "accounts");
  g_autoptr(LilacWebHtml) options = lilac_web_light_account_options (accounts, account);

  if (lilac_web_html_get_length (options) == 0)
    {
      lilac_web_html_append_owned (page.body,
                                   lilac_web_light_paragraph (_("No IM account is enabled: add or "
                                                                "enable one in the full page.")));
      lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
      return;
    }
  lilac_web_light_slots_set_csrf (slots, request);
  lilac_web_slots_take_html (slots, "accounts_im", lilac_web_light_account_options (accounts, account));
  lilac_web_slots_take_html (slots, "accounts_chat", g_steal_pointer (&options));
  lilac_web_slots_set_text (slots, "to", lilac_web_light_request_get_query (request, "to"));
  lilac_web_slots_set_text (slots, "l_im", _("Send a message"));
  lilac_web_slots_set_text (slots, "l_chat", _("Join a chat room"));
  lilac_web_slots_set_text (slots, "l_account", _("Account"));
  lilac_web_slots_set_text (slots, "l_to", _("To (a buddy's name or address)"));
  lilac_web_slots_set_text (slots, "l_text", _("Message"));
  lilac_web_slots_set_text (slots, "l_send", _("Send"));
  lilac_web_slots_set_text (slots, "l_room", _("Room"));
  lilac_web_slots_set_text (slots, "l_nick", _("Nick (optional)"));
  lilac_web_slots_set_text (slots, "l_password", _("Room password (optional)"));
  lilac_web_slots_set_text (slots, "l_join", _("Join"));
  lilac_web_template_append ("new", slots, page.body);
  lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
}

static void
lilac_web_light_new_get (LilacWebLightRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);

  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  lilac_web_light_new_show (request, state, NULL);
}

/* the open IM of an account with a name, as the name is written there */
static const char *
lilac_web_light_new_find_im (JsonObject *state,
                             const char *account,
                             const char *to)
{
  JsonArray *conversations = lilac_web_light_json_array (state, "conversations");

  for (guint i = 0; conversations != NULL && i < json_array_get_length (conversations); i++)
    {
      JsonObject *conversation = json_array_get_object_element (conversations, i);

      if (g_str_equal (lilac_web_light_json_string (conversation, "type"), "im") &&
          g_strcmp0 (lilac_web_light_json_string (conversation, "account"), account) == 0 &&
          g_strcmp0 (lilac_web_light_json_string (conversation, "name"), to) == 0)
        return lilac_web_light_json_string (conversation, "id");
    }
  return NULL;
}

/* a buddy's link: the conversation with them when it is open, else the form to start it */
static void
lilac_web_light_im_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);
  const char *sent = lilac_web_light_request_get_query (request, "sent");
  const char *id;

  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  id = lilac_web_light_new_find_im (state, lilac_web_light_request_get_query (request, "account"),
                                    lilac_web_light_request_get_query (request, "to"));
  if (id != NULL)
    {
      g_autofree char *location = g_strconcat (LILAC_WEB_LIGHT_PREFIX "/c/", id,
                                               sent != NULL ? "?sent=1" : "", NULL);

      lilac_web_light_request_redirect (request, location);
      return;
    }
  lilac_web_light_new_show (request, state,
                            sent != NULL ? lilac_web_light_notice (_("Message sent.")) : NULL);
}

static void
lilac_web_light_im_sent_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(LilacWebLightRequest) request = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *location = NULL;

  id = lilac_im_session_send_message_finish (LILAC_IM_SESSION (source), result, &local_error);
  if (id == NULL)
    lilac_web_light_request_answer_error (request, local_error);
  else
    {
      location = lilac_web_light_url (LILAC_WEB_LIGHT_PREFIX "/im",
                                      "account", lilac_web_light_request_get_field (request, "account"),
                                      "to", lilac_web_light_request_get_field (request, "to"),
                                      "sent", "1", NULL);
      lilac_web_light_request_redirect (request, location);
    }
  lilac_web_light_request_resume (request);
}

static void
lilac_web_light_im_post (LilacWebLightRequest *request)
{
  lilac_web_light_request_pause (request);
  lilac_im_session_send_message_async (request->session,
                                       lilac_web_light_request_get_field (request, "account"),
                                       lilac_web_light_request_get_field (request, "to"), NULL,
                                       lilac_web_light_request_get_field (request, "text"), NULL,
                                       lilac_web_light_im_sent_cb,
                                       lilac_web_light_request_ref (request));
}

static void
lilac_web_light_join_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(LilacWebLightRequest) request = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *location = NULL;

  id = lilac_im_session_join_chat_finish (LILAC_IM_SESSION (source), result, &local_error);
  if (id == NULL)
    lilac_web_light_request_answer_error (request, local_error);
  else
    {
      location = g_strconcat (LILAC_WEB_LIGHT_PREFIX "/c/", id, NULL);
      lilac_web_light_request_redirect (request, location);
    }
  lilac_web_light_request_resume (request);
}

static const char *
lilac_web_light_join_optional (LilacWebLightRequest *request,
                               const char           *name)
{
  const char *value = lilac_web_light_request_get_field (request, name);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

static void
lilac_web_light_join_post (LilacWebLightRequest *request)
{
  lilac_web_light_request_pause (request);
  lilac_im_session_join_chat_async (request->session,
                                    lilac_web_light_request_get_field (request, "account"),
                                    lilac_web_light_request_get_field (request, "room"),
                                    lilac_web_light_join_optional (request, "nick"),
                                    lilac_web_light_join_optional (request, "password"), NULL,
                                    lilac_web_light_join_cb, lilac_web_light_request_ref (request));
}

const LilacWebLightRoute lilac_web_light_routes_new[] = {
  { "GET", "/new", lilac_web_light_new_get, LILAC_WEB_LIGHT_LOGIN },
  { "GET", "/im", lilac_web_light_im_get, LILAC_WEB_LIGHT_LOGIN },
  { "POST", "/im", lilac_web_light_im_post, LILAC_WEB_LIGHT_LOGIN | LILAC_WEB_LIGHT_FORM,
    lilac_web_light_im_fields },
  { "POST", "/join", lilac_web_light_join_post, LILAC_WEB_LIGHT_LOGIN | LILAC_WEB_LIGHT_FORM,
    lilac_web_light_join_fields },
  { NULL }
};
