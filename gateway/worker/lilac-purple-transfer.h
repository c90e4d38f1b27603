/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * One file transfer of a worker: the libpurple transfer, the gateway's pipe
 * its bytes cross, and the transfer.progress events that follow it.
 */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

typedef enum {
  LILAC_PURPLE_TRANSFER_PENDING,    /* offered to the user, not answered yet */
  LILAC_PURPLE_TRANSFER_ACTIVE,
  LILAC_PURPLE_TRANSFER_DONE,
  LILAC_PURPLE_TRANSFER_CANCELLED,
  LILAC_PURPLE_TRANSFER_FAILED,
} LilacPurpleTransferState;

typedef struct _LilacPurpleTransfer LilacPurpleTransfer;

/* called once the transfer's last event is out and its pipe closed */
typedef void (*LilacPurpleTransferOverFunc) (LilacPurpleTransfer *transfer);

LilacPurpleTransfer     *lilac_purple_transfer_new (const char                 *id,
                                                    PurpleXfer                 *xfer,
                                                    LilacPurpleTransferOverFunc over);
void                     lilac_purple_transfer_free (LilacPurpleTransfer *self);
const char              *lilac_purple_transfer_get_id (LilacPurpleTransfer *self);
PurpleXfer              *lilac_purple_transfer_get_xfer (LilacPurpleTransfer *self);
LilacPurpleTransferState lilac_purple_transfer_get_state (LilacPurpleTransfer *self);
gboolean                 lilac_purple_transfer_is_over (LilacPurpleTransfer *self);

void                     lilac_purple_transfer_start (LilacPurpleTransfer *self,
                                                      int                  fd);
void                     lilac_purple_transfer_forget_xfer (LilacPurpleTransfer *self);
void                     lilac_purple_transfer_set_error (LilacPurpleTransfer *self,
                                                          const char          *error);
void                     lilac_purple_transfer_end (LilacPurpleTransfer     *self,
                                                    LilacPurpleTransferState state,
                                                    const char              *error);
void                     lilac_purple_transfer_update (LilacPurpleTransfer *self);

gssize                   lilac_purple_transfer_write (LilacPurpleTransfer *self,
                                                      const guchar        *data,
                                                      gssize               size);
gssize                   lilac_purple_transfer_read (LilacPurpleTransfer *self,
                                                     guchar             **data,
                                                     gssize               size);
void                     lilac_purple_transfer_unread (LilacPurpleTransfer *self,
                                                       const guchar        *data,
                                                       gsize                size);

G_END_DECLS
