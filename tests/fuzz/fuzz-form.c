/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Fuzzes the light view's form reader with arbitrary bodies against the
 * field table of the send-message form.
 */
#include "config.h"

#include "fuzz.h"
#include "lilac-web-form.h"

static const LilacWebFormField fuzz_form_fields[] = {
  { "csrf", "token", 128, LILAC_WEB_FORM_REQUIRED },
  { "text", "message", 16384, LILAC_WEB_FORM_REQUIRED | LILAC_WEB_FORM_MULTILINE },
  { "back", "page", 256, 0 },
  { NULL }
};

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) form = NULL;

  fuzz_set_logging ();
  form = lilac_web_form_parse ((const char *) data, size, 65536, fuzz_form_fields,
                               lilac_web_language_get_default (), &local_error);
  g_assert ((form == NULL) == (local_error != NULL));
  if (form != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, form);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_assert (g_utf8_validate (value, -1, NULL));
    }
  return 0;
}
