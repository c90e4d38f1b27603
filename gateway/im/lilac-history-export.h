/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The export of one conversation's history (JSON or plain text), produced
 * a page of messages at a time so that a long history is never whole in
 * memory.
 */
#pragma once

#include <glib.h>

#include "lilac-conversation-store.h"

G_BEGIN_DECLS

typedef enum {
  LILAC_HISTORY_EXPORT_JSON,
  LILAC_HISTORY_EXPORT_TEXT,
} LilacHistoryExportFormat;

typedef struct _LilacHistoryExport LilacHistoryExport;

LilacHistoryExport *lilac_history_export_new (LilacConversationStore  *store,
                                              LilacConversation       *conversation,
                                              LilacHistoryExportFormat format);
void                lilac_history_export_free (LilacHistoryExport *self);
const char         *lilac_history_export_get_filename (LilacHistoryExport *self);
const char         *lilac_history_export_get_content_type (LilacHistoryExport *self);
GBytes             *lilac_history_export_next (LilacHistoryExport *self,
                                               GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacHistoryExport, lilac_history_export_free)

G_END_DECLS
