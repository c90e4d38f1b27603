/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Fuzzes the parse-and-validate path of every API request body: the JSON
 * body parser the router runs, then the body check of each route that
 * takes one (lilac-web-route-input.h), the settings check, and the
 * account option check against a protocol's option list (as POST
 * /accounts does). Each check must fail exactly when it sets an error (in
 * valid UTF-8: it is sent to the client), and what it accepts must be
 * valid UTF-8 within its limits.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "lilac-json.h"
#include "lilac-protocols.h"
#include "lilac-web-route-input.h"

#define FUZZ_MAX_MESSAGE (16 * 1024)

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

static void
fuzz_assert_text (const char *text,
                  gsize       max_length,
                  gboolean    required)
{
  g_assert (text != NULL || !required);
  g_assert (text == NULL || (strlen (text) <= max_length && g_utf8_validate (text, -1, NULL)));
}

static void
fuzz_users (JsonObject *body)
{
  GError *local_error = NULL;
  LilacWebCredentials credentials = { NULL };
  LilacWebNewUser user = { NULL };
  LilacWebPasswordChange change = { NULL };
  const char *password = NULL;

  if (fuzz_checked (lilac_web_route_session_parse (body, &credentials, &local_error), &local_error))
    fuzz_assert_text (credentials.password, 4096, TRUE);
  if (fuzz_checked (lilac_web_route_users_parse_new (body, &user, &local_error), &local_error))
    fuzz_assert_text (user.username, 256, TRUE);
  if (fuzz_checked (lilac_web_route_users_parse_password (body, &change, &local_error), &local_error))
    fuzz_assert_text (change.old_password, 4096, TRUE);
  if (fuzz_checked (lilac_web_route_admin_parse_reset (body, &password, &local_error), &local_error))
    fuzz_assert_text (password, 4096, TRUE);
  fuzz_checked (lilac_im_session_check_settings (body, &local_error), &local_error);
}

static void
fuzz_accounts (JsonObject *body)
{
  GError *local_error = NULL;
  LilacWebNewAccount account = { NULL };
  LilacImAccountChanges changes = { 0 };

  if (fuzz_checked (lilac_web_route_accounts_parse_new (body, &account, &local_error), &local_error))
    {
      fuzz_assert_text (account.username, 1024, TRUE);
      g_assert (account.username[0] != '\0');
      fuzz_checked (lilac_protocols_check_account (fuzz_get_protocols (), account.protocol,
                                                   account.options, &local_error),
                    &local_error);
    }
  if (fuzz_checked (lilac_web_route_accounts_parse_changes (body, &changes, &local_error),
                    &local_error))
    g_assert (changes.enabled >= -1 && changes.enabled <= 1);
}

static void
fuzz_conversations (JsonObject *body)
{
  GError *local_error = NULL;
  LilacWebMessage message = { NULL };
  LilacWebChat chat = { NULL };
  LilacWebTyping typing = { NULL };
  guint64 seq = 0;

  if (fuzz_checked (lilac_web_route_messages_parse (body, FUZZ_MAX_MESSAGE, &message, &local_error),
                    &local_error))
    {
      fuzz_assert_text (message.text, FUZZ_MAX_MESSAGE, TRUE);
      g_assert (message.conversation != NULL || (message.account != NULL && message.to != NULL &&
                                                 message.to[0] != '\0'));
    }
  if (fuzz_checked (lilac_web_route_chats_parse (body, &chat, &local_error), &local_error))
    g_assert (chat.room[0] != '\0');
  if (fuzz_checked (lilac_web_route_typing_parse (body, &typing, &local_error), &local_error))
    fuzz_assert_text (typing.state, 16, TRUE);
  if (fuzz_checked (lilac_web_route_read_parse (body, &seq, &local_error), &local_error))
    g_assert (seq <= G_MAXINT64);
}

static void
fuzz_commands (JsonObject *body)
{
  GError *local_error = NULL;
  LilacWebBuddy buddy = { NULL };
  LilacWebPresence presence = { NULL };
  LilacWebAnswer answer = { NULL };
  g_auto(LilacWebBroadcast) broadcast = { NULL };
  const char *action = NULL;

  if (fuzz_checked (lilac_web_route_buddies_parse (body, &buddy, &local_error), &local_error))
    g_assert (buddy.name[0] != '\0');
  if (fuzz_checked (lilac_web_route_buddies_parse_info (body, &buddy, &local_error), &local_error))
    g_assert (buddy.name[0] != '\0');
  if (fuzz_checked (lilac_web_route_presence_parse (body, &presence, &local_error), &local_error))
    fuzz_assert_text (presence.message, 1024, FALSE);
  if (fuzz_checked (lilac_web_route_requests_parse (body, &answer, &local_error), &local_error))
    g_assert (answer.action != NULL);
  if (fuzz_checked (lilac_web_route_admin_parse_broadcast (body, &broadcast, &local_error),
                    &local_error))
    g_assert (broadcast.users == NULL || broadcast.users->len <= 1000);
  if (fuzz_checked (lilac_web_route_transfers_parse_action (body, &action, &local_error),
                    &local_error))
    g_assert (action != NULL);
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) body = NULL;

  fuzz_set_logging ();
  body = lilac_json_parse_object ((const char *) data, size, &local_error);
  if (body == NULL)
    {
      fuzz_checked (FALSE, &local_error);
      return 0;
    }
  fuzz_users (body);
  fuzz_accounts (body);
  fuzz_conversations (body);
  fuzz_commands (body);
  return 0;
}
