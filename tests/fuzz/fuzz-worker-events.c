/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Fuzzes the gateway's side of the wire as a compromised worker would
 * drive it: byte streams cut into frames by the real decoder (at the real
 * frame limit), whose events go into a user's IM session the way the
 * worker proxy hands them over (lilac_im_session_handle_event), onto its
 * state mirror, the store (history, conversations, transfers) and the
 * user's event stream. Whatever a worker sends, what the user's tabs then
 * read (the stream and GET /state) must be valid UTF-8 JSON.
 *
 * A store with a user and two disabled accounts serves FUZZ_WORLD_RUNS
 * inputs, each with a new session (a fresh mirror); then it is made again.
 */
#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include "fuzz.h"
#include "lilac-im-account-store.h"
#include "lilac-im-manager.h"
#include "lilac-im-session-private.h"
#include "lilac-json.h"
#include "lilac-protocols.h"
#include "lilac-secret.h"
#include "lilac-store.h"
#include "lilac-supervisor.h"
#include "lilac-user-store.h"
#include "lilac-wire.h"

static const char fuzz_protocols[] =
  "[{\"id\":\"prpl-jabber\",\"name\":\"XMPP\",\"options\":[]},"
  "{\"id\":\"prpl-irc\",\"name\":\"IRC\",\"options\":[]}]";

/* what the inputs work on: a store in a folder of its own, with a user */
typedef struct {
  char *dir;                 /* (owned) */
  LilacImManager *manager;   /* (owned) */
  LilacUser *user;           /* (owned) */
  LilacKey *data_key;        /* (owned) */
} FuzzWorld;

/* inputs a world serves before it is made again: the store grows with what they leave */
#define FUZZ_WORLD_RUNS 256

static LilacImManager *
fuzz_world_new_manager (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "lilac.db", NULL);
  g_autofree char *users_dir = g_build_filename (dir, "users", NULL);
  g_autoptr(LilacStore) store = lilac_store_open (path, NULL);
  g_autoptr(LilacUserStore) users = NULL;
  g_autoptr(LilacImAccountStore) accounts = NULL;
  g_autoptr(LilacProtocols) protocols = NULL;
  g_autoptr(LilacSupervisor) supervisor = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  LilacImSettings settings = {
    .users_dir = users_dir, .event_ring = 4096, .heartbeat = 15, .idle_seconds = 600,
    .history_days = 0, .max_transfer = 64 * 1024, .transfer_quota = 1024 * 1024,
  };

  g_assert (store != NULL);
  g_assert (json_parser_load_from_data (parser, fuzz_protocols, -1, NULL));
  protocols = lilac_protocols_new_from_json (json_node_get_array (json_parser_get_root (parser)));
  /* the cheapest Argon2 there is: the fuzzer never logs in */
  users = lilac_user_store_new (store, 1, 8 * 1024);
  accounts = lilac_im_account_store_new (store);
  supervisor = lilac_supervisor_new ("/nonexistent/lilac-worker", FALSE, NULL, NULL, FALSE);
  return lilac_im_manager_new (store, users, accounts, protocols, supervisor, &settings);
}

static FuzzWorld *
fuzz_world_new (void)
{
  FuzzWorld *world = g_new0 (FuzzWorld, 1);
  LilacImSession *session;

  world->dir = g_dir_make_tmp ("lilac-fuzz-events-XXXXXX", NULL);
  g_assert (world->dir != NULL);
  world->manager = fuzz_world_new_manager (world->dir);
  world->user = lilac_user_store_add (lilac_im_manager_get_users (world->manager), "ann",
                                      "ann-fuzz-password", FALSE, NULL);
  g_assert (world->user != NULL);
  world->data_key = lilac_key_new_random ();
  session = lilac_im_manager_ensure (world->manager, world->user, world->data_key);
  /* account 1 and account 2, disabled: no worker starts */
  g_assert (lilac_im_session_add_account (session, "prpl-jabber", "ann@localhost", "pw", NULL, NULL,
                                          FALSE, NULL) != NULL);
  g_assert (lilac_im_session_add_account (session, "prpl-irc", "ann@127.0.0.1", NULL, "IRC", NULL,
                                          FALSE, NULL) != NULL);
  lilac_im_manager_drop (world->manager, world->user->id);
  return world;
}

static void
fuzz_world_free (FuzzWorld *world)
{
  static const char *const files[] = { "lilac.db", "lilac.db-wal", "lilac.db-shm", "users", NULL };

  g_object_unref (world->manager);
  lilac_user_free (world->user);
  lilac_key_unref (world->data_key);
  for (unsigned i = 0; files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (world->dir, files[i], NULL);

      g_remove (path);
    }
  g_rmdir (world->dir);
  g_free (world->dir);
  g_free (world);
}

static FuzzWorld *fuzz_world = NULL;

/* at exit: the last world's folder goes too */
static void
fuzz_world_clear (void)
{
  g_clear_pointer (&fuzz_world, fuzz_world_free);
}

static FuzzWorld *
fuzz_get_world (void)
{
  static unsigned runs = 0;

  if (runs++ == 0)
    {
      g_assert (lilac_secret_init (NULL));
      atexit (fuzz_world_clear);
    }
  if (runs % FUZZ_WORLD_RUNS == 0)
    fuzz_world_clear ();
  if (fuzz_world == NULL)
    fuzz_world = fuzz_world_new ();
  return fuzz_world;
}

/* what a tab reads after the events: the stream from the start, and the snapshot */
static void
fuzz_check_reads (LilacImSession *session)
{
  LilacEventQueue *queue = lilac_im_session_get_queue (session);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) stream = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autofree char *text = NULL;
  g_autofree char *snapshot = NULL;
  gsize length = 0;

  text = lilac_event_queue_render (queue, 0, lilac_event_queue_get_epoch (queue), 500, &length);
  stream = lilac_json_parse_object (text, length, &local_error);
  g_assert_no_error (local_error);
  state = lilac_im_session_get_state (session, &local_error);
  g_assert_no_error (local_error);
  snapshot = lilac_json_object_to_string (state, &length);
  g_assert (g_utf8_validate_len (snapshot, length, NULL));
  g_assert (stream != NULL);
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  FuzzWorld *world;
  LilacImSession *session;
  g_autoptr(LilacWireDecoder) decoder = lilac_wire_decoder_new (LILAC_WIRE_MAX_FRAME);
  LilacWireFrame *frame = NULL;

  fuzz_set_logging ();
  world = fuzz_get_world ();
  session = lilac_im_manager_ensure (world->manager, world->user, world->data_key);
  lilac_wire_decoder_feed (decoder, (const char *) data, size);
  while (TRUE)
    {
      g_autoptr(GError) local_error = NULL;
      JsonNode *event;

      if (!lilac_wire_decoder_next (decoder, &frame, &local_error))
        continue;
      if (frame == NULL)
        break;
      /* as the worker proxy does: only the event frames, only an object */
      event = json_object_get_member (frame->body, "event");
      if (frame->type == LILAC_WIRE_EVENT && event != NULL && JSON_NODE_HOLDS_OBJECT (event))
        lilac_im_session_handle_event (session, json_node_get_object (event));
      lilac_wire_frame_free (frame);
    }
  fuzz_check_reads (session);
  lilac_im_manager_drop (world->manager, world->user->id);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
