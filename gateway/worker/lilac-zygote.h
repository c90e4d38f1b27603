/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * LilacZygote: lilac-worker --zygote, the process workers are forked from.
 */
#pragma once

#include <glib-object.h>

#include "lilac-purple-core.h"

G_BEGIN_DECLS

/* what a forked child is to run: set in the child only */
typedef struct {
  char *user_dir;   /* (owned) the user's libpurple folder */
  int fd;           /* (owned) the socket to the gateway, -1 in the zygote itself */
} LilacZygoteChild;

#define LILAC_TYPE_ZYGOTE (lilac_zygote_get_type ())
G_DECLARE_FINAL_TYPE (LilacZygote, lilac_zygote, LILAC, ZYGOTE, GObject)

LilacZygote     *lilac_zygote_new (int         control_fd,
                                   const char *template_dir);
gboolean         lilac_zygote_start (LilacZygote *self,
                                     GError     **error);
gboolean         lilac_zygote_run (LilacZygote      *self,
                                   LilacZygoteChild *child,
                                   GError          **error);
LilacPurpleCore *lilac_zygote_get_core (LilacZygote *self);

G_END_DECLS
