/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The notify UI operations. Each notification becomes a notify event with
 * plain text, carrying the account when libpurple names one (user info,
 * search results, mail): a message or a formatted text as it is; a buddy's
 * user info as "Label: value" lines, sections set apart by their headers
 * and blank lines; search results as a table of tab-separated lines under
 * the column titles; new mail as a summary line per message; a link as its
 * address. No notification stays open: every operation returns no handle,
 * so libpurple closes it (and runs its callback) at once.
 */
#include "config.h"

#include "lilac-purple-notify.h"

#include "lilac-purple-accounts.h"
#include "lilac-purple-core.h"
#include "lilac-purple-markup.h"

static const char *
lilac_purple_notify_level (PurpleNotifyMsgType type)
{
  switch (type)
    {
    case PURPLE_NOTIFY_MSG_ERROR:
      return "error";
    case PURPLE_NOTIFY_MSG_WARNING:
      return "warning";
    default:
      return "info";
    }
}

/* libpurple's message notifications are plain text */
static char *
lilac_purple_notify_join (const char *primary,
                          const char *secondary)
{
  if (primary == NULL || *primary == '\0')
    return g_strdup (secondary != NULL ? secondary : "");
  if (secondary == NULL || *secondary == '\0')
    return g_strdup (primary);
  return g_strconcat (primary, "\n", secondary, NULL);
}

static PurpleAccount *
lilac_purple_notify_account (PurpleConnection *gc)
{
  return gc != NULL ? purple_connection_get_account (gc) : NULL;
}

static void *
lilac_purple_notify_message_cb (PurpleNotifyMsgType type,
                                const char         *title,
                                const char         *primary,
                                const char         *secondary)
{
  g_autofree char *text = lilac_purple_notify_join (primary, secondary);

  lilac_purple_notify_emit (NULL, lilac_purple_notify_level (type), title, text);
  return NULL;
}

static void *
lilac_purple_notify_formatted_cb (const char *title,
                                  const char *primary,
                                  const char *secondary,
                                  const char *text)
{
  g_autofree char *plain = lilac_purple_markup_to_plain (text);
  g_autofree char *heading = lilac_purple_notify_join (primary, secondary);
  g_autofree char *body = lilac_purple_notify_join (heading, plain);

  lilac_purple_notify_emit (NULL, "info", title, body);
  return NULL;
}

/* appends the plain text of a piece of libpurple's HTML, if any */
static void
lilac_purple_notify_append_plain (GString    *text,
                                  const char *html)
{
  g_autofree char *plain = html != NULL ? lilac_purple_markup_to_plain (html) : NULL;

  if (plain != NULL)
    g_string_append (text, plain);
}

/* "Label: value" lines; a header on a line of its own, a break as a blank line */
static char *
lilac_purple_notify_userinfo_text (PurpleNotifyUserInfo *user_info)
{
  GString *text = g_string_new (NULL);

  for (GList *l = purple_notify_user_info_get_entries (user_info); l != NULL; l = l->next)
    {
      PurpleNotifyUserInfoEntry *entry = l->data;
      const char *label = purple_notify_user_info_entry_get_label (entry);
      const char *value = purple_notify_user_info_entry_get_value (entry);

      if (text->len > 0)
        g_string_append_c (text, '\n');
      switch (purple_notify_user_info_entry_get_type (entry))
        {
        case PURPLE_NOTIFY_USER_INFO_ENTRY_SECTION_BREAK:
          break;
        case PURPLE_NOTIFY_USER_INFO_ENTRY_SECTION_HEADER:
          lilac_purple_notify_append_plain (text, label);
          break;
        case PURPLE_NOTIFY_USER_INFO_ENTRY_PAIR:
        default:
          if (label != NULL && *label != '\0')
            g_string_append_printf (text, "%s: ", label);
          lilac_purple_notify_append_plain (text, value);
          break;
        }
    }
  return g_string_free (text, FALSE);
}

static void *
lilac_purple_notify_userinfo_cb (PurpleConnection     *gc,
                                 const char           *who,
                                 PurpleNotifyUserInfo *user_info)
{
  g_autofree char *title = g_strdup_printf ("Info for %s", who != NULL ? who : "");
  g_autofree char *text = lilac_purple_notify_userinfo_text (user_info);

  lilac_purple_notify_emit (lilac_purple_notify_account (gc), "info", title, text);
  return NULL;
}

/* one line of cells, tab-separated */
static void
lilac_purple_notify_append_row (GString *text,
                                GList   *cells)
{
  for (GList *l = cells; l != NULL; l = l->next)
    {
      if (l != cells)
        g_string_append_c (text, '\t');
      g_string_append (text, l->data != NULL ? (const char *) l->data : "");
    }
  g_string_append_c (text, '\n');
}

static void *
lilac_purple_notify_searchresults_cb (PurpleConnection          *gc,
                                      const char                *title,
                                      const char                *primary,
                                      const char                *secondary,
                                      PurpleNotifySearchResults *results,
                                      gpointer                   user_data)
{
  g_autofree char *heading = lilac_purple_notify_join (primary, secondary);
  GString *text = g_string_new (heading);
  g_autoptr(GList) titles = NULL;
  guint columns = purple_notify_searchresults_get_columns_count (results);
  guint rows = purple_notify_searchresults_get_rows_count (results);
  g_autofree char *body = NULL;

  for (guint i = 0; i < columns; i++)
    titles = g_list_append (titles, (gpointer) purple_notify_searchresults_column_get_title (results, i));
  if (text->len > 0)
    g_string_append_c (text, '\n');
  lilac_purple_notify_append_row (text, titles);
  for (guint i = 0; i < rows; i++)
    lilac_purple_notify_append_row (text, purple_notify_searchresults_row_get (results, i));
  body = g_string_free (text, FALSE);
  lilac_purple_notify_emit (lilac_purple_notify_account (gc), "info",
                            title != NULL ? title : "Search results", g_strchomp (body));
  return NULL;
}

static void *
lilac_purple_notify_emails_cb (PurpleConnection *gc,
                               size_t            count,
                               gboolean          detailed,
                               const char      **subjects,
                               const char      **froms,
                               const char      **tos,
                               const char      **urls)
{
  GString *text = g_string_new (NULL);
  g_autofree char *body = NULL;

  g_string_append_printf (text, "%" G_GSIZE_FORMAT " new message%s", count, count == 1 ? "" : "s");
  for (size_t i = 0; detailed && i < count; i++)
    g_string_append_printf (text, "\n%s%s%s", froms != NULL && froms[i] != NULL ? froms[i] : "",
                            subjects != NULL && subjects[i] != NULL ? ": " : "",
                            subjects != NULL && subjects[i] != NULL ? subjects[i] : "");
  if (urls != NULL && urls[0] != NULL)
    g_string_append_printf (text, "\n%s", urls[0]);
  body = g_string_free (text, FALSE);
  lilac_purple_notify_emit (lilac_purple_notify_account (gc), "info", "New mail", body);
  return NULL;
}

static void *
lilac_purple_notify_email_cb (PurpleConnection *gc,
                              const char       *subject,
                              const char       *from,
                              const char       *to,
                              const char       *url)
{
  return lilac_purple_notify_emails_cb (gc, 1, TRUE, &subject, &from, &to, &url);
}

static void *
lilac_purple_notify_uri_cb (const char *uri)
{
  lilac_purple_notify_emit (NULL, "info", "Link", uri);
  return NULL;
}

static PurpleNotifyUiOps lilac_purple_notify_ops = {
  .notify_message = lilac_purple_notify_message_cb,
  .notify_email = lilac_purple_notify_email_cb,
  .notify_emails = lilac_purple_notify_emails_cb,
  .notify_formatted = lilac_purple_notify_formatted_cb,
  .notify_searchresults = lilac_purple_notify_searchresults_cb,
  .notify_userinfo = lilac_purple_notify_userinfo_cb,
  .notify_uri = lilac_purple_notify_uri_cb,
};

/**
 * lilac_purple_notify_get_ui_ops:
 *
 * Returns: (transfer none): the notify UI operations
 */
PurpleNotifyUiOps *
lilac_purple_notify_get_ui_ops (void)
{
  return &lilac_purple_notify_ops;
}

/**
 * lilac_purple_notify_emit:
 * @account: (nullable): the account it is about, if any
 * @level: "info", "warning" or "error"
 * @title: (nullable): the title
 * @text: (nullable): the plain text
 *
 * Reports a notify event.
 */
void
lilac_purple_notify_emit (PurpleAccount *account,
                          const char    *level,
                          const char    *title,
                          const char    *text)
{
  g_autoptr(JsonObject) event = lilac_purple_event_new ("notify");
  const char *account_id = account != NULL ? lilac_purple_accounts_get_id (account) : NULL;

  if (account_id != NULL)
    json_object_set_string_member (event, "account", account_id);
  json_object_set_string_member (event, "level", level);
  json_object_set_string_member (event, "title", title != NULL ? title : "");
  json_object_set_string_member (event, "text", text != NULL ? text : "");
  lilac_purple_emit (event);
}
