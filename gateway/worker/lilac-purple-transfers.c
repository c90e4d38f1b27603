/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The worker's file transfers, each a LilacPurpleTransfer under an id of the
 * worker's.
 *
 * A file offered to the user comes through libpurple's "file-recv-request"
 * signal and becomes a transfer.offered event, with the peer's file name as
 * it came (the gateway makes it harmless). The transfer is given a local
 * file name there, only so that libpurple does not ask for one; no file is
 * ever opened, since the bytes go to the UI operations
 * (lilac-purple-transfer.c). TRANSFER_ACCEPT brings the write end of the
 * gateway's pipe and accepts the offer, TRANSFER_REJECT declines it the way
 * Pidgin's dialog does (request denied, the request's reference dropped),
 * TRANSFER_CANCEL stops a transfer either way.
 *
 * TRANSFER_SEND brings the read end of a pipe with the file: the account's
 * protocol makes a transfer to the contact (its new_xfer), which is given the
 * size and file name and accepted, as the protocol's own send_file does; the
 * bytes come from the pipe. A transfer libpurple gives up at once (a contact
 * who is offline, for one) is answered with an error instead of an id.
 */
#include "config.h"

#include "lilac-purple-transfers.h"

#include <string.h>
#include <unistd.h>

#include "lilac-error.h"
#include "lilac-json.h"
#include "lilac-purple-accounts.h"
#include "lilac-purple-core.h"
#include "lilac-purple-transfer.h"
#include "lilac-worker-body.h"

/* the worker's transfers: id -> LilacPurpleTransfer (owned), keyed by its own id */
static GHashTable *lilac_purple_transfers;
static guint64 lilac_purple_transfers_next_id;
static int lilac_purple_transfers_handle;

static LilacPurpleTransfer *
lilac_purple_transfers_of (PurpleXfer *xfer)
{
  return xfer != NULL ? xfer->ui_data : NULL;
}

static void
lilac_purple_transfers_over_cb (LilacPurpleTransfer *transfer)
{
  g_hash_table_remove (lilac_purple_transfers, lilac_purple_transfer_get_id (transfer));
}

static LilacPurpleTransfer *
lilac_purple_transfers_add (PurpleXfer *xfer)
{
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, ++lilac_purple_transfers_next_id);
  LilacPurpleTransfer *transfer = lilac_purple_transfer_new (id, xfer,
                                                             lilac_purple_transfers_over_cb);

  xfer->ui_data = transfer;
  g_hash_table_insert (lilac_purple_transfers, (char *) lilac_purple_transfer_get_id (transfer),
                       transfer);
  return transfer;
}

/* ------------------------------------------------------------- UI ops */

static void
lilac_purple_transfers_destroy (PurpleXfer *xfer)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_of (xfer);

  if (transfer == NULL)
    return;
  g_debug ("libpurple freed transfer %s", lilac_purple_transfer_get_id (transfer));
  xfer->ui_data = NULL;
  lilac_purple_transfer_forget_xfer (transfer);
}

static void
lilac_purple_transfers_update_progress (PurpleXfer *xfer,
                                        double      percent)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_of (xfer);

  if (transfer != NULL)
    lilac_purple_transfer_update (transfer);
}

static void
lilac_purple_transfers_cancel_local (PurpleXfer *xfer)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_of (xfer);

  if (transfer != NULL)
    lilac_purple_transfer_end (transfer, LILAC_PURPLE_TRANSFER_CANCELLED, NULL);
}

static void
lilac_purple_transfers_cancel_remote (PurpleXfer *xfer)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_of (xfer);

  /* libpurple also says so when the protocol could not reach the contact */
  if (transfer != NULL)
    lilac_purple_transfer_end (transfer, LILAC_PURPLE_TRANSFER_CANCELLED,
                               "the contact declined or cancelled the transfer, or could not be reached");
}

static gssize
lilac_purple_transfers_ui_write (PurpleXfer   *xfer,
                                 const guchar *buffer,
                                 gssize        size)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_of (xfer);

  return transfer != NULL ? lilac_purple_transfer_write (transfer, buffer, size) : 0;
}

static gssize
lilac_purple_transfers_ui_read (PurpleXfer *xfer,
                                guchar    **buffer,
                                gssize      size)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_of (xfer);

  *buffer = NULL;
  return transfer != NULL ? lilac_purple_transfer_read (transfer, buffer, size) : -1;
}

static void
lilac_purple_transfers_data_not_sent (PurpleXfer   *xfer,
                                      const guchar *buffer,
                                      gsize         size)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_of (xfer);

  if (transfer != NULL)
    lilac_purple_transfer_unread (transfer, buffer, size);
}

static PurpleXferUiOps lilac_purple_transfers_ui_ops = {
  .destroy = lilac_purple_transfers_destroy,
  .update_progress = lilac_purple_transfers_update_progress,
  .cancel_local = lilac_purple_transfers_cancel_local,
  .cancel_remote = lilac_purple_transfers_cancel_remote,
  .ui_write = lilac_purple_transfers_ui_write,
  .ui_read = lilac_purple_transfers_ui_read,
  .data_not_sent = lilac_purple_transfers_data_not_sent,
};

/* ------------------------------------------------------------- Offers */

static void
lilac_purple_transfers_offered_cb (PurpleXfer *xfer,
                                   gpointer    user_data)
{
  const char *account_id = lilac_purple_accounts_get_id (purple_xfer_get_account (xfer));
  g_autoptr(JsonObject) event = NULL;
  LilacPurpleTransfer *transfer;
  JsonObject *offer;

  if (account_id == NULL || purple_xfer_get_type (xfer) != PURPLE_XFER_RECEIVE ||
      lilac_purple_transfers_of (xfer) != NULL)
    return;
  /* libpurple asks for a file name to save to unless it has one */
  if (purple_xfer_get_filename (xfer) == NULL)
    purple_xfer_set_filename (xfer, "");
  purple_xfer_set_local_filename (xfer, purple_xfer_get_filename (xfer));
  transfer = lilac_purple_transfers_add (xfer);
  offer = json_object_new ();
  json_object_set_string_member (offer, "id", lilac_purple_transfer_get_id (transfer));
  json_object_set_string_member (offer, "account", account_id);
  json_object_set_string_member (offer, "peer", purple_xfer_get_remote_user (xfer));
  json_object_set_string_member (offer, "filename", purple_xfer_get_filename (xfer));
  json_object_set_int_member (offer, "size", (gint64) purple_xfer_get_size (xfer));
  event = lilac_purple_event_new ("transfer.offered");
  json_object_set_object_member (event, "transfer", offer);
  g_debug ("transfer %s offered, %" G_GSIZE_FORMAT " bytes",
           lilac_purple_transfer_get_id (transfer), purple_xfer_get_size (xfer));
  lilac_purple_emit (event);
}

/* declines an offer, dropping the reference purple_xfer_request() took */
static void
lilac_purple_transfers_decline (LilacPurpleTransfer *transfer)
{
  PurpleXfer *xfer = lilac_purple_transfer_get_xfer (transfer);

  purple_xfer_request_denied (xfer);
  purple_xfer_unref (xfer);
  lilac_purple_transfer_end (transfer, LILAC_PURPLE_TRANSFER_CANCELLED, NULL);
}

/* ------------------------------------------------------------- Requests */

static void
lilac_purple_transfers_close_fd (int fd)
{
  if (fd >= 0)
    close (fd);
}

static LilacPurpleTransfer *
lilac_purple_transfers_find (JsonObject *body,
                             GError    **error)
{
  LilacPurpleTransfer *transfer;
  const char *id;

  if (!lilac_worker_body_get_string (body, "transfer", TRUE, LILAC_WORKER_BODY_MAX_ID, &id, error))
    return NULL;
  transfer = g_hash_table_lookup (lilac_purple_transfers, id);
  if (transfer == NULL)
    g_set_error (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND, "no transfer \"%s\"", id);
  return transfer;
}

/* an offer nobody answered yet */
static LilacPurpleTransfer *
lilac_purple_transfers_find_offer (JsonObject *body,
                                   GError    **error)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_find (body, error);

  if (transfer == NULL)
    return NULL;
  if (lilac_purple_transfer_get_state (transfer) != LILAC_PURPLE_TRANSFER_PENDING ||
      lilac_purple_transfer_is_over (transfer) || lilac_purple_transfer_get_xfer (transfer) == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the transfer \"%s\" is not an offer waiting for an answer",
                   lilac_purple_transfer_get_id (transfer));
      return NULL;
    }
  return transfer;
}

/**
 * lilac_purple_transfers_accept:
 * @body: a TRANSFER_ACCEPT body: {"transfer"}
 * @fd: (transfer full): the write end of the gateway's pipe, or -1
 * @error: return location for a #GError
 *
 * Accepts an offer; the bytes received go into the pipe, which is closed
 * when the transfer ends.
 *
 * Returns: (transfer full) (nullable): the reply, {}
 */
JsonObject *
lilac_purple_transfers_accept (JsonObject *body,
                               int         fd,
                               GError    **error)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_find_offer (body, error);
  g_autofree char *local_name = NULL;
  PurpleXfer *xfer;

  if (transfer != NULL && fd < 0)
    g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                         "no pipe came with the request");
  if (transfer == NULL || fd < 0)
    {
      lilac_purple_transfers_close_fd (fd);
      return NULL;
    }
  xfer = lilac_purple_transfer_get_xfer (transfer);
  /* libpurple frees the old name before copying the new one */
  local_name = g_strdup (purple_xfer_get_local_filename (xfer));
  lilac_purple_transfer_start (transfer, fd);
  purple_xfer_request_accepted (xfer, local_name);
  return json_object_new ();
}

/**
 * lilac_purple_transfers_reject:
 * @body: a TRANSFER_REJECT body: {"transfer"}
 * @fd: (transfer full): -1, or a descriptor that is closed
 * @error: return location for a #GError
 *
 * Declines an offer.
 *
 * Returns: (transfer full) (nullable): the reply, {}
 */
JsonObject *
lilac_purple_transfers_reject (JsonObject *body,
                               int         fd,
                               GError    **error)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_find_offer (body, error);

  lilac_purple_transfers_close_fd (fd);
  if (transfer == NULL)
    return NULL;
  lilac_purple_transfers_decline (transfer);
  return json_object_new ();
}

/**
 * lilac_purple_transfers_cancel:
 * @body: a TRANSFER_CANCEL body: {"transfer"}
 * @fd: (transfer full): -1, or a descriptor that is closed
 * @error: return location for a #GError
 *
 * Stops a transfer either way (an offer is declined); a transfer already
 * over is left as it is.
 *
 * Returns: (transfer full) (nullable): the reply, {}
 */
JsonObject *
lilac_purple_transfers_cancel (JsonObject *body,
                               int         fd,
                               GError    **error)
{
  LilacPurpleTransfer *transfer = lilac_purple_transfers_find (body, error);
  PurpleXfer *xfer;

  lilac_purple_transfers_close_fd (fd);
  if (transfer == NULL)
    return NULL;
  xfer = lilac_purple_transfer_get_xfer (transfer);
  if (lilac_purple_transfer_is_over (transfer))
    return json_object_new ();
  if (xfer != NULL && lilac_purple_transfer_get_state (transfer) == LILAC_PURPLE_TRANSFER_PENDING)
    lilac_purple_transfers_decline (transfer);
  else if (xfer != NULL && !purple_xfer_is_completed (xfer))
    purple_xfer_cancel_local (xfer);
  /* whatever libpurple did, the transfer is over */
  lilac_purple_transfer_end (transfer, LILAC_PURPLE_TRANSFER_CANCELLED, NULL);
  return json_object_new ();
}

/* the protocol's own transfer to @to, or NULL */
static PurpleXfer *
lilac_purple_transfers_new_outgoing (PurpleAccount *account,
                                     const char    *to,
                                     GError       **error)
{
  PurpleConnection *gc = purple_account_get_connection (account);
  PurplePlugin *prpl = gc != NULL ? purple_connection_get_prpl (gc) : NULL;
  PurplePluginProtocolInfo *info = prpl != NULL ? PURPLE_PLUGIN_PROTOCOL_INFO (prpl) : NULL;
  PurpleXfer *xfer;

  if (info == NULL || info->new_xfer == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE,
                   "the protocol of the account \"%s\" cannot send files",
                   lilac_purple_accounts_get_id (account));
      return NULL;
    }
  xfer = info->new_xfer (gc, to);
  if (xfer == NULL)
    g_set_error (error, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE, "no file can be sent to \"%s\"", to);
  return xfer;
}

static gboolean
lilac_purple_transfers_read_send (JsonObject     *body,
                                  int             fd,
                                  PurpleAccount **account,
                                  const char    **to,
                                  const char    **filename,
                                  gint64         *size,
                                  GError        **error)
{
  const char *account_id;

  if (fd < 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "no pipe came with the request");
      return FALSE;
    }
  if (!lilac_worker_body_get_string (body, "account", TRUE, LILAC_WORKER_BODY_MAX_ID, &account_id,
                                     error) ||
      !lilac_worker_body_get_string (body, "to", TRUE, LILAC_WORKER_BODY_MAX_NAME, to, error) ||
      !lilac_worker_body_get_string (body, "filename", TRUE, LILAC_WORKER_BODY_MAX_NAME, filename,
                                     error) ||
      !lilac_json_get_int (body, "size", 0, size, error))
    return FALSE;
  /* libpurple takes the last part of a path as the name, and refuses "../" */
  if (*size <= 0 || strchr (*filename, '/') != NULL)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           *size <= 0 ? "the file must have a size" : "a file name has no slash");
      return FALSE;
    }
  *account = lilac_purple_accounts_lookup (account_id, TRUE, error);
  return *account != NULL;
}

/**
 * lilac_purple_transfers_send:
 * @body: a TRANSFER_SEND body: {"account","to","filename","size"}
 * @fd: (transfer full): the read end of the gateway's pipe, or -1
 * @error: return location for a #GError
 *
 * Offers the file in the pipe to a contact and sends it when accepted.
 *
 * Returns: (transfer full) (nullable): the reply, {"transfer":"ID"}
 */
JsonObject *
lilac_purple_transfers_send (JsonObject *body,
                             int         fd,
                             GError    **error)
{
  PurpleAccount *account = NULL;
  const char *to = NULL, *filename = NULL;
  LilacPurpleTransfer *transfer;
  JsonObject *reply;
  PurpleXfer *xfer;
  gint64 size = 0;

  if (!lilac_purple_transfers_read_send (body, fd, &account, &to, &filename, &size, error) ||
      (xfer = lilac_purple_transfers_new_outgoing (account, to, error)) == NULL)
    {
      lilac_purple_transfers_close_fd (fd);
      return NULL;
    }
  transfer = lilac_purple_transfers_add (xfer);
  purple_xfer_set_size (xfer, (size_t) size);
  lilac_purple_transfer_start (transfer, fd);
  purple_xfer_request_accepted (xfer, filename);
  if (lilac_purple_transfer_is_over (transfer))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE,
                   "the file could not be offered to \"%s\" (is the contact online, at that address?)",
                   to);
      g_hash_table_remove (lilac_purple_transfers, lilac_purple_transfer_get_id (transfer));
      return NULL;
    }
  g_debug ("transfer %s: sending %" G_GINT64_FORMAT " bytes", lilac_purple_transfer_get_id (transfer),
           size);
  reply = json_object_new ();
  json_object_set_string_member (reply, "transfer", lilac_purple_transfer_get_id (transfer));
  return reply;
}

/* ------------------------------------------------------------- Set-up */

/**
 * lilac_purple_transfers_get_ui_ops:
 *
 * Returns: (transfer none): the transfer UI operations
 */
PurpleXferUiOps *
lilac_purple_transfers_get_ui_ops (void)
{
  return &lilac_purple_transfers_ui_ops;
}

/**
 * lilac_purple_transfers_init:
 *
 * Follows the offers. Call from the core's ui_init.
 */
void
lilac_purple_transfers_init (void)
{
  if (lilac_purple_transfers == NULL)
    lilac_purple_transfers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                    (GDestroyNotify) lilac_purple_transfer_free);
  purple_signal_connect (purple_xfers_get_handle (), "file-recv-request",
                         &lilac_purple_transfers_handle,
                         PURPLE_CALLBACK (lilac_purple_transfers_offered_cb), NULL);
}

/**
 * lilac_purple_transfers_uninit:
 *
 * Forgets every transfer, closing their pipes. Call once libpurple quit.
 */
void
lilac_purple_transfers_uninit (void)
{
  g_clear_pointer (&lilac_purple_transfers, g_hash_table_unref);
}
