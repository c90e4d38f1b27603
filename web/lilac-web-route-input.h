/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The input checks of the API: one per route that takes a JSON body or
 * query parameters, each beside its handler, reading and checking them
 * without the server or a login, so that the fuzz targets
 * (tests/fuzz/fuzz-json-body.c, fuzz-query.c, fuzz-upload.c) drive the very
 * code the routes run. The strings and objects they give are the input's own.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "lilac-im-session.h"

G_BEGIN_DECLS

/* POST /session */
typedef struct {
  const char *username;
  const char *password;
} LilacWebCredentials;

/* POST /users */
typedef struct {
  const char *username;
  const char *password;
  gboolean admin;
} LilacWebNewUser;

/* PATCH /users/me */
typedef struct {
  const char *old_password;
  const char *password;
} LilacWebPasswordChange;

/* POST /accounts */
typedef struct {
  const char *protocol;
  const char *username;
  const char *password;      /* (nullable) */
  const char *alias;         /* (nullable) */
  JsonObject *options;       /* (nullable) */
  gboolean enabled;
} LilacWebNewAccount;

/* POST /messages: to an account's buddy, or in a conversation */
typedef struct {
  const char *account;       /* (nullable) */
  const char *to;            /* (nullable) */
  const char *conversation;  /* (nullable) */
  const char *text;
} LilacWebMessage;

/* POST /chats */
typedef struct {
  const char *account;
  const char *room;
  const char *nick;          /* (nullable) */
  const char *password;      /* (nullable) */
} LilacWebChat;

/* POST /typing */
typedef struct {
  const char *conversation;
  const char *state;
} LilacWebTyping;

/* POST /buddies */
typedef struct {
  const char *account;
  const char *name;
  const char *alias;         /* (nullable) */
  const char *group;         /* (nullable) */
} LilacWebBuddy;

/* POST /presence */
typedef struct {
  const char *status;
  const char *message;       /* (nullable) */
} LilacWebPresence;

/* POST /requests/{id} */
typedef struct {
  JsonNode *action;          /* an index or a name */
  JsonObject *fields;        /* (nullable) */
} LilacWebAnswer;

/* POST /admin/broadcast */
typedef struct {
  const char *title;
  const char *text;
  GArray *users;             /* (owned) (nullable) (element-type gint64) */
} LilacWebBroadcast;

/* GET /events */
typedef struct {
  guint64 since;             /* the caller's default: the newest seq */
  guint64 timeout;           /* seconds; the caller's default: the configured one */
  const char *epoch;         /* (nullable) */
} LilacWebPollQuery;

/* GET /history: a page of a conversation, or a search */
typedef struct {
  guint64 before;            /* a message id, 0: the newest */
  guint64 limit;
  const char *conversation;  /* (nullable) */
  const char *search;        /* (nullable) q */
  const char *account;       /* (nullable) limits a search */
} LilacWebHistoryQuery;

/* POST /transfers?account=ID&to=NAME&filename=F */
typedef struct {
  const char *account;
  const char *to;
  const char *filename;      /* (nullable) as given */
  gint64 length;             /* the Content-Length */
} LilacWebUploadQuery;

void lilac_web_broadcast_clear (LilacWebBroadcast *broadcast);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LilacWebBroadcast, lilac_web_broadcast_clear)

gboolean lilac_web_route_session_parse (JsonObject          *body,
                                        LilacWebCredentials *credentials,
                                        GError             **error);
gboolean lilac_web_route_users_parse_new (JsonObject      *body,
                                          LilacWebNewUser *user,
                                          GError         **error);
gboolean lilac_web_route_users_parse_password (JsonObject             *body,
                                               LilacWebPasswordChange *change,
                                               GError                **error);
gboolean lilac_web_route_accounts_parse_new (JsonObject         *body,
                                             LilacWebNewAccount *account,
                                             GError            **error);
gboolean lilac_web_route_accounts_parse_changes (JsonObject            *body,
                                                 LilacImAccountChanges *changes,
                                                 GError               **error);
gboolean lilac_web_route_messages_parse (JsonObject      *body,
                                         gsize            max_message,
                                         LilacWebMessage *message,
                                         GError         **error);
gboolean lilac_web_route_chats_parse (JsonObject   *body,
                                      LilacWebChat *chat,
                                      GError      **error);
gboolean lilac_web_route_typing_parse (JsonObject     *body,
                                       LilacWebTyping *typing,
                                       GError        **error);
gboolean lilac_web_route_read_parse (JsonObject *body,
                                     guint64    *seq,
                                     GError    **error);
gboolean lilac_web_route_buddies_parse (JsonObject    *body,
                                        LilacWebBuddy *buddy,
                                        GError       **error);
gboolean lilac_web_route_buddies_parse_info (JsonObject    *body,
                                             LilacWebBuddy *buddy,
                                             GError       **error);
gboolean lilac_web_route_presence_parse (JsonObject       *body,
                                         LilacWebPresence *presence,
                                         GError          **error);
gboolean lilac_web_route_requests_parse (JsonObject     *body,
                                         LilacWebAnswer *answer,
                                         GError        **error);
gboolean lilac_web_route_admin_parse_reset (JsonObject  *body,
                                            const char **password,
                                            GError     **error);
gboolean lilac_web_route_admin_parse_broadcast (JsonObject        *body,
                                                LilacWebBroadcast *broadcast,
                                                GError           **error);
gboolean lilac_web_route_transfers_parse_action (JsonObject  *body,
                                                 const char **action,
                                                 GError     **error);


gboolean lilac_web_route_events_parse (GHashTable        *query,
                                       guint64            timeout_max,
                                       LilacWebPollQuery *poll,
                                       GError           **error);
gboolean lilac_web_route_history_parse (GHashTable           *query,
                                        LilacWebHistoryQuery *history,
                                        GError              **error);
gboolean lilac_web_route_transfers_parse_upload (GHashTable          *query,
                                                 SoupMessageHeaders  *headers,
                                                 LilacWebUploadQuery *upload,
                                                 GError             **error);
gboolean lilac_web_route_buddies_parse_removal (GHashTable  *query,
                                                const char **account,
                                                const char **name,
                                                GError     **error);

G_END_DECLS
