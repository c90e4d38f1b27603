/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The export of one conversation's history, a page of messages at a time:
 * the answer streams out while the store is read forwards by message id.
 */
#include "config.h"

#include "lilac-history-export.h"

#include "lilac-json.h"

/* messages a piece: about 100 KB of JSON */
#define LILAC_HISTORY_EXPORT_PAGE 500

typedef enum {
  LILAC_HISTORY_EXPORT_STATE_START,
  LILAC_HISTORY_EXPORT_STATE_MESSAGES,
  LILAC_HISTORY_EXPORT_STATE_DONE,
} LilacHistoryExportState;

struct _LilacHistoryExport {
  LilacConversationStore *store;        /* (owned) */
  LilacConversation *conversation;      /* (owned) */
  LilacHistoryExportFormat format;
  LilacHistoryExportState state;
  gint64 after;                         /* the last message id written */
  char *filename;                       /* (owned) */
};

/**
 * lilac_history_export_new:
 * @store: the conversation store
 * @conversation: (transfer full): the conversation to export
 * @format: JSON (`{"conversation","messages"}` as in `GET /history`) or text
 *
 * Returns: (transfer full): an export that has not read anything yet
 */
LilacHistoryExport *
lilac_history_export_new (LilacConversationStore  *store,
                          LilacConversation       *conversation,
                          LilacHistoryExportFormat format)
{
  LilacHistoryExport *self = g_new0 (LilacHistoryExport, 1);

  self->store = g_object_ref (store);
  self->conversation = conversation;
  self->format = format;
  self->filename = g_strdup_printf ("lilac-conversation-%" G_GINT64_FORMAT ".%s", conversation->id,
                                    format == LILAC_HISTORY_EXPORT_JSON ? "json" : "txt");
  return self;
}

void
lilac_history_export_free (LilacHistoryExport *self)
{
  g_clear_object (&self->store);
  g_clear_pointer (&self->conversation, lilac_conversation_free);
  g_free (self->filename);
  g_free (self);
}

/**
 * lilac_history_export_get_filename:
 *
 * Returns: a file name for the download, made of the conversation's id only
 */
const char *
lilac_history_export_get_filename (LilacHistoryExport *self)
{
  return self->filename;
}

const char *
lilac_history_export_get_content_type (LilacHistoryExport *self)
{
  if (self->format == LILAC_HISTORY_EXPORT_JSON)
    return "application/json; charset=utf-8";
  return "text/plain; charset=utf-8";
}

static void
lilac_history_export_append_line (GString    *text,
                                  JsonObject *message)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (json_object_get_int_member (message, "time")
                                                             / 1000);
  g_autofree char *stamp = g_date_time_format (time, "%Y-%m-%d %H:%M:%S");

  if (json_object_get_boolean_member_with_default (message, "system", FALSE))
    g_string_append_printf (text, "[%s UTC] * %s\n", stamp,
                            json_object_get_string_member (message, "text"));
  else
    g_string_append_printf (text, "[%s UTC] %s: %s\n", stamp,
                            json_object_get_string_member (message, "from"),
                            json_object_get_string_member (message, "text"));
}

static void
lilac_history_export_append_start (LilacHistoryExport *self,
                                   GString            *piece)
{
  g_autoptr(JsonObject) conversation = NULL;
  g_autofree char *json = NULL;

  if (self->format == LILAC_HISTORY_EXPORT_TEXT)
    {
      g_string_append_printf (piece, "%s (%s)\n\n", self->conversation->title,
                              self->conversation->name);
      return;
    }
  conversation = lilac_conversation_to_json (self->conversation);
  json = lilac_json_object_to_string (conversation, NULL);
  g_string_append_printf (piece, "{\"conversation\":%s,\"messages\":[", json);
}

/* the next page of messages into piece; FALSE when there were none left */
static gboolean
lilac_history_export_append_page (LilacHistoryExport *self,
                                  GString            *piece,
                                  GError            **error)
{
  g_autoptr(JsonArray) page = lilac_conversation_store_list_messages_after (self->store,
                                                                            self->conversation,
                                                                            self->after,
                                                                            LILAC_HISTORY_EXPORT_PAGE,
                                                                            error);
  unsigned length;

  if (page == NULL)
    return FALSE;
  length = json_array_get_length (page);
  for (unsigned i = 0; i < length; i++)
    {
      JsonObject *message = json_array_get_object_element (page, i);
      g_autofree char *json = NULL;

      if (self->format == LILAC_HISTORY_EXPORT_TEXT)
        {
          lilac_history_export_append_line (piece, message);
          continue;
        }
      json = lilac_json_object_to_string (message, NULL);
      g_string_append_printf (piece, "%s%s", self->after > 0 || i > 0 ? "," : "", json);
    }
  if (length > 0)
    self->after = g_ascii_strtoll (json_object_get_string_member (json_array_get_object_element (page,
                                                                                                  length - 1),
                                                                  "id"), NULL, 10);
  return length > 0;
}

/**
 * lilac_history_export_next:
 * @self: an export
 * @error: return location for a #GError
 *
 * Reads the next piece of the export: the start, then a page of messages
 * at a time, then the end.
 *
 * Returns: (transfer full) (nullable): the next bytes, or %NULL when the
 *   export is complete (@error unset) or the store failed (@error set)
 */
GBytes *
lilac_history_export_next (LilacHistoryExport *self,
                           GError            **error)
{
  g_autoptr(GString) piece = g_string_new (NULL);
  GError *local_error = NULL;

  switch (self->state)
    {
    case LILAC_HISTORY_EXPORT_STATE_START:
      lilac_history_export_append_start (self, piece);
      self->state = LILAC_HISTORY_EXPORT_STATE_MESSAGES;
      break;
    case LILAC_HISTORY_EXPORT_STATE_MESSAGES:
      if (lilac_history_export_append_page (self, piece, &local_error))
        break;
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      self->state = LILAC_HISTORY_EXPORT_STATE_DONE;
      if (self->format == LILAC_HISTORY_EXPORT_JSON)
        g_string_append (piece, "]}\n");
      break;
    case LILAC_HISTORY_EXPORT_STATE_DONE:
    default:
      return NULL;
    }
  if (piece->len == 0)
    return NULL;
  return g_string_free_to_bytes (g_steal_pointer (&piece));
}
