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
#include "lilac-web-route-input.h"
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

/**
 * lilac_web_route_accounts_parse_new:
 *
 * Reads a `POST /accounts` body; the options are checked against the
 * protocol's when the account is added.
 */
gboolean
lilac_web_route_accounts_parse_new (JsonObject         *body,
                                    LilacWebNewAccount *account,
                                    GError            **error)
{
  static const char *const allowed[] = { "protocol", "username", "password", "alias", "options",
                                         "enabled", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (account->protocol = lilac_json_get_string (body, "protocol", TRUE, 128, error)) != NULL &&
         (account->username = lilac_json_get_text (body, "username", 1024, error)) != NULL &&
         lilac_json_get_optional_string (body, "password", 1024, &account->password, error) &&
         lilac_json_get_optional_string (body, "alias", 256, &account->alias, error) &&
         lilac_json_get_optional_object (body, "options", &account->options, error) &&
         lilac_json_get_bool (body, "enabled", TRUE, &account->enabled, error);
}

static void
lilac_web_route_accounts_create (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) account = NULL;
  LilacWebNewAccount given = { NULL };

  if (lilac_web_route_accounts_parse_new (request->body, &given, &local_error))
    account = lilac_im_session_add_account (request->session, given.protocol, given.username,
                                            given.password, given.alias, given.options,
                                            given.enabled, &local_error);
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

/**
 * lilac_web_route_accounts_parse_changes:
 *
 * Reads a `PATCH /accounts/{id}` body.
 */
gboolean
lilac_web_route_accounts_parse_changes (JsonObject            *body,
                                        LilacImAccountChanges *changes,
                                        GError               **error)
{
  static const char *const allowed[] = { "password", "alias", "options", "enabled", NULL };
  gboolean enabled = FALSE;

  changes->enabled = -1;
  changes->set_password = json_object_has_member (body, "password");
  if (!lilac_json_check_members (body, allowed, error) ||
      !lilac_json_get_optional_string (body, "password", 1024, &changes->password, error) ||
      !lilac_json_get_optional_string (body, "alias", 256, &changes->alias, error) ||
      !lilac_json_get_optional_object (body, "options", &changes->options, error))
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
