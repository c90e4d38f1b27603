/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of what the light view builds pages from: the one HTML escaping
 * function, the template filler, the strict form reader, the message
 * catalog reader and the choice of a language.
 */
#include "config.h"

#include <libintl.h>
#include <string.h>

#include "lilac-error.h"
#include "lilac-web-catalog.h"
#include "lilac-web-form.h"
#include "lilac-web-html-escape.h"
#include "lilac-web-language.h"
#include "lilac-web-server-private.h"
#include "lilac-web-template.h"

/* ------------------------------------------------------------------ Escape */

static char *
escape (const char *text,
        gssize      length)
{
  GString *out = g_string_new (NULL);

  lilac_web_html_escape (out, text, length);
  return g_string_free (out, FALSE);
}

static void
test_escape_markup (void)
{
  g_autofree char *plain = escape ("hello, world", -1);
  g_autofree char *markup = escape ("<b>html</b> & \"quotes\" 'single'", -1);
  g_autofree char *attribute = escape ("\" onmouseover=\"alert(1)", -1);
  g_autofree char *none = escape (NULL, -1);

  g_test_summary ("the characters that make markup become character references");
  g_assert_cmpstr (plain, ==, "hello, world");
  g_assert_cmpstr (markup, ==, "&lt;b&gt;html&lt;/b&gt; &amp; &quot;quotes&quot; &#39;single&#39;");
  g_assert_cmpstr (attribute, ==, "&quot; onmouseover=&quot;alert(1)");
  g_assert_cmpstr (none, ==, "");
}

static void
test_escape_unicode (void)
{
  g_autofree char *chinese = escape ("简体中文 ✓", -1);
  g_autofree char *invalid = escape ("a\xff" "b\xc3", -1);
  g_autofree char *nul = escape ("a\0b", 3);
  g_autofree char *controls = escape ("a\x01\x7f\xc2\x85z\tx\ny\r", -1);
  g_autofree char *nonchars = escape ("\xef\xbf\xbe\xef\xb7\x90!", -1);
  g_autofree char *entity = escape ("&amp;", -1);

  g_test_summary ("text that is not UTF-8, NULs, controls and noncharacters become U+FFFD");
  g_assert_cmpstr (chinese, ==, "简体中文 ✓");
  g_assert_cmpstr (invalid, ==, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
  g_assert_cmpstr (nul, ==, "a\xef\xbf\xbd" "b");
  g_assert_cmpstr (controls, ==, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\tx\ny\r");
  g_assert_cmpstr (nonchars, ==, "\xef\xbf\xbd\xef\xbf\xbd!");
  g_assert_cmpstr (entity, ==, "&amp;amp;");
}

static void
test_escape_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261125);

  g_test_summary ("whatever the bytes, the output is UTF-8 with no markup character");
  for (unsigned round = 0; round < 2000; round++)
    {
      guint8 bytes[64];
      gsize length = g_rand_int_range (rand, 0, sizeof bytes);
      g_autofree char *out = NULL;

      for (gsize i = 0; i < length; i++)
        bytes[i] = (guint8) g_rand_int_range (rand, 0, 256);
      out = escape ((const char *) bytes, (gssize) length);
      g_assert_true (g_utf8_validate (out, -1, NULL));
      g_assert_null (strpbrk (out, "<>\"'"));
      for (const char *amp = strchr (out, '&'); amp != NULL; amp = strchr (amp + 1, '&'))
        g_assert_true (g_str_has_prefix (amp, "&amp;") || g_str_has_prefix (amp, "&lt;") ||
                       g_str_has_prefix (amp, "&gt;") || g_str_has_prefix (amp, "&quot;") ||
                       g_str_has_prefix (amp, "&#39;"));
    }
}

/* ---------------------------------------------------------------- Template */

static char *
fill (const char    *source,
      LilacWebSlots *slots)
{
  g_autoptr(LilacWebTemplate) template = lilac_web_template_new (source, strlen (source));
  LilacWebHtml *html = lilac_web_html_new ();
  GBytes *bytes;
  char *text;

  lilac_web_template_fill (template, slots, html);
  bytes = lilac_web_html_free_to_bytes (html);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_bytes_unref (bytes);
  return text;
}

static void
test_template_slots (void)
{
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  LilacWebHtml *inner = lilac_web_html_new ();
  g_autofree char *page = NULL;

  g_test_summary ("text slots are escaped, HTML slots are not, unset slots are empty");
  lilac_web_slots_set_text (slots, "title", "<script>alert(1)</script>");
  lilac_web_slots_set_text (slots, "value", "a\"b");
  lilac_web_html_append_text (inner, "x<y");
  lilac_web_slots_take_html (slots, "body", inner);
  lilac_web_slots_set_printf (slots, "count_2", "%d new", 3);
  page = fill ("<h1>{{title}}</h1><input value=\"{{value}}\">{{body}}{{missing}}|{{count_2}}", slots);
  g_assert_cmpstr (page, ==, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"
                             "<input value=\"a&quot;b\">x&lt;y|3 new");
}

static void
test_template_malformed (void)
{
  g_autoptr(LilacWebSlots) slots = lilac_web_slots_new ();
  const char *sources[] = { "{{", "{{}}", "{{a", "{{a}", "{{A}}", "{{a b}}", "}}{{", "{{{a}}}",
                            "{{ a }}", "text {{a-b}} {" };
  const char *expected[] = { "{{", "{{}}", "{{a", "{{a}", "{{A}}", "{{a b}}", "}}{{", "{x}",
                             "{{ a }}", "text {{a-b}} {" };

  g_test_summary ("what is not a whole slot stays as it is");
  lilac_web_slots_set_text (slots, "a", "x");
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autofree char *page = fill (sources[i], slots);

      g_assert_cmpstr (page, ==, expected[i]);
    }
}

static void
test_template_lines (void)
{
  g_autoptr(LilacWebHtml) html = lilac_web_html_new ();

  g_test_summary ("line breaks of a message become <br>, each line escaped");
  lilac_web_html_append_lines (html, "one <1>\ntwo & three\n", -1);
  lilac_web_html_append_lines (html, "cut here|not shown", 8);
  g_assert_cmpstr (lilac_web_html_get_data (html), ==, "one &lt;1&gt;<br>two &amp; three<br>cut here");
}

static void
test_template_resources (void)
{
  const char *names[] = { "layout", "login", "home", "conversation", "message-item", "new",
                          "request", "buddy", "file" };

  g_test_summary ("the light view's templates are compiled in");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_nonnull (lilac_web_template_get (names[i]));
  g_assert_null (lilac_web_template_get ("no-such-template"));
}

/* -------------------------------------------------------------------- Form */

static const LilacWebFormField form_fields[] = {
  { "csrf", "Security token", 64, 0 },
  { "text", "Message", 32, LILAC_WEB_FORM_REQUIRED | LILAC_WEB_FORM_MULTILINE },
  { "nick", "Nick", 16, 0 },
  { NULL }
};

static GHashTable *
parse (const char *body,
       gsize       length,
       GError    **error)
{
  return lilac_web_form_parse (body, length, 256, form_fields, NULL, error);
}

static void
test_form_valid (void)
{
  g_autoptr(GError) local_error = NULL;
  const char body[] = "csrf=abc&text=hello+%3Cb%3E%0D%0Aw%C3%B6rld&nick=";
  g_autoptr(GHashTable) form = parse (body, strlen (body), &local_error);

  g_test_summary ("a form as a browser sends it is decoded");
  g_assert_no_error (local_error);
  g_assert_cmpstr (g_hash_table_lookup (form, "csrf"), ==, "abc");
  g_assert_cmpstr (g_hash_table_lookup (form, "text"), ==, "hello <b>\r\nwörld");
  g_assert_cmpstr (g_hash_table_lookup (form, "nick"), ==, "");
}

static void
test_form_refused (void)
{
  static const struct {
    const char *body;
    gsize length;
    int code;
  } cases[] = {
    { "text=a%00b", 0, LILAC_ERROR_INVALID_INPUT },             /* an encoded NUL */
    { "text=a\0b", 8, LILAC_ERROR_INVALID_INPUT },              /* a raw NUL */
    { "text=%FF%FE", 0, LILAC_ERROR_INVALID_INPUT },            /* not UTF-8 */
    { "text=%C3", 0, LILAC_ERROR_INVALID_INPUT },               /* cut UTF-8 */
    { "text=a&text=b", 0, LILAC_ERROR_INVALID_INPUT },          /* twice */
    { "text=a&admin=1", 0, LILAC_ERROR_INVALID_INPUT },         /* unknown */
    { "text=a&nick", 0, LILAC_ERROR_INVALID_INPUT },            /* no = */
    { "text=a&", 0, LILAC_ERROR_INVALID_INPUT },                /* empty pair */
    { "text=%G1", 0, LILAC_ERROR_INVALID_INPUT },               /* bad escape */
    { "text=%4", 0, LILAC_ERROR_INVALID_INPUT },                /* cut escape */
    { "nick=x", 0, LILAC_ERROR_INVALID_INPUT },                 /* required missing */
    { "text=", 0, LILAC_ERROR_INVALID_INPUT },                  /* required empty */
    { "", 0, LILAC_ERROR_INVALID_INPUT },                       /* nothing at all */
    { "text=a&nick=b%0Ac", 0, LILAC_ERROR_INVALID_INPUT },      /* line break, one line */
    { "text=a%01", 0, LILAC_ERROR_INVALID_INPUT },              /* control */
    { "text=012345678901234567890123456789012", 0, LILAC_ERROR_TOO_LARGE }, /* over 32 */
  };

  g_test_summary ("anything else is refused as a whole, with a reason");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) local_error = NULL;
      gsize length = cases[i].length != 0 ? cases[i].length : strlen (cases[i].body);
      g_autoptr(GHashTable) form = parse (cases[i].body, length, &local_error);

      g_assert_null (form);
      g_assert_error (local_error, LILAC_ERROR, cases[i].code);
      g_assert_true (g_utf8_validate (local_error->message, -1, NULL));
    }
}

static void
test_form_too_large (void)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *body = g_strnfill (300, 'a');
  g_autoptr(GHashTable) form = parse (body, strlen (body), &local_error);

  g_test_summary ("a body over the limit is refused before it is read");
  g_assert_null (form);
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE);
}

/* ----------------------------------------------------------------- Catalog */

/* a .mo file, little-endian, with the entries sorted as msgfmt writes them */
static GByteArray *
build_catalog (const char *const *pairs,
               guint               n_pairs)
{
  GByteArray *mo = g_byte_array_new ();
  guint32 header[7] = { 0x950412de, 0, n_pairs, 28, 28 + 8 * n_pairs, 0, 0 };
  guint32 offset = 28 + 16 * n_pairs;
  GByteArray *strings = g_byte_array_new ();

  g_byte_array_append (mo, (guint8 *) header, sizeof header);
  for (guint table = 0; table < 2; table++)
    {
      for (guint i = 0; i < n_pairs; i++)
        {
          const char *text = pairs[2 * i + table];
          guint32 entry[2] = { (guint32) strlen (text), offset + strings->len };

          g_byte_array_append (mo, (guint8 *) entry, sizeof entry);
          g_byte_array_append (strings, (const guint8 *) text, strlen (text) + 1);
        }
    }
  g_byte_array_append (mo, strings->data, strings->len);
  g_byte_array_unref (strings);
  return mo;
}

static void
test_catalog_read (void)
{
  const char *pairs[] = { "", "Content-Type: text/plain; charset=UTF-8\n",
                          "Log in", "登录",
                          "%d unread", "%d 条未读",
                          "%s wrote", "%d 写道",           /* wrong conversion: left out */
                          "Bad", "\xff\xfe" };             /* not UTF-8: left out */
  g_autoptr(GByteArray) mo = build_catalog (pairs, G_N_ELEMENTS (pairs) / 2);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LilacWebCatalog) catalog = lilac_web_catalog_new_from_data (mo->data, mo->len,
                                                                        &local_error);

  g_test_summary ("a compiled catalog is read; unsafe translations are left out");
  g_assert_no_error (local_error);
  g_assert_cmpuint (lilac_web_catalog_get_size (catalog), ==, 2);
  g_assert_cmpstr (lilac_web_catalog_lookup (catalog, "Log in"), ==, "登录");
  g_assert_cmpstr (lilac_web_catalog_lookup (catalog, "%d unread"), ==, "%d 条未读");
  g_assert_cmpstr (lilac_web_catalog_lookup (catalog, "%s wrote"), ==, "%s wrote");
  g_assert_cmpstr (lilac_web_catalog_lookup (catalog, "Bad"), ==, "Bad");
  g_assert_cmpstr (lilac_web_catalog_lookup (catalog, "Other"), ==, "Other");
  g_assert_cmpstr (lilac_web_catalog_lookup (NULL, "Other"), ==, "Other");
}

static void
test_catalog_broken (void)
{
  const char *pairs[] = { "Log in", "登录" };
  g_autoptr(GByteArray) mo = build_catalog (pairs, 1);

  g_test_summary ("every cut of a catalog, and a wrong magic number, are refused or read safely");
  for (guint length = 0; length < mo->len; length++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(LilacWebCatalog) catalog = lilac_web_catalog_new_from_data (mo->data, length,
                                                                            &local_error);

      g_assert_null (catalog);
      g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT);
    }
  mo->data[0] ^= 0xff;
  {
    g_autoptr(GError) local_error = NULL;
    g_autoptr(LilacWebCatalog) catalog = lilac_web_catalog_new_from_data (mo->data, mo->len,
                                                                          &local_error);

    g_assert_null (catalog);
    g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT);
  }
}

/* ---------------------------------------------------------------- Language */

static void
test_language_choose (void)
{
  static const struct {
    const char *cookie;
    const char *accept;
    const char *expected;
  } cases[] = {
    { NULL, NULL, "en" },
    { NULL, "zh-CN", "zh_CN" },
    { NULL, "zh-cn,zh;q=0.9,en;q=0.8", "zh_CN" },
    { NULL, "zh", "zh_CN" },
    { NULL, "zh-Hans-CN", "zh_CN" },
    { NULL, "zh-TW", "en" },
    { NULL, "zh-Hant, zh-CN;q=0.5", "zh_CN" },
    { NULL, "fr, de;q=0.9", "en" },
    { NULL, "en;q=0.2, zh-CN;q=0.9", "zh_CN" },
    { NULL, "zh-CN;q=0, en", "en" },
    { NULL, "*", "en" },
    { NULL, ";;;,,,q=", "en" },
    { "en", "zh-CN", "en" },
    { "zh_CN", "en", "zh_CN" },
    { "xx", "zh-CN", "zh_CN" },
  };

  g_test_summary ("the reader's cookie wins, then their best Accept-Language, then English");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const LilacWebLanguage *language = lilac_web_language_choose (cases[i].cookie,
                                                                    cases[i].accept);

      g_assert_cmpstr (language->code, ==, cases[i].expected);
    }
}

static void
test_language_gettext (void)
{
  const LilacWebLanguage *chinese = lilac_web_language_find ("zh_CN");
  const LilacWebLanguage *english = lilac_web_language_get_default ();

  g_test_summary ("the build's zh_CN catalog translates the light view, English stays English");
  g_assert_nonnull (chinese);
  g_assert_cmpstr (lilac_web_language_gettext (english, "Log in"), ==, "Log in");
  g_assert_cmpstr (lilac_web_language_gettext (chinese, "Log in"), ==, "登录");
  g_assert_cmpstr (lilac_web_language_gettext (chinese, "no such text"), ==, "no such text");
}

static char *
resolve (GPtrArray  *proxies,
         const char *peer,
         const char *forwarded)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (peer);

  g_assert_nonnull (address);
  return lilac_web_server_resolve_client (proxies, address, forwarded);
}

static void
test_client_address (void)
{
  g_autoptr(GPtrArray) proxies = g_ptr_array_new_with_free_func (g_object_unref);
  const struct {
    const char *peer;
    const char *forwarded;
    const char *client;
  } cases[] = {
    /* no proxy in between: the peer, whatever it wrote */
    { "198.51.100.7", "203.0.113.9", "198.51.100.7" },
    /* the proxy's word for its client; what the client wrote itself is not believed */
    { "10.0.0.2", "203.0.113.9", "203.0.113.9" },
    { "10.0.0.2", "192.0.2.66, 203.0.113.9", "203.0.113.9" },
    /* a chain of trusted proxies is followed */
    { "10.0.0.2", "203.0.113.9, 10.0.0.3", "203.0.113.9" },
    /* an IPv6 proxy, and garbage in the header */
    { "fd00::1", "2001:db8::5", "2001:db8::5" },
    { "10.0.0.2", "not an address", "10.0.0.2" },
    { "10.0.0.2", NULL, "10.0.0.2" },
  };

  /* no IPv4-mapped cases: GLib hands the IPv4 peers of a dual-stack socket over as IPv4
   * addresses (test_connections listens on ::ffff:127.0.0.1 to show it) */
  g_test_summary ("behind trusted proxies the client is the right-most address they did not add");
  g_ptr_array_add (proxies, g_inet_address_mask_new_from_string ("10.0.0.0/8", NULL));
  g_ptr_array_add (proxies, g_inet_address_mask_new_from_string ("fd00::/8", NULL));
  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *client = resolve (proxies, cases[i].peer, cases[i].forwarded);

      g_assert_cmpstr (client, ==, cases[i].client);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *po_dir = NULL;

  g_test_init (&argc, &argv, NULL);
  /* the catalogs this build compiled, as lilac finds them when run from the build tree */
  po_dir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, po_dir);

  g_test_add_func ("/web/html/escape/markup", test_escape_markup);
  g_test_add_func ("/web/html/escape/unicode", test_escape_unicode);
  g_test_add_func ("/web/html/escape/random", test_escape_random);
  g_test_add_func ("/web/template/slots", test_template_slots);
  g_test_add_func ("/web/template/malformed", test_template_malformed);
  g_test_add_func ("/web/template/lines", test_template_lines);
  g_test_add_func ("/web/template/resources", test_template_resources);
  g_test_add_func ("/web/form/valid", test_form_valid);
  g_test_add_func ("/web/form/refused", test_form_refused);
  g_test_add_func ("/web/form/too-large", test_form_too_large);
  g_test_add_func ("/web/catalog/read", test_catalog_read);
  g_test_add_func ("/web/catalog/broken", test_catalog_broken);
  g_test_add_func ("/web/language/choose", test_language_choose);
  g_test_add_func ("/web/language/gettext", test_language_gettext);
  g_test_add_func ("/web/client-address", test_client_address);
  return g_test_run ();
}
