/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The event-loop UI operations of libpurple, served by the default GLib main
 * context. Hang-ups and errors wake a watch whatever it asked for, so that a
 * protocol plugin reading or writing a dead socket learns about it.
 *
 * Every timer and watch libpurple asks for is registered here under a handle
 * of our own, for two reasons. libpurple forgets some of its timers when it
 * quits (the idle checker among them): lilac_purple_eventloop_clear() drops
 * whatever is left, so nothing of libpurple runs after purple_core_quit().
 * And the zygote must not create the default main context, which a forked
 * child would share with its parent and siblings (GLib's wake-up descriptor
 * among them): while deferring, the sources libpurple asks for are only
 * recorded, and lilac_purple_eventloop_attach() creates them in the child.
 */
#include "config.h"

#include "lilac-purple-eventloop.h"

#include <glib-unix.h>

#define LILAC_PURPLE_READ_COND (G_IO_IN | G_IO_HUP | G_IO_ERR)
#define LILAC_PURPLE_WRITE_COND (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL)

typedef enum {
  LILAC_PURPLE_SOURCE_TIMEOUT,
  LILAC_PURPLE_SOURCE_TIMEOUT_SECONDS,
  LILAC_PURPLE_SOURCE_INPUT,
} LilacPurpleSourceKind;

typedef struct {
  guint handle;                     /* ours, given to libpurple */
  LilacPurpleSourceKind kind;
  GSource *source;                  /* (unowned) (nullable) attached; NULL while deferred */
  guint interval;                   /* timeouts: ms or s */
  int fd;                           /* inputs */
  PurpleInputCondition condition;   /* inputs */
  GSourceFunc timeout_function;
  PurpleInputFunction input_function;
  gpointer data;
} LilacPurpleSource;

/* handle -> (owned) LilacPurpleSource */
static GHashTable *lilac_purple_eventloop_sources;
static guint lilac_purple_eventloop_next_handle;
static gboolean lilac_purple_eventloop_deferring;

static GHashTable *
lilac_purple_eventloop_get_sources (void)
{
  if (lilac_purple_eventloop_sources == NULL)
    lilac_purple_eventloop_sources = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return lilac_purple_eventloop_sources;
}

/* the attached source is gone (destroyed, or its callback returned FALSE) */
static void
lilac_purple_eventloop_source_gone (gpointer data)
{
  LilacPurpleSource *entry = data;

  g_hash_table_remove (lilac_purple_eventloop_get_sources (), GUINT_TO_POINTER (entry->handle));
}

static gboolean
lilac_purple_eventloop_timeout_cb (gpointer data)
{
  LilacPurpleSource *entry = data;

  return entry->timeout_function (entry->data);
}

static gboolean
lilac_purple_eventloop_input_cb (int          fd,
                                 GIOCondition condition,
                                 gpointer     data)
{
  LilacPurpleSource *entry = data;
  PurpleInputCondition purple_condition = 0;

  if (condition & LILAC_PURPLE_READ_COND)
    purple_condition |= PURPLE_INPUT_READ;
  if (condition & LILAC_PURPLE_WRITE_COND)
    purple_condition |= PURPLE_INPUT_WRITE;
  entry->input_function (entry->data, fd, purple_condition);
  return G_SOURCE_CONTINUE;
}

static GSource *
lilac_purple_eventloop_new_input (LilacPurpleSource *entry)
{
  GIOCondition io_condition = 0;
  GSource *source;

  if (entry->condition & PURPLE_INPUT_READ)
    io_condition |= LILAC_PURPLE_READ_COND;
  if (entry->condition & PURPLE_INPUT_WRITE)
    io_condition |= LILAC_PURPLE_WRITE_COND;
  source = g_unix_fd_source_new (entry->fd, io_condition);
  g_source_set_callback (source, G_SOURCE_FUNC (lilac_purple_eventloop_input_cb), entry,
                         lilac_purple_eventloop_source_gone);
  return source;
}

static void
lilac_purple_eventloop_attach_one (LilacPurpleSource *entry)
{
  GSource *source;

  if (entry->kind == LILAC_PURPLE_SOURCE_INPUT)
    source = lilac_purple_eventloop_new_input (entry);
  else
    {
      source = entry->kind == LILAC_PURPLE_SOURCE_TIMEOUT
               ? g_timeout_source_new (entry->interval)
               : g_timeout_source_new_seconds (entry->interval);
      g_source_set_callback (source, lilac_purple_eventloop_timeout_cb, entry,
                             lilac_purple_eventloop_source_gone);
    }
  entry->source = source;
  g_source_attach (source, NULL);
  g_source_unref (source);
}

static guint
lilac_purple_eventloop_add (LilacPurpleSource *entry)
{
  /* handles are never 0, which libpurple takes for "none" */
  do
    entry->handle = ++lilac_purple_eventloop_next_handle;
  while (entry->handle == 0 ||
         g_hash_table_contains (lilac_purple_eventloop_get_sources (),
                                GUINT_TO_POINTER (entry->handle)));
  g_hash_table_insert (lilac_purple_eventloop_get_sources (), GUINT_TO_POINTER (entry->handle),
                       entry);
  if (!lilac_purple_eventloop_deferring)
    lilac_purple_eventloop_attach_one (entry);
  return entry->handle;
}

static guint
lilac_purple_eventloop_add_timeout (LilacPurpleSourceKind kind,
                                    guint                 interval,
                                    GSourceFunc           function,
                                    gpointer              data)
{
  LilacPurpleSource *entry = g_new0 (LilacPurpleSource, 1);

  entry->kind = kind;
  entry->interval = interval;
  entry->timeout_function = function;
  entry->data = data;
  return lilac_purple_eventloop_add (entry);
}

static guint
lilac_purple_eventloop_timeout_add (guint       interval,
                                    GSourceFunc function,
                                    gpointer    data)
{
  return lilac_purple_eventloop_add_timeout (LILAC_PURPLE_SOURCE_TIMEOUT, interval, function, data);
}

static guint
lilac_purple_eventloop_timeout_add_seconds (guint       interval,
                                            GSourceFunc function,
                                            gpointer    data)
{
  return lilac_purple_eventloop_add_timeout (LILAC_PURPLE_SOURCE_TIMEOUT_SECONDS, interval,
                                             function, data);
}

static guint
lilac_purple_eventloop_input_add (int                  fd,
                                  PurpleInputCondition condition,
                                  PurpleInputFunction  function,
                                  gpointer             data)
{
  LilacPurpleSource *entry = g_new0 (LilacPurpleSource, 1);

  entry->kind = LILAC_PURPLE_SOURCE_INPUT;
  entry->fd = fd;
  entry->condition = condition;
  entry->input_function = function;
  entry->data = data;
  return lilac_purple_eventloop_add (entry);
}

/* plugins sometimes remove a handle that already ran out: not an error */
static gboolean
lilac_purple_eventloop_remove (guint handle)
{
  LilacPurpleSource *entry;

  if (handle == 0 || lilac_purple_eventloop_sources == NULL)
    return FALSE;
  entry = g_hash_table_lookup (lilac_purple_eventloop_sources, GUINT_TO_POINTER (handle));
  if (entry == NULL)
    return FALSE;
  /* an attached entry is freed when its source is gone */
  if (entry->source != NULL)
    g_source_destroy (entry->source);
  else
    g_hash_table_remove (lilac_purple_eventloop_sources, GUINT_TO_POINTER (handle));
  return TRUE;
}

static PurpleEventLoopUiOps lilac_purple_eventloop_ops = {
  .timeout_add = lilac_purple_eventloop_timeout_add,
  .timeout_remove = lilac_purple_eventloop_remove,
  .input_add = lilac_purple_eventloop_input_add,
  .input_remove = lilac_purple_eventloop_remove,
  .timeout_add_seconds = lilac_purple_eventloop_timeout_add_seconds,
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

/**
 * lilac_purple_eventloop_defer:
 *
 * From now on, only records the timers and watches libpurple asks for,
 * without touching any main context, until lilac_purple_eventloop_attach().
 */
void
lilac_purple_eventloop_defer (void)
{
  lilac_purple_eventloop_deferring = TRUE;
}

/**
 * lilac_purple_eventloop_attach:
 *
 * Creates, in the default main context, the sources recorded while
 * deferring, and stops deferring. A timer starts counting now.
 */
void
lilac_purple_eventloop_attach (void)
{
  GHashTableIter iter;
  gpointer value;

  lilac_purple_eventloop_deferring = FALSE;
  g_hash_table_iter_init (&iter, lilac_purple_eventloop_get_sources ());
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LilacPurpleSource *entry = value;

      if (entry->source == NULL)
        lilac_purple_eventloop_attach_one (entry);
    }
}

/**
 * lilac_purple_eventloop_clear:
 *
 * Removes every timer and watch libpurple left behind. Call after
 * purple_core_quit().
 */
void
lilac_purple_eventloop_clear (void)
{
  g_autoptr(GList) handles = NULL;

  if (lilac_purple_eventloop_sources == NULL)
    return;
  handles = g_hash_table_get_keys (lilac_purple_eventloop_sources);
  if (handles != NULL)
    g_debug ("removing %u timers and watches libpurple left", g_list_length (handles));
  for (GList *l = handles; l != NULL; l = l->next)
    lilac_purple_eventloop_remove (GPOINTER_TO_UINT (l->data));
}
