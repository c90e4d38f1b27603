/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Fuzzes what the gateway makes of a request's head before its body is
 * read: libsoup's request-line and header parser, then, for POST
 * /api/v1/transfers, the upload's query and header checks and the file
 * name as it is stored and sent back in Content-Disposition; for other
 * requests the body limits of the early handler; and for every request
 * the client address taken from X-Forwarded-For behind a trusted proxy.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "lilac-filename.h"
#include "lilac-web-route-input.h"
#include "lilac-web-router.h"
#include "lilac-web-server-private.h"

#define FUZZ_MAX_BODY (64 * 1024)

static void
fuzz_upload (GHashTable         *query,
             SoupMessageHeaders *headers)
{
  GError *local_error = NULL;
  LilacWebUploadQuery upload;
  g_autofree char *filename = NULL;
  g_autofree char *disposition = NULL;

  if (!fuzz_checked (lilac_web_route_transfers_parse_upload (query, headers, &upload, &local_error),
                     &local_error))
    return;
  g_assert (upload.account != NULL && upload.to[0] != '\0' && strlen (upload.to) <= 1024);
  g_assert (g_utf8_validate (upload.to, -1, NULL));
  g_assert (upload.filename == NULL || strlen (upload.filename) <= 4096);
  filename = lilac_filename_sanitize (upload.filename, -1);
  disposition = lilac_filename_content_disposition (filename);
  g_assert (g_utf8_validate (filename, -1, NULL) && strpbrk (filename, "/\\\r\n") == NULL);
  g_assert (strpbrk (disposition, "\r\n") == NULL);
}

static GPtrArray *
fuzz_get_trusted_proxies (void)
{
  static GPtrArray *trusted = NULL;

  if (trusted == NULL)
    {
      trusted = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (trusted, g_inet_address_mask_new_from_string ("127.0.0.1", NULL));
      g_ptr_array_add (trusted, g_inet_address_mask_new_from_string ("::1", NULL));
      g_ptr_array_add (trusted, g_inet_address_mask_new_from_string ("10.0.0.0/8", NULL));
    }
  return trusted;
}

/* behind a trusted proxy the client is the proxy or one of the hops it names, never another */
static void
fuzz_client_address (SoupMessageHeaders *headers)
{
  g_autoptr(GInetAddress) peer = g_inet_address_new_from_string ("127.0.0.1");
  const char *forwarded = soup_message_headers_get_list (headers, "X-Forwarded-For");
  g_autofree char *client = lilac_web_server_resolve_client (fuzz_get_trusted_proxies (), peer,
                                                             forwarded);
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (client);
  g_auto(GStrv) hops = g_strsplit (forwarded != NULL ? forwarded : "", ",", -1);
  gboolean named = g_inet_address_equal (address, peer);

  g_assert (address != NULL);
  for (unsigned i = 0; hops[i] != NULL && !named; i++)
    {
      g_autoptr(GInetAddress) hop = g_inet_address_new_from_string (g_strstrip (hops[i]));

      named = hop != NULL && g_inet_address_equal (hop, address);
    }
  g_assert (named);
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autofree char *method = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GError) local_error = NULL;
  SoupHTTPVersion version;
  char *separator;

  fuzz_set_logging ();
  if (soup_headers_parse_request (text, (int) strlen (text), headers, &method, &path, &version) !=
      SOUP_STATUS_OK)
    return 0;
  separator = strchr (path, '?');
  if (separator != NULL)
    {
      *separator = '\0';
      query = soup_form_decode (separator + 1);
    }
  if (g_str_equal (method, "POST") && g_str_equal (path, "/api/v1/transfers"))
    fuzz_upload (query, headers);
  else if (fuzz_checked (lilac_web_server_check_body (headers, FUZZ_MAX_BODY, &local_error),
                         &local_error))
    g_assert (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CHUNKED);
  fuzz_client_address (headers);
  return 0;
}
