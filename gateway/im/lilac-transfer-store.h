/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * File transfers in the store: their records, and their bytes in blobs read
 * and written a piece at a time, never a whole file in memory.
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "lilac-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  gint64 user_id;
  gint64 account_id;
  char *peer;        /* (owned) */
  gboolean incoming;
  char *filename;    /* (owned) sanitized */
  gint64 size;
  gint64 done;
  char *state;       /* (owned) pending, active, done, cancelled or failed */
  char *error;       /* (owned) (nullable) */
  gint64 created;
} LilacTransfer;

void        lilac_transfer_free (LilacTransfer *transfer);
JsonObject *lilac_transfer_to_json (const LilacTransfer *transfer);
gboolean    lilac_transfer_is_finished (const LilacTransfer *transfer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacTransfer, lilac_transfer_free)

#define LILAC_TYPE_TRANSFER_STORE (lilac_transfer_store_get_type ())
G_DECLARE_FINAL_TYPE (LilacTransferStore, lilac_transfer_store, LILAC, TRANSFER_STORE, GObject)

LilacTransferStore *lilac_transfer_store_new (LilacStore *store);
LilacTransfer      *lilac_transfer_store_add (LilacTransferStore *self,
                                              gint64              user_id,
                                              gint64              account_id,
                                              const char         *peer,
                                              gboolean            incoming,
                                              const char         *filename,
                                              gint64              size,
                                              GError            **error);
LilacTransfer      *lilac_transfer_store_get (LilacTransferStore *self,
                                              gint64              user_id,
                                              gint64              id,
                                              GError            **error);
GPtrArray          *lilac_transfer_store_list (LilacTransferStore *self,
                                               gint64              user_id,
                                               GError            **error);
gint64              lilac_transfer_store_get_usage (LilacTransferStore *self,
                                                    gint64              user_id);
gboolean            lilac_transfer_store_update (LilacTransferStore *self,
                                                 LilacTransfer      *transfer,
                                                 GError            **error);
gboolean            lilac_transfer_store_allocate (LilacTransferStore *self,
                                                   LilacTransfer      *transfer,
                                                   GError            **error);
gboolean            lilac_transfer_store_write (LilacTransferStore *self,
                                                gint64              id,
                                                gint64              offset,
                                                const guint8       *data,
                                                gsize               length,
                                                GError            **error);
gssize              lilac_transfer_store_read (LilacTransferStore *self,
                                               gint64              id,
                                               gint64              offset,
                                               guint8             *buffer,
                                               gsize               length,
                                               GError            **error);
gboolean            lilac_transfer_store_drop_content (LilacTransferStore *self,
                                                       gint64              id,
                                                       GError            **error);
gboolean            lilac_transfer_store_delete (LilacTransferStore *self,
                                                 gint64              id,
                                                 GError            **error);

G_END_DECLS
