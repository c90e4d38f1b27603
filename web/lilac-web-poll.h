/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The long-poll event stream: polls with nothing new are held until an
 * event of their user arrives or their timeout passes.
 */
#pragma once

#include <glib-object.h>

#include "lilac-web-router.h"

G_BEGIN_DECLS

#define LILAC_TYPE_WEB_POLL (lilac_web_poll_get_type ())
G_DECLARE_FINAL_TYPE (LilacWebPoll, lilac_web_poll, LILAC, WEB_POLL, GObject)

LilacWebPoll *lilac_web_poll_new (LilacWebServer *server);
void          lilac_web_poll_answer (LilacWebPoll    *self,
                                     LilacWebRequest *request,
                                     guint64          since,
                                     const char      *epoch,
                                     int              timeout_seconds);
unsigned      lilac_web_poll_get_held (LilacWebPoll *self);
void          lilac_web_poll_release_all (LilacWebPoll *self);
void          lilac_web_poll_end (LilacWebPoll *self,
                                  gint64        login_id,
                                  gint64        user_id);

G_END_DECLS
