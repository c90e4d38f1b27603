/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Answers streamed a piece at a time (file downloads, history exports):
 * the next piece is read when the last one was written.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* the next piece of the body, or NULL when it is complete (or cannot go on) */
typedef GBytes *(*LilacWebStreamNext) (gpointer data);

void lilac_web_stream_start (SoupServerMessage *msg,
                             gint64             length,
                             LilacWebStreamNext next,
                             gpointer           data,
                             GDestroyNotify     data_free);

G_END_DECLS
