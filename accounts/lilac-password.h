/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * What a login password protects: its Argon2id hash, and the user's data key
 * wrapped by a second Argon2id key of it. Pure computation, run in threads.
 */
#pragma once

#include <glib.h>

#include "lilac-secret.h"

G_BEGIN_DECLS

typedef struct {
  char *hash;       /* (owned) Argon2id hash string */
  GBytes *salt;     /* (owned) salt of the wrapping key */
  GBytes *wrapped;  /* (owned) the wrapped data key */
} LilacPasswordRecord;

void                 lilac_password_record_free (LilacPasswordRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacPasswordRecord, lilac_password_record_free)

LilacPasswordRecord *lilac_password_record_new (const char *password,
                                                LilacKey   *data_key,
                                                guint64     ops,
                                                gsize       mem,
                                                GError    **error);
gboolean             lilac_password_record_is_current (const LilacPasswordRecord *record,
                                                       guint64                    ops,
                                                       gsize                      mem);
LilacKey            *lilac_password_open (const LilacPasswordRecord *record,
                                          const char                *password,
                                          guint64                    ops,
                                          gsize                      mem,
                                          GError                   **error);

G_END_DECLS
