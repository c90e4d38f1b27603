/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * libpurple's requests, asked of the user. Each request UI operation (an
 * action, an input, a choice, a form) and each buddy authorization (the
 * account UI operation request_authorize) becomes a request.opened event
 * with an id of the worker's; REQUEST_ANSWER {"request","action","fields"?}
 * calls the callback of the action chosen, exactly once, and libpurple then
 * closes the request. Whenever a request closes, however it closes, a
 * request.closed event follows.
 *
 * A request nobody answers is cancelled after its lifetime (10 minutes unless
 * lilac_purple_requests_set_lifetime() says otherwise), when its account
 * signs off or goes away, and when the worker stops. To
 * cancel is to take the request's cancel action: for an input, a choice or a
 * form its cancel button; for an action request the first action that says
 * no (Cancel, Reject, Deny...; a certificate is never accepted that way), or
 * none when no action does, as when a dialog is closed; a buddy authorization
 * is left unanswered, so the server asks again at the next sign-on.
 *
 * File and folder requests are not asked: a worker has no files of the
 * user's, so they are cancelled at once (from an idle callback, since a
 * plugin does not expect its callback to run before the request returns),
 * and a notify event says what was asked.
 *
 * An action's label loses its mnemonic mark ("_Accept" is "Accept").
 */
#include "config.h"

#include "lilac-purple-requests.h"

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-purple-accounts.h"
#include "lilac-purple-buddies.h"
#include "lilac-purple-core.h"
#include "lilac-purple-notify.h"
#include "lilac-purple-request-fields.h"
#include "lilac-worker-body.h"

#define LILAC_PURPLE_REQUEST_LIFETIME_S (10 * 60)

typedef enum {
  LILAC_PURPLE_REQUEST_ACTION,
  LILAC_PURPLE_REQUEST_INPUT,
  LILAC_PURPLE_REQUEST_CHOICE,
  LILAC_PURPLE_REQUEST_FIELDS,
  LILAC_PURPLE_REQUEST_AUTHORIZE,
  LILAC_PURPLE_REQUEST_ADD,
  LILAC_PURPLE_REQUEST_FILE,
} LilacPurpleRequestKind;

/* one request, from libpurple's call until it is closed; libpurple's handle
 * is a pointer to it */
typedef struct {
  int ref;
  char *id;                     /* (owned) (nullable) NULL unless asked of the user */
  LilacPurpleRequestKind kind;
  PurpleRequestType purple_type;
  PurpleAccount *account;       /* (unowned) (nullable) */
  GArray *callbacks;            /* (owned) GCallback of each action, in order */
  gpointer user_data;
  int cancel_action;            /* the action cancelling takes, -1 for none */
  char *text;                   /* (owned) (nullable) an input's text; whom to add */
  GArray *values;               /* (owned) (nullable) a choice's libpurple value per label */
  GPtrArray *labels;            /* (owned) (nullable) a choice's labels */
  int value;                    /* a choice's chosen value */
  PurpleRequestFields *fields;  /* (owned) (nullable) a form, freed when closed */
  guint expire_id;
  guint idle_id;
  gboolean closed;
} LilacPurpleRequest;

/* labels of the actions that say no, once made lower-case */
static const char *const lilac_purple_requests_refusals[] = {
  "cancel", "reject", "deny", "decline", "refuse", "no", "ignore", "close", NULL
};

/* the open requests the user was asked: id -> LilacPurpleRequest (unowned) */
static GHashTable *lilac_purple_requests;
static guint64 lilac_purple_requests_next_id;
static guint lilac_purple_requests_lifetime = LILAC_PURPLE_REQUEST_LIFETIME_S;
static int lilac_purple_requests_handle;

static void lilac_purple_requests_respond (LilacPurpleRequest *request,
                                           int                 action);

/* ------------------------------------------------------------- Requests */

static LilacPurpleRequest *
lilac_purple_request_new (LilacPurpleRequestKind kind,
                          PurpleRequestType      purple_type,
                          PurpleAccount         *account,
                          gpointer               user_data)
{
  LilacPurpleRequest *request = g_new0 (LilacPurpleRequest, 1);

  request->ref = 1;
  request->kind = kind;
  request->purple_type = purple_type;
  request->account = account;
  request->user_data = user_data;
  request->callbacks = g_array_new (FALSE, TRUE, sizeof (GCallback));
  request->cancel_action = -1;
  return request;
}

static LilacPurpleRequest *
lilac_purple_request_ref (LilacPurpleRequest *request)
{
  request->ref++;
  return request;
}

static void
lilac_purple_request_unref (LilacPurpleRequest *request)
{
  if (--request->ref > 0)
    return;
  g_array_unref (request->callbacks);
  g_clear_pointer (&request->values, g_array_unref);
  g_clear_pointer (&request->labels, g_ptr_array_unref);
  g_free (request->text);
  g_free (request->id);
  g_free (request);
}

static void
lilac_purple_request_add_action (LilacPurpleRequest *request,
                                 JsonArray          *actions,
                                 const char         *label,
                                 GCallback           callback)
{
  g_autoptr(GString) plain = g_string_new (NULL);

  /* "_Accept" is "Accept", "a__b" is "a_b" */
  for (const char *c = label != NULL ? label : ""; *c != '\0'; c++)
    {
      if (*c == '_' && c[1] == '_')
        c++;
      else if (*c == '_')
        continue;
      g_string_append_c (plain, *c);
    }
  json_array_add_string_element (actions, plain->str);
  g_array_append_val (request->callbacks, callback);
}

static gboolean
lilac_purple_requests_is_refusal (const char *label)
{
  g_autofree char *lower = g_utf8_strdown (label, -1);

  g_strstrip (lower);
  return g_strv_contains (lilac_purple_requests_refusals, lower);
}

/* the request is over: libpurple closed it, or never knew it */
static void
lilac_purple_request_finish (LilacPurpleRequest *request)
{
  if (request->closed)
    return;
  request->closed = TRUE;
  g_clear_handle_id (&request->expire_id, g_source_remove);
  g_clear_handle_id (&request->idle_id, g_source_remove);
  if (request->id != NULL)
    {
      g_autoptr(JsonObject) event = lilac_purple_event_new ("request.closed");

      if (lilac_purple_requests != NULL)
        g_hash_table_remove (lilac_purple_requests, request->id);
      json_object_set_string_member (event, "request", request->id);
      lilac_purple_emit (event);
    }
  g_clear_pointer (&request->fields, purple_request_fields_destroy);
  lilac_purple_request_unref (request);
}

static gboolean
lilac_purple_request_expire_cb (gpointer data)
{
  LilacPurpleRequest *request = data;

  request->expire_id = 0;
  g_debug ("request %s expired", request->id);
  lilac_purple_requests_respond (request, request->cancel_action);
  return G_SOURCE_REMOVE;
}

/* asks the user: registers the request and sends request.opened */
static void
lilac_purple_request_open (LilacPurpleRequest *request,
                           const char         *kind,
                           const char         *title,
                           const char         *primary,
                           const char         *secondary,
                           JsonArray          *actions,
                           int                 default_action,
                           JsonArray          *fields)
{
  g_autoptr(JsonObject) event = lilac_purple_event_new ("request.opened");
  JsonObject *object = json_object_new ();
  const char *account_id = lilac_purple_accounts_get_id (request->account);

  if (lilac_purple_requests == NULL)
    lilac_purple_requests = g_hash_table_new (g_str_hash, g_str_equal);
  request->id = g_strdup_printf ("%" G_GUINT64_FORMAT, ++lilac_purple_requests_next_id);
  g_hash_table_insert (lilac_purple_requests, request->id, request);
  request->expire_id = g_timeout_add_seconds (lilac_purple_requests_lifetime,
                                              lilac_purple_request_expire_cb, request);

  json_object_set_string_member (object, "id", request->id);
  if (account_id != NULL)
    json_object_set_string_member (object, "account", account_id);
  json_object_set_string_member (object, "kind", kind);
  json_object_set_string_member (object, "title", title != NULL ? title : "");
  json_object_set_string_member (object, "primary", primary != NULL ? primary : "");
  json_object_set_string_member (object, "secondary", secondary != NULL ? secondary : "");
  json_object_set_array_member (object, "actions", actions);
  if (default_action >= 0 && (guint) default_action < json_array_get_length (actions))
    json_object_set_int_member (object, "default_action", default_action);
  if (fields != NULL)
    json_object_set_array_member (object, "fields", fields);
  json_object_set_object_member (event, "request", object);
  lilac_purple_emit (event);
}

/* an input, a choice or a form: OK (the default) and Cancel, which is also
 * what an expired request takes */
static void
lilac_purple_request_open_form (LilacPurpleRequest *request,
                                const char         *kind,
                                const char         *title,
                                const char         *primary,
                                const char         *secondary,
                                const char         *ok_text,
                                GCallback           ok_cb,
                                const char         *cancel_text,
                                GCallback           cancel_cb,
                                JsonArray          *fields)
{
  JsonArray *actions = json_array_new ();

  lilac_purple_request_add_action (request, actions, ok_text != NULL ? ok_text : "OK", ok_cb);
  lilac_purple_request_add_action (request, actions, cancel_text != NULL ? cancel_text : "Cancel",
                                   cancel_cb);
  request->cancel_action = 1;
  lilac_purple_request_open (request, kind, title, primary, secondary, actions, 0, fields);
}

/* ------------------------------------------------------------- Answers */

static void
lilac_purple_request_call (LilacPurpleRequest *request,
                           int                 action)
{
  GCallback callback = NULL;

  if (action >= 0 && (guint) action < request->callbacks->len)
    callback = g_array_index (request->callbacks, GCallback, action);
  if (request->kind == LILAC_PURPLE_REQUEST_ADD && action == 0)
    lilac_purple_buddies_add_to_list (request->account, request->text, NULL, NULL);
  if (callback == NULL)
    return;
  switch (request->kind)
    {
    case LILAC_PURPLE_REQUEST_ACTION:
      ((PurpleRequestActionCb) callback) (request->user_data, action);
      break;
    case LILAC_PURPLE_REQUEST_INPUT:
    case LILAC_PURPLE_REQUEST_FILE:
      ((PurpleRequestInputCb) callback) (request->user_data, request->text);
      break;
    case LILAC_PURPLE_REQUEST_CHOICE:
      ((PurpleRequestChoiceCb) callback) (request->user_data, request->value);
      break;
    case LILAC_PURPLE_REQUEST_FIELDS:
      ((PurpleRequestFieldsCb) callback) (request->user_data, request->fields);
      break;
    case LILAC_PURPLE_REQUEST_AUTHORIZE:
      ((PurpleAccountRequestAuthorizationCb) callback) (request->user_data);
      break;
    case LILAC_PURPLE_REQUEST_ADD:
      break;
    }
}

/* Takes @action (-1: none) and closes the request. The request is taken out
 * of the open ones first, so that it is answered once, and kept alive until
 * the end, so that a new request made by the callback cannot have its
 * address (and be closed for it). */
static void
lilac_purple_requests_respond (LilacPurpleRequest *request,
                               int                 action)
{
  if (request->closed)
    return;
  lilac_purple_request_ref (request);
  if (request->id != NULL && lilac_purple_requests != NULL)
    g_hash_table_remove (lilac_purple_requests, request->id);
  g_clear_handle_id (&request->expire_id, g_source_remove);
  lilac_purple_request_call (request, action);
  if (!request->closed && request->kind == LILAC_PURPLE_REQUEST_AUTHORIZE && action < 0)
    purple_account_request_close (request);
  else if (!request->closed && request->kind != LILAC_PURPLE_REQUEST_AUTHORIZE &&
           request->kind != LILAC_PURPLE_REQUEST_ADD)
    purple_request_close (request->purple_type, request);
  /* libpurple did not know it (anymore): an answered authorization, an add */
  lilac_purple_request_finish (request);
  lilac_purple_request_unref (request);
}

static gboolean
lilac_purple_requests_apply_answer (LilacPurpleRequest *request,
                                    JsonObject         *values,
                                    GError            **error)
{
  JsonNode *node;
  const char *text;
  int index;

  switch (request->kind)
    {
    case LILAC_PURPLE_REQUEST_FIELDS:
      return lilac_purple_request_fields_apply (request->fields, values, error);
    case LILAC_PURPLE_REQUEST_INPUT:
      if (!lilac_worker_body_get_string (values, "text", FALSE,
                                         LILAC_PURPLE_REQUEST_FIELDS_MAX_TEXT, &text, error))
        return FALSE;
      if (text != NULL)
        {
          g_free (request->text);
          request->text = g_strdup (text);
        }
      return TRUE;
    case LILAC_PURPLE_REQUEST_CHOICE:
      node = json_object_get_member (values, "choice");
      if (node == NULL)
        return TRUE;
      if (!lilac_purple_request_fields_read_choice (node, request->labels, "choice", &index, error))
        return FALSE;
      request->value = g_array_index (request->values, int, index);
      return TRUE;
    default:
      if (json_object_get_size (values) == 0)
        return TRUE;
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "this request has no fields");
      return FALSE;
    }
}

/* ------------------------------------------------------ Request UI ops */

static void
lilac_purple_requests_close_cb (PurpleRequestType type,
                                void             *ui_handle)
{
  if (ui_handle != NULL)
    lilac_purple_request_finish (ui_handle);
}

static void *
lilac_purple_requests_input_cb (const char         *title,
                                const char         *primary,
                                const char         *secondary,
                                const char         *default_value,
                                gboolean            multiline,
                                gboolean            masked,
                                gchar              *hint,
                                const char         *ok_text,
                                GCallback           ok_cb,
                                const char         *cancel_text,
                                GCallback           cancel_cb,
                                PurpleAccount      *account,
                                const char         *who,
                                PurpleConversation *conv,
                                void               *user_data)
{
  LilacPurpleRequest *request = lilac_purple_request_new (LILAC_PURPLE_REQUEST_INPUT,
                                                          PURPLE_REQUEST_INPUT, account, user_data);
  JsonArray *fields = json_array_new ();
  JsonObject *field = lilac_purple_request_fields_new_field ("text", NULL, "string");

  request->text = g_strdup (default_value != NULL ? default_value : "");
  json_object_set_string_member (field, "value", request->text);
  json_object_set_boolean_member (field, "masked", masked);
  json_object_set_boolean_member (field, "multiline", multiline);
  json_array_add_object_element (fields, field);
  lilac_purple_request_open_form (request, "input", title, primary, secondary, ok_text, ok_cb,
                                  cancel_text, cancel_cb, fields);
  return request;
}

static void *
lilac_purple_requests_choice_cb (const char         *title,
                                 const char         *primary,
                                 const char         *secondary,
                                 int                 default_value,
                                 const char         *ok_text,
                                 GCallback           ok_cb,
                                 const char         *cancel_text,
                                 GCallback           cancel_cb,
                                 PurpleAccount      *account,
                                 const char         *who,
                                 PurpleConversation *conv,
                                 void               *user_data,
                                 va_list             choices)
{
  LilacPurpleRequest *request = lilac_purple_request_new (LILAC_PURPLE_REQUEST_CHOICE,
                                                          PURPLE_REQUEST_CHOICE, account, user_data);
  JsonArray *fields = json_array_new ();
  JsonObject *field = lilac_purple_request_fields_new_field ("choice", NULL, "choice");
  JsonArray *labels = json_array_new ();
  const char *label;

  request->values = g_array_new (FALSE, FALSE, sizeof (int));
  request->labels = g_ptr_array_new_with_free_func (g_free);
  request->value = default_value;
  while ((label = va_arg (choices, const char *)) != NULL)
    {
      int value = va_arg (choices, int);

      if (value == default_value)
        json_object_set_int_member (field, "value", request->values->len);
      g_array_append_val (request->values, value);
      g_ptr_array_add (request->labels, g_strdup (label));
      json_array_add_string_element (labels, label);
    }
  json_object_set_array_member (field, "choices", labels);
  json_array_add_object_element (fields, field);
  lilac_purple_request_open_form (request, "choice", title, primary, secondary, ok_text, ok_cb,
                                  cancel_text, cancel_cb, fields);
  return request;
}

static void *
lilac_purple_requests_action_cb (const char         *title,
                                 const char         *primary,
                                 const char         *secondary,
                                 int                 default_action,
                                 PurpleAccount      *account,
                                 const char         *who,
                                 PurpleConversation *conv,
                                 void               *user_data,
                                 size_t              action_count,
                                 va_list             actions)
{
  LilacPurpleRequest *request = lilac_purple_request_new (LILAC_PURPLE_REQUEST_ACTION,
                                                          PURPLE_REQUEST_ACTION, account, user_data);
  JsonArray *labels = json_array_new ();

  for (size_t i = 0; i < action_count; i++)
    {
      const char *label = va_arg (actions, const char *);
      GCallback callback = va_arg (actions, GCallback);

      lilac_purple_request_add_action (request, labels, label, callback);
      if (request->cancel_action < 0 &&
          lilac_purple_requests_is_refusal (json_array_get_string_element (labels, (guint) i)))
        request->cancel_action = (int) i;
    }
  lilac_purple_request_open (request, "action", title, primary, secondary, labels, default_action,
                             NULL);
  return request;
}

static void *
lilac_purple_requests_fields_cb (const char          *title,
                                 const char          *primary,
                                 const char          *secondary,
                                 PurpleRequestFields *fields,
                                 const char          *ok_text,
                                 GCallback            ok_cb,
                                 const char          *cancel_text,
                                 GCallback            cancel_cb,
                                 PurpleAccount       *account,
                                 const char          *who,
                                 PurpleConversation  *conv,
                                 void                *user_data)
{
  LilacPurpleRequest *request = lilac_purple_request_new (LILAC_PURPLE_REQUEST_FIELDS,
                                                          PURPLE_REQUEST_FIELDS, account, user_data);

  request->fields = fields;
  lilac_purple_request_open_form (request, "fields", title, primary, secondary, ok_text, ok_cb,
                                  cancel_text, cancel_cb,
                                  lilac_purple_request_fields_describe (fields));
  return request;
}

static gboolean
lilac_purple_requests_cancel_file_cb (gpointer data)
{
  LilacPurpleRequest *request = data;

  request->idle_id = 0;
  lilac_purple_requests_respond (request, request->cancel_action);
  return G_SOURCE_REMOVE;
}

static void *
lilac_purple_requests_start_file (PurpleRequestType type,
                                  const char       *title,
                                  const char       *name,
                                  GCallback         cancel_cb,
                                  PurpleAccount    *account,
                                  void             *user_data)
{
  LilacPurpleRequest *request = lilac_purple_request_new (LILAC_PURPLE_REQUEST_FILE, type,
                                                          account, user_data);
  g_autofree char *text = g_strdup_printf ("%s\n(cancelled: Lilac has no files to choose from)",
                                           name != NULL ? name : "");

  lilac_purple_notify_emit (account, "info", title != NULL ? title : "", text);
  g_array_append_val (request->callbacks, cancel_cb);
  request->cancel_action = 0;
  request->idle_id = g_idle_add (lilac_purple_requests_cancel_file_cb, request);
  return request;
}

static void *
lilac_purple_requests_file_cb (const char         *title,
                               const char         *filename,
                               gboolean            savedialog,
                               GCallback           ok_cb,
                               GCallback           cancel_cb,
                               PurpleAccount      *account,
                               const char         *who,
                               PurpleConversation *conv,
                               void               *user_data)
{
  return lilac_purple_requests_start_file (PURPLE_REQUEST_FILE, title, filename, cancel_cb,
                                           account, user_data);
}

static void *
lilac_purple_requests_folder_cb (const char         *title,
                                 const char         *dirname,
                                 GCallback           ok_cb,
                                 GCallback           cancel_cb,
                                 PurpleAccount      *account,
                                 const char         *who,
                                 PurpleConversation *conv,
                                 void               *user_data)
{
  return lilac_purple_requests_start_file (PURPLE_REQUEST_FOLDER, title, dirname, cancel_cb,
                                           account, user_data);
}

static PurpleRequestUiOps lilac_purple_requests_ops = {
  .request_input = lilac_purple_requests_input_cb,
  .request_choice = lilac_purple_requests_choice_cb,
  .request_action = lilac_purple_requests_action_cb,
  .request_fields = lilac_purple_requests_fields_cb,
  .request_file = lilac_purple_requests_file_cb,
  .close_request = lilac_purple_requests_close_cb,
  .request_folder = lilac_purple_requests_folder_cb,
};

/* ------------------------------------------------------ Account UI ops */

static char *
lilac_purple_requests_who (const char *remote_user,
                           const char *alias)
{
  if (alias == NULL || *alias == '\0' || g_strcmp0 (alias, remote_user) == 0)
    return g_strdup (remote_user);
  return g_strdup_printf ("%s (%s)", remote_user, alias);
}

static void *
lilac_purple_requests_authorize_cb (PurpleAccount                      *account,
                                    const char                         *remote_user,
                                    const char                         *id,
                                    const char                         *alias,
                                    const char                         *message,
                                    gboolean                            on_list,
                                    PurpleAccountRequestAuthorizationCb authorize_cb,
                                    PurpleAccountRequestAuthorizationCb deny_cb,
                                    void                               *user_data)
{
  LilacPurpleRequest *request = lilac_purple_request_new (LILAC_PURPLE_REQUEST_AUTHORIZE, 0,
                                                          account, user_data);
  JsonArray *actions = json_array_new ();
  g_autofree char *who = lilac_purple_requests_who (remote_user, alias);
  g_autofree char *primary = g_strdup_printf ("%s wants to add you to their buddy list", who);

  lilac_purple_request_add_action (request, actions, "Authorize", G_CALLBACK (authorize_cb));
  lilac_purple_request_add_action (request, actions, "Deny", G_CALLBACK (deny_cb));
  lilac_purple_request_open (request, "authorize", "Authorization request", primary,
                             message != NULL ? message : "", actions, -1, NULL);
  return request;
}

static void
lilac_purple_requests_close_account_cb (void *ui_handle)
{
  if (ui_handle != NULL)
    lilac_purple_request_finish (ui_handle);
}

static void
lilac_purple_requests_add_cb (PurpleAccount *account,
                              const char    *remote_user,
                              const char    *id,
                              const char    *alias,
                              const char    *message)
{
  LilacPurpleRequest *request = lilac_purple_request_new (LILAC_PURPLE_REQUEST_ADD, 0, account,
                                                          NULL);
  JsonArray *actions = json_array_new ();
  g_autofree char *who = lilac_purple_requests_who (remote_user, alias);
  g_autofree char *primary = g_strdup_printf ("%s added you to their buddy list", who);

  request->text = g_strdup (remote_user);
  lilac_purple_request_add_action (request, actions, "Add", NULL);
  lilac_purple_request_add_action (request, actions, "Cancel", NULL);
  request->cancel_action = 1;
  lilac_purple_request_open (request, "action", "Add to your buddy list?", primary,
                             message != NULL ? message : "", actions, 0, NULL);
}

static void
lilac_purple_requests_notify_added_cb (PurpleAccount *account,
                                       const char    *remote_user,
                                       const char    *id,
                                       const char    *alias,
                                       const char    *message)
{
  g_autofree char *who = lilac_purple_requests_who (remote_user, alias);
  g_autofree char *text = g_strdup_printf ("%s added you to their buddy list%s%s", who,
                                           message != NULL ? "\n" : "",
                                           message != NULL ? message : "");

  lilac_purple_notify_emit (account, "info", "Added to a buddy list", text);
}

static PurpleAccountUiOps lilac_purple_requests_account_ops = {
  .notify_added = lilac_purple_requests_notify_added_cb,
  .request_add = lilac_purple_requests_add_cb,
  .request_authorize = lilac_purple_requests_authorize_cb,
  .close_account_request = lilac_purple_requests_close_account_cb,
};

/* ------------------------------------------------------------ Cancelling */

static void
lilac_purple_requests_cancel_where (PurpleAccount *account,
                                    gboolean       all)
{
  g_autoptr(GPtrArray) chosen = NULL;
  GHashTableIter iter;
  gpointer value;

  if (lilac_purple_requests == NULL)
    return;
  chosen = g_ptr_array_new_with_free_func ((GDestroyNotify) lilac_purple_request_unref);
  g_hash_table_iter_init (&iter, lilac_purple_requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LilacPurpleRequest *request = value;

      if (all || request->account == account)
        g_ptr_array_add (chosen, lilac_purple_request_ref (request));
    }
  for (unsigned i = 0; i < chosen->len; i++)
    {
      LilacPurpleRequest *request = chosen->pdata[i];

      g_debug ("request %s cancelled", request->id);
      lilac_purple_requests_respond (request, request->cancel_action);
    }
}

static void
lilac_purple_requests_signed_off_cb (PurpleConnection *gc,
                                     gpointer          user_data)
{
  lilac_purple_requests_cancel_where (purple_connection_get_account (gc), FALSE);
}

static void
lilac_purple_requests_account_removed_cb (PurpleAccount *account,
                                          gpointer       user_data)
{
  lilac_purple_requests_cancel_where (account, FALSE);
}

/* ------------------------------------------------------------- Public API */

/**
 * lilac_purple_requests_get_ui_ops:
 *
 * Returns: (transfer none): the request UI operations
 */
PurpleRequestUiOps *
lilac_purple_requests_get_ui_ops (void)
{
  return &lilac_purple_requests_ops;
}

/**
 * lilac_purple_requests_get_account_ui_ops:
 *
 * Returns: (transfer none): the account UI operations: buddy authorization
 *   and being added by someone
 */
PurpleAccountUiOps *
lilac_purple_requests_get_account_ui_ops (void)
{
  return &lilac_purple_requests_account_ops;
}

/**
 * lilac_purple_requests_init:
 *
 * Follows accounts signing off and going away. Call from the core's ui_init.
 */
void
lilac_purple_requests_init (void)
{
  purple_signal_connect (purple_connections_get_handle (), "signed-off",
                         &lilac_purple_requests_handle,
                         PURPLE_CALLBACK (lilac_purple_requests_signed_off_cb), NULL);
  purple_signal_connect (purple_accounts_get_handle (), "account-removed",
                         &lilac_purple_requests_handle,
                         PURPLE_CALLBACK (lilac_purple_requests_account_removed_cb), NULL);
}

/**
 * lilac_purple_requests_cancel_all:
 *
 * Cancels every open request. Call before libpurple shuts down.
 */
/**
 * lilac_purple_requests_set_lifetime:
 * @seconds: how long a request may wait for its answer
 *
 * For the requests opened from now on.
 */
void
lilac_purple_requests_set_lifetime (guint seconds)
{
  lilac_purple_requests_lifetime = MAX (seconds, 1);
}

void
lilac_purple_requests_cancel_all (void)
{
  lilac_purple_requests_cancel_where (NULL, TRUE);
}

/**
 * lilac_purple_requests_answer:
 * @body: a REQUEST_ANSWER body: {"request","action":INDEX,"fields"?:{}}
 * @error: return location for a #GError
 *
 * Takes the action chosen with the fields given. An input's text is the
 * field "text", a choice's the field "choice".
 *
 * Returns: (transfer full) (nullable): the reply, {}; not_found for a
 *   request that is not open (answered, cancelled or never asked)
 */
JsonObject *
lilac_purple_requests_answer (JsonObject *body,
                              GError    **error)
{
  g_autoptr(JsonObject) no_values = json_object_new ();
  LilacPurpleRequest *request = NULL;
  JsonObject *values = no_values;
  const char *id;
  gint64 action;

  if (!lilac_worker_body_get_string (body, "request", TRUE, LILAC_WORKER_BODY_MAX_ID, &id, error) ||
      !lilac_json_get_int (body, "action", -1, &action, error))
    return NULL;
  if (json_object_has_member (body, "fields"))
    {
      values = lilac_worker_body_get_object (body, "fields", error);
      if (values == NULL)
        return NULL;
    }
  if (lilac_purple_requests != NULL)
    request = g_hash_table_lookup (lilac_purple_requests, id);
  if (request == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no open request \"%s\"", id);
      return NULL;
    }
  if (action < 0 || action >= request->callbacks->len)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the request has no action %" G_GINT64_FORMAT, action);
      return NULL;
    }
  if (!lilac_purple_requests_apply_answer (request, values, error))
    return NULL;
  if (request->kind == LILAC_PURPLE_REQUEST_FIELDS && action == 0 &&
      !purple_request_fields_all_required_filled (request->fields))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "a required field is empty");
      return NULL;
    }
  lilac_purple_requests_respond (request, (int) action);
  return json_object_new ();
}
