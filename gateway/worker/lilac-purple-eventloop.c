/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The event-loop UI operations of libpurple, served by the default GLib main
 * context. Hang-ups and errors wake a watch whatever it asked for, so that a
 * protocol plugin reading or writing a dead socket learns about it.
 */
#include "config.h"

#include "lilac-purple-eventloop.h"

#include <glib-unix.h>

#define LILAC_PURPLE_READ_COND (G_IO_IN | G_IO_HUP | G_IO_ERR)
#define LILAC_PURPLE_WRITE_COND (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL)

typedef struct {
  PurpleInputFunction function;
  gpointer data;
} LilacPurpleInput;

static gboolean
lilac_purple_eventloop_input_cb (int          fd,
                                 GIOCondition condition,
                                 gpointer     user_data)
{
  LilacPurpleInput *input = user_data;
  PurpleInputCondition purple_condition = 0;

  if (condition & LILAC_PURPLE_READ_COND)
    purple_condition |= PURPLE_INPUT_READ;
  if (condition & LILAC_PURPLE_WRITE_COND)
    purple_condition |= PURPLE_INPUT_WRITE;
  input->function (input->data, fd, purple_condition);
  return G_SOURCE_CONTINUE;
}

static guint
lilac_purple_eventloop_input_add (int                  fd,
                                  PurpleInputCondition condition,
                                  PurpleInputFunction  function,
                                  gpointer             data)
{
  LilacPurpleInput *input = g_new0 (LilacPurpleInput, 1);
  GIOCondition io_condition = 0;

  input->function = function;
  input->data = data;
  if (condition & PURPLE_INPUT_READ)
    io_condition |= LILAC_PURPLE_READ_COND;
  if (condition & PURPLE_INPUT_WRITE)
    io_condition |= LILAC_PURPLE_WRITE_COND;
  return g_unix_fd_add_full (G_PRIORITY_DEFAULT, fd, io_condition,
                             lilac_purple_eventloop_input_cb, input, g_free);
}

/* plugins sometimes remove a handle that already ran out; g_source_remove()
 * would complain about that, which tests make fatal */
static gboolean
lilac_purple_eventloop_remove (guint handle)
{
  GSource *source;

  if (handle == 0)
    return FALSE;
  source = g_main_context_find_source_by_id (NULL, handle);
  if (source == NULL)
    return FALSE;
  g_source_destroy (source);
  return TRUE;
}

static PurpleEventLoopUiOps lilac_purple_eventloop_ops = {
  .timeout_add = g_timeout_add,
  .timeout_remove = lilac_purple_eventloop_remove,
  .input_add = lilac_purple_eventloop_input_add,
  .input_remove = lilac_purple_eventloop_remove,
  .timeout_add_seconds = g_timeout_add_seconds,
};

/**
 * lilac_purple_eventloop_get_ui_ops:
 *
 * Returns: (transfer none): event-loop UI operations for purple_eventloop_set_ui_ops()
 */
PurpleEventLoopUiOps *
lilac_purple_eventloop_get_ui_ops (void)
{
  return &lilac_purple_eventloop_ops;
}
