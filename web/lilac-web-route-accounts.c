/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * /protocols and /accounts: what networks Lilac speaks, and the user's IM
 * accounts on them.
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-web-response.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"

static void
lilac_web_route_protocols_list (LilacWebRequest *request)
{
  LilacProtocols *protocols = lilac_im_manager_get_protocols (request->server->manager);

  lilac_web_response_array (request->msg, SOUP_STATUS_OK, lilac_protocols_get_list (protocols));
}

static void
lilac_web_route_accounts_list (LilacWebRequest *request)
{
  g_autoptr(JsonArray) accounts = lilac_im_session_list_accounts (request->session, NULL);

  lilac_web_response_array (request->msg, SOUP_STATUS_OK, accounts);
}

static void
lilac_web_route_accounts_create (LilacWebRequest *request)
{
  static const char *const allowed[] = { "protocol", "username", "password", "alias", "options",
                                         "enabled", NULL };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) account = NULL;
  const char *protocol = NULL, *username = NULL, *password = NULL, *alias = NULL;
  JsonObject *options = NULL;
  gboolean enabled = TRUE;

  if (lilac_json_check_members (request->body, allowed, &local_error) &&
      (protocol = lilac_json_get_string (request->body, "protocol", TRUE, 128, &local_error)) != NULL &&
      (username = lilac_json_get_string (request->body, "username", TRUE, 1024, &local_error)) != NULL)
    {
      password = lilac_json_get_string (request->body, "password", FALSE, 1024, &local_error);
      if (local_error == NULL)
        alias = lilac_json_get_string (request->body, "alias", FALSE, 256, &local_error);
      if (local_error == NULL)
        options = lilac_json_get_object (request->body, "options", &local_error);
      if (local_error == NULL)
        lilac_json_get_bool (request->body, "enabled", TRUE, &enabled, &local_error);
      if (local_error == NULL && username[0] == '\0')
        g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                             "the field \"username\" is empty");
    }
  if (local_error == NULL)
    account = lilac_im_session_add_account (request->session, protocol, username, password, alias,
                                            options, enabled, &local_error);
  if (account == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_object (request->msg, SOUP_STATUS_CREATED, account);
}

static void
lilac_web_route_accounts_get (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) account = lilac_im_session_get_account (request->session,
                                                                request->params[0], &local_error);

  if (account == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_object (request->msg, SOUP_STATUS_OK, account);
}

static gboolean
lilac_web_route_accounts_parse_changes (JsonObject            *body,
                                        LilacImAccountChanges *changes,
                                        GError               **error)
{
  static const char *const allowed[] = { "password", "alias", "options", "enabled", NULL };
  gboolean enabled = FALSE;

  changes->enabled = -1;
  if (!lilac_json_check_members (body, allowed, error))
    return FALSE;
  changes->set_password = json_object_has_member (body, "password");
  changes->password = lilac_json_get_string (body, "password", FALSE, 1024, error);
  if (*error != NULL)
    return FALSE;
  changes->alias = lilac_json_get_string (body, "alias", FALSE, 256, error);
  if (*error != NULL)
    return FALSE;
  changes->options = lilac_json_get_object (body, "options", error);
  if (*error != NULL)
    return FALSE;
  if (json_object_has_member (body, "enabled"))
    {
      if (!lilac_json_get_bool (body, "enabled", FALSE, &enabled, error))
        return FALSE;
      changes->enabled = enabled;
    }
  return TRUE;
}

static void
lilac_web_route_accounts_update (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) account = NULL;
  LilacImAccountChanges changes = { 0 };

  if (lilac_web_route_accounts_parse_changes (request->body, &changes, &local_error))
    account = lilac_im_session_update_account (request->session, request->params[0], &changes,
                                               &local_error);
  if (account == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_object (request->msg, SOUP_STATUS_OK, account);
}

static void
lilac_web_route_accounts_delete (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;

  if (!lilac_im_session_delete_account (request->session, request->params[0], &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_empty (request->msg, SOUP_STATUS_NO_CONTENT);
}

const LilacWebRoute lilac_web_routes_accounts[] = {
  { "GET", "/protocols", lilac_web_route_protocols_list, LILAC_ROUTE_AUTH },
  { "GET", "/accounts", lilac_web_route_accounts_list, LILAC_ROUTE_AUTH },
  { "POST", "/accounts", lilac_web_route_accounts_create,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "GET", "/accounts/{}", lilac_web_route_accounts_get, LILAC_ROUTE_AUTH },
  { "PATCH", "/accounts/{}", lilac_web_route_accounts_update,
    LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "DELETE", "/accounts/{}", lilac_web_route_accounts_delete, LILAC_ROUTE_AUTH | LILAC_ROUTE_CSRF },
  { NULL }
};
