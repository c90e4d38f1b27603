/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * libsodium behind small functions. Formats:
 *  - sealed data: 24-byte nonce || XChaCha20-Poly1305-IETF(ciphertext + tag),
 *    with a context string as associated data, so a sealed value cannot be
 *    moved to another row;
 *  - login tokens: 32 random bytes, base64url; the store keeps only a keyed
 *    BLAKE2b of the token (its id) and wraps the user's data key with a
 *    second, differently keyed BLAKE2b of it.
 */
#include "config.h"

#include "lilac-secret.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lilac-error.h"

#define LILAC_SECRET_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define LILAC_SECRET_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define LILAC_SECRET_TOKEN_BYTES 32

struct _LilacKey {
  gint ref_count;
  guint8 *bytes;   /* (owned) a slot of a key block, LILAC_KEY_BYTES */
};

/* fixed keys that separate the two uses of a login token */
static const guint8 lilac_secret_token_id_key[crypto_generichash_KEYBYTES] = "lilac login token id, v1";
static const guint8 lilac_secret_token_key_key[crypto_generichash_KEYBYTES] = "lilac login token key, v1";

gboolean
lilac_secret_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                           "libsodium failed to initialise");
      return FALSE;
    }
  return TRUE;
}

/* The keys' bytes live in blocks from sodium_malloc (guard pages, locked in
 * memory, left out of core dumps), many keys a block: sodium_malloc for each key
 * would cost four memory mappings a logged-in user, and vm.max_map_count (65,530
 * by default) would stop a gateway near 16,000 of them. A freed slot is wiped and
 * goes on a free list threaded through the free slots themselves. Blocks are
 * kept for the life of the process: a few KiB per LILAC_KEY_BLOCK_SLOTS users at
 * the peak. */
#define LILAC_KEY_BLOCK_SLOTS 128

G_STATIC_ASSERT (LILAC_KEY_BYTES >= sizeof (gpointer));

static GMutex lilac_key_lock;
static gpointer lilac_key_free_slots;   /* the first free slot, which holds the next */
static GPtrArray *lilac_key_blocks;     /* (owned) every block, so that none looks leaked */

static guint8 *
lilac_key_slot_take (void)
{
  guint8 *slot;

  g_mutex_lock (&lilac_key_lock);
  if (lilac_key_free_slots == NULL)
    {
      guint8 *block = sodium_malloc (LILAC_KEY_BLOCK_SLOTS * LILAC_KEY_BYTES);

      g_assert (block != NULL);
      if (lilac_key_blocks == NULL)
        lilac_key_blocks = g_ptr_array_new ();
      g_ptr_array_add (lilac_key_blocks, block);
      for (guint i = LILAC_KEY_BLOCK_SLOTS; i-- > 0;)
        {
          guint8 *free_slot = block + (gsize) i * LILAC_KEY_BYTES;

          sodium_memzero (free_slot, LILAC_KEY_BYTES);
          memcpy (free_slot, &lilac_key_free_slots, sizeof (gpointer));
          lilac_key_free_slots = free_slot;
        }
    }
  slot = lilac_key_free_slots;
  memcpy (&lilac_key_free_slots, slot, sizeof (gpointer));
  sodium_memzero (slot, LILAC_KEY_BYTES);
  g_mutex_unlock (&lilac_key_lock);
  return slot;
}

static void
lilac_key_slot_give_back (guint8 *slot)
{
  g_mutex_lock (&lilac_key_lock);
  sodium_memzero (slot, LILAC_KEY_BYTES);
  memcpy (slot, &lilac_key_free_slots, sizeof (gpointer));
  lilac_key_free_slots = slot;
  g_mutex_unlock (&lilac_key_lock);
}

static LilacKey *
lilac_key_alloc (void)
{
  LilacKey *key = g_new0 (LilacKey, 1);

  key->ref_count = 1;
  key->bytes = lilac_key_slot_take ();
  return key;
}

/**
 * lilac_key_new_random:
 *
 * Returns: (transfer full): a fresh random key
 */
LilacKey *
lilac_key_new_random (void)
{
  LilacKey *key = lilac_key_alloc ();

  randombytes_buf (key->bytes, LILAC_KEY_BYTES);
  return key;
}

LilacKey *
lilac_key_new_from_bytes (const guint8 *bytes)
{
  LilacKey *key = lilac_key_alloc ();

  memcpy (key->bytes, bytes, LILAC_KEY_BYTES);
  return key;
}

LilacKey *
lilac_key_ref (LilacKey *key)
{
  g_atomic_int_inc (&key->ref_count);
  return key;
}

void
lilac_key_unref (LilacKey *key)
{
  if (key == NULL || !g_atomic_int_dec_and_test (&key->ref_count))
    return;
  lilac_key_slot_give_back (key->bytes);
  g_free (key);
}

const guint8 *
lilac_key_get_bytes (LilacKey *key)
{
  return key->bytes;
}

/**
 * lilac_secret_seal:
 * @key: the key
 * @plain: the bytes to protect
 * @length: their length
 * @context: associated data binding the result to where it is stored
 *
 * Returns: (transfer full): nonce || ciphertext
 */
GBytes *
lilac_secret_seal (LilacKey     *key,
                   const guint8 *plain,
                   gsize         length,
                   const char   *context)
{
  gsize sealed_length = LILAC_SECRET_NONCE_BYTES + length + LILAC_SECRET_TAG_BYTES;
  guint8 *sealed = g_malloc (sealed_length);
  unsigned long long cipher_length = 0;

  randombytes_buf (sealed, LILAC_SECRET_NONCE_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (sealed + LILAC_SECRET_NONCE_BYTES, &cipher_length,
                                              plain, length,
                                              (const guint8 *) context, strlen (context),
                                              NULL, sealed, key->bytes);
  return g_bytes_new_take (sealed, LILAC_SECRET_NONCE_BYTES + cipher_length);
}

/**
 * lilac_secret_open:
 * @key: the key
 * @sealed: what lilac_secret_seal() returned
 * @context: the same associated data
 * @length: (out): the length of the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the plain bytes, NUL-terminated, in
 *   memory that is zeroed when freed with g_free() — callers wipe it with
 *   sodium-free helpers where it matters
 */
guint8 *
lilac_secret_open (LilacKey   *key,
                   GBytes     *sealed,
                   const char *context,
                   gsize      *length,
                   GError    **error)
{
  gsize sealed_length = 0;
  const guint8 *data = g_bytes_get_data (sealed, &sealed_length);
  unsigned long long plain_length = 0;
  guint8 *plain;

  if (sealed_length < LILAC_SECRET_NONCE_BYTES + LILAC_SECRET_TAG_BYTES)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INTERNAL, "sealed value is truncated");
      return NULL;
    }
  plain = g_malloc0 (sealed_length - LILAC_SECRET_NONCE_BYTES - LILAC_SECRET_TAG_BYTES + 1);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (plain, &plain_length, NULL,
                                                  data + LILAC_SECRET_NONCE_BYTES,
                                                  sealed_length - LILAC_SECRET_NONCE_BYTES,
                                                  (const guint8 *) context, strlen (context),
                                                  data, key->bytes) != 0)
    {
      g_free (plain);
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_PERMISSION_DENIED,
                           "sealed value does not open with this key");
      return NULL;
    }
  *length = (gsize) plain_length;
  return plain;
}

GBytes *
lilac_secret_wrap_key (LilacKey   *wrapping,
                       LilacKey   *key,
                       const char *context)
{
  return lilac_secret_seal (wrapping, key->bytes, LILAC_KEY_BYTES, context);
}

/**
 * lilac_secret_unwrap_key:
 *
 * Returns: (transfer full) (nullable): the key sealed in @wrapped
 */
LilacKey *
lilac_secret_unwrap_key (LilacKey   *wrapping,
                         GBytes     *wrapped,
                         const char *context,
                         GError    **error)
{
  gsize length = 0;
  g_autofree guint8 *plain = lilac_secret_open (wrapping, wrapped, context, &length, error);
  LilacKey *key;

  if (plain == NULL)
    return NULL;
  if (length != LILAC_KEY_BYTES)
    {
      sodium_memzero (plain, length);
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INTERNAL, "wrapped key has the wrong size");
      return NULL;
    }
  key = lilac_key_new_from_bytes (plain);
  sodium_memzero (plain, length);
  return key;
}

/**
 * lilac_secret_hash_password:
 *
 * Returns: (transfer full) (nullable): an Argon2id hash string of @password
 */
char *
lilac_secret_hash_password (const char *password,
                            guint64     ops,
                            gsize       mem,
                            GError    **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (crypto_pwhash_str_alg (hash, password, strlen (password), ops, mem,
                             crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                           "out of memory hashing a password");
      return NULL;
    }
  return g_strdup (hash);
}

gboolean
lilac_secret_verify_password (const char *hash,
                              const char *password)
{
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

GBytes *
lilac_secret_new_salt (void)
{
  guint8 salt[crypto_pwhash_SALTBYTES];

  randombytes_buf (salt, sizeof salt);
  return g_bytes_new (salt, sizeof salt);
}

/**
 * lilac_secret_derive_password_key:
 *
 * Returns: (transfer full) (nullable): the Argon2id key of @password and @salt
 */
LilacKey *
lilac_secret_derive_password_key (const char *password,
                                  GBytes     *salt,
                                  guint64     ops,
                                  gsize       mem,
                                  GError    **error)
{
  g_autoptr(LilacKey) key = lilac_key_alloc ();
  gsize salt_length = 0;
  const guint8 *salt_bytes = g_bytes_get_data (salt, &salt_length);

  if (salt_length != crypto_pwhash_SALTBYTES ||
      crypto_pwhash (key->bytes, LILAC_KEY_BYTES, password, strlen (password), salt_bytes,
                     ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                           "deriving the password key failed");
      return NULL;
    }
  return g_steal_pointer (&key);
}

static gboolean
lilac_secret_create_server_key (const char *path,
                                GError    **error)
{
  guint8 bytes[LILAC_KEY_BYTES];
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  gboolean written;

  if (fd < 0)
    {
      if (errno == EEXIST)
        return TRUE;
      lilac_error_set_from_errno (error, errno, "creating the server key");
      return FALSE;
    }
  randombytes_buf (bytes, sizeof bytes);
  written = write (fd, bytes, sizeof bytes) == (ssize_t) sizeof bytes && fsync (fd) == 0;
  sodium_memzero (bytes, sizeof bytes);
  close (fd);
  if (!written)
    {
      unlink (path);
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INTERNAL, "writing the server key %s failed",
                   path);
      return FALSE;
    }
  return TRUE;
}

/**
 * lilac_secret_load_server_key:
 * @path: the key file in the data folder
 * @error: return location for a #GError
 *
 * Reads the server key, creating it (0600, 32 random bytes) on first start.
 * It opens the data keys of always-on users only.
 *
 * Returns: (transfer full) (nullable): the server key
 */
LilacKey *
lilac_secret_load_server_key (const char *path,
                              GError    **error)
{
  guint8 bytes[LILAC_KEY_BYTES + 1];
  struct stat info;
  ssize_t got;
  LilacKey *key;
  int fd;

  if (!lilac_secret_create_server_key (path, error))
    return NULL;
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fstat (fd, &info) != 0)
    {
      lilac_error_set_from_errno (error, errno, "opening the server key");
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  if ((info.st_mode & 077) != 0)
    {
      close (fd);
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_PERMISSION_DENIED,
                   "%s may be read by others; make it 0600", path);
      return NULL;
    }
  got = read (fd, bytes, sizeof bytes);
  close (fd);
  if (got != LILAC_KEY_BYTES)
    {
      sodium_memzero (bytes, sizeof bytes);
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INTERNAL, "%s is not a server key", path);
      return NULL;
    }
  key = lilac_key_new_from_bytes (bytes);
  sodium_memzero (bytes, sizeof bytes);
  return key;
}

/**
 * lilac_secret_new_token:
 *
 * Returns: (transfer full): 32 random bytes as unpadded base64url
 */
char *
lilac_secret_new_token (void)
{
  guint8 bytes[LILAC_SECRET_TOKEN_BYTES];
  char text[sodium_base64_ENCODED_LEN (LILAC_SECRET_TOKEN_BYTES,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (text, sizeof text, bytes, sizeof bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (text);
}

/**
 * lilac_secret_token_id:
 *
 * Returns: (transfer full): what the store keeps to find a login by @token
 */
GBytes *
lilac_secret_token_id (const char *token)
{
  guint8 id[32];

  crypto_generichash (id, sizeof id, (const guint8 *) token, strlen (token),
                      lilac_secret_token_id_key, sizeof lilac_secret_token_id_key);
  return g_bytes_new (id, sizeof id);
}

/**
 * lilac_secret_token_key:
 *
 * Returns: (transfer full): the key that wraps the data key for this login
 */
LilacKey *
lilac_secret_token_key (const char *token)
{
  LilacKey *key = lilac_key_alloc ();

  crypto_generichash (key->bytes, LILAC_KEY_BYTES, (const guint8 *) token, strlen (token),
                      lilac_secret_token_key_key, sizeof lilac_secret_token_key_key);
  return key;
}

/**
 * lilac_secret_equal:
 *
 * Compares two strings in time that depends only on their lengths.
 */
gboolean
lilac_secret_equal (const char *a,
                    const char *b)
{
  gsize length;

  if (a == NULL || b == NULL)
    return FALSE;
  length = strlen (a);
  if (length != strlen (b))
    return FALSE;
  return sodium_memcmp (a, b, length) == 0;
}
