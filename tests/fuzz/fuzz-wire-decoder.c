/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Fuzzes the gateway <-> worker frame decoder with arbitrary byte streams,
 * fed in uneven pieces, as either side reads them from its socket.
 */
#include "config.h"

#include "fuzz.h"
#include "lilac-wire.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(LilacWireDecoder) decoder = lilac_wire_decoder_new (4096);
  size_t offset = 0;

  fuzz_set_logging ();
  while (offset < size)
    {
      /* the first byte of each piece says how long the piece is */
      size_t piece = MIN ((size_t) data[offset] + 1, size - offset);
      LilacWireFrame *frame = NULL;

      lilac_wire_decoder_feed (decoder, (const char *) data + offset, piece);
      offset += piece;
      while (TRUE)
        {
          g_autoptr(GError) local_error = NULL;
          gboolean ok = lilac_wire_decoder_next (decoder, &frame, &local_error);

          if (ok && frame == NULL)
            break;
          if (ok)
            {
              g_assert (frame->body != NULL);
              lilac_wire_frame_free (frame);
            }
          else
            g_assert (local_error != NULL);
        }
    }
  return 0;
}
