/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * /buddies and /presence: the buddy list, what the server knows of someone,
 * and the user's own presence.
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-web-response.h"
#include "lilac-web-route-input.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"

static void
lilac_web_route_buddies_done_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LilacWebRequest) request = user_data;
  g_autoptr(GError) local_error = NULL;
  unsigned status = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (request->msg), "lilac-status"));

  if (!lilac_im_session_finish_command (LILAC_IM_SESSION (source), result, &local_error))
    {
      lilac_web_request_finish_error (request, local_error);
      return;
    }
  lilac_web_request_finish_empty (request, status);
}

/**
 * lilac_web_route_buddies_parse:
 *
 * Reads a `POST /buddies` body.
 */
gboolean
lilac_web_route_buddies_parse (JsonObject    *body,
                               LilacWebBuddy *buddy,
                               GError       **error)
{
  static const char *const allowed[] = { "account", "name", "alias", "group", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (buddy->account = lilac_json_get_string (body, "account", TRUE, 32, error)) != NULL &&
         (buddy->name = lilac_json_get_text (body, "name", 1024, error)) != NULL &&
         lilac_json_get_optional_string (body, "alias", 256, &buddy->alias, error) &&
         lilac_json_get_optional_string (body, "group", 256, &buddy->group, error);
}

static void
lilac_web_route_buddies_add (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebBuddy buddy = { NULL };

  if (!lilac_web_route_buddies_parse (request->body, &buddy, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  g_object_set_data (G_OBJECT (request->msg), "lilac-status",
                     GUINT_TO_POINTER (SOUP_STATUS_ACCEPTED));
  lilac_web_request_pause (request);
  lilac_im_session_add_buddy_async (request->session, buddy.account, buddy.name, buddy.alias,
                                    buddy.group, NULL, lilac_web_route_buddies_done_cb,
                                    lilac_web_request_ref (request));
}

/**
 * lilac_web_route_buddies_parse_info:
 *
 * Reads a `POST /buddies/info` body: only `account` and `name`.
 */
gboolean
lilac_web_route_buddies_parse_info (JsonObject    *body,
                                    LilacWebBuddy *buddy,
                                    GError       **error)
{
  static const char *const allowed[] = { "account", "name", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (buddy->account = lilac_json_get_string (body, "account", TRUE, 32, error)) != NULL &&
         (buddy->name = lilac_json_get_text (body, "name", 1024, error)) != NULL;
}

/* POST /buddies/info {"account","name"}: 202; the answer comes as a notify event */
static void
lilac_web_route_buddies_info (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebBuddy buddy = { NULL };

  if (!lilac_web_route_buddies_parse_info (request->body, &buddy, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  g_object_set_data (G_OBJECT (request->msg), "lilac-status",
                     GUINT_TO_POINTER (SOUP_STATUS_ACCEPTED));
  lilac_web_request_pause (request);
  lilac_im_session_get_buddy_info_async (request->session, buddy.account, buddy.name, NULL,
                                         lilac_web_route_buddies_done_cb,
                                         lilac_web_request_ref (request));
}

/**
 * lilac_web_route_buddies_parse_removal:
 *
 * Reads the query of a `DELETE /buddies`.
 */
gboolean
lilac_web_route_buddies_parse_removal (GHashTable  *query,
                                       const char **account,
                                       const char **name,
                                       GError     **error)
{
  *account = lilac_web_query_lookup (query, "account");
  *name = lilac_web_query_lookup (query, "name");
  if (*account == NULL || *name == NULL || (*name)[0] == '\0' || !g_utf8_validate (*name, -1, NULL))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the parameters \"account\" and \"name\" are required");
      return FALSE;
    }
  return TRUE;
}

static void
lilac_web_route_buddies_remove (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  const char *account = NULL, *name = NULL;

  if (!lilac_web_route_buddies_parse_removal (request->query, &account, &name, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  g_object_set_data (G_OBJECT (request->msg), "lilac-status",
                     GUINT_TO_POINTER (SOUP_STATUS_NO_CONTENT));
  lilac_web_request_pause (request);
  lilac_im_session_remove_buddy_async (request->session, account, name, NULL,
                                       lilac_web_route_buddies_done_cb,
                                       lilac_web_request_ref (request));
}

/**
 * lilac_web_route_presence_parse:
 *
 * Reads a `POST /presence` body (the session checks the status).
 */
gboolean
lilac_web_route_presence_parse (JsonObject       *body,
                                LilacWebPresence *presence,
                                GError          **error)
{
  static const char *const allowed[] = { "status", "message", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (presence->status = lilac_json_get_string (body, "status", TRUE, 16, error)) != NULL &&
         lilac_json_get_optional_string (body, "message", 1024, &presence->message, error);
}

static void
lilac_web_route_presence_set (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  LilacWebPresence presence = { NULL };

  if (!lilac_web_route_presence_parse (request->body, &presence, &local_error) ||
      !lilac_im_session_set_presence (request->session, presence.status, presence.message,
                                      &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_empty (request->msg, SOUP_STATUS_NO_CONTENT);
}

const LilacWebRoute lilac_web_routes_buddies[] = {
  { "POST", "/buddies", lilac_web_route_buddies_add,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "DELETE", "/buddies", lilac_web_route_buddies_remove, LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF },
  { "POST", "/buddies/info", lilac_web_route_buddies_info,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "POST", "/presence", lilac_web_route_presence_set,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { NULL }
};
