/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The cryptography of Lilac in one place (libsodium): data keys, sealing
 * with XChaCha20-Poly1305, Argon2id, and login tokens.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LILAC_KEY_BYTES 32

/* a 32-byte key in guarded, locked memory; reference counted */
typedef struct _LilacKey LilacKey;

gboolean    lilac_secret_init (GError **error);

LilacKey   *lilac_key_new_random (void);
LilacKey   *lilac_key_new_from_bytes (const guint8 *bytes);
LilacKey   *lilac_key_ref (LilacKey *key);
void        lilac_key_unref (LilacKey *key);
const guint8 *lilac_key_get_bytes (LilacKey *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacKey, lilac_key_unref)

GBytes     *lilac_secret_seal (LilacKey     *key,
                               const guint8 *plain,
                               gsize         length,
                               const char   *context);
guint8     *lilac_secret_open (LilacKey   *key,
                               GBytes     *sealed,
                               const char *context,
                               gsize      *length,
                               GError    **error);
GBytes     *lilac_secret_wrap_key (LilacKey   *wrapping,
                                   LilacKey   *key,
                                   const char *context);
LilacKey   *lilac_secret_unwrap_key (LilacKey   *wrapping,
                                     GBytes     *wrapped,
                                     const char *context,
                                     GError    **error);

char       *lilac_secret_hash_password (const char *password,
                                        guint64     ops,
                                        gsize       mem,
                                        GError    **error);
gboolean    lilac_secret_verify_password (const char *hash,
                                          const char *password);
LilacKey   *lilac_secret_derive_password_key (const char *password,
                                              GBytes     *salt,
                                              guint64     ops,
                                              gsize       mem,
                                              GError    **error);
GBytes     *lilac_secret_new_salt (void);

LilacKey   *lilac_secret_load_server_key (const char *path,
                                          GError    **error);

char       *lilac_secret_new_token (void);
GBytes     *lilac_secret_token_id (const char *token);
LilacKey   *lilac_secret_token_key (const char *token);
gboolean    lilac_secret_equal (const char *a,
                                const char *b);

G_END_DECLS
