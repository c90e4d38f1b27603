/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The request UI operations, for now without asking anyone: each request is
 * answered on its own with its safest answer, and a notify event tells the
 * user what was asked and answered. An action request takes its default
 * action (the last one, usually cancel or reject, when it has none), a choice
 * its default value; input, forms, files and folders are cancelled.
 *
 * The answer is given from an idle callback, never inside the call that made
 * the request: plugins do not expect their callback to run before the
 * request function returns. libpurple may close a request first (its
 * account went away); close_request then drops the pending answer.
 */
#include "config.h"

#include "lilac-purple-requests.h"

#include "lilac-purple-notify.h"

typedef struct {
  PurpleRequestType type;
  GCallback callback;             /* (nullable) the answer */
  gpointer user_data;
  int value;                      /* for actions and choices */
  PurpleRequestFields *fields;    /* (owned) (nullable) a form, freed on close */
  guint idle_id;
} LilacPurpleRequest;

static gboolean
lilac_purple_requests_answer_cb (gpointer data)
{
  LilacPurpleRequest *request = data;
  PurpleRequestType type = request->type;

  request->idle_id = 0;
  if (request->callback != NULL)
    {
      switch (type)
        {
        case PURPLE_REQUEST_ACTION:
          ((PurpleRequestActionCb) request->callback) (request->user_data, request->value);
          break;
        case PURPLE_REQUEST_CHOICE:
          ((PurpleRequestChoiceCb) request->callback) (request->user_data, request->value);
          break;
        case PURPLE_REQUEST_FIELDS:
          ((PurpleRequestFieldsCb) request->callback) (request->user_data, request->fields);
          break;
        default:
          /* input, file and folder callbacks take a string: none */
          ((PurpleRequestInputCb) request->callback) (request->user_data, NULL);
          break;
        }
    }
  /* the callback may have closed the request already; this is then a no-op */
  purple_request_close (type, request);
  return G_SOURCE_REMOVE;
}

static void
lilac_purple_requests_close_cb (PurpleRequestType type,
                                void             *ui_handle)
{
  LilacPurpleRequest *request = ui_handle;

  if (request == NULL)
    return;
  g_clear_handle_id (&request->idle_id, g_source_remove);
  if (request->fields != NULL)
    purple_request_fields_destroy (request->fields);
  g_free (request);
}

static void *
lilac_purple_requests_start (PurpleRequestType type,
                             const char       *title,
                             const char       *primary,
                             const char       *secondary,
                             const char       *answer,
                             GCallback         callback,
                             gpointer          user_data)
{
  LilacPurpleRequest *request = g_new0 (LilacPurpleRequest, 1);
  g_autofree char *label = g_strdup (answer != NULL ? answer : "cancel");
  g_autofree char *text = NULL;

  /* drop the mnemonic marks of "_Accept" */
  g_strdelimit (label, "_", ' ');
  g_strstrip (label);
  text = g_strdup_printf ("%s%s%s%s(answered automatically: %s)",
                          primary != NULL ? primary : "", primary != NULL ? "\n" : "",
                          secondary != NULL ? secondary : "", secondary != NULL ? "\n" : "",
                          label);
  lilac_purple_notify_emit ("info", title != NULL ? title : primary, text);
  request->type = type;
  request->callback = callback;
  request->user_data = user_data;
  request->idle_id = g_idle_add (lilac_purple_requests_answer_cb, request);
  return request;
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
  return lilac_purple_requests_start (PURPLE_REQUEST_INPUT, title, primary, secondary,
                                      cancel_text, cancel_cb, user_data);
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
  const char *answer = NULL;
  const char *label;
  LilacPurpleRequest *request;

  while ((label = va_arg (choices, const char *)) != NULL)
    {
      if (va_arg (choices, int) == default_value)
        answer = label;
    }
  request = lilac_purple_requests_start (PURPLE_REQUEST_CHOICE, title, primary, secondary,
                                         answer != NULL ? answer : ok_text, ok_cb, user_data);
  request->value = default_value;
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
  size_t chosen = default_action >= 0 && (size_t) default_action < action_count
                  ? (size_t) default_action : action_count - 1;
  const char *answer = NULL;
  GCallback callback = NULL;
  LilacPurpleRequest *request;

  for (size_t i = 0; i < action_count; i++)
    {
      const char *label = va_arg (actions, const char *);
      GCallback action = va_arg (actions, GCallback);

      if (i == chosen)
        {
          answer = label;
          callback = action;
        }
    }
  request = lilac_purple_requests_start (PURPLE_REQUEST_ACTION, title, primary, secondary,
                                         answer, callback, user_data);
  request->value = (int) chosen;
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
  LilacPurpleRequest *request;

  request = lilac_purple_requests_start (PURPLE_REQUEST_FIELDS, title, primary, secondary,
                                         cancel_text, cancel_cb, user_data);
  request->fields = fields;
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
  return lilac_purple_requests_start (PURPLE_REQUEST_FILE, title, filename, NULL, NULL,
                                      cancel_cb, user_data);
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
  return lilac_purple_requests_start (PURPLE_REQUEST_FOLDER, title, dirname, NULL, NULL,
                                      cancel_cb, user_data);
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
