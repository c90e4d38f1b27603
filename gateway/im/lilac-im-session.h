/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * One active user's IM session: the state mirror, the event stream and the
 * worker that runs the user's IM accounts.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lilac-event-queue.h"
#include "lilac-history-export.h"
#include "lilac-im-manager.h"

G_BEGIN_DECLS

#define LILAC_TYPE_IM_SESSION (lilac_im_session_get_type ())
G_DECLARE_FINAL_TYPE (LilacImSession, lilac_im_session, LILAC, IM_SESSION, GObject)

LilacImSession  *lilac_im_session_new (LilacImManager  *manager,
                                       const LilacUser *user,
                                       LilacKey        *data_key);
void             lilac_im_session_start (LilacImSession *self);
void             lilac_im_session_stop (LilacImSession *self);
gint64           lilac_im_session_get_user_id (LilacImSession *self);
const LilacUser *lilac_im_session_get_user (LilacImSession *self);
LilacEventQueue *lilac_im_session_get_queue (LilacImSession *self);
const char      *lilac_im_session_get_worker_state (LilacImSession *self);
int              lilac_im_session_get_worker_pid (LilacImSession *self);

JsonObject      *lilac_im_session_get_state (LilacImSession *self,
                                             GError        **error);
JsonArray       *lilac_im_session_list_accounts (LilacImSession *self,
                                                 GError        **error);
JsonObject      *lilac_im_session_get_account (LilacImSession *self,
                                               const char     *account_id,
                                               GError        **error);
JsonObject      *lilac_im_session_add_account (LilacImSession *self,
                                               const char     *protocol,
                                               const char     *username,
                                               const char     *password,
                                               const char     *alias,
                                               JsonObject     *options,
                                               gboolean        enabled,
                                               GError        **error);

/* a PATCH of an account: what is not set stays */
typedef struct {
  gboolean set_password;
  const char *password;      /* (nullable) with set_password: the new one, or none */
  const char *alias;         /* (nullable) */
  JsonObject *options;       /* (nullable) replaces all options */
  int enabled;               /* -1 unchanged, else FALSE or TRUE */
} LilacImAccountChanges;

JsonObject      *lilac_im_session_update_account (LilacImSession              *self,
                                                  const char                  *account_id,
                                                  const LilacImAccountChanges *changes,
                                                  GError                     **error);
gboolean         lilac_im_session_delete_account (LilacImSession *self,
                                                  const char     *account_id,
                                                  GError        **error);
JsonObject      *lilac_im_session_get_history (LilacImSession *self,
                                               const char     *conversation_id,
                                               gint64          before,
                                               unsigned        limit,
                                               GError        **error);

JsonObject      *lilac_im_session_search_history (LilacImSession *self,
                                                  const char     *query,
                                                  const char     *account_id,
                                                  gint64          before,
                                                  unsigned        limit,
                                                  GError        **error);
LilacHistoryExport *lilac_im_session_export_history (LilacImSession *self,
                                                     const char     *conversation_id,
                                                     const char     *format,
                                                     GError        **error);

void             lilac_im_session_send_message_async (LilacImSession     *self,
                                                      const char         *account_id,
                                                      const char         *to,
                                                      const char         *conversation_id,
                                                      const char         *text,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
char            *lilac_im_session_send_message_finish (LilacImSession *self,
                                                       GAsyncResult   *result,
                                                       GError        **error);
void             lilac_im_session_join_chat_async (LilacImSession     *self,
                                                   const char         *account_id,
                                                   const char         *room,
                                                   const char         *nick,
                                                   const char         *password,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
char            *lilac_im_session_join_chat_finish (LilacImSession *self,
                                                    GAsyncResult   *result,
                                                    GError        **error);

gboolean         lilac_im_session_finish_command (LilacImSession *self,
                                                  GAsyncResult   *result,
                                                  GError        **error);
gboolean         lilac_im_session_set_presence (LilacImSession *self,
                                                const char     *status,
                                                const char     *message,
                                                GError        **error);
void             lilac_im_session_add_buddy_async (LilacImSession     *self,
                                                   const char         *account_id,
                                                   const char         *name,
                                                   const char         *alias,
                                                   const char         *group,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
void             lilac_im_session_remove_buddy_async (LilacImSession     *self,
                                                      const char         *account_id,
                                                      const char         *name,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
void             lilac_im_session_get_buddy_info_async (LilacImSession     *self,
                                                        const char         *account_id,
                                                        const char         *name,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
gboolean         lilac_im_session_set_typing (LilacImSession *self,
                                              const char     *conversation_id,
                                              const char     *state,
                                              GError        **error);
gboolean         lilac_im_session_close_conversation (LilacImSession *self,
                                                      const char     *conversation_id,
                                                      GError        **error);
void             lilac_im_session_note_unread (LilacImSession *self,
                                               gint64          conversation_id,
                                               guint64         seq);
gboolean         lilac_im_session_mark_read (LilacImSession *self,
                                             const char     *conversation_id,
                                             guint64         seq,
                                             GError        **error);
void             lilac_im_session_answer_request_async (LilacImSession     *self,
                                                        const char         *request_id,
                                                        JsonNode           *action,
                                                        JsonObject         *fields,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
gboolean         lilac_im_session_check_settings (JsonObject *changes,
                                                  GError    **error);
void             lilac_im_session_apply_settings (LilacImSession *self,
                                                  JsonObject     *settings);
JsonObject      *lilac_im_session_get_settings (LilacImSession *self);
JsonObject      *lilac_im_session_update_settings (LilacImSession *self,
                                                   JsonObject     *changes,
                                                   GError        **error);
void             lilac_im_session_notify (LilacImSession *self,
                                          const char     *level,
                                          const char     *title,
                                          const char     *text);
void             lilac_im_session_touch (LilacImSession *self);
gint64           lilac_im_session_get_last_active (LilacImSession *self);
gboolean         lilac_im_session_is_always_on (LilacImSession *self);

JsonArray       *lilac_im_session_list_transfers (LilacImSession *self);
LilacTransfer   *lilac_im_session_open_transfer (LilacImSession *self,
                                                 const char     *transfer_id,
                                                 GError        **error);
gssize           lilac_im_session_read_transfer (LilacImSession *self,
                                                 gint64          transfer_id,
                                                 gint64          offset,
                                                 guint8         *buffer,
                                                 gsize           length,
                                                 GError        **error);
gboolean         lilac_im_session_act_on_transfer (LilacImSession *self,
                                                   const char     *transfer_id,
                                                   const char     *action,
                                                   GError        **error);
gint64           lilac_im_session_begin_upload (LilacImSession *self,
                                                const char     *account_id,
                                                const char     *to,
                                                const char     *name,
                                                gint64          size,
                                                GError        **error);
gboolean         lilac_im_session_upload_piece (LilacImSession *self,
                                                gint64          transfer_id,
                                                const guint8   *data,
                                                gsize           length,
                                                GError        **error);
void             lilac_im_session_abort_upload (LilacImSession *self,
                                                gint64          transfer_id);
JsonObject      *lilac_im_session_send_upload (LilacImSession *self,
                                               gint64          transfer_id,
                                               GError        **error);

G_END_DECLS
