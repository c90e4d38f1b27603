/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A conversation in the light view: the last messages, newest at the
 * bottom, with a link to older ones (the history); a send form that comes
 * back to the same page; a refresh link, and a meta refresh the reader can
 * turn off. A long message shows cut, with a link to read it all in parts,
 * so that no page grows past a few kilobytes.
 */
#include "config.h"

#include <string.h>

#include "lilac-error.h"
#include "lilac-web-light-private.h"
#include "lilac-web-server-private.h"

#define LILAC_WEB_LIGHT_MESSAGES 20
#define LILAC_WEB_LIGHT_MESSAGES_BUDGET 5600    /* bytes of HTML for the messages of a page */
#define LILAC_WEB_LIGHT_MESSAGE_SHOWN 600       /* bytes of a long message shown in the list */
#define LILAC_WEB_LIGHT_MESSAGE_PART 1000       /* bytes of a message on one page of its own */
#define LILAC_WEB_LIGHT_TEXT_MAX (16 * 1024)
#define LILAC_WEB_LIGHT_REFRESH_SECONDS 30

static const LilacWebFormField lilac_web_light_send_fields[] = {
  LILAC_WEB_LIGHT_CSRF_FIELD,
  { "text", N_("Message"), LILAC_WEB_LIGHT_TEXT_MAX,
    LILAC_WEB_FORM_REQUIRED | LILAC_WEB_FORM_MULTILINE },
  { NULL }
};

/* --------------------------------------------------------------- Helpers */

/* the conversation's entry in /state, for its title and topic */
static JsonObject *
lilac_web_light_conversation_find (JsonObject *state,
                                   const char *id)
{
  JsonArray *conversations = lilac_web_light_json_array (state, "conversations");

  for (guint i = 0; conversations != NULL && i < json_array_get_length (conversations); i++)
    {
      JsonObject *conversation = json_array_get_object_element (conversations, i);

      if (g_str_equal (lilac_web_light_json_string (conversation, "id"), id))
        return conversation;
    }
  return NULL;
}

static char *
lilac_web_light_conversation_title (LilacWebLightRequest *request,
                                    JsonObject           *conversation)
{
  const LilacWebLanguage *language = request->language;
  const char *title = lilac_web_light_json_string (conversation, "title");

  if (title[0] == '\0')
    title = lilac_web_light_json_string (conversation, "name");
  return lilac_web_light_shorten (title[0] != '\0' ? title : _("Conversation"), 48);
}

static char *
lilac_web_light_conversation_time (gint64 time_ms)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (time_ms / 1000);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (time == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (time) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (now))
    return g_date_time_format (time, "%H:%M");
  return g_date_time_format (time, "%Y-%m-%d %H:%M");
}

/* the length of the longest start of @text, at most @max bytes, that ends between characters */
static gsize
lilac_web_light_conversation_cut (const char *text,
                                  gsize       length,
                                  gsize       max)
{
  const char *end;

  if (length <= max)
    return length;
  end = g_utf8_find_prev_char (text, text + max + 1);
  return end != NULL ? (gsize) (end - text) : max;
}

static LilacWebHtml *
lilac_web_light_conversation_message (LilacWebLightRequest *request,
                                      JsonObject           *message)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  const char *text = lilac_web_light_json_string (message, "text");
  gsize length = strlen (text);
  gsize shown = lilac_web_light_conversation_cut (text, length, LILAC_WEB_LIGHT_MESSAGE_SHOWN);
  g_autofree char *time = lilac_web_light_conversation_time (lilac_web_light_json_int (message,
                                                                                      "time"));
  g_autofree char *from = lilac_web_light_shorten (lilac_web_light_json_string (message, "from"), 40);
  LilacWebHtml *html = lilac_web_html_new ();
  LilacWebHtml *body = lilac_web_html_new ();

  lilac_web_html_append_lines (body, text, shown);
  lilac_web_slots_take_html (slots, "text", body);
  lilac_web_slots_set_text (slots, "time", time);
  lilac_web_slots_set_text (slots, "from",
                            g_str_equal (lilac_web_light_json_string (message, "direction"), "out")
                              ? _("me") : from);
  if (shown < length)
    {
      g_autofree char *href = g_strdup_printf (LILAC_WEB_LIGHT_PREFIX "/c/%s/m/%" G_GINT64_FORMAT,
                                               request->params[0],
                                               lilac_web_light_json_int (message, "id"));
      LilacWebHtml *more = lilac_web_html_new ();

      lilac_web_html_append_text (more, "\xe2\x80\xa6 "); /* … */
      lilac_web_light_append_link (more, href, _("read all"));
      lilac_web_slots_take_html (slots, "more", more);
    }
  lilac_web_template_append (json_object_get_boolean_member_with_default (message, "system", FALSE)
                               ? "message-system" : "message-item",
                             slots, html);
  return html;
}

/* ----------------------------------------------------------- The messages */

/* the newest messages that fit the page, oldest first; *oldest: the first shown */
static LilacWebHtml *
lilac_web_light_conversation_messages (LilacWebLightRequest *request,
                                       JsonArray            *messages,
                                       gint64               *oldest,
                                       gboolean             *cut)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func ((GDestroyNotify) lilac_web_html_free);
  guint n_messages = messages != NULL ? json_array_get_length (messages) : 0;
  LilacWebHtml *html = lilac_web_html_new ();
  gsize total = 0;

  *oldest = 0;
  *cut = FALSE;
  for (guint i = n_messages; i > 0; i--)
    {
      JsonObject *message = json_array_get_object_element (messages, i - 1);
      LilacWebHtml *item = lilac_web_light_conversation_message (request, message);
      gsize length = lilac_web_html_get_length (item);

      if (shown->len > 0 && total + length > LILAC_WEB_LIGHT_MESSAGES_BUDGET)
        {
          lilac_web_html_free (item);
          *cut = TRUE;
          break;
        }
      total += length;
      g_ptr_array_add (shown, item);
      *oldest = lilac_web_light_json_int (message, "id");
    }
  for (guint i = shown->len; i > 0; i--)
    lilac_web_html_append_html (html, shown->pdata[i - 1]);
  return html;
}

static void
lilac_web_light_conversation_links (LilacWebLightRequest *request,
                                    LilacWebSlots        *slots,
                                    gint64                before,
                                    gint64                oldest,
                                    gboolean              older)
{
  const LilacWebLanguage *language = request->language;
  g_autofree char *here = g_strconcat (LILAC_WEB_LIGHT_PREFIX "/c/", request->params[0], NULL);
  g_autofree char *refresh = lilac_web_light_request_get_cookie (request,
                                                                 LILAC_WEB_LIGHT_REFRESH_COOKIE);
  gboolean automatic = g_strcmp0 (refresh, "off") != 0;
  g_autofree char *toggle = lilac_web_light_url (LILAC_WEB_LIGHT_PREFIX "/set", "refresh",
                                                 automatic ? "off" : "on", "back", here, NULL);
  LilacWebHtml *html = lilac_web_html_new ();

  if (older)
    {
      g_autofree char *before_text = g_strdup_printf ("%" G_GINT64_FORMAT, oldest);
      g_autofree char *href = lilac_web_light_url (here, "before", before_text, NULL);

      lilac_web_slots_take_html (slots, "older",
                                 lilac_web_light_link_paragraph (href, _("« Older messages")));
    }
  if (before > 0)
    lilac_web_slots_take_html (slots, "newest",
                               lilac_web_light_link_paragraph (here, _("Newest messages »")));
  lilac_web_slots_set_text (slots, "here", here);
  lilac_web_slots_set_text (slots, "l_refresh", _("Refresh"));
  lilac_web_light_append_link (html, toggle, automatic ? _("Turn automatic refresh off")
                                                       : _("Turn automatic refresh on"));
  lilac_web_slots_take_html (slots, "auto", html);
}

/* ------------------------------------------------------------------ Pages */

static gboolean
lilac_web_light_conversation_number (LilacWebLightRequest *request,
                                     const char           *text,
                                     gint64               *value)
{
  *value = 0;
  return text == NULL || g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, value, NULL);
}

static void
lilac_web_light_conversation_fill (LilacWebLightRequest *request,
                                   JsonObject           *conversation,
                                   JsonObject           *history,
                                   gint64                before,
                                   LilacWebSlots        *slots)
{
  const LilacWebLanguage *language = request->language;
  const char *topic = lilac_web_light_json_string (conversation, "topic");
  LilacWebHtml *messages;
  gint64 oldest = 0;
  gboolean cut = FALSE, more;
  g_autofree char *action = g_strconcat (LILAC_WEB_LIGHT_PREFIX "/c/", request->params[0], "/send",
                                         NULL);

  if (topic[0] != '\0')
    {
      g_autofree char *shown = lilac_web_light_shorten (topic, 120);

      lilac_web_slots_take_html (slots, "topic", lilac_web_light_paragraph (shown));
    }
  messages = lilac_web_light_conversation_messages (request,
                                                   lilac_web_light_json_array (history, "messages"),
                                                   &oldest, &cut);
  lilac_web_slots_take_html (slots, "messages", messages);
  more = json_object_get_boolean_member_with_default (history, "more", FALSE);
  lilac_web_light_conversation_links (request, slots, before, oldest, oldest > 0 && (cut || more));
  lilac_web_slots_set_text (slots, "action", action);
  lilac_web_light_slots_set_csrf (slots, request);
  lilac_web_slots_set_text (slots, "l_text", _("Message"));
  lilac_web_slots_set_text (slots, "l_send", _("Send"));
}

static void
lilac_web_light_conversation_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(JsonObject) history = NULL;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  g_autofree char *title = NULL;
  g_autofree char *refresh = lilac_web_light_request_get_cookie (request, LILAC_WEB_LIGHT_REFRESH_COOKIE);
  g_auto(LilacWebLightPage) page = { NULL, lilac_web_html_new () };
  gint64 before = 0;

  if (!lilac_web_light_conversation_number (request,
                                            lilac_web_light_request_get_query (request, "before"),
                                            &before))
    g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND,
                         _("There is no such page."));
  else
    history = lilac_im_session_get_history (request->session, request->params[0], before,
                                            LILAC_WEB_LIGHT_MESSAGES, &local_error);
  if (history != NULL)
    state = lilac_im_session_get_state (request->session, &local_error);
  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  /* the newest messages are read now that they are on the reader's screen */
  if (before == 0 && !lilac_im_session_mark_read (request->session, request->params[0], 0,
                                                  &local_error))
    g_debug ("marking conversation %s read: %s", request->params[0], local_error->message);
  title = lilac_web_light_conversation_title (request,
                                              lilac_web_light_conversation_find (state,
                                                                                 request->params[0]));
  page.title = title;
  if (before == 0 && g_strcmp0 (refresh, "off") != 0)
    page.refresh = LILAC_WEB_LIGHT_REFRESH_SECONDS;
  if (lilac_web_light_request_get_query (request, "sent") != NULL)
    page.notice = lilac_web_light_notice (_("Message sent."));
  lilac_web_light_conversation_fill (request,
                                     lilac_web_light_conversation_find (state, request->params[0]),
                                     history, before, slots);
  lilac_web_template_append ("conversation", slots, page.body);
  lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
}

static void
lilac_web_light_conversation_sent_cb (GObject      *source,
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
      location = g_strconcat (LILAC_WEB_LIGHT_PREFIX "/c/", request->params[0], "?sent=1", NULL);
      lilac_web_light_request_redirect (request, location);
    }
  lilac_web_light_request_resume (request);
}

static void
lilac_web_light_conversation_send (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  const char *text = lilac_web_light_request_get_field (request, "text");
  g_autoptr(GError) local_error = NULL;

  if (strlen (text) > request->server->settings.max_message)
    {
      g_set_error (&local_error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE,
                   _("“%s” is too long: at most %u bytes."), _("Message"),
                   (unsigned) request->server->settings.max_message);
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  lilac_web_light_request_pause (request);
  lilac_im_session_send_message_async (request->session, NULL, NULL, request->params[0], text, NULL,
                                       lilac_web_light_conversation_sent_cb,
                                       lilac_web_light_request_ref (request));
}

/* fills message-part with the ?page= part of @message's text */
static void
lilac_web_light_conversation_part (LilacWebLightRequest *request,
                                   JsonObject           *message,
                                   LilacWebSlots        *slots)
{
  const LilacWebLanguage *language = request->language;
  const char *text = lilac_web_light_json_string (message, "text");
  gsize length = strlen (text), offset = 0, part = 0;
  unsigned number = lilac_web_light_page_number (request);
  g_autofree char *time = lilac_web_light_conversation_time (lilac_web_light_json_int (message,
                                                                                      "time"));
  g_autofree char *from = lilac_web_light_shorten (lilac_web_light_json_string (message, "from"), 40);
  g_autofree char *back = g_strconcat (LILAC_WEB_LIGHT_PREFIX "/c/", request->params[0], NULL);
  g_autofree char *here = g_strconcat (back, "/m/", request->params[1], NULL);
  LilacWebHtml *body = lilac_web_html_new ();
  LilacWebHtml *pager;

  for (unsigned i = 1; i <= number && offset < length; i++)
    {
      offset += part;
      part = lilac_web_light_conversation_cut (text + offset, length - offset,
                                               LILAC_WEB_LIGHT_MESSAGE_PART);
    }
  lilac_web_html_append_lines (body, text + offset, MIN (part, length - offset));
  lilac_web_slots_take_html (slots, "text", body);
  lilac_web_slots_set_text (slots, "time", time);
  lilac_web_slots_set_text (slots, "from",
                            g_str_equal (lilac_web_light_json_string (message, "direction"), "out")
                              ? _("me") : from);
  pager = lilac_web_light_pager (request, here, number, offset + part < length);
  if (pager != NULL)
    lilac_web_slots_take_html (slots, "pager", pager);
  lilac_web_slots_set_text (slots, "back", back);
  lilac_web_slots_set_text (slots, "l_back", _("Back to the conversation"));
}

/* one part of a long message: a page of its own */
static void
lilac_web_light_conversation_message_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) history = NULL;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  g_auto(LilacWebLightPage) page = { _("Message"), lilac_web_html_new () };
  JsonArray *messages;
  JsonObject *message = NULL;
  gint64 id = 0;

  if (lilac_web_light_conversation_number (request, request->params[1], &id) && id < G_MAXINT64)
    history = lilac_im_session_get_history (request->session, request->params[0], id + 1, 1,
                                            &local_error);
  messages = lilac_web_light_json_array (history, "messages");
  if (messages != NULL && json_array_get_length (messages) == 1)
    message = json_array_get_object_element (messages, 0);
  if (message == NULL || lilac_web_light_json_int (message, "id") != id)
    {
      if (local_error == NULL)
        g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND,
                             _("There is no such message."));
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  lilac_web_light_conversation_part (request, message, slots);
  lilac_web_template_append ("message-part", slots, page.body);
  lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
}

const LilacWebLightRoute lilac_web_light_routes_conversation[] = {
  { "GET", "/c/{}", lilac_web_light_conversation_get, LILAC_WEB_LIGHT_LOGIN },
  { "POST", "/c/{}/send", lilac_web_light_conversation_send,
    LILAC_WEB_LIGHT_LOGIN | LILAC_WEB_LIGHT_FORM, lilac_web_light_send_fields },
  { "GET", "/c/{}/m/{}", lilac_web_light_conversation_message_get, LILAC_WEB_LIGHT_LOGIN },
  { NULL }
};
