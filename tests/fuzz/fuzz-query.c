/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Fuzzes the query strings the gateway reads: libsoup's decoder, then the
 * API's checks of GET /events (since, timeout, epoch), GET /history
 * (before, limit, q, conversation, account) and DELETE /buddies, and what
 * the light view takes from a query and gives back in its links: ?page=,
 * ?lang= (with Accept-Language) and the links it builds (back, before).
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "lilac-web-language.h"
#include "lilac-web-light-private.h"
#include "lilac-web-route-input.h"
#include "lilac-web-router.h"

#define FUZZ_POLL_TIMEOUT_MAX 60
#define FUZZ_LIGHT_PAGE_MAX 10000   /* LILAC_WEB_LIGHT_PAGE_MAX */

static void
fuzz_api (GHashTable *query)
{
  GError *local_error = NULL;
  LilacWebPollQuery poll = { 7, 25, NULL };
  LilacWebHistoryQuery history;
  const char *account = NULL, *name = NULL;

  if (fuzz_checked (lilac_web_route_events_parse (query, FUZZ_POLL_TIMEOUT_MAX, &poll, &local_error),
                    &local_error))
    g_assert (poll.since <= G_MAXINT64 && poll.timeout <= FUZZ_POLL_TIMEOUT_MAX);
  if (fuzz_checked (lilac_web_route_history_parse (query, &history, &local_error), &local_error))
    {
      g_assert (history.before <= G_MAXINT64 && history.limit <= 500);
      g_assert (history.search != NULL || history.conversation != NULL);
      g_assert (history.search == NULL || (strlen (history.search) <= 1024 &&
                                           g_utf8_validate (history.search, -1, NULL)));
    }
  if (fuzz_checked (lilac_web_route_buddies_parse_removal (query, &account, &name, &local_error),
                    &local_error))
    g_assert (account != NULL && name[0] != '\0' && g_utf8_validate (name, -1, NULL));
}

/* a link the light view makes gives back exactly what it was made with */
static void
fuzz_light_link (const char *back,
                 const char *before)
{
  g_autofree char *url = lilac_web_light_url ("/m/c/1", "back", back, "before", before, NULL);
  const char *query = strchr (url, '?');
  g_autoptr(GHashTable) decoded = soup_form_decode (query != NULL ? query + 1 : "");

  g_assert (strpbrk (url, " \"'<>\r\n") == NULL);
  g_assert (g_strcmp0 (g_hash_table_lookup (decoded, "back"), back) == 0);
  g_assert (g_strcmp0 (g_hash_table_lookup (decoded, "before"), before) == 0);
}

static void
fuzz_light (GHashTable *query,
            const char *text)
{
  LilacWebLightRequest request = { NULL };
  unsigned page;

  request.query = query;
  page = lilac_web_light_page_number (&request);
  g_assert (page >= 1 && page <= FUZZ_LIGHT_PAGE_MAX);
  /* ?lang= chose a language the way the cookie it sets does; the whole input as Accept-Language */
  g_assert (lilac_web_language_choose (lilac_web_query_lookup (query, "lang"), text) != NULL);
  fuzz_light_link (lilac_web_query_lookup (query, "back"), lilac_web_query_lookup (query, "before"));
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GHashTable) query = NULL;

  fuzz_set_logging ();
  query = soup_form_decode (text);
  fuzz_api (query);
  fuzz_light (query, text);
  return 0;
}
