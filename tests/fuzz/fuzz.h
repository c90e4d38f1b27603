/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * What every fuzz target shares: the libFuzzer entry point, logging
 * silenced so that a fuzz run prints only findings, and the check that a
 * checker fails exactly when it says why.
 */
#pragma once

#include <glib.h>

int LLVMFuzzerTestOneInput (const unsigned char *data,
                            size_t               size);

static inline GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  return G_LOG_WRITER_HANDLED;
}

/* once per process: GLib allows setting the writer only once */
static inline void
fuzz_set_logging (void)
{
  static gboolean done = FALSE;

  if (!done)
    g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
  done = TRUE;
}

/* a check fails exactly when it says why, in text a client can be sent */
static inline gboolean
fuzz_checked (gboolean ok,
              GError **error)
{
  g_assert (ok == (*error == NULL));
  g_assert (ok || g_utf8_validate ((*error)->message, -1, NULL));
  g_clear_error (error);
  return ok;
}
