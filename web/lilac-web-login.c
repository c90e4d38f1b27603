/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Logging in, shared by POST /api/v1/session and the light view's form, so
 * the two cannot drift: the same failure counters per user name and per
 * address (429 over the limit), the password checked off the main loop,
 * the login record, and the user's IM session started with the data key
 * the password opened. Also the route path matcher both routers use.
 */
#include "config.h"

#include "lilac-web-login.h"

#include <glib/gi18n.h>

#include "lilac-error.h"
#include "lilac-metrics.h"
#include "lilac-web-server-private.h"

/* a login attempt counted against the limits of its name and its address
 * from the moment it is taken until its password check ends */
typedef struct {
  char *name;               /* (owned) the name's key */
  char *address;            /* (owned) */
  gint64 name_stamp;
  gint64 address_stamp;
} LilacWebLoginSlot;

/* a login in progress, on its task */
typedef struct {
  SoupServerMessage *msg;   /* (owned) */
  char *username;           /* (owned) as typed */
  LilacWebLoginSlot *slot;  /* (owned) (nullable) */
} LilacWebLoginData;

#define LILAC_WEB_LOGIN_SLOT "lilac-login-slot"

static void
lilac_web_login_slot_free (LilacWebLoginSlot *slot)
{
  g_free (slot->name);
  g_free (slot->address);
  g_free (slot);
}

static void
lilac_web_login_data_free (LilacWebLoginData *data)
{
  g_clear_object (&data->msg);
  g_free (data->username);
  g_clear_pointer (&data->slot, lilac_web_login_slot_free);
  g_free (data);
}

static char *
lilac_web_login_name_key (const char *name)
{
  return g_utf8_casefold (name, -1);
}

/**
 * lilac_web_login_reserve:
 * @server: the server
 * @msg: the login request (gets a Retry-After header when refused)
 * @username: the name given
 *
 * Counts the attempt as a failure of the name and of the address, before
 * its password is checked: logins sent all at once cannot slip past the
 * limit while their checks run. An attempt whose password turns out right
 * is uncounted when its check ends.
 *
 * Returns: %FALSE when the name or the address had too many failed logins
 *   in the last minute; the caller answers 429
 */
gboolean
lilac_web_login_reserve (LilacWebServer    *server,
                         SoupServerMessage *msg,
                         const char        *username)
{
  LilacWebLoginSlot *slot = g_new0 (LilacWebLoginSlot, 1);

  slot->name = lilac_web_login_name_key (username);
  slot->address = lilac_web_server_get_client_address (server, msg);
  slot->name_stamp = lilac_rate_limit_reserve (server->name_failures, slot->name);
  if (slot->name_stamp != 0)
    slot->address_stamp = lilac_rate_limit_reserve (server->address_failures, slot->address);
  if (slot->address_stamp != 0)
    {
      /* an attempt never checked stays counted */
      g_object_set_data_full (G_OBJECT (msg), LILAC_WEB_LOGIN_SLOT, slot,
                              (GDestroyNotify) lilac_web_login_slot_free);
      return TRUE;
    }
  lilac_rate_limit_release (server->name_failures, slot->name, slot->name_stamp);
  lilac_web_login_slot_free (slot);
  lilac_metrics_add (LILAC_METRIC_RATE_LIMITED, 1);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "60");
  return FALSE;
}

/* the check ended: a wrong name or password stays counted, anything else is uncounted */
static void
lilac_web_login_settle (LilacWebServer    *server,
                        LilacWebLoginSlot *slot,
                        const GError      *error)
{
  gboolean failed = g_error_matches (error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED);

  if (failed)
    lilac_metrics_add (LILAC_METRIC_LOGIN_FAILURES, 1);
  if (slot == NULL || failed)
    return;
  lilac_rate_limit_release (server->name_failures, slot->name, slot->name_stamp);
  lilac_rate_limit_release (server->address_failures, slot->address, slot->address_stamp);
}

static void
lilac_web_login_checked_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LilacWebLoginData *data = g_task_get_task_data (task);
  LilacWebServer *server = g_task_get_source_object (task);
  g_autoptr(LilacKey) data_key = NULL;
  GError *local_error = NULL;
  LilacUser *user;

  user = lilac_user_store_authenticate_finish (LILAC_USER_STORE (source), result, &data_key,
                                               &local_error);
  lilac_web_login_settle (server, data->slot, local_error);
  if (user == NULL)
    {
      g_task_return_error (task, local_error);
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "lilac-data-key", g_steal_pointer (&data_key),
                          (GDestroyNotify) lilac_key_unref);
  g_task_return_pointer (task, user, (GDestroyNotify) lilac_user_free);
}

/**
 * lilac_web_login_async:
 * @server: the server
 * @msg: the login request
 * @username: the name given
 * @password: the password given
 * @callback: called when the password was checked
 * @user_data: data for @callback
 *
 * Checks a login, after lilac_web_login_reserve() counted it.
 */
void
lilac_web_login_async (LilacWebServer     *server,
                       SoupServerMessage  *msg,
                       const char         *username,
                       const char         *password,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  GTask *task = g_task_new (server, NULL, callback, user_data);
  LilacWebLoginData *data = g_new0 (LilacWebLoginData, 1);

  g_task_set_source_tag (task, lilac_web_login_async);
  data->msg = g_object_ref (msg);
  data->username = g_strdup (username);
  data->slot = g_object_steal_data (G_OBJECT (msg), LILAC_WEB_LOGIN_SLOT);
  g_task_set_task_data (task, data, (GDestroyNotify) lilac_web_login_data_free);
  lilac_user_store_authenticate_async (server->users, username, password, NULL,
                                       lilac_web_login_checked_cb, task);
}

/**
 * lilac_web_login_finish:
 * @server: the server
 * @result: the #GAsyncResult
 * @user: (out) (transfer full): who logged in
 * @token: (out) (transfer full): the new login's token, for the cookie or a bot
 * @error: return location for a #GError; UNAUTHORIZED for a wrong name or password
 *
 * Makes the login and starts the user's IM session; a user whose password
 * an administrator reset is told that the IM passwords are gone.
 *
 * Returns: (transfer full) (nullable): the login
 */
LilacLogin *
lilac_web_login_finish (LilacWebServer *server,
                        GAsyncResult   *result,
                        LilacUser     **user,
                        char          **token,
                        GError        **error)
{
  LilacWebLoginData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(LilacUser) who = g_task_propagate_pointer (G_TASK (result), error);
  LilacKey *data_key = g_object_get_data (G_OBJECT (result), "lilac-data-key");
  g_autofree char *address = NULL;
  LilacImSession *session;
  LilacLogin *login;

  if (who == NULL)
    return NULL;
  address = lilac_web_server_get_client_address (server, data->msg);
  login = lilac_login_store_create (server->logins, who, data_key, address,
                                    soup_message_headers_get_one (soup_server_message_get_request_headers (data->msg),
                                                                  "User-Agent"),
                                    token, error);
  if (login == NULL)
    return NULL;
  session = lilac_im_manager_ensure (server->manager, who, data_key);
  if (lilac_user_store_take_credentials_reset (server->users, who->id))
    lilac_im_session_notify (session, "warning", _("Your IM passwords were erased"),
                             _("An administrator reset your Lilac password. The stored passwords "
                               "of your IM accounts could not be kept: enter them again."));
  *user = g_steal_pointer (&who);
  return login;
}

/**
 * lilac_web_login_open:
 * @server: the server
 * @token: (nullable): a bearer token or cookie value
 * @login: (out) (transfer full): the login
 * @session: (out) (transfer full): the user's IM session
 * @error: return location for a #GError; UNAUTHORIZED when not logged in
 *
 * Opens the login a request presents. The first request of a login since
 * the gateway started opens the user's data key with the token itself and
 * starts the IM session. Every request counts as activity of the session.
 */
gboolean
lilac_web_login_open (LilacWebServer  *server,
                      const char      *token,
                      LilacLogin     **login,
                      LilacImSession **session,
                      GError         **error)
{
  g_autoptr(LilacLogin) found = lilac_login_store_lookup (server->logins, token, error);
  g_autoptr(LilacUser) user = NULL;
  g_autoptr(LilacKey) data_key = NULL;
  LilacImSession *active;

  if (found == NULL)
    return FALSE;
  active = lilac_im_manager_lookup (server->manager, found->user_id);
  if (active == NULL)
    {
      user = lilac_user_store_get (server->users, found->user_id, error);
      data_key = user != NULL ? lilac_login_store_open_key (server->logins, token, error) : NULL;
      if (data_key == NULL)
        return FALSE;
      active = lilac_im_manager_ensure (server->manager, user, data_key);
    }
  lilac_im_session_touch (active);
  *session = g_object_ref (active);
  *login = g_steal_pointer (&found);
  return TRUE;
}

/**
 * lilac_web_path_match:
 * @pattern: a route path; "{}" matches one non-empty segment
 * @segments: (array zero-terminated=1): the request path's segments
 * @params: (out caller-allocates) (array length=max_params) (nullable): the
 *   "{}" segments, newly allocated, when matched
 * @max_params: room in @params
 *
 * Returns: whether the path matches the pattern
 */
gboolean
lilac_web_path_match (const char *pattern,
                      char      **segments,
                      char      **params,
                      unsigned    max_params)
{
  g_auto(GStrv) parts = g_strsplit (pattern + 1, "/", -1);
  unsigned count = 0;
  unsigned i;

  for (i = 0; parts[i] != NULL; i++)
    {
      if (segments[i] == NULL)
        return FALSE;
      if (g_str_equal (parts[i], "{}"))
        {
          if (segments[i][0] == '\0' || count >= max_params)
            return FALSE;
          if (params != NULL)
            params[count] = g_strdup (segments[i]);
          count++;
        }
      else if (!g_str_equal (parts[i], segments[i]))
        return FALSE;
    }
  return segments[i] == NULL;
}
