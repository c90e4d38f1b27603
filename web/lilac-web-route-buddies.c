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

/* the "account" and the non-empty "name" of a body with only @allowed members */
static gboolean
lilac_web_route_buddies_read_person (LilacWebRequest   *request,
                                     const char *const *allowed,
                                     const char       **account,
                                     const char       **name,
                                     GError           **error)
{
  if (!lilac_json_check_members (request->body, allowed, error) ||
      (*account = lilac_json_get_string (request->body, "account", TRUE, 32, error)) == NULL ||
      (*name = lilac_json_get_string (request->body, "name", TRUE, 1024, error)) == NULL)
    return FALSE;
  if ((*name)[0] == '\0')
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the field \"name\" is empty");
      return FALSE;
    }
  return TRUE;
}

static void
lilac_web_route_buddies_add (LilacWebRequest *request)
{
  static const char *const allowed[] = { "account", "name", "alias", "group", NULL };
  g_autoptr(GError) local_error = NULL;
  const char *account = NULL, *name = NULL, *alias = NULL, *group = NULL;

  if (lilac_web_route_buddies_read_person (request, allowed, &account, &name, &local_error))
    {
      alias = lilac_json_get_string (request->body, "alias", FALSE, 256, &local_error);
      if (local_error == NULL)
        group = lilac_json_get_string (request->body, "group", FALSE, 256, &local_error);
    }
  if (local_error != NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  g_object_set_data (G_OBJECT (request->msg), "lilac-status",
                     GUINT_TO_POINTER (SOUP_STATUS_ACCEPTED));
  lilac_web_request_pause (request);
  lilac_im_session_add_buddy_async (request->session, account, name, alias, group, NULL,
                                    lilac_web_route_buddies_done_cb, lilac_web_request_ref (request));
}

static void
lilac_web_route_buddies_remove (LilacWebRequest *request)
{
  const char *account = lilac_web_request_get_query (request, "account");
  const char *name = lilac_web_request_get_query (request, "name");

  if (account == NULL || name == NULL || name[0] == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      lilac_web_response_error_literal (request->msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                                        "the parameters \"account\" and \"name\" are required");
      return;
    }
  g_object_set_data (G_OBJECT (request->msg), "lilac-status",
                     GUINT_TO_POINTER (SOUP_STATUS_NO_CONTENT));
  lilac_web_request_pause (request);
  lilac_im_session_remove_buddy_async (request->session, account, name, NULL,
                                       lilac_web_route_buddies_done_cb,
                                       lilac_web_request_ref (request));
}

/* POST /buddies/info {"account","name"}: 202; the answer comes as a notify event */
static void
lilac_web_route_buddies_info (LilacWebRequest *request)
{
  static const char *const allowed[] = { "account", "name", NULL };
  g_autoptr(GError) local_error = NULL;
  const char *account = NULL, *name = NULL;

  if (!lilac_web_route_buddies_read_person (request, allowed, &account, &name, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  g_object_set_data (G_OBJECT (request->msg), "lilac-status",
                     GUINT_TO_POINTER (SOUP_STATUS_ACCEPTED));
  lilac_web_request_pause (request);
  lilac_im_session_get_buddy_info_async (request->session, account, name, NULL,
                                         lilac_web_route_buddies_done_cb,
                                         lilac_web_request_ref (request));
}

static void
lilac_web_route_presence_set (LilacWebRequest *request)
{
  static const char *const allowed[] = { "status", "message", NULL };
  g_autoptr(GError) local_error = NULL;
  const char *status = NULL, *message = NULL;

  if (lilac_json_check_members (request->body, allowed, &local_error) &&
      (status = lilac_json_get_string (request->body, "status", TRUE, 16, &local_error)) != NULL)
    message = lilac_json_get_string (request->body, "message", FALSE, 1024, &local_error);
  if (local_error == NULL)
    lilac_im_session_set_presence (request->session, status, message, &local_error);
  if (local_error != NULL)
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
