/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * File transfers in the light view: offers waiting for an answer first,
 * each with a form to accept or refuse it; files on their way with their
 * progress as text and a form to stop them; received files with a link to
 * download them.
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-web-light-private.h"
#include "lilac-web-server-private.h"

#define LILAC_WEB_LIGHT_FILES_PAGE_SIZE 10
#define LILAC_WEB_LIGHT_FILES_BUDGET 5600       /* bytes of HTML for the list of a page */
#define LILAC_WEB_LIGHT_FILES_REFRESH_SECONDS 10

/* what a transfer's form can do: the name of the button pressed is the action */
static const struct {
  const char *action;
  const char *label;
  const char *done;
} lilac_web_light_file_actions[] = {
  { "accept", N_("Accept"), N_("The file is on its way.") },
  { "reject", N_("Refuse"), N_("The offer was refused.") },
  { "cancel", N_("Cancel"), N_("The transfer was stopped.") },
};

static const LilacWebFormField lilac_web_light_file_fields[] = {
  LILAC_WEB_LIGHT_CSRF_FIELD,
  { "accept", N_("Accept"), 256, 0 },
  { "reject", N_("Refuse"), 256, 0 },
  { "cancel", N_("Cancel"), 256, 0 },
  { NULL }
};

static const LilacWebLightLabel lilac_web_light_transfer_states[] = {
  { "pending", N_("waiting") },
  { "active", N_("in progress") },
  { "done", N_("done") },
  { "cancelled", N_("cancelled") },
  { "failed", N_("failed") },
};

/* the most characters of a file's name and of its peer's, at each level of shortening */
static const glong lilac_web_light_file_lengths[][2] = { { 60, 40 }, { 32, 24 }, { 16, 16 } };

/* ---------------------------------------------------------------- Helpers */

static gboolean
lilac_web_light_file_is_offer (JsonObject *transfer)
{
  return g_str_equal (lilac_web_light_json_string (transfer, "direction"), "in") &&
         g_str_equal (lilac_web_light_json_string (transfer, "state"), "pending");
}

/* a transfer on its way: accepted and moving, or offered to the peer */
static gboolean
lilac_web_light_file_is_moving (JsonObject *transfer)
{
  const char *state = lilac_web_light_json_string (transfer, "state");

  return g_str_equal (state, "active") ||
         (g_str_equal (state, "pending") && !lilac_web_light_file_is_offer (transfer));
}

/**
 * lilac_web_light_files_count_offers:
 * @transfers: (nullable): the `transfers` of /state
 *
 * Returns: how many files offered to the user wait for an answer
 */
guint
lilac_web_light_files_count_offers (JsonArray *transfers)
{
  guint count = 0;

  for (guint i = 0; transfers != NULL && i < json_array_get_length (transfers); i++)
    {
      if (lilac_web_light_file_is_offer (json_array_get_object_element (transfers, i)))
        count++;
    }
  return count;
}

/* offers first, then what moves, then the rest; the newest first in each */
static int
lilac_web_light_files_compare (gconstpointer a,
                               gconstpointer b)
{
  JsonObject *transfer_a = *(JsonObject **) a;
  JsonObject *transfer_b = *(JsonObject **) b;
  int rank_a = lilac_web_light_file_is_offer (transfer_a) ? 0
               : lilac_web_light_file_is_moving (transfer_a) ? 1 : 2;
  int rank_b = lilac_web_light_file_is_offer (transfer_b) ? 0
               : lilac_web_light_file_is_moving (transfer_b) ? 1 : 2;

  return rank_a - rank_b;
}

/* ------------------------------------------------------------------ Pages */

static LilacWebHtml *
lilac_web_light_file_form (LilacWebLightRequest *request,
                           JsonObject           *transfer)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  LilacWebHtml *buttons = lilac_web_html_new ();
  LilacWebHtml *html = lilac_web_html_new ();
  gboolean offer = lilac_web_light_file_is_offer (transfer);

  for (guint i = 0; i < G_N_ELEMENTS (lilac_web_light_file_actions); i++)
    {
      /* an offer is accepted or refused; a transfer on its way is cancelled */
      if (g_str_equal (lilac_web_light_file_actions[i].action, "cancel") != !offer)
        continue;
      lilac_web_light_append_button (buttons, lilac_web_light_file_actions[i].action,
                                     _(lilac_web_light_file_actions[i].label));
    }
  lilac_web_slots_set_printf (slots, "action", LILAC_WEB_LIGHT_PREFIX "/files/%s",
                              lilac_web_light_json_string (transfer, "id"));
  lilac_web_light_slots_set_csrf (slots, request);
  lilac_web_slots_take_html (slots, "buttons", buttons);
  lilac_web_template_append ("file-form", slots, html);
  return html;
}

/* ", 1.2 MB of 4.2 MB (28%)" */
static void
lilac_web_light_file_progress (LilacWebLightRequest *request,
                               JsonObject           *transfer,
                               LilacWebSlots        *slots)
{
  const LilacWebLanguage *language = request->language;
  gint64 size = MAX (lilac_web_light_json_int (transfer, "size"), 0);
  gint64 done = CLAMP (lilac_web_light_json_int (transfer, "done"), 0, size);
  g_autofree char *done_text = g_format_size ((guint64) done);
  g_autofree char *size_text = g_format_size ((guint64) size);
  /* TRANSLATORS: the bytes of a file received or sent so far, e.g. "1.2 MB of 4.2 MB" */
  g_autofree char *progress = g_strdup_printf (_("%s of %s"), done_text, size_text);

  lilac_web_slots_set_printf (slots, "progress", ", %s (%d%%)", progress,
                              size > 0 ? (int) (done * 100 / size) : 0);
}

static void
lilac_web_light_file_append (LilacWebLightRequest *request,
                             JsonObject           *transfer,
                             unsigned              level,
                             LilacWebHtml         *items)
{
  const LilacWebLanguage *language = request->language;
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  const char *state = lilac_web_light_json_string (transfer, "state");
  gboolean incoming = g_str_equal (lilac_web_light_json_string (transfer, "direction"), "in");
  g_autofree char *name = lilac_web_light_shorten (lilac_web_light_json_string (transfer, "filename"),
                                                   lilac_web_light_file_lengths[level][0]);
  g_autofree char *peer = lilac_web_light_shorten (lilac_web_light_json_string (transfer, "peer"),
                                                   lilac_web_light_file_lengths[level][1]);
  g_autofree char *size = g_format_size ((guint64) MAX (lilac_web_light_json_int (transfer, "size"), 0));

  lilac_web_slots_set_text (slots, "name", name);
  lilac_web_slots_set_text (slots, "size", size);
  /* TRANSLATORS: a file received from someone, or sent to someone */
  lilac_web_slots_set_printf (slots, "peer", incoming ? _("from %s") : _("to %s"), peer);
  lilac_web_slots_set_text (slots, "state",
                            lilac_web_light_label (language, lilac_web_light_transfer_states,
                                                   G_N_ELEMENTS (lilac_web_light_transfer_states),
                                                   state));
  if (g_str_equal (state, "active"))
    lilac_web_light_file_progress (request, transfer, slots);
  if (lilac_web_light_file_is_offer (transfer) || lilac_web_light_file_is_moving (transfer))
    lilac_web_slots_take_html (slots, "form", lilac_web_light_file_form (request, transfer));
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

static LilacWebHtml *
lilac_web_light_files_list (LilacWebLightRequest *request,
                            unsigned              level,
                            gpointer              user_data)
{
  LilacWebLightSlice *list = user_data;
  LilacWebHtml *items = lilac_web_html_new ();

  for (guint i = list->first;
       i < list->items->len && i < list->first + LILAC_WEB_LIGHT_FILES_PAGE_SIZE; i++)
    lilac_web_light_file_append (request, list->items->pdata[i], level, items);
  return lilac_web_light_list (items);
}

static LilacWebHtml *
lilac_web_light_files_notice (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  const char *done = lilac_web_light_request_get_query (request, "done");

  for (guint i = 0; done != NULL && i < G_N_ELEMENTS (lilac_web_light_file_actions); i++)
    {
      if (g_str_equal (done, lilac_web_light_file_actions[i].action))
        return lilac_web_light_notice (_(lilac_web_light_file_actions[i].done));
    }
  return NULL;
}

static void
lilac_web_light_files_get (LilacWebLightRequest *request)
{
  const LilacWebLanguage *language = request->language;
  g_auto(LilacWebLightPage) page = { _("Files"), lilac_web_html_new () };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) state = lilac_im_session_get_state (request->session, &local_error);
  g_autoptr(GPtrArray) transfers = g_ptr_array_new ();
  g_autofree char *refresh = lilac_web_light_request_get_cookie (request,
                                                                 LILAC_WEB_LIGHT_REFRESH_COOKIE);
  JsonArray *list = lilac_web_light_json_array (state, "transfers");
  unsigned number = lilac_web_light_page_number (request);
  LilacWebLightSlice shown = { transfers, (number - 1) * LILAC_WEB_LIGHT_FILES_PAGE_SIZE };

  if (state == NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  page.notice = lilac_web_light_files_notice (request);
  /* the newest first in /state, and after the sort in each rank */
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *transfer = json_array_get_object_element (list, i);

      g_ptr_array_add (transfers, transfer);
      if (lilac_web_light_file_is_moving (transfer) && g_strcmp0 (refresh, "off") != 0)
        page.refresh = LILAC_WEB_LIGHT_FILES_REFRESH_SECONDS;
    }
  g_ptr_array_sort (transfers, lilac_web_light_files_compare);
  if (transfers->len == 0)
    lilac_web_html_append_owned (page.body, lilac_web_light_paragraph (_("No files.")));
  else
    lilac_web_html_append_owned (page.body,
                                 lilac_web_light_fit (request, LILAC_WEB_LIGHT_FILES_BUDGET,
                                                      G_N_ELEMENTS (lilac_web_light_file_lengths),
                                                      lilac_web_light_files_list, &shown));
  lilac_web_html_append_owned (page.body,
                               lilac_web_light_pager (request, LILAC_WEB_LIGHT_PREFIX "/files", number,
                                                      transfers->len >
                                                        shown.first + LILAC_WEB_LIGHT_FILES_PAGE_SIZE));
  lilac_web_light_request_answer_page (request, SOUP_STATUS_OK, &page);
}

/* the one action of the button pressed, or NULL (and @error) */
static const char *
lilac_web_light_file_action (LilacWebLightRequest *request,
                             GError              **error)
{
  const LilacWebLanguage *language = request->language;
  const char *action = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (lilac_web_light_file_actions); i++)
    {
      if (lilac_web_light_request_get_field (request, lilac_web_light_file_actions[i].action) == NULL)
        continue;
      if (action != NULL)
        {
          action = NULL;
          break;
        }
      action = lilac_web_light_file_actions[i].action;
    }
  if (action == NULL)
    g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                         _("Press one of the buttons of the file."));
  return action;
}

/* the session's words are for the API: say the usual ones in the reader's language */
static void
lilac_web_light_files_translate_error (LilacWebLightRequest *request,
                                       GError              **error)
{
  const LilacWebLanguage *language = request->language;
  const char *text = NULL;
  int code = (*error)->code;

  if (g_error_matches (*error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND))
    text = _("There is no such file transfer.");
  else if (g_error_matches (*error, LILAC_ERROR, LILAC_ERROR_CONFLICT))
    text = _("This transfer was already answered, or is over.");
  if (text == NULL)
    return;
  g_clear_error (error);
  g_set_error_literal (error, LILAC_ERROR, code, text);
}

static void
lilac_web_light_files_post (LilacWebLightRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *location = NULL;
  const char *action = lilac_web_light_file_action (request, &local_error);

  if (action != NULL &&
      !lilac_im_session_act_on_transfer (request->session, request->params[0], action, &local_error))
    lilac_web_light_files_translate_error (request, &local_error);
  if (local_error != NULL)
    {
      lilac_web_light_request_answer_error (request, local_error);
      return;
    }
  location = g_strconcat (LILAC_WEB_LIGHT_PREFIX "/files?done=", action, NULL);
  lilac_web_light_request_redirect (request, location);
}

const LilacWebLightRoute lilac_web_light_routes_files[] = {
  { "GET", "/files", lilac_web_light_files_get, LILAC_WEB_LIGHT_LOGIN },
  { "POST", "/files/{}", lilac_web_light_files_post, LILAC_WEB_LIGHT_LOGIN | LILAC_WEB_LIGHT_FORM,
    lilac_web_light_file_fields },
  { NULL }
};
