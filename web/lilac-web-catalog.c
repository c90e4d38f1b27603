/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A compiled gettext catalog (the GNU .mo format) read into a hash table.
 * gettext itself answers in the language of the process's (or thread's)
 * locale, and it needs that locale installed on the machine; the gateway
 * answers every request in its reader's language, so it looks the text up
 * here instead. A catalog is immutable once read: any thread may use it.
 */
#include "config.h"

#include "lilac-web-catalog.h"

#include <string.h>

#include "lilac-error.h"

#define LILAC_WEB_CATALOG_MAGIC 0x950412deu
#define LILAC_WEB_CATALOG_MAGIC_SWAPPED 0xde120495u
#define LILAC_WEB_CATALOG_HEADER 28

struct _LilacWebCatalog {
  GHashTable *strings;         /* (owned) msgid -> msgstr, both (owned) */
};

typedef struct {
  const guint8 *data;
  gsize length;
  gboolean swapped;
} LilacWebCatalogReader;

static gboolean
lilac_web_catalog_read_u32 (const LilacWebCatalogReader *reader,
                            guint64                      offset,
                            guint32                     *value)
{
  guint32 raw;

  if (offset > reader->length || reader->length - offset < 4)
    return FALSE;
  memcpy (&raw, reader->data + offset, 4);
  *value = reader->swapped ? GUINT32_SWAP_LE_BE (raw) : raw;
  return TRUE;
}

/* the string of table entry @index: within the file and NUL-terminated */
static const char *
lilac_web_catalog_read_string (const LilacWebCatalogReader *reader,
                               guint32                      table,
                               guint32                      index)
{
  guint32 length = 0, offset = 0;
  guint64 entry = (guint64) table + (guint64) index * 8;

  if (!lilac_web_catalog_read_u32 (reader, entry, &length) ||
      !lilac_web_catalog_read_u32 (reader, entry + 4, &offset))
    return NULL;
  if ((guint64) offset + length >= reader->length || reader->data[offset + length] != '\0')
    return NULL;
  return (const char *) reader->data + offset;
}

/* the printf conversions of @text in order, length modifiers included: "s ld " for "%s, %ld" */
static char *
lilac_web_catalog_formats (const char *text)
{
  GString *formats = g_string_new (NULL);

  for (const char *p = strchr (text, '%'); p != NULL; p = strchr (p, '%'))
    {
      p++;
      if (*p == '%')
        {
          p++;
          continue;
        }
      for (; *p != '\0' && strchr ("0123456789.-+ #'*$", *p) != NULL; p++)
        ;
      for (; *p != '\0' && strchr ("hlLqjzt", *p) != NULL; p++)
        g_string_append_c (formats, *p);
      if (*p == '\0')
        break;
      g_string_append_c (formats, *p);
      g_string_append_c (formats, ' ');
      p++;
    }
  return g_string_free (formats, FALSE);
}

/* a translation is used as the format its msgid is: it must take the same arguments */
static gboolean
lilac_web_catalog_same_formats (const char *msgid,
                                const char *msgstr)
{
  g_autofree char *expected = lilac_web_catalog_formats (msgid);
  g_autofree char *given = lilac_web_catalog_formats (msgstr);

  return g_str_equal (expected, given);
}

static gboolean
lilac_web_catalog_fail (GError    **error,
                        const char *what)
{
  g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT, "not a message catalog: %s", what);
  return FALSE;
}

static gboolean
lilac_web_catalog_read (LilacWebCatalog       *self,
                        LilacWebCatalogReader *reader,
                        GError               **error)
{
  guint32 magic = 0, revision = 0, count = 0, originals = 0, translations = 0;

  if (reader->length < LILAC_WEB_CATALOG_HEADER)
    return lilac_web_catalog_fail (error, "too short");
  memcpy (&magic, reader->data, 4);
  if (magic != LILAC_WEB_CATALOG_MAGIC && magic != LILAC_WEB_CATALOG_MAGIC_SWAPPED)
    return lilac_web_catalog_fail (error, "wrong magic number");
  reader->swapped = magic == LILAC_WEB_CATALOG_MAGIC_SWAPPED;
  lilac_web_catalog_read_u32 (reader, 4, &revision);
  lilac_web_catalog_read_u32 (reader, 8, &count);
  lilac_web_catalog_read_u32 (reader, 12, &originals);
  lilac_web_catalog_read_u32 (reader, 16, &translations);
  if ((revision >> 16) > 1)
    return lilac_web_catalog_fail (error, "unknown revision");
  if (count > reader->length / 16)
    return lilac_web_catalog_fail (error, "more strings than the file can hold");
  for (guint32 i = 0; i < count; i++)
    {
      const char *msgid = lilac_web_catalog_read_string (reader, originals, i);
      const char *msgstr = lilac_web_catalog_read_string (reader, translations, i);

      if (msgid == NULL || msgstr == NULL)
        return lilac_web_catalog_fail (error, "a string lies outside the file");
      /* the header has the empty msgid; an untranslated or invalid entry keeps the English */
      if (msgid[0] == '\0' || msgstr[0] == '\0' || !g_utf8_validate (msgstr, -1, NULL) ||
          !lilac_web_catalog_same_formats (msgid, msgstr))
        continue;
      g_hash_table_replace (self->strings, g_strdup (msgid), g_strdup (msgstr));
    }
  return TRUE;
}

/**
 * lilac_web_catalog_new_from_data:
 * @data: the bytes of a .mo file
 * @length: their length
 * @error: return location for a #GError
 *
 * Reads a catalog; of a plural entry, only the singular forms are kept. A
 * translation that is not UTF-8, or whose printf conversions differ from its
 * msgid's, is left out: the English is shown instead.
 *
 * Returns: (transfer full) (nullable): the catalog
 */
LilacWebCatalog *
lilac_web_catalog_new_from_data (const guint8 *data,
                                 gsize         length,
                                 GError      **error)
{
  g_autoptr(LilacWebCatalog) self = g_new0 (LilacWebCatalog, 1);
  LilacWebCatalogReader reader = { data, length, FALSE };

  self->strings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!lilac_web_catalog_read (self, &reader, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lilac_web_catalog_new_from_file:
 * @path: a .mo file
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the catalog
 */
LilacWebCatalog *
lilac_web_catalog_new_from_file (const char *path,
                                 GError    **error)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, error);

  if (file == NULL)
    return NULL;
  return lilac_web_catalog_new_from_data ((const guint8 *) g_mapped_file_get_contents (file),
                                          g_mapped_file_get_length (file), error);
}

void
lilac_web_catalog_free (LilacWebCatalog *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->strings, g_hash_table_unref);
  g_free (self);
}

/**
 * lilac_web_catalog_lookup:
 * @self: (nullable): a catalog; %NULL stands for the untranslated English
 * @msgid: the English text
 *
 * Returns: (transfer none): the translation, or @msgid when there is none
 */
const char *
lilac_web_catalog_lookup (const LilacWebCatalog *self,
                          const char            *msgid)
{
  const char *msgstr;

  if (self == NULL || msgid == NULL)
    return msgid;
  msgstr = g_hash_table_lookup (self->strings, msgid);
  return msgstr != NULL ? msgstr : msgid;
}

guint
lilac_web_catalog_get_size (const LilacWebCatalog *self)
{
  return self != NULL ? g_hash_table_size (self->strings) : 0;
}
