/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Frames of the gateway <-> worker protocol: encoding, a decoder for a byte
 * stream, and LilacWireChannel, one end of the socket used by both sides.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lilac-wire-protocol.h"

G_BEGIN_DECLS

typedef struct {
  LilacWireType type;
  gint64 id;
  JsonObject *body;   /* (owned) never NULL */
  int fd;             /* (owned) a descriptor passed with the frame, or -1; take it with g_steal_fd */
} LilacWireFrame;

LilacWireFrame *lilac_wire_frame_new (LilacWireType type,
                                      gint64        id,
                                      JsonObject   *body);
void            lilac_wire_frame_free (LilacWireFrame *frame);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacWireFrame, lilac_wire_frame_free)

char           *lilac_wire_frame_encode (LilacWireType type,
                                         gint64        id,
                                         JsonObject   *body,
                                         gsize        *length);
LilacWireFrame *lilac_wire_frame_decode (const char *line,
                                         gsize       length,
                                         GError    **error);

typedef struct _LilacWireDecoder LilacWireDecoder;

LilacWireDecoder *lilac_wire_decoder_new (gsize max_frame);
void              lilac_wire_decoder_free (LilacWireDecoder *self);
void              lilac_wire_decoder_feed (LilacWireDecoder *self,
                                           const char       *data,
                                           gsize             length);
gboolean          lilac_wire_decoder_next (LilacWireDecoder *self,
                                           LilacWireFrame  **frame,
                                           GError          **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacWireDecoder, lilac_wire_decoder_free)

#define LILAC_TYPE_WIRE_CHANNEL (lilac_wire_channel_get_type ())
G_DECLARE_FINAL_TYPE (LilacWireChannel, lilac_wire_channel, LILAC, WIRE_CHANNEL, GObject)

LilacWireChannel *lilac_wire_channel_new (int         fd,
                                          const char *role);
void              lilac_wire_channel_start (LilacWireChannel *self);
void              lilac_wire_channel_close (LilacWireChannel *self);
gboolean          lilac_wire_channel_is_open (LilacWireChannel *self);
gboolean          lilac_wire_channel_is_ready (LilacWireChannel *self);
int               lilac_wire_channel_get_peer_pid (LilacWireChannel *self);
gsize             lilac_wire_channel_get_queued (LilacWireChannel *self);
gboolean          lilac_wire_channel_get_overflowed (LilacWireChannel *self);
void              lilac_wire_channel_set_max_queued (LilacWireChannel *self,
                                                     gsize             max_queued);
gboolean          lilac_wire_channel_send (LilacWireChannel *self,
                                           LilacWireType     type,
                                           gint64            id,
                                           JsonObject       *body,
                                           GError          **error);
gboolean          lilac_wire_channel_send_fd (LilacWireChannel *self,
                                              LilacWireType     type,
                                              gint64            id,
                                              JsonObject       *body,
                                              int               fd,
                                              GError          **error);
gboolean          lilac_wire_channel_send_error (LilacWireChannel *self,
                                                 gint64            id,
                                                 const GError     *reason);
void              lilac_wire_channel_request_async (LilacWireChannel   *self,
                                                    LilacWireType       type,
                                                    JsonObject         *body,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
void              lilac_wire_channel_request_fd_async (LilacWireChannel   *self,
                                                       LilacWireType       type,
                                                       JsonObject         *body,
                                                       int                 fd,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
JsonObject       *lilac_wire_channel_request_finish (LilacWireChannel *self,
                                                     GAsyncResult     *result,
                                                     GError          **error);

G_END_DECLS
