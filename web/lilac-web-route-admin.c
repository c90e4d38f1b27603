/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * What administrators do: list, delete and reset users, broadcast a notice
 * to everyone, and read /metrics.
 */
#include "config.h"

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-metrics.h"
#include "lilac-web-response.h"
#include "lilac-web-route-input.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"

static gboolean
lilac_web_route_admin_user_id (LilacWebRequest *request,
                               gint64          *id,
                               GError         **error)
{
  if (!g_ascii_string_to_signed (request->params[0], 10, 1, G_MAXINT64, id, NULL))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no such user");
      return FALSE;
    }
  return TRUE;
}

static void
lilac_web_route_admin_users_list (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) users = lilac_user_store_list (request->server->users, &local_error);
  g_autoptr(JsonArray) list = json_array_new ();

  if (users == NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  for (unsigned i = 0; i < users->len; i++)
    {
      LilacUser *user = users->pdata[i];
      JsonObject *object = lilac_user_to_json (user);
      LilacImSession *session = lilac_im_manager_lookup (request->server->manager, user->id);

      json_object_set_int_member (object, "created", user->created);
      json_object_set_boolean_member (object, "active", session != NULL);
      json_object_set_string_member (object, "worker",
                                     session != NULL ? lilac_im_session_get_worker_state (session)
                                                     : "stopped");
      json_object_set_int_member (object, "worker_pid",
                                  session != NULL ? lilac_im_session_get_worker_pid (session) : 0);
      json_array_add_object_element (list, object);
    }
  lilac_web_response_array (request->msg, SOUP_STATUS_OK, list);
}

static void
lilac_web_route_admin_users_delete (LilacWebRequest *request)
{
  LilacWebServer *server = request->server;
  g_autoptr(GError) local_error = NULL;
  gint64 id = 0;

  if (lilac_web_route_admin_user_id (request, &id, &local_error) && id == request->login->user_id)
    g_set_error_literal (&local_error, LILAC_ERROR, LILAC_ERROR_CONFLICT,
                         "administrators cannot delete themselves");
  if (local_error == NULL)
    {
      lilac_im_manager_drop (server->manager, id);
      lilac_user_store_delete (server->users, id, &local_error);
    }
  if (local_error != NULL)
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  lilac_web_response_empty (request->msg, SOUP_STATUS_NO_CONTENT);
  lilac_web_server_end_user (server, id);
}

static void
lilac_web_route_admin_reset_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(LilacWebRequest) request = user_data;
  g_autoptr(GError) local_error = NULL;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (request->msg), "lilac-user-id"));

  if (!lilac_user_store_reset_password_finish (LILAC_USER_STORE (source), result, &local_error))
    {
      lilac_web_request_finish_error (request, local_error);
      return;
    }
  /* the old data key is gone: so are the session holding it and every login */
  lilac_im_manager_drop (request->server->manager, id);
  lilac_web_server_end_user (request->server, id);
  lilac_web_request_finish_empty (request, SOUP_STATUS_NO_CONTENT);
}

/**
 * lilac_web_route_admin_parse_reset:
 *
 * Reads a `POST /admin/users/{id}/reset` body: the new password, checked.
 */
gboolean
lilac_web_route_admin_parse_reset (JsonObject  *body,
                                   const char **password,
                                   GError     **error)
{
  static const char *const allowed[] = { "password", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (*password = lilac_json_get_string (body, "password", TRUE, 4096, error)) != NULL &&
         lilac_user_store_check_password (*password, error);
}

static void
lilac_web_route_admin_users_reset (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  const char *password = NULL;
  gint64 id = 0;

  if (!lilac_web_route_admin_user_id (request, &id, &local_error) ||
      !lilac_web_route_admin_parse_reset (request->body, &password, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  g_object_set_data (G_OBJECT (request->msg), "lilac-user-id", GSIZE_TO_POINTER ((gsize) id));
  lilac_web_request_pause (request);
  lilac_user_store_reset_password_async (request->server->users, id, password, NULL,
                                         lilac_web_route_admin_reset_cb,
                                         lilac_web_request_ref (request));
}

/* the optional "users" of a broadcast: at most 1,000 user ids, as strings */
static gboolean
lilac_web_route_admin_user_list (JsonObject *body,
                                 GArray    **users,
                                 GError    **error)
{
  JsonNode *node = json_object_get_member (body, "users");
  JsonArray *list;

  *users = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (list = json_node_get_array (node)) > 1000)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the field \"users\" must be a list of at most 1000 user ids");
      return FALSE;
    }
  *users = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (unsigned i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);
      gint64 id = 0;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
          !g_ascii_string_to_signed (json_node_get_string (element), 10, 1, G_MAXINT64, &id, NULL))
        {
          g_clear_pointer (users, g_array_unref);
          g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                               "the field \"users\" must hold user ids");
          return FALSE;
        }
      g_array_append_val (*users, id);
    }
  return TRUE;
}

void
lilac_web_broadcast_clear (LilacWebBroadcast *broadcast)
{
  g_clear_pointer (&broadcast->users, g_array_unref);
}

/**
 * lilac_web_route_admin_parse_broadcast:
 *
 * Reads a `POST /admin/broadcast` body; clear @broadcast afterwards.
 */
gboolean
lilac_web_route_admin_parse_broadcast (JsonObject        *body,
                                       LilacWebBroadcast *broadcast,
                                       GError           **error)
{
  static const char *const allowed[] = { "title", "text", "users", NULL };

  return lilac_json_check_members (body, allowed, error) &&
         (broadcast->title = lilac_json_get_string (body, "title", TRUE, 256, error)) != NULL &&
         (broadcast->text = lilac_json_get_string (body, "text", TRUE, 4096, error)) != NULL &&
         lilac_web_route_admin_user_list (body, &broadcast->users, error);
}

static void
lilac_web_route_admin_broadcast (LilacWebRequest *request)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) answer = json_object_new ();
  g_auto(LilacWebBroadcast) broadcast = { NULL };
  GArray *users;
  unsigned reached;

  if (!lilac_web_route_admin_parse_broadcast (request->body, &broadcast, &local_error))
    {
      lilac_web_response_error (request->msg, local_error);
      return;
    }
  users = broadcast.users;
  reached = users != NULL
    ? lilac_im_manager_notify_users (request->server->manager, (const gint64 *) (gpointer) users->data,
                                     users->len, broadcast.title, broadcast.text)
    : lilac_im_manager_broadcast (request->server->manager, broadcast.title, broadcast.text);
  json_object_set_int_member (answer, "users", reached);
  lilac_web_response_object (request->msg, SOUP_STATUS_ACCEPTED, answer);
}

static void
lilac_web_route_admin_metric (GString    *out,
                              const char *name,
                              const char *type,
                              const char *help,
                              guint64     value)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n%s %" G_GUINT64_FORMAT "\n",
                          name, help, name, type, name, value);
}

static void
lilac_web_route_admin_metrics (LilacWebRequest *request)
{
  LilacWebServer *server = request->server;
  g_autoptr(GPtrArray) users = lilac_user_store_list (server->users, NULL);
  GString *out = g_string_sized_new (2048);
  gsize length;

  lilac_web_route_admin_metric (out, "lilac_users", "gauge", "Gateway users.",
                                users != NULL ? users->len : 0);
  lilac_web_route_admin_metric (out, "lilac_sessions", "gauge", "Active IM sessions.",
                                lilac_im_manager_get_session_count (server->manager));
  lilac_web_route_admin_metric (out, "lilac_workers", "gauge", "Running worker processes.",
                                lilac_im_manager_get_worker_count (server->manager));
  lilac_web_route_admin_metric (out, "lilac_polls_held", "gauge", "Long polls held now.",
                                lilac_web_poll_get_held (server->poll));
  lilac_web_route_admin_metric (out, "lilac_worker_restarts_total", "counter",
                                "Workers restarted after a failure.",
                                lilac_im_manager_get_worker_restarts (server->manager));
  lilac_web_route_admin_metric (out, "lilac_events_total", "counter", "Events streamed to users.",
                                lilac_metrics_get (LILAC_METRIC_EVENTS));
  g_string_append (out, "# HELP lilac_messages_total Messages, by direction.\n"
                        "# TYPE lilac_messages_total counter\n");
  g_string_append_printf (out, "lilac_messages_total{direction=\"in\"} %" G_GUINT64_FORMAT "\n"
                               "lilac_messages_total{direction=\"out\"} %" G_GUINT64_FORMAT "\n",
                          lilac_metrics_get (LILAC_METRIC_MESSAGES_IN),
                          lilac_metrics_get (LILAC_METRIC_MESSAGES_OUT));
  lilac_web_route_admin_metric (out, "lilac_http_requests_total", "counter", "HTTP requests answered.",
                                lilac_metrics_get (LILAC_METRIC_HTTP_REQUESTS));
  lilac_web_route_admin_metric (out, "lilac_http_errors_total", "counter",
                                "HTTP answers with a 5xx status.",
                                lilac_metrics_get (LILAC_METRIC_HTTP_ERRORS));
  lilac_web_route_admin_metric (out, "lilac_login_failures_total", "counter",
                                "Logins with a wrong name or password.",
                                lilac_metrics_get (LILAC_METRIC_LOGIN_FAILURES));
  lilac_web_route_admin_metric (out, "lilac_logins_rate_limited_total", "counter",
                                "Logins refused for too many failures.",
                                lilac_metrics_get (LILAC_METRIC_RATE_LIMITED));
  length = out->len;
  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (request->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (request->msg, "text/plain; version=0.0.4; charset=utf-8",
                                    SOUP_MEMORY_TAKE, g_string_free (out, FALSE), length);
}

const LilacWebRoute lilac_web_routes_admin[] = {
  { "GET", "/admin/users", lilac_web_route_admin_users_list, LILAC_ROUTE_ADMIN },
  { "DELETE", "/admin/users/{}", lilac_web_route_admin_users_delete,
    LILAC_ROUTE_ADMIN | LILAC_ROUTE_CSRF },
  { "POST", "/admin/users/{}/reset", lilac_web_route_admin_users_reset,
    LILAC_ROUTE_ADMIN | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "POST", "/admin/broadcast", lilac_web_route_admin_broadcast,
    LILAC_ROUTE_ADMIN | LILAC_ROUTE_CSRF | LILAC_ROUTE_BODY },
  { "GET", "/metrics", lilac_web_route_admin_metrics, LILAC_ROUTE_ADMIN },
  { NULL }
};
