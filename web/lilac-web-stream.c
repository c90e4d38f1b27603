/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Answers streamed a piece at a time: libsoup asks for the next piece by
 * "wrote-chunk", so at most one piece of a long answer is in memory.
 */
#include "config.h"

#include "lilac-web-stream.h"

typedef struct {
  LilacWebStreamNext next;
  gpointer data;                  /* (owned) by data_free */
  GDestroyNotify data_free;
} LilacWebStream;

static void
lilac_web_stream_free (LilacWebStream *stream)
{
  if (stream->data_free != NULL)
    stream->data_free (stream->data);
  g_free (stream);
}

static void
lilac_web_stream_write_next (SoupServerMessage *msg,
                             LilacWebStream    *stream)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GBytes) piece = stream->next (stream->data);

  if (piece == NULL || g_bytes_get_size (piece) == 0)
    soup_message_body_complete (body);
  else
    soup_message_body_append_bytes (body, piece);
  soup_server_message_unpause (msg);
}

static void
lilac_web_stream_wrote_chunk_cb (SoupServerMessage *msg,
                                 gpointer           user_data)
{
  lilac_web_stream_write_next (msg, user_data);
}

/**
 * lilac_web_stream_start:
 * @msg: the message to answer; its status and headers are set already
 * @length: the length of the whole body, or -1 when it is not known
 * @next: reads the next piece
 * @data: (transfer full): for @next, freed with @data_free when @msg goes
 * @data_free: (nullable): frees @data
 *
 * Streams the body of the answer, chunked when its length is not known.
 * When @next fails after the first piece, the answer ends short.
 */
void
lilac_web_stream_start (SoupServerMessage *msg,
                        gint64             length,
                        LilacWebStreamNext next,
                        gpointer           data,
                        GDestroyNotify     data_free)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  LilacWebStream *stream = g_new0 (LilacWebStream, 1);

  stream->next = next;
  stream->data = data;
  stream->data_free = data_free;
  if (length >= 0)
    soup_message_headers_set_content_length (headers, length);
  else
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  g_object_set_data_full (G_OBJECT (msg), "lilac-web-stream", stream,
                          (GDestroyNotify) lilac_web_stream_free);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (lilac_web_stream_wrote_chunk_cb), stream);
  lilac_web_stream_write_next (msg, stream);
}
