/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * A stand-in for lilac-worker that the supervisor tests exec: it speaks the
 * wire protocol on --fd (HELLO, PING, SHUTDOWN) and misbehaves the way its
 * mode, $LILAC_FAKE_WORKER_MODE, says, the first time only (a file
 * "misbehaved" in --dir remembers it), so that its next incarnation runs:
 *
 *   exit:N   exits with status N once the gateway greeted it
 *   close    closes its socket once greeted, and stays alive (the gateway
 *            must notice the closed socket, not an exit)
 *   run      never misbehaves
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "lilac-wire.h"

typedef struct {
  GMainLoop *loop;
  LilacWireChannel *channel;
  const char *mode;
  char *marker;
} FakeWorker;

static void
fake_worker_misbehave (FakeWorker *fake)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (fake->marker, fake->mode, -1, &error))
    {
      g_printerr ("fake-worker: %s\n", error->message);
      exit (1);
    }
  if (g_str_has_prefix (fake->mode, "exit:"))
    exit (atoi (fake->mode + strlen ("exit:")));
  if (g_str_equal (fake->mode, "close"))
    {
      lilac_wire_channel_close (fake->channel);
      /* alive but deaf: only the closed socket says something is wrong */
      g_usleep (30 * G_USEC_PER_SEC);
      exit (0);
    }
}

static void
fake_worker_ready_cb (LilacWireChannel *channel,
                      gpointer          user_data)
{
  FakeWorker *fake = user_data;

  if (!g_str_equal (fake->mode, "run") && !g_file_test (fake->marker, G_FILE_TEST_EXISTS))
    fake_worker_misbehave (fake);
}

static void
fake_worker_frame_cb (LilacWireChannel *channel,
                      LilacWireFrame   *frame,
                      gpointer          user_data)
{
  FakeWorker *fake = user_data;
  g_autoptr(JsonObject) reply = json_object_new ();

  if (frame->type == LILAC_WIRE_SHUTDOWN)
    g_main_loop_quit (fake->loop);
  else if (frame->id > 0)
    lilac_wire_channel_send (channel, LILAC_WIRE_REPLY, frame->id, reply, NULL);
}

static void
fake_worker_closed_cb (LilacWireChannel *channel,
                       const GError     *reason,
                       gpointer          user_data)
{
  g_main_loop_quit (((FakeWorker *) user_data)->loop);
}

int
main (int   argc,
      char *argv[])
{
  FakeWorker fake = { 0 };
  const char *dir = NULL;
  int fd = -1;

  for (int i = 1; i + 1 < argc; i++)
    {
      if (g_str_equal (argv[i], "--fd"))
        fd = atoi (argv[i + 1]);
      else if (g_str_equal (argv[i], "--dir"))
        dir = argv[i + 1];
    }
  if (fd < 0 || dir == NULL)
    return 2;
  fake.mode = g_getenv ("LILAC_FAKE_WORKER_MODE") != NULL ? g_getenv ("LILAC_FAKE_WORKER_MODE") : "run";
  fake.marker = g_build_filename (dir, "misbehaved", NULL);
  fake.loop = g_main_loop_new (NULL, FALSE);
  fake.channel = lilac_wire_channel_new (fd, "worker");
  g_signal_connect (fake.channel, "ready", G_CALLBACK (fake_worker_ready_cb), &fake);
  g_signal_connect (fake.channel, "frame", G_CALLBACK (fake_worker_frame_cb), &fake);
  g_signal_connect (fake.channel, "closed", G_CALLBACK (fake_worker_closed_cb), &fake);
  lilac_wire_channel_start (fake.channel);
  g_main_loop_run (fake.loop);
  g_object_unref (fake.channel);
  g_main_loop_unref (fake.loop);
  g_free (fake.marker);
  return 0;
}
