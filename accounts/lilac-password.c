/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Making and opening a password record. Opening always does the work of
 * both Argon2id runs, right password or not, so failures take as long as
 * successes.
 */
#include "config.h"

#include "lilac-password.h"

#include <stdio.h>
#include <string.h>

#include "lilac-error.h"

#define LILAC_PASSWORD_KEY_CONTEXT "lilac user data key, v1"

void
lilac_password_record_free (LilacPasswordRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->hash);
  g_clear_pointer (&record->salt, g_bytes_unref);
  g_clear_pointer (&record->wrapped, g_bytes_unref);
  g_free (record);
}

/**
 * lilac_password_record_new:
 * @password: the login password
 * @data_key: the user's data key
 * @ops: Argon2id opslimit
 * @mem: Argon2id memlimit
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a hash of @password and @data_key
 *   wrapped by a key of @password with a fresh salt
 */
LilacPasswordRecord *
lilac_password_record_new (const char *password,
                           LilacKey   *data_key,
                           guint64     ops,
                           gsize       mem,
                           GError    **error)
{
  g_autoptr(LilacPasswordRecord) record = g_new0 (LilacPasswordRecord, 1);
  g_autoptr(LilacKey) password_key = NULL;

  record->hash = lilac_secret_hash_password (password, ops, mem, error);
  if (record->hash == NULL)
    return NULL;
  record->salt = lilac_secret_new_salt ();
  password_key = lilac_secret_derive_password_key (password, record->salt, ops, mem, error);
  if (password_key == NULL)
    return NULL;
  record->wrapped = lilac_secret_wrap_key (password_key, data_key, LILAC_PASSWORD_KEY_CONTEXT);
  return g_steal_pointer (&record);
}

/* the cost a record was made with, from its hash string
 * ("$argon2id$v=19$m=65536,t=2,p=1$..."): the wrapping key must be derived
 * with the same cost, whatever the configuration says today */
static gboolean
lilac_password_record_cost (const LilacPasswordRecord *record,
                            guint64                   *ops,
                            gsize                     *mem)
{
  unsigned long memory_kib = 0, passes = 0;
  const char *params = strstr (record->hash, "$m=");

  if (params == NULL || sscanf (params, "$m=%lu,t=%lu,", &memory_kib, &passes) != 2 ||
      memory_kib == 0 || passes == 0 || memory_kib > 4ul * 1024 * 1024)
    return FALSE;
  *ops = passes;
  *mem = (gsize) memory_kib * 1024;
  return TRUE;
}

/**
 * lilac_password_record_is_current:
 * @record: a password record
 * @ops: today's Argon2id opslimit
 * @mem: today's Argon2id memlimit
 *
 * Returns: %TRUE if @record was made with this cost
 */
gboolean
lilac_password_record_is_current (const LilacPasswordRecord *record,
                                  guint64                    ops,
                                  gsize                      mem)
{
  guint64 record_ops;
  gsize record_mem;

  return lilac_password_record_cost (record, &record_ops, &record_mem) &&
         record_ops == ops && record_mem == mem;
}

/**
 * lilac_password_open:
 * @record: a password record
 * @password: the password given
 * @ops: Argon2id opslimit, when the record does not tell its own
 * @mem: Argon2id memlimit, likewise
 * @error: return location for a #GError
 *
 * The wrapping key is derived with the cost the record was made with.
 *
 * Returns: (transfer full) (nullable): the data key, or UNAUTHORIZED
 */
LilacKey *
lilac_password_open (const LilacPasswordRecord *record,
                     const char                *password,
                     guint64                    ops,
                     gsize                      mem,
                     GError                   **error)
{
  gboolean valid = lilac_secret_verify_password (record->hash, password);
  g_autoptr(LilacKey) password_key = NULL;
  LilacKey *data_key;

  if (!lilac_password_record_cost (record, &ops, &mem))
    valid = FALSE;
  password_key = lilac_secret_derive_password_key (password, record->salt, ops, mem, NULL);
  if (!valid || password_key == NULL)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_UNAUTHORIZED,
                           "wrong user name or password");
      return NULL;
    }
  data_key = lilac_secret_unwrap_key (password_key, record->wrapped, LILAC_PASSWORD_KEY_CONTEXT,
                                      NULL);
  if (data_key == NULL)
    g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INTERNAL, "the data key does not open");
  return data_key;
}
