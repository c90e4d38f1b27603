/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Routes as tables of {method, path, handler, flags}, the request each
 * handler gets, and the gate that checks logins and CSRF before a handler.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "lilac-im-session.h"
#include "lilac-login.h"

G_BEGIN_DECLS

typedef struct _LilacWebServer LilacWebServer;

#define LILAC_WEB_ROUTE_MAX_PARAMS 2

typedef struct {
  gint ref_count;
  LilacWebServer *server;          /* (unowned) outlives its requests */
  SoupServerMessage *msg;          /* (owned) */
  GHashTable *query;               /* (owned) (nullable) */
  char *params[LILAC_WEB_ROUTE_MAX_PARAMS]; /* (owned) (nullable) the {…} parts of the path */
  LilacLogin *login;               /* (owned) (nullable) set for LILAC_ROUTE_AUTH */
  LilacImSession *session;         /* (owned) (nullable) set for LILAC_ROUTE_AUTH */
  gboolean bearer;                 /* authenticated by a bearer token, not a cookie */
  JsonObject *body;                /* (owned) (nullable) set for LILAC_ROUTE_BODY */
  gboolean paused;
} LilacWebRequest;

typedef enum {
  LILAC_ROUTE_AUTH = 1 << 0,   /* a login is required */
  LILAC_ROUTE_CSRF = 1 << 1,   /* changes state: cookie logins must send X-Lilac-Csrf */
  LILAC_ROUTE_BODY = 1 << 2,   /* the body is a JSON object */
  LILAC_ROUTE_ADMIN = 1 << 3,  /* only administrators (implies AUTH) */
} LilacWebRouteFlags;

typedef void (*LilacWebHandler) (LilacWebRequest *request);

typedef struct {
  const char *method;
  const char *path;            /* segments; "{}" matches one segment, kept in params */
  LilacWebHandler handler;
  LilacWebRouteFlags flags;
} LilacWebRoute;

/* each resource group's table, in its lilac-web-route-*.c */
extern const LilacWebRoute lilac_web_routes_session[];
extern const LilacWebRoute lilac_web_routes_accounts[];
extern const LilacWebRoute lilac_web_routes_events[];
extern const LilacWebRoute lilac_web_routes_conversations[];
extern const LilacWebRoute lilac_web_routes_users[];
extern const LilacWebRoute lilac_web_routes_admin[];
extern const LilacWebRoute lilac_web_routes_buddies[];
extern const LilacWebRoute lilac_web_routes_requests[];
extern const LilacWebRoute lilac_web_routes_transfers[];

LilacWebRequest *lilac_web_request_new (LilacWebServer    *server,
                                        SoupServerMessage *msg);
LilacWebRequest *lilac_web_request_ref (LilacWebRequest *request);
void             lilac_web_request_unref (LilacWebRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacWebRequest, lilac_web_request_unref)
void             lilac_web_request_pause (LilacWebRequest *request);
void             lilac_web_request_resume (LilacWebRequest *request);
const char      *lilac_web_query_lookup (GHashTable *query,
                                         const char *name);
const char      *lilac_web_request_get_query (LilacWebRequest *request,
                                              const char      *name);
const char      *lilac_web_request_get_header (LilacWebRequest *request,
                                               const char      *name);

void             lilac_web_request_finish_error (LilacWebRequest *request,
                                                 const GError    *error);
void             lilac_web_request_finish_empty (LilacWebRequest *request,
                                                 unsigned         status);

gboolean         lilac_web_router_check (LilacWebRequest     *request,
                                         const LilacWebRoute *route,
                                         GError             **error);
void             lilac_web_route_transfers_early (LilacWebServer    *server,
                                                  SoupServerMessage *msg);
void             lilac_web_router_dispatch (LilacWebServer    *server,
                                            SoupServerMessage *msg,
                                            const char        *path);

G_END_DECLS
