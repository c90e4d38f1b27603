/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The notify UI operations. A message or a formatted text becomes a notify
 * event; the other kinds (user info, mail, search results, URIs) are not
 * reported yet. No notification stays open: every operation returns no
 * handle, so libpurple closes it (and runs its callback) at once.
 */
#include "config.h"

#include "lilac-purple-notify.h"

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

static void *
lilac_purple_notify_message_cb (PurpleNotifyMsgType type,
                                const char         *title,
                                const char         *primary,
                                const char         *secondary)
{
  g_autofree char *text = lilac_purple_notify_join (primary, secondary);

  lilac_purple_notify_emit (lilac_purple_notify_level (type), title, text);
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

  lilac_purple_notify_emit ("info", title, body);
  return NULL;
}

static PurpleNotifyUiOps lilac_purple_notify_ops = {
  .notify_message = lilac_purple_notify_message_cb,
  .notify_formatted = lilac_purple_notify_formatted_cb,
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
 * @level: "info", "warning" or "error"
 * @title: (nullable): the title
 * @text: (nullable): the plain text
 *
 * Reports a notify event.
 */
void
lilac_purple_notify_emit (const char *level,
                          const char *title,
                          const char *text)
{
  g_autoptr(JsonObject) event = lilac_purple_event_new ("notify");

  json_object_set_string_member (event, "level", level);
  json_object_set_string_member (event, "title", title != NULL ? title : "");
  json_object_set_string_member (event, "text", text != NULL ? text : "");
  lilac_purple_emit (event);
}
