/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Fuzzes the parse-and-validate path of API request bodies: the JSON body
 * parser, the member check, the typed getters and the account option check
 * against a protocol's option list (as POST /accounts does).
 */
#include "config.h"

#include "fuzz.h"
#include "lilac-json.h"
#include "lilac-protocols.h"

static const char fuzz_protocols[] =
  "[{\"id\":\"prpl-jabber\",\"name\":\"XMPP\",\"options\":["
  "{\"key\":\"port\",\"label\":\"Port\",\"type\":\"int\",\"default\":5222},"
  "{\"key\":\"connect_server\",\"label\":\"Server\",\"type\":\"string\",\"default\":\"\"},"
  "{\"key\":\"auth_plain_in_clear\",\"label\":\"Plain\",\"type\":\"bool\",\"default\":false},"
  "{\"key\":\"connection_security\",\"label\":\"Security\",\"type\":\"list\",\"default\":\"require_tls\","
  "\"choices\":[{\"label\":\"Require\",\"value\":\"require_tls\"},{\"label\":\"Old\",\"value\":\"old_ssl\"}]}]}]";

static LilacProtocols *
fuzz_get_protocols (void)
{
  static LilacProtocols *protocols = NULL;

  if (protocols == NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert (json_parser_load_from_data (parser, fuzz_protocols, -1, NULL));
      protocols = lilac_protocols_new_from_json (json_node_get_array (json_parser_get_root (parser)));
    }
  return protocols;
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  static const char *const allowed[] = { "protocol", "username", "password", "alias", "options",
                                         "enabled", NULL };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) body = NULL;
  JsonObject *options;
  const char *protocol;
  gboolean enabled;
  gint64 number;

  fuzz_set_logging ();
  body = lilac_json_parse_object ((const char *) data, size, &local_error);
  if (body == NULL)
    {
      g_assert (local_error != NULL);
      return 0;
    }
  lilac_json_check_members (body, allowed, NULL);
  protocol = lilac_json_get_string (body, "protocol", TRUE, 128, NULL);
  lilac_json_get_string (body, "username", TRUE, 1024, NULL);
  lilac_json_get_bool (body, "enabled", TRUE, &enabled, NULL);
  lilac_json_get_int (body, "seq", 0, &number, NULL);
  options = lilac_json_get_object (body, "options", NULL);
  if (protocol != NULL)
    lilac_protocols_check_account (fuzz_get_protocols (), protocol, options, NULL);
  return 0;
}
