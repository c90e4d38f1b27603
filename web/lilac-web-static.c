/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The browser page and its files (web/static and the catalogs of po/page),
 * compiled in as a GResource. Each file is served under
 * /static/VERSION/NAME, where VERSION is a digest of every file, so that it
 * can be cached for a year; `/` is the page itself, revalidated on each load,
 * in the language the browser asks for (its title and the sentence shown
 * without JavaScript come from the page's catalogs). Each file is
 * gzip-compressed once, the first time the page is asked for.
 */
#include "config.h"

#include "lilac-web-static.h"

#include <string.h>

#include "lilac-json.h"
#include "lilac-web-response.h"
#include "lilac-web-static-resources.h"

#define LILAC_WEB_STATIC_RESOURCES "/org/lilac/web/static/"
#define LILAC_WEB_STATIC_PAGE "index.html"
#define LILAC_WEB_STATIC_CATALOGS "i18n/"
#define LILAC_WEB_STATIC_DEFAULT_LANGUAGE "en"
#define LILAC_WEB_STATIC_VERSION_LENGTH 16
/* index.html's own texts, msgids of the page's catalogs (marked for
 * translation in web/static/js/i18n.js and notifications.js) */
#define LILAC_WEB_STATIC_TITLE "Lilac"
#define LILAC_WEB_STATIC_NOSCRIPT "Lilac needs JavaScript. Without it, use the {link}."
#define LILAC_WEB_STATIC_LIGHT_VIEW "light view"

/* no inline script or style, nothing from elsewhere, no framing; every DOM
 * sink that would parse a string as HTML refuses it (Trusted Types) */
#define LILAC_WEB_STATIC_CSP \
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
  "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; " \
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; " \
  "require-trusted-types-for 'script'; trusted-types 'none'"
#define LILAC_WEB_STATIC_CACHE_PAGE "no-cache"
#define LILAC_WEB_STATIC_CACHE_ASSET "public, max-age=31536000, immutable"

typedef struct {
  const char *content_type;   /* (unowned) a string literal */
  GBytes *plain;              /* (owned) */
  GBytes *gzip;               /* (owned) (nullable) only when smaller than plain */
  char *etag;                 /* (owned) quoted, of plain */
  char *etag_gzip;            /* (owned) quoted, of gzip */
} LilacWebStaticFile;

typedef struct {
  char *version;              /* (owned) hex digest of every file */
  GHashTable *files;          /* (owned) name below /static/VERSION/ -> LilacWebStaticFile */
  GHashTable *pages;          /* (owned) language -> LilacWebStaticFile: the page in it */
  GPtrArray *languages;       /* (owned) "en" first, then one per catalog */
} LilacWebStaticTable;

static const struct {
  const char *suffix;
  const char *content_type;
} lilac_web_static_types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".json", "application/json" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".woff2", "font/woff2" },
};

/* ----------------------------------------------------------- Building */

static const char *
lilac_web_static_content_type (const char *name)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (lilac_web_static_types); i++)
    {
      if (g_str_has_suffix (name, lilac_web_static_types[i].suffix))
        return lilac_web_static_types[i].content_type;
    }
  return "application/octet-stream";
}

static GBytes *
lilac_web_static_gzip (GBytes *plain)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) stream = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  gsize size = 0;
  const void *data = g_bytes_get_data (plain, &size);

  if (!g_output_stream_write_all (stream, data, size, NULL, NULL, NULL) ||
      !g_output_stream_close (stream, NULL, NULL))
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static LilacWebStaticFile *
lilac_web_static_file_new (const char *name,
                           GBytes     *plain,
                           const char *tag)
{
  LilacWebStaticFile *file = g_new0 (LilacWebStaticFile, 1);
  g_autoptr(GBytes) gzip = lilac_web_static_gzip (plain);

  file->content_type = lilac_web_static_content_type (name);
  file->plain = g_bytes_ref (plain);
  if (gzip != NULL && g_bytes_get_size (gzip) < g_bytes_get_size (plain))
    file->gzip = g_steal_pointer (&gzip);
  file->etag = g_strdup_printf ("\"%s\"", tag);
  file->etag_gzip = g_strdup_printf ("\"%s-gzip\"", tag);
  return file;
}

/* every file below @dir, as names relative to the static root */
static void
lilac_web_static_collect (const char *dir,
                          const char *relative,
                          GPtrArray  *names)
{
  g_auto(GStrv) children = g_resource_enumerate_children (lilac_web_static_get_resource (), dir,
                                                          G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  for (unsigned i = 0; children != NULL && children[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (dir, children[i], NULL);
      g_autofree char *name = g_strconcat (relative, children[i], NULL);

      if (g_str_has_suffix (children[i], "/"))
        lilac_web_static_collect (path, name, names);
      else
        g_ptr_array_add (names, g_steal_pointer (&name));
    }
}

static GBytes *
lilac_web_static_lookup (const char *name)
{
  g_autofree char *path = g_strconcat (LILAC_WEB_STATIC_RESOURCES, name, NULL);

  return g_resource_lookup_data (lilac_web_static_get_resource (), path,
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}

static int
lilac_web_static_compare_names (gconstpointer a,
                                gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* "zh_CN" -> "zh-CN", the form of HTML's lang attribute */
static char *
lilac_web_static_language_tag (const char *language)
{
  return g_strdelimit (g_strdup (language), "_", '-');
}

/* the "messages" of the page's catalog in @language (po/page as JSON), or
 * NULL: English has none, and a catalog that cannot be read leaves the
 * page in English */
static JsonObject *
lilac_web_static_catalog_messages (const char *language)
{
  g_autofree char *name = g_strconcat (LILAC_WEB_STATIC_CATALOGS, language, ".json", NULL);
  g_autoptr(GBytes) data = lilac_web_static_lookup (name);
  g_autoptr(JsonObject) catalog = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *messages = NULL;

  if (data == NULL)
    return NULL;
  catalog = lilac_json_parse_object (g_bytes_get_data (data, NULL), g_bytes_get_size (data), &error);
  if (catalog != NULL)
    messages = lilac_json_get_object (catalog, "messages", &error);
  if (messages == NULL)
    {
      g_debug ("the page's catalog %s has no messages: %s", name,
               error != NULL ? error->message : "none given");
      return NULL;
    }
  return json_object_ref (messages);
}

/* @msgid as the catalog translates it (itself when it does not), escaped
 * for HTML */
static char *
lilac_web_static_translate (JsonObject *messages,
                            const char *msgid)
{
  const char *text = NULL;

  if (messages != NULL)
    text = lilac_json_get_string (messages, msgid, FALSE, G_MAXSIZE, NULL);
  return g_markup_escape_text (text != NULL && *text != '\0' ? text : msgid, -1);
}

/* the page's title and the sentence shown without JavaScript, whose
 * "{link}" is the link to the light view */
static void
lilac_web_static_fill_texts (GString    *text,
                             const char *language)
{
  g_autoptr(JsonObject) messages = lilac_web_static_catalog_messages (language);
  g_autofree char *title = lilac_web_static_translate (messages, LILAC_WEB_STATIC_TITLE);
  g_autofree char *light = lilac_web_static_translate (messages, LILAC_WEB_STATIC_LIGHT_VIEW);
  g_autofree char *sentence = lilac_web_static_translate (messages, LILAC_WEB_STATIC_NOSCRIPT);
  g_autofree char *link = g_strdup_printf ("<a href=\"/m/\">%s</a>", light);
  g_autoptr(GString) noscript = g_string_new (sentence);

  g_string_replace (noscript, "{link}", link, 1);
  g_string_replace (text, "@TITLE@", title, 0);
  g_string_replace (text, "@NOSCRIPT@", noscript->str, 0);
}

/* the page in one language: index.html with its placeholders filled in */
static void
lilac_web_static_add_page (LilacWebStaticTable *table,
                           GBytes              *template,
                           const char          *language,
                           const char          *languages)
{
  g_autoptr(GString) text = g_string_new_len (g_bytes_get_data (template, NULL),
                                              (gssize) g_bytes_get_size (template));
  g_autofree char *tag = lilac_web_static_language_tag (language);
  g_autofree char *etag = g_strdup_printf ("%s-%s", table->version, language);
  g_autoptr(GBytes) page = NULL;

  g_string_replace (text, "@VERSION@", table->version, 0);
  g_string_replace (text, "@LANG@", tag, 0);
  g_string_replace (text, "@LANGUAGES@", languages, 0);
  /* last: a translation is never read for placeholders */
  lilac_web_static_fill_texts (text, language);
  page = g_string_free_to_bytes (g_steal_pointer (&text));
  g_hash_table_insert (table->pages, g_strdup (language),
                       lilac_web_static_file_new (LILAC_WEB_STATIC_PAGE, page, etag));
}

static void
lilac_web_static_file_free (gpointer data)
{
  LilacWebStaticFile *file = data;

  g_bytes_unref (file->plain);
  g_clear_pointer (&file->gzip, g_bytes_unref);
  g_free (file->etag);
  g_free (file->etag_gzip);
  g_free (file);
}

static LilacWebStaticTable *
lilac_web_static_table_new (void)
{
  LilacWebStaticTable *table = g_new0 (LilacWebStaticTable, 1);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GBytes) template = lilac_web_static_lookup (LILAC_WEB_STATIC_PAGE);
  g_autofree char *languages = NULL;

  table->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, lilac_web_static_file_free);
  table->pages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, lilac_web_static_file_free);
  table->languages = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (table->languages, g_strdup (LILAC_WEB_STATIC_DEFAULT_LANGUAGE));

  lilac_web_static_collect (LILAC_WEB_STATIC_RESOURCES, "", names);
  g_ptr_array_sort (names, lilac_web_static_compare_names);
  for (unsigned i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      GBytes *data = lilac_web_static_lookup (name);

      if (data == NULL)
        data = g_bytes_new_static ("", 0);
      g_ptr_array_add (contents, data);
      g_checksum_update (checksum, (const guchar *) name, (gssize) strlen (name) + 1);
      g_checksum_update (checksum, g_bytes_get_data (data, NULL), (gssize) g_bytes_get_size (data));
      if (g_str_has_prefix (name, LILAC_WEB_STATIC_CATALOGS) && g_str_has_suffix (name, ".json"))
        g_ptr_array_add (table->languages,
                         g_strndup (name + strlen (LILAC_WEB_STATIC_CATALOGS),
                                    strlen (name) - strlen (LILAC_WEB_STATIC_CATALOGS) - 5));
    }
  table->version = g_strndup (g_checksum_get_string (checksum), LILAC_WEB_STATIC_VERSION_LENGTH);

  for (unsigned i = 0; i < names->len; i++)
    {
      if (!g_str_equal (names->pdata[i], LILAC_WEB_STATIC_PAGE))
        g_hash_table_insert (table->files, g_strdup (names->pdata[i]),
                             lilac_web_static_file_new (names->pdata[i], contents->pdata[i],
                                                        table->version));
    }
  g_ptr_array_add (table->languages, NULL);
  languages = g_strjoinv (" ", (char **) table->languages->pdata);
  g_ptr_array_set_size (table->languages, table->languages->len - 1);
  for (unsigned i = 0; template != NULL && i < table->languages->len; i++)
    lilac_web_static_add_page (table, template, table->languages->pdata[i], languages);
  g_debug ("the browser page is version %s, in %u languages", table->version,
           table->languages->len);
  return table;
}

/* built once, on the first request for the page, and kept for the process's life */
static const LilacWebStaticTable *
lilac_web_static_get_table (void)
{
  static gsize built = 0;
  static LilacWebStaticTable *table = NULL;

  if (g_once_init_enter (&built))
    {
      table = lilac_web_static_table_new ();
      g_once_init_leave (&built, 1);
    }
  return table;
}

/* ---------------------------------------------------------- Negotiating */

static gboolean
lilac_web_static_accepts_gzip (SoupMessageHeaders *request_headers)
{
  const char *header = soup_message_headers_get_list (request_headers, "Accept-Encoding");
  GSList *unacceptable = NULL;
  GSList *acceptable = NULL;
  gboolean accepts = FALSE;

  if (header == NULL)
    return FALSE;
  acceptable = soup_header_parse_quality_list (header, &unacceptable);
  for (GSList *l = acceptable; l != NULL && !accepts; l = l->next)
    accepts = g_ascii_strcasecmp (l->data, "gzip") == 0 || g_str_equal (l->data, "*");
  for (GSList *l = unacceptable; l != NULL && accepts; l = l->next)
    accepts = g_ascii_strcasecmp (l->data, "gzip") != 0;
  soup_header_free_list (acceptable);
  soup_header_free_list (unacceptable);
  return accepts;
}

/* the part of a language tag before its region: "zh-cn" -> "zh" */
static char *
lilac_web_static_primary (const char *tag)
{
  const char *dash = strchr (tag, '-');

  return dash != NULL ? g_strndup (tag, (gsize) (dash - tag)) : g_strdup (tag);
}

/* the page's language for one Accept-Language tag: the same language and
 * region first, then the same language */
static const char *
lilac_web_static_match_language (const LilacWebStaticTable *table,
                                 const char                *tag)
{
  g_autofree char *wanted = g_strdelimit (g_ascii_strdown (tag, -1), "_", '-');
  g_autofree char *wanted_primary = lilac_web_static_primary (wanted);

  if (g_str_equal (wanted, "*"))
    return LILAC_WEB_STATIC_DEFAULT_LANGUAGE;
  for (unsigned i = 0; i < table->languages->len; i++)
    {
      g_autofree char *have = g_strdelimit (g_ascii_strdown (table->languages->pdata[i], -1), "_", '-');

      if (g_str_equal (have, wanted))
        return table->languages->pdata[i];
    }
  for (unsigned i = 0; i < table->languages->len; i++)
    {
      g_autofree char *have = g_strdelimit (g_ascii_strdown (table->languages->pdata[i], -1), "_", '-');
      g_autofree char *have_primary = lilac_web_static_primary (have);

      if (g_str_equal (have_primary, wanted_primary))
        return table->languages->pdata[i];
    }
  return NULL;
}

static const char *
lilac_web_static_pick_language (const LilacWebStaticTable *table,
                                SoupMessageHeaders        *request_headers)
{
  const char *header = soup_message_headers_get_list (request_headers, "Accept-Language");
  const char *found = NULL;
  GSList *tags;

  if (header == NULL)
    return LILAC_WEB_STATIC_DEFAULT_LANGUAGE;
  tags = soup_header_parse_quality_list (header, NULL);
  for (GSList *l = tags; l != NULL && found == NULL; l = l->next)
    found = lilac_web_static_match_language (table, l->data);
  soup_header_free_list (tags);
  return found != NULL ? found : LILAC_WEB_STATIC_DEFAULT_LANGUAGE;
}

static gboolean
lilac_web_static_not_modified (SoupMessageHeaders *request_headers,
                               const char         *etag)
{
  const char *header = soup_message_headers_get_list (request_headers, "If-None-Match");
  g_auto(GStrv) tags = NULL;

  if (header == NULL)
    return FALSE;
  tags = g_strsplit (header, ",", -1);
  for (unsigned i = 0; tags[i] != NULL; i++)
    {
      const char *tag = g_strstrip (tags[i]);

      if (g_str_has_prefix (tag, "W/"))
        tag += 2;
      if (g_str_equal (tag, etag) || g_str_equal (tag, "*"))
        return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------ Answering */

static void
lilac_web_static_send (SoupServerMessage        *msg,
                       const LilacWebStaticFile *file,
                       const char               *cache_control,
                       const char               *vary)
{
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gboolean gzip = file->gzip != NULL && lilac_web_static_accepts_gzip (request_headers);
  const char *etag = gzip ? file->etag_gzip : file->etag;

  soup_message_headers_replace (headers, "Cache-Control", cache_control);
  soup_message_headers_replace (headers, "Vary", vary);
  soup_message_headers_replace (headers, "ETag", etag);
  if (lilac_web_static_not_modified (request_headers, etag))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  soup_message_headers_replace (headers, "Content-Type", file->content_type);
  if (gzip)
    soup_message_headers_replace (headers, "Content-Encoding", "gzip");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg),
                                  gzip ? file->gzip : file->plain);
}

/* a file of /static/VERSION/NAME; another version is not served: its files
 * are gone, and serving today's under its name would poison caches */
static const LilacWebStaticFile *
lilac_web_static_find_asset (const LilacWebStaticTable *table,
                             const char                *rest)
{
  gsize length = strlen (table->version);

  if (strncmp (rest, table->version, length) != 0 || rest[length] != '/')
    return NULL;
  return g_hash_table_lookup (table->files, rest + length + 1);
}

/**
 * lilac_web_static_serve:
 * @server: the web server
 * @msg: a request for a path outside the API and the light view
 * @path: its path
 *
 * Answers `/` with the page (in the language of Accept-Language, never
 * cached without asking), `/static/VERSION/NAME` with a file of it (cached
 * for a year), gzip-compressed when the client accepts it, and anything else
 * with 404.
 */
void
lilac_web_static_serve (LilacWebServer    *server,
                        SoupServerMessage *msg,
                        const char        *path)
{
  const LilacWebStaticTable *table = lilac_web_static_get_table ();
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const LilacWebStaticFile *file = NULL;
  gboolean page = g_str_equal (path, "/");

  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Content-Security-Policy", LILAC_WEB_STATIC_CSP);
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  if (page)
    file = g_hash_table_lookup (table->pages, lilac_web_static_pick_language (table, request_headers));
  else if (g_str_has_prefix (path, LILAC_WEB_STATIC_PREFIX))
    file = lilac_web_static_find_asset (table, path + strlen (LILAC_WEB_STATIC_PREFIX));
  if (file == NULL)
    {
      soup_message_headers_replace (headers, "Cache-Control", "no-store");
      lilac_web_response_error_literal (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such page");
      return;
    }
  if (!g_str_equal (method, SOUP_METHOD_GET) && !g_str_equal (method, SOUP_METHOD_HEAD))
    {
      soup_message_headers_replace (headers, "Allow", "GET, HEAD");
      lilac_web_response_error_literal (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "bad_request",
                                        "only GET and HEAD are answered here");
      return;
    }
  if (page)
    lilac_web_static_send (msg, file, LILAC_WEB_STATIC_CACHE_PAGE, "Accept-Encoding, Accept-Language");
  else
    lilac_web_static_send (msg, file, LILAC_WEB_STATIC_CACHE_ASSET, "Accept-Encoding");
}
