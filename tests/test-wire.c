/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of the gateway <-> worker frames: encoding, the decoder's bounds and
 * recovery, and two channels talking over a real socketpair.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lilac-error.h"
#include "lilac-wire.h"

static void
test_wire_roundtrip (void)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(LilacWireFrame) frame = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  g_test_summary ("a frame encodes to one line and decodes to the same frame");
  json_object_set_string_member (body, "text", "line one\nline two \xe4\xbd\xa0\xe5\xa5\xbd");
  line = lilac_wire_frame_encode (LILAC_WIRE_MESSAGE_SEND, 42, body, &length);
  g_assert_cmpint (line[length - 1], ==, '\n');
  g_assert_null (memchr (line, '\n', length - 1));
  frame = lilac_wire_frame_decode (line, length - 1, NULL);
  g_assert_nonnull (frame);
  g_assert_cmpint (frame->type, ==, LILAC_WIRE_MESSAGE_SEND);
  g_assert_cmpint (frame->id, ==, 42);
  g_assert_cmpstr (json_object_get_string_member (frame->body, "text"), ==,
                   "line one\nline two \xe4\xbd\xa0\xe5\xa5\xbd");
}

static void
test_wire_bad_frames (void)
{
  static const struct {
    const char *text;
    gsize length;
  } cases[] = {
    { "not json", 8 },
    { "[1,2]", 5 },
    { "{\"id\":1}", 8 },
    { "{\"type\":\"100\"}", 14 },
    { "{\"type\":9999}", 13 },
    { "{\"type\":100,\"id\":-4}", 20 },
    { "{\"type\":100,\"id\":1.5}", 21 },
    { "{\"type\":100,\"body\":[]}", 22 },
    { "{\"type\":100,\"body\":\"\xff\xfe\"}", 24 },
    { "{\"type\":100,\0\"id\":1}", 20 },
  };

  g_test_summary ("malformed frames are refused with an error, never a crash");
  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(LilacWireFrame) frame = lilac_wire_frame_decode (cases[i].text,
                                                                 cases[i].length,
                                                                 &local_error);

      g_assert_null (frame);
      g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT);
    }
}

static void
test_wire_decoder_split (void)
{
  g_autoptr(LilacWireDecoder) decoder = lilac_wire_decoder_new (1024);
  g_autofree char *line = lilac_wire_frame_encode (LILAC_WIRE_PING, 7, NULL, NULL);
  g_autofree char *two = g_strconcat (line, "\n", line, NULL);
  LilacWireFrame *frame = NULL;
  unsigned count = 0;

  g_test_summary ("frames fed one byte at a time, with empty lines between, come out whole");
  for (const char *p = two; *p != '\0'; p++)
    {
      lilac_wire_decoder_feed (decoder, p, 1);
      while (lilac_wire_decoder_next (decoder, &frame, NULL) && frame != NULL)
        {
          g_assert_cmpint (frame->type, ==, LILAC_WIRE_PING);
          g_assert_cmpint (frame->id, ==, 7);
          lilac_wire_frame_free (frame);
          count++;
        }
    }
  g_assert_cmpuint (count, ==, 2);
}

static void
test_wire_decoder_too_long (void)
{
  g_autoptr(LilacWireDecoder) decoder = lilac_wire_decoder_new (64);
  g_autofree char *big = g_strnfill (200, 'x');
  g_autofree char *good = lilac_wire_frame_encode (LILAC_WIRE_PING, 1, NULL, NULL);
  g_autoptr(GError) local_error = NULL;
  LilacWireFrame *frame = NULL;

  g_test_summary ("an over-long frame is dropped and the next frame still decodes");
  lilac_wire_decoder_feed (decoder, big, 100);
  g_assert_false (lilac_wire_decoder_next (decoder, &frame, &local_error));
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_TOO_LARGE);
  lilac_wire_decoder_feed (decoder, big, 100);
  g_assert_true (lilac_wire_decoder_next (decoder, &frame, NULL));
  g_assert_null (frame);
  lilac_wire_decoder_feed (decoder, "\n", 1);
  lilac_wire_decoder_feed (decoder, good, strlen (good));
  g_assert_true (lilac_wire_decoder_next (decoder, &frame, NULL));
  g_assert_nonnull (frame);
  g_assert_cmpint (frame->type, ==, LILAC_WIRE_PING);
  lilac_wire_frame_free (frame);
}

/* two channels joined by a socketpair, as gateway and worker */
typedef struct {
  LilacWireChannel *gateway;   /* (owned) */
  LilacWireChannel *worker;    /* (owned) */
  GMainLoop *loop;             /* (owned) */
  unsigned ready;
  unsigned closed;
  GError *closed_reason;       /* (owned) (nullable) */
  JsonObject *reply;           /* (owned) (nullable) */
  GError *reply_error;         /* (owned) (nullable) */
  gboolean replied;
} ChannelFixture;

static void
channel_fixture_ready_cb (LilacWireChannel *channel,
                          gpointer          user_data)
{
  ChannelFixture *fixture = user_data;

  fixture->ready++;
}

static void
channel_fixture_closed_cb (LilacWireChannel *channel,
                           const GError     *reason,
                           gpointer          user_data)
{
  ChannelFixture *fixture = user_data;

  fixture->closed++;
  if (reason != NULL && fixture->closed_reason == NULL)
    fixture->closed_reason = g_error_copy (reason);
}

/* the worker side answers PING with a reply echoing the body, anything else with not_found */
static void
channel_fixture_worker_frame_cb (LilacWireChannel *channel,
                                 LilacWireFrame   *frame,
                                 gpointer          user_data)
{
  if (frame->type == LILAC_WIRE_PING)
    lilac_wire_channel_send (channel, LILAC_WIRE_REPLY, frame->id, frame->body, NULL);
  else if (frame->type != LILAC_WIRE_SHUTDOWN)
    {
      g_autoptr(GError) reason = g_error_new_literal (LILAC_ERROR, LILAC_ERROR_NOT_FOUND,
                                                      "no such thing");

      lilac_wire_channel_send_error (channel, frame->id, reason);
    }
}

static gboolean
channel_fixture_timeout_cb (gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

/* every wait fails the test after 5 s */
#define channel_fixture_run_until(condition)                                   \
  G_STMT_START {                                                               \
    guint timeout_ = g_timeout_add_seconds (5, channel_fixture_timeout_cb, NULL); \
    while (!(condition))                                                       \
      g_main_context_iteration (NULL, TRUE);                                   \
    g_source_remove (timeout_);                                                \
  } G_STMT_END

static void
channel_fixture_setup (ChannelFixture *fixture,
                       gconstpointer   data)
{
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  fixture->gateway = lilac_wire_channel_new (fds[0], "gateway");
  fixture->worker = lilac_wire_channel_new (fds[1], "worker");
  for (unsigned i = 0; i < 2; i++)
    {
      LilacWireChannel *channel = i == 0 ? fixture->gateway : fixture->worker;

      g_signal_connect (channel, "ready", G_CALLBACK (channel_fixture_ready_cb), fixture);
      g_signal_connect (channel, "closed", G_CALLBACK (channel_fixture_closed_cb), fixture);
    }
  g_signal_connect (fixture->worker, "frame",
                    G_CALLBACK (channel_fixture_worker_frame_cb), fixture);
}

static void
channel_fixture_teardown (ChannelFixture *fixture,
                          gconstpointer   data)
{
  g_clear_object (&fixture->gateway);
  g_clear_object (&fixture->worker);
  g_clear_error (&fixture->closed_reason);
  g_clear_error (&fixture->reply_error);
  g_clear_pointer (&fixture->reply, json_object_unref);
}

static void
channel_fixture_reply_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  ChannelFixture *fixture = user_data;

  fixture->reply = lilac_wire_channel_request_finish (LILAC_WIRE_CHANNEL (source), result,
                                                      &fixture->reply_error);
  fixture->replied = TRUE;
}

static void
test_wire_channel_request (ChannelFixture *fixture,
                           gconstpointer   data)
{
  g_autoptr(JsonObject) body = json_object_new ();

  g_test_summary ("after the HELLO exchange a request gets its reply, matched by id");
  lilac_wire_channel_start (fixture->gateway);
  lilac_wire_channel_start (fixture->worker);
  channel_fixture_run_until (fixture->ready >= 2);
  g_assert_cmpint (lilac_wire_channel_get_peer_pid (fixture->gateway), ==, getpid ());

  json_object_set_string_member (body, "echo", "hello");
  lilac_wire_channel_request_async (fixture->gateway, LILAC_WIRE_PING, body, NULL,
                                    channel_fixture_reply_cb, fixture);
  channel_fixture_run_until (fixture->replied);
  g_assert_no_error (fixture->reply_error);
  g_assert_cmpstr (json_object_get_string_member (fixture->reply, "echo"), ==, "hello");

  fixture->replied = FALSE;
  lilac_wire_channel_request_async (fixture->gateway, LILAC_WIRE_ACCOUNT_DEL, NULL, NULL,
                                    channel_fixture_reply_cb, fixture);
  channel_fixture_run_until (fixture->replied);
  g_assert_error (fixture->reply_error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND);
}

static void
test_wire_channel_peer_gone (ChannelFixture *fixture,
                             gconstpointer   data)
{

  g_test_summary ("when the worker dies, pending requests fail and closed is emitted");
  lilac_wire_channel_start (fixture->gateway);
  lilac_wire_channel_start (fixture->worker);
  channel_fixture_run_until (fixture->ready >= 2);

  g_signal_handlers_disconnect_by_func (fixture->worker, channel_fixture_worker_frame_cb,
                                        fixture);
  lilac_wire_channel_request_async (fixture->gateway, LILAC_WIRE_PING, NULL, NULL,
                                    channel_fixture_reply_cb, fixture);
  lilac_wire_channel_close (fixture->worker);
  channel_fixture_run_until (fixture->replied);
  g_assert_error (fixture->reply_error, LILAC_ERROR, LILAC_ERROR_WORKER_GONE);
  channel_fixture_run_until (fixture->closed >= 2);
  g_assert_false (lilac_wire_channel_is_open (fixture->gateway));
  g_assert_false (lilac_wire_channel_send (fixture->gateway, LILAC_WIRE_PING, 0, NULL, NULL));
}

static void
test_wire_channel_version (ChannelFixture *fixture,
                           gconstpointer   data)
{
  const char *hello = data;
  int fds[2];
  char answer[512] = { 0 };
  ssize_t got;

  g_test_summary ("a peer with another protocol version is refused and disconnected");
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  g_signal_handlers_disconnect_by_data (fixture->gateway, fixture);
  g_clear_object (&fixture->gateway);
  fixture->gateway = lilac_wire_channel_new (fds[0], "gateway");
  g_signal_connect (fixture->gateway, "closed", G_CALLBACK (channel_fixture_closed_cb), fixture);
  lilac_wire_channel_start (fixture->gateway);
  g_assert_cmpint (write (fds[1], hello, strlen (hello)), ==, (ssize_t) strlen (hello));
  channel_fixture_run_until (fixture->closed > 0);
  g_assert_error (fixture->closed_reason, LILAC_ERROR, LILAC_ERROR_VERSION_MISMATCH);
  got = read (fds[1], answer, sizeof answer - 1);
  g_assert_cmpint (got, >, 0);
  g_assert_nonnull (strstr (answer, "\"code\":\"version\""));
  close (fds[1]);
}

static void
test_wire_channel_queue_limit (ChannelFixture *fixture,
                               gconstpointer   data)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *filler = g_strnfill (4096, 'a');
  g_autoptr(GError) local_error = NULL;
  gboolean sent = TRUE;

  g_test_summary ("a peer that does not read cannot make the queue grow past its limit");
  lilac_wire_channel_set_max_queued (fixture->gateway, 256 * 1024);
  lilac_wire_channel_start (fixture->gateway);
  json_object_set_string_member (body, "filler", filler);
  for (unsigned i = 0; i < 10000 && sent; i++)
    sent = lilac_wire_channel_send (fixture->gateway, LILAC_WIRE_PING, 0, body, &local_error);
  g_assert_false (sent);
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_UNAVAILABLE);
  g_assert_cmpuint (lilac_wire_channel_get_queued (fixture->gateway), <=, 256 * 1024);
}

static void
channel_fixture_fd_frame_cb (LilacWireChannel *channel,
                             LilacWireFrame   *frame,
                             gpointer          user_data)
{
  int *received = user_data;

  if (frame->type == LILAC_WIRE_EVENT && frame->fd >= 0)
    *received = g_steal_fd (&frame->fd);
}

static void
test_wire_channel_fd (ChannelFixture *fixture,
                      gconstpointer   data)
{
  g_autoptr(JsonObject) body = json_object_new ();
  int pipe_fds[2];
  int received = -1;
  char text[16] = { 0 };

  g_test_summary ("a descriptor passed with a frame arrives with that frame and works");
  lilac_wire_channel_start (fixture->gateway);
  lilac_wire_channel_start (fixture->worker);
  channel_fixture_run_until (fixture->ready >= 2);
  g_signal_connect (fixture->gateway, "frame", G_CALLBACK (channel_fixture_fd_frame_cb), &received);
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  /* frames before and after, so the descriptor must stay with its own frame */
  g_assert_true (lilac_wire_channel_send (fixture->worker, LILAC_WIRE_EVENT, 0, body, NULL));
  json_object_set_string_member (body, "transfer", "t1");
  g_assert_true (lilac_wire_channel_send_fd (fixture->worker, LILAC_WIRE_EVENT, 0, body,
                                             pipe_fds[0], NULL));
  g_assert_true (lilac_wire_channel_send (fixture->worker, LILAC_WIRE_EVENT, 0, NULL, NULL));
  channel_fixture_run_until (received >= 0);
  g_assert_cmpint (write (pipe_fds[1], "bytes", 5), ==, 5);
  g_assert_cmpint (read (received, text, sizeof text - 1), ==, 5);
  g_assert_cmpstr (text, ==, "bytes");
  close (received);
  close (pipe_fds[1]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/wire/roundtrip", test_wire_roundtrip);
  g_test_add_func ("/core/wire/bad-frames", test_wire_bad_frames);
  g_test_add_func ("/core/wire/decoder-split", test_wire_decoder_split);
  g_test_add_func ("/core/wire/decoder-too-long", test_wire_decoder_too_long);
  g_test_add ("/core/wire/channel-request", ChannelFixture, NULL, channel_fixture_setup,
              test_wire_channel_request, channel_fixture_teardown);
  g_test_add ("/core/wire/channel-peer-gone", ChannelFixture, NULL, channel_fixture_setup,
              test_wire_channel_peer_gone, channel_fixture_teardown);
  g_test_add ("/core/wire/channel-version", ChannelFixture,
              "{\"type\":1,\"body\":{\"version\":999,\"role\":\"worker\"}}\n",
              channel_fixture_setup, test_wire_channel_version, channel_fixture_teardown);
  g_test_add ("/core/wire/channel-version-not-a-number", ChannelFixture,
              "{\"type\":1,\"body\":{\"version\":{},\"pid\":[1]}}\n",
              channel_fixture_setup, test_wire_channel_version, channel_fixture_teardown);
  g_test_add ("/core/wire/channel-queue-limit", ChannelFixture, NULL, channel_fixture_setup,
              test_wire_channel_queue_limit, channel_fixture_teardown);
  g_test_add ("/core/wire/channel-fd", ChannelFixture, NULL, channel_fixture_setup,
              test_wire_channel_fd, channel_fixture_teardown);
  return g_test_run ();
}
