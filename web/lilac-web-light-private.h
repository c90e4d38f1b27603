/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * What the files of the light view share: the request a page handler gets,
 * the route tables of the page groups, and the ways to answer.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "lilac-im-session.h"
#include "lilac-login.h"
#include "lilac-web-form.h"
#include "lilac-web-language.h"
#include "lilac-web-light.h"
#include "lilac-web-template.h"

G_BEGIN_DECLS

#define LILAC_WEB_LIGHT_MAX_PARAMS 2
#define LILAC_WEB_LIGHT_SESSION_COOKIE "lilac_session"   /* the API's login cookie */
#define LILAC_WEB_LIGHT_REFRESH_COOKIE "lilac_refresh"   /* "off": no automatic refresh */
#define LILAC_WEB_LIGHT_CSRF_FIELD { "csrf", N_("Security token"), 128, 0 }

typedef struct {
  LilacWebServer *server;            /* (unowned) outlives its requests */
  SoupServerMessage *msg;            /* (owned) */
  char *path;                        /* (owned) below /m, e.g. "/c/12" */
  GHashTable *query;                 /* (owned) (nullable) */
  GHashTable *form;                  /* (owned) (nullable) a POST's fields */
  char *params[LILAC_WEB_LIGHT_MAX_PARAMS]; /* (owned) (nullable) the {} parts of the path */
  LilacLogin *login;                 /* (owned) (nullable) */
  LilacImSession *session;           /* (owned) (nullable) set with login */
  const LilacWebLanguage *language;  /* (unowned) the reader's */
  gboolean paused;
} LilacWebLightRequest;

typedef enum {
  LILAC_WEB_LIGHT_LOGIN = 1 << 0,    /* needs a login: without one, the login page */
  LILAC_WEB_LIGHT_FORM = 1 << 1,     /* a POST of a form with the login's csrf token */
} LilacWebLightFlags;

typedef void (*LilacWebLightHandler) (LilacWebLightRequest *request);

typedef struct {
  const char *method;
  const char *path;                  /* below /m; "{}" matches one segment */
  LilacWebLightHandler handler;
  LilacWebLightFlags flags;
  const LilacWebFormField *fields;   /* (nullable) what its form may send */
} LilacWebLightRoute;

/* each page group's table, in its lilac-web-light-*.c */
extern const LilacWebLightRoute lilac_web_light_routes_login[];
extern const LilacWebLightRoute lilac_web_light_routes_home[];
extern const LilacWebLightRoute lilac_web_light_routes_buddies[];
extern const LilacWebLightRoute lilac_web_light_routes_conversation[];
extern const LilacWebLightRoute lilac_web_light_routes_new[];
extern const LilacWebLightRoute lilac_web_light_routes_requests[];
extern const LilacWebLightRoute lilac_web_light_routes_files[];
extern const LilacWebLightRoute lilac_web_light_routes_accounts[];

/* a word of the API (a status, a state) and what the reader sees for it */
typedef struct {
  const char *key;
  const char *label;                 /* N_() English, translated when shown */
} LilacWebLightLabel;

/* the part of a sorted list that a page shows */
typedef struct {
  GPtrArray *items;                  /* (unowned) (element-type JsonObject) */
  guint first;
} LilacWebLightSlice;

/* the page a handler fills, then gives to lilac_web_light_request_answer_page() */
typedef struct {
  const char *title;                 /* (unowned) */
  LilacWebHtml *body;                /* (owned) */
  LilacWebHtml *notice;              /* (owned) (nullable) */
  int refresh;                       /* seconds of a meta refresh, 0 for none */
  gboolean no_nav;                   /* the login page has no links to pages behind it */
} LilacWebLightPage;

LilacWebLightRequest *lilac_web_light_request_new (LilacWebServer    *server,
                                                   SoupServerMessage *msg,
                                                   const char        *path);
LilacWebLightRequest *lilac_web_light_request_ref (LilacWebLightRequest *request);
void                  lilac_web_light_request_unref (LilacWebLightRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacWebLightRequest, lilac_web_light_request_unref)
void                  lilac_web_light_request_pause (LilacWebLightRequest *request);
void                  lilac_web_light_request_resume (LilacWebLightRequest *request);
const char           *lilac_web_light_request_get_query (LilacWebLightRequest *request,
                                                         const char           *name);
const char           *lilac_web_light_request_get_field (LilacWebLightRequest *request,
                                                         const char           *name);
const char           *lilac_web_light_request_get_header (LilacWebLightRequest *request,
                                                          const char           *name);
char                 *lilac_web_light_request_get_cookie (LilacWebLightRequest *request,
                                                          const char           *name);
const char           *lilac_web_light_request_get_csrf (LilacWebLightRequest *request);
char                 *lilac_web_light_request_get_here (LilacWebLightRequest *request);
void                  lilac_web_light_request_add_cookie (LilacWebLightRequest *request,
                                                          const char           *name,
                                                          const char           *value,
                                                          int                   max_age);

void                  lilac_web_light_page_clear (LilacWebLightPage *page);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LilacWebLightPage, lilac_web_light_page_clear)
void                  lilac_web_light_request_answer_page (LilacWebLightRequest *request,
                                                           unsigned              status,
                                                           LilacWebLightPage    *page);
void                  lilac_web_light_request_redirect (LilacWebLightRequest *request,
                                                        const char           *location);
void                  lilac_web_light_request_answer_message (LilacWebLightRequest *request,
                                                              unsigned              status,
                                                              const char           *title,
                                                              const char           *text);
void                  lilac_web_light_request_answer_error (LilacWebLightRequest *request,
                                                            const GError         *error);

/* pieces that several pages show, in lilac-web-light-parts.c */
void          lilac_web_light_slots_set_csrf (LilacWebSlots        *slots,
                                              LilacWebLightRequest *request);
char         *lilac_web_light_shorten (const char *text,
                                       glong       max_chars);
char         *lilac_web_light_url (const char *path,
                                   ...) G_GNUC_NULL_TERMINATED;
const char   *lilac_web_light_json_string (JsonObject *object,
                                           const char *member);
gint64        lilac_web_light_json_int (JsonObject *object,
                                        const char *member);
JsonArray    *lilac_web_light_json_array (JsonObject *object,
                                          const char *member);
JsonObject   *lilac_web_light_json_object (JsonObject *object,
                                           const char *member);
void          lilac_web_light_append_link (LilacWebHtml *out,
                                           const char   *href,
                                           const char   *text);
void          lilac_web_light_append_button (LilacWebHtml *out,
                                             const char   *name,
                                             const char   *label);
LilacWebHtml *lilac_web_light_link_paragraph (const char *href,
                                              const char *text);
LilacWebHtml *lilac_web_light_paragraph (const char *text);
LilacWebHtml *lilac_web_light_notice (const char *text);
LilacWebHtml *lilac_web_light_list (LilacWebHtml *items);
void          lilac_web_light_append_option (LilacWebHtml *out,
                                             const char   *value,
                                             const char   *text,
                                             gboolean      selected);
LilacWebHtml *lilac_web_light_account_options (JsonArray  *accounts,
                                               const char *selected);
unsigned      lilac_web_light_page_number (LilacWebLightRequest *request);
const char   *lilac_web_light_label (const LilacWebLanguage   *language,
                                     const LilacWebLightLabel *labels,
                                     guint                     n_labels,
                                     const char               *key);
const char   *lilac_web_light_presence_label (const LilacWebLanguage *language,
                                              const char             *status);
LilacWebHtml *lilac_web_light_presence_options (const LilacWebLanguage *language,
                                                const char             *current);
LilacWebHtml *lilac_web_light_pager (LilacWebLightRequest *request,
                                     const char           *path,
                                     unsigned              number,
                                     gboolean              more);

/* a part of a page, made with names and texts cut shorter at each higher level */
typedef LilacWebHtml *(*LilacWebLightRenderFunc) (LilacWebLightRequest *request,
                                                  unsigned              level,
                                                  gpointer              user_data);
LilacWebHtml *lilac_web_light_fit (LilacWebLightRequest   *request,
                                   gsize                   budget,
                                   unsigned                n_levels,
                                   LilacWebLightRenderFunc render,
                                   gpointer                user_data);

/* for the home page, in lilac-web-light-files.c and lilac-web-light-accounts.c */
guint         lilac_web_light_files_count_offers (JsonArray *transfers);
LilacWebHtml *lilac_web_light_accounts_list (LilacWebLightRequest *request,
                                             JsonArray            *accounts,
                                             guint                 first,
                                             guint                 count,
                                             unsigned              level);

G_END_DECLS
