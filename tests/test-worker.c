/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of the real lilac-worker binary (its path comes from LILAC_WORKER):
 * the tests play the gateway on a socketpair with a LilacWireChannel and
 * check the worker's answers, its resistance to malformed input, that no
 * password reaches its folder, and how it exits; and the zygote
 * (lilac-worker --zygote), played the same way. Workers load Lilac's
 * plugins from LILAC_PLUGIN_DIR. No network is used.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "lilac-error.h"
#include "lilac-files.h"
#include "lilac-json.h"
#include "lilac-wire.h"

#define WORKER_TIMEOUT_S 20
#define WORKER_PASSWORD "s3cret-lilac-password"

static gboolean
worker_timeout_cb (gpointer user_data)
{
  g_printerr ("timed out waiting for: %s\n", (const char *) user_data);
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

/* every wait fails the test after WORKER_TIMEOUT_S */
#define worker_run_until(condition)                                              \
  G_STMT_START {                                                                 \
    guint timeout_ = g_timeout_add_seconds (WORKER_TIMEOUT_S, worker_timeout_cb, \
                                            (gpointer) #condition);              \
    while (!(condition))                                                         \
      g_main_context_iteration (NULL, TRUE);                                     \
    g_source_remove (timeout_);                                                  \
  } G_STMT_END

/* lilac-worker --fd 3 with @args (NULL-terminated) after it, fd 3 being one
 * end of a new socketpair whose other end is returned in @gateway_fd */
static GSubprocess *
worker_spawn_with (const char *const *args,
                   int                *gateway_fd)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *worker = g_getenv ("LILAC_WORKER");
  GSubprocess *process;
  int fds[2];

  g_assert_nonnull (worker);
  g_ptr_array_add (argv, (char *) worker);
  g_ptr_array_add (argv, (char *) "--fd");
  g_ptr_array_add (argv, (char *) "3");
  for (unsigned i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  /* the launcher closes our copy of the worker's end when it is freed */
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata,
                                          &local_error);
  g_assert_no_error (local_error);
  *gateway_fd = fds[0];
  return process;
}

/* a worker for @dir with Lilac's plugins */
static GSubprocess *
worker_spawn (const char *dir,
              int        *gateway_fd)
{
  const char *plugins = g_getenv ("LILAC_PLUGIN_DIR");
  const char *const args[] = { "--dir", dir, "--plugin-dir", plugins, NULL };

  g_assert_nonnull (plugins);
  return worker_spawn_with (args, gateway_fd);
}

/* ---------------------------------------------------------------- Fixture */

/* how a worker or zygote process and the channel to it are doing */
typedef struct {
  gboolean ready;
  gboolean closed;
  gboolean exited;
  int exit_status;
} WorkerProcess;

/* a lilac-worker on a temporary folder, greeted by a gateway-side channel */
typedef struct {
  char *dir;                  /* (owned) the worker's libpurple folder */
  GSubprocess *process;       /* (owned) */
  LilacWireChannel *channel;  /* (owned) the gateway's end */
  int raw_fd;                 /* (owned) a duplicate of the gateway's end, for raw bytes */
  GPtrArray *events;          /* (owned) event objects received, but for worker.plugins */
  JsonObject *plugins;        /* (owned) (nullable) the worker.plugins event */
  WorkerProcess state;
} WorkerFixture;

/* the callbacks below take the WorkerProcess of a worker or of the zygote */
static void
worker_exited_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  WorkerProcess *state = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  state->exited = TRUE;
  state->exit_status = g_subprocess_get_if_exited (G_SUBPROCESS (source))
                       ? g_subprocess_get_exit_status (G_SUBPROCESS (source)) : -1;
}

static void
worker_ready_cb (LilacWireChannel *channel,
                 gpointer          user_data)
{
  ((WorkerProcess *) user_data)->ready = TRUE;
}

static void
worker_closed_cb (LilacWireChannel *channel,
                  const GError     *reason,
                  gpointer          user_data)
{
  ((WorkerProcess *) user_data)->closed = TRUE;
}

static void
worker_frame_cb (LilacWireChannel *channel,
                 LilacWireFrame   *frame,
                 gpointer          user_data)
{
  WorkerFixture *fixture = user_data;
  JsonObject *event;

  if (frame->type != LILAC_WIRE_EVENT)
    return;
  event = json_object_get_object_member (frame->body, "event");
  g_assert_nonnull (event);
  if (g_strcmp0 (json_object_get_string_member (event, "type"), "worker.plugins") == 0)
    {
      g_clear_pointer (&fixture->plugins, json_object_unref);
      fixture->plugins = json_object_ref (event);
      return;
    }
  g_ptr_array_add (fixture->events, json_object_ref (event));
}

static void
worker_fixture_start (WorkerFixture *fixture)
{
  int fd = -1;

  fixture->process = worker_spawn (fixture->dir, &fd);
  fixture->raw_fd = dup (fd);
  fixture->channel = lilac_wire_channel_new (fd, "gateway");
  g_signal_connect (fixture->channel, "ready", G_CALLBACK (worker_ready_cb), &fixture->state);
  g_signal_connect (fixture->channel, "closed", G_CALLBACK (worker_closed_cb), &fixture->state);
  g_signal_connect (fixture->channel, "frame", G_CALLBACK (worker_frame_cb), fixture);
  g_subprocess_wait_async (fixture->process, NULL, worker_exited_cb, &fixture->state);
  lilac_wire_channel_start (fixture->channel);
  worker_run_until (fixture->state.ready);
}

static void
worker_fixture_stop (WorkerFixture *fixture)
{
  if (fixture->process != NULL && !fixture->state.exited)
    {
      g_subprocess_send_signal (fixture->process, SIGTERM);
      worker_run_until (fixture->state.exited);
    }
  if (fixture->channel != NULL)
    {
      g_signal_handlers_disconnect_by_data (fixture->channel, fixture);
      g_signal_handlers_disconnect_by_data (fixture->channel, &fixture->state);
    }
  g_clear_object (&fixture->channel);
  g_clear_object (&fixture->process);
  if (fixture->raw_fd >= 0)
    close (fixture->raw_fd);
  fixture->raw_fd = -1;
  fixture->state.ready = fixture->state.closed = fixture->state.exited = FALSE;
  g_ptr_array_set_size (fixture->events, 0);
  g_clear_pointer (&fixture->plugins, json_object_unref);
}

static void
worker_fixture_setup (WorkerFixture *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) local_error = NULL;

  fixture->dir = g_dir_make_tmp ("test-worker-XXXXXX", &local_error);
  g_assert_no_error (local_error);
  fixture->raw_fd = -1;
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  worker_fixture_start (fixture);
}

static void
worker_fixture_teardown (WorkerFixture *fixture,
                         gconstpointer  data)
{
  worker_fixture_stop (fixture);
  g_ptr_array_unref (fixture->events);
  lilac_files_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* ---------------------------------------------------------------- Helpers */

/* one request's answer, as it comes back */
typedef struct {
  gboolean replied;
  JsonObject *reply;          /* (owned) (nullable) */
  GError *error;              /* (owned) (nullable) */
} WorkerReply;

static void
worker_reply_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WorkerReply *reply = user_data;

  reply->reply = lilac_wire_channel_request_finish (LILAC_WIRE_CHANNEL (source), result,
                                                    &reply->error);
  reply->replied = TRUE;
}

/* sends a request with a body written as JSON text, and @fd (taken; -1 for
 * none) along with it, on @channel, and waits for its answer */
static JsonObject *
worker_channel_request (LilacWireChannel *channel,
                        LilacWireType     type,
                        const char       *body_text,
                        int               fd,
                        GError          **error)
{
  g_autoptr(JsonObject) body = lilac_json_parse_object (body_text, strlen (body_text), NULL);
  WorkerReply reply = { FALSE, NULL, NULL };

  g_assert_nonnull (body);
  lilac_wire_channel_request_fd_async (channel, type, body, fd, NULL, worker_reply_cb, &reply);
  worker_run_until (reply.replied);
  if (reply.error != NULL)
    {
      g_propagate_error (error, reply.error);
      return NULL;
    }
  return reply.reply;
}

static JsonObject *
worker_request_fd (WorkerFixture *fixture,
                   LilacWireType  type,
                   const char    *body_text,
                   int            fd,
                   GError       **error)
{
  return worker_channel_request (fixture->channel, type, body_text, fd, error);
}

static JsonObject *
worker_request (WorkerFixture *fixture,
                LilacWireType  type,
                const char    *body_text,
                GError       **error)
{
  return worker_request_fd (fixture, type, body_text, -1, error);
}

static void
worker_assert_reply (WorkerFixture *fixture,
                     LilacWireType  type,
                     const char    *body_text)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) reply = worker_request (fixture, type, body_text, &local_error);

  g_assert_no_error (local_error);
  g_assert_nonnull (reply);
}

static void
worker_assert_error (WorkerFixture *fixture,
                     LilacWireType  type,
                     const char    *body_text,
                     LilacErrorCode code)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) reply = worker_request (fixture, type, body_text, &local_error);

  if (local_error == NULL || local_error->code != (int) code)
    g_printerr ("request %d %s: expected error %s\n", type, body_text,
                lilac_error_code_to_string (code));
  g_assert_null (reply);
  g_assert_error (local_error, LILAC_ERROR, (int) code);
}

static void
worker_write_all (int         fd,
                  const char *data,
                  gsize       length)
{
  while (length > 0)
    {
      ssize_t written = write (fd, data, length);

      if (written < 0 && (errno == EAGAIN || errno == EINTR))
        {
          struct pollfd pfd = { .fd = fd, .events = POLLOUT };

          g_assert_cmpint (poll (&pfd, 1, WORKER_TIMEOUT_S * 1000), ==, 1);
          continue;
        }
      g_assert_cmpint (written, >, 0);
      data += written;
      length -= (gsize) written;
    }
}

static JsonObject *
worker_find_event (WorkerFixture *fixture,
                   const char    *type)
{
  for (unsigned i = 0; i < fixture->events->len; i++)
    {
      JsonObject *event = fixture->events->pdata[i];

      if (g_strcmp0 (json_object_get_string_member (event, "type"), type) == 0)
        return event;
    }
  return NULL;
}

/* an XMPP account that never connects: disabled, or with nowhere to connect */
static const char worker_disabled_account[] =
  "{\"account\":{\"id\":\"a1\",\"protocol\":\"prpl-jabber\",\"username\":\"alice@localhost/lilac\","
  "\"password\":\"" WORKER_PASSWORD "\",\"alias\":\"Alice\","
  "\"options\":{\"port\":5222,\"auth_plain_in_clear\":true,"
  "\"connection_security\":\"opportunistic_tls\",\"connect_server\":\"127.0.0.1\"},"
  "\"enabled\":false}}";

/* ------------------------------------------------------------------ Tests */

static void
test_worker_hello (WorkerFixture *fixture,
                   gconstpointer  data)
{
  const char *pid = g_subprocess_get_identifier (fixture->process);

  g_test_summary ("the worker greets the gateway with its protocol version and pid");
  g_assert_true (lilac_wire_channel_is_ready (fixture->channel));
  g_assert_nonnull (pid);
  g_assert_cmpint (lilac_wire_channel_get_peer_pid (fixture->channel), ==, atoi (pid));
}

static void
test_worker_ping (WorkerFixture *fixture,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) reply = NULL;

  g_test_summary ("PING is answered with an empty reply");
  reply = worker_request (fixture, LILAC_WIRE_PING, "{}", NULL);
  g_assert_nonnull (reply);
  g_assert_cmpuint (json_object_get_size (reply), ==, 0);
}

static void
test_worker_garbage (WorkerFixture *fixture,
                     gconstpointer  data)
{
  static const char *const lines[] = {
    "this is not JSON\n",
    "{\"type\":9999,\"id\":3}\n",
    "{\"type\":100,\"id\":-1,\"body\":{}}\n",
    "[1,2,3]\n",
    "\xff\xfe\n",
  };
  gsize oversized = LILAC_WIRE_MAX_FRAME + 4096;
  g_autofree char *big = g_malloc (oversized + 1);

  g_test_summary ("garbage and an oversized line are dropped; the worker still answers");
  g_assert_cmpuint (lilac_wire_channel_get_queued (fixture->channel), ==, 0);
  for (unsigned i = 0; i < G_N_ELEMENTS (lines); i++)
    worker_write_all (fixture->raw_fd, lines[i], strlen (lines[i]));
  memset (big, '{', oversized);
  big[oversized] = '\n';
  worker_write_all (fixture->raw_fd, big, oversized + 1);
  worker_assert_reply (fixture, LILAC_WIRE_PING, "{}");
  g_assert_false (fixture->state.exited);
}

static void
test_worker_bad_bodies (WorkerFixture *fixture,
                        gconstpointer  data)
{
  static const struct {
    LilacWireType type;
    const char *body;
    LilacErrorCode code;
  } cases[] = {
    { LILAC_WIRE_ACCOUNT_PUT, "{}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_ACCOUNT_PUT, "{\"account\":5}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_ACCOUNT_PUT, "{\"account\":{\"id\":\"a\"}}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_ACCOUNT_PUT, "{\"account\":{\"id\":\"a\",\"protocol\":\"prpl-irc\","
      "\"username\":\"n@h\",\"enabled\":\"yes\"}}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_ACCOUNT_DEL, "{\"account\":[]}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_ACCOUNT_DEL, "{\"account\":\"nobody\"}", LILAC_ERROR_NOT_FOUND },
    { LILAC_WIRE_MESSAGE_SEND, "{}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_MESSAGE_SEND, "{\"account\":\"nobody\",\"type\":\"im\",\"name\":\"x\","
      "\"text\":\"hi\",\"message\":\"m1\"}", LILAC_ERROR_NOT_FOUND },
    { LILAC_WIRE_MESSAGE_SEND, "{\"account\":\"nobody\",\"type\":\"fax\",\"name\":\"x\","
      "\"text\":\"hi\",\"message\":\"m1\"}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_CHAT_JOIN, "{\"account\":3,\"room\":\"#x\"}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_CHAT_JOIN, "{\"account\":\"nobody\",\"room\":\"#x\"}", LILAC_ERROR_NOT_FOUND },
    { LILAC_WIRE_CONVERSATION_CLOSE, "{\"conversation\":\"x\"}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_CONVERSATION_CLOSE, "{\"conversation\":{\"account\":\"nobody\",\"type\":\"im\","
      "\"name\":\"x\"}}", LILAC_ERROR_NOT_FOUND },
    { LILAC_WIRE_PRESENCE_SET, "{\"status\":\"sleepy\"}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_PRESENCE_SET, "{\"status\":\"away\",\"message\":7}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_TYPING_SET, "{\"conversation\":{},\"state\":\"typing\"}",
      LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_TYPING_SET, "{\"conversation\":{\"account\":\"nobody\",\"type\":\"im\","
      "\"name\":\"x\"},\"state\":\"dancing\"}", LILAC_ERROR_INVALID_INPUT },
  };

  g_test_summary ("malformed request bodies get bad_request, unknown things not_found");
  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    worker_assert_error (fixture, cases[i].type, cases[i].body, cases[i].code);
  worker_assert_reply (fixture, LILAC_WIRE_PING, "{}");
}

static void
test_worker_unsupported (WorkerFixture *fixture,
                         gconstpointer  data)
{
  g_test_summary ("a request the worker has no handler for is still answered, with an error");
  /* a request type no build has: in the request range, unknown */
  worker_assert_error (fixture, (LilacWireType) 199, "{\"account\":\"a1\",\"name\":\"bob\"}",
                       LILAC_ERROR_INVALID_INPUT);
  worker_assert_error (fixture, LILAC_WIRE_FORK, "{\"dir\":\"/tmp\"}", LILAC_ERROR_INVALID_INPUT);
  worker_assert_reply (fixture, LILAC_WIRE_PING, "{}");
}

static void
test_worker_unknown_protocol (WorkerFixture *fixture,
                              gconstpointer  data)
{
  g_test_summary ("an account of a protocol no plugin speaks is refused");
  worker_assert_error (fixture, LILAC_WIRE_ACCOUNT_PUT,
                       "{\"account\":{\"id\":\"a1\",\"protocol\":\"prpl-nope\",\"username\":\"x\","
                       "\"options\":{},\"enabled\":false}}",
                       LILAC_ERROR_INVALID_INPUT);
}

static void
test_worker_option_types (WorkerFixture *fixture,
                          gconstpointer  data)
{
  static const char *const options[] = {
    "{\"port\":\"5222\"}",
    "{\"port\":5222.5}",
    "{\"auth_plain_in_clear\":1}",
    "{\"connect_server\":false}",
    "{\"connection_security\":\"bogus\"}",
    "{\"no_such_option\":1}",
  };

  g_test_summary ("account options must have the type the protocol plugin gives them");
  for (unsigned i = 0; i < G_N_ELEMENTS (options); i++)
    {
      g_autofree char *body = g_strdup_printf (
        "{\"account\":{\"id\":\"a1\",\"protocol\":\"prpl-jabber\",\"username\":\"alice@localhost\","
        "\"options\":%s,\"enabled\":false}}", options[i]);

      worker_assert_error (fixture, LILAC_WIRE_ACCOUNT_PUT, body, LILAC_ERROR_INVALID_INPUT);
    }
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT,
                       "{\"account\":{\"id\":\"i1\",\"protocol\":\"prpl-irc\","
                       "\"username\":\"nick@127.0.0.1\",\"options\":{\"port\":6667},"
                       "\"enabled\":false}}");
}

static void
test_worker_no_password_on_disk (WorkerFixture *fixture,
                                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "accounts.xml", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *status;

  g_test_summary ("a disabled account is stored by libpurple without its password");
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  worker_run_until (worker_find_event (fixture, "account.status") != NULL);
  status = worker_find_event (fixture, "account.status");
  g_assert_cmpstr (json_object_get_string_member (status, "account"), ==, "a1");
  g_assert_cmpstr (json_object_get_string_member (status, "status"), ==, "offline");

  g_assert_true (lilac_wire_channel_send (fixture->channel, LILAC_WIRE_SHUTDOWN, 0, NULL, NULL));
  worker_run_until (fixture->state.exited);
  g_assert_cmpint (fixture->state.exit_status, ==, 0);
  g_file_get_contents (path, &contents, NULL, &local_error);
  g_assert_no_error (local_error);
  g_assert_nonnull (strstr (contents, "alice@localhost"));
  g_assert_null (strstr (contents, WORKER_PASSWORD));
  g_assert_null (strstr (contents, "<password"));
}

static void
test_worker_needs_password (WorkerFixture *fixture,
                            gconstpointer  data)
{
  JsonObject *status;

  g_test_summary ("an enabled account without the password its protocol requires is an auth error");
  /* GroupWise requires a password; XMPP and IRC accounts may have none */
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT,
                       "{\"account\":{\"id\":\"a2\",\"protocol\":\"prpl-novell\","
                       "\"username\":\"carol\",\"options\":{},\"enabled\":true}}");
  worker_run_until (worker_find_event (fixture, "account.status") != NULL);
  status = worker_find_event (fixture, "account.status");
  g_assert_cmpstr (json_object_get_string_member (status, "account"), ==, "a2");
  g_assert_cmpstr (json_object_get_string_member (status, "status"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (status, "reason"), ==, "auth");
  worker_assert_reply (fixture, LILAC_WIRE_PING, "{}");
  g_assert_cmpuint (fixture->events->len, ==, 1);
}

static void
test_worker_send_offline (WorkerFixture *fixture,
                          gconstpointer  data)
{
  g_test_summary ("sending or joining with an account that is not connected is unavailable");
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  worker_assert_error (fixture, LILAC_WIRE_MESSAGE_SEND,
                       "{\"account\":\"a1\",\"type\":\"im\",\"name\":\"bob@localhost\","
                       "\"text\":\"hello\",\"message\":\"m1\"}",
                       LILAC_ERROR_UNAVAILABLE);
  worker_assert_error (fixture, LILAC_WIRE_CHAT_JOIN,
                       "{\"account\":\"a1\",\"room\":\"room@conference.localhost\"}",
                       LILAC_ERROR_UNAVAILABLE);
  worker_assert_error (fixture, LILAC_WIRE_TYPING_SET,
                       "{\"conversation\":{\"account\":\"a1\",\"type\":\"im\","
                       "\"name\":\"bob@localhost\"},\"state\":\"typing\"}",
                       LILAC_ERROR_UNAVAILABLE);
  worker_assert_reply (fixture, LILAC_WIRE_PRESENCE_SET, "{\"status\":\"away\",\"message\":\"out\"}");
}

static void
test_worker_shutdown (WorkerFixture *fixture,
                      gconstpointer  data)
{
  g_test_summary ("SHUTDOWN makes the worker exit with status 0");
  g_assert_true (lilac_wire_channel_send (fixture->channel, LILAC_WIRE_SHUTDOWN, 0, NULL, NULL));
  worker_run_until (fixture->state.exited);
  g_assert_cmpint (fixture->state.exit_status, ==, 0);
  worker_run_until (fixture->state.closed);
}

static void
test_worker_sigterm (WorkerFixture *fixture,
                     gconstpointer  data)
{
  g_test_summary ("SIGTERM makes the worker sign off and exit with status 0");
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  g_subprocess_send_signal (fixture->process, SIGTERM);
  worker_run_until (fixture->state.exited);
  g_assert_cmpint (fixture->state.exit_status, ==, 0);
}

static void
test_worker_gateway_gone (WorkerFixture *fixture,
                          gconstpointer  data)
{
  g_test_summary ("when the gateway's end of the socket closes, the worker exits");
  lilac_wire_channel_close (fixture->channel);
  close (fixture->raw_fd);
  fixture->raw_fd = -1;
  worker_run_until (fixture->state.exited);
  g_assert_cmpint (fixture->state.exit_status, ==, 0);
}

static void
test_worker_restart (WorkerFixture *fixture,
                     gconstpointer  data)
{
  g_test_summary ("a worker restarted on the same folder still knows the gateway's accounts");
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  g_assert_true (lilac_wire_channel_send (fixture->channel, LILAC_WIRE_SHUTDOWN, 0, NULL, NULL));
  worker_run_until (fixture->state.exited);
  worker_fixture_stop (fixture);

  worker_fixture_start (fixture);
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_DEL, "{\"account\":\"a1\"}");
  worker_assert_error (fixture, LILAC_WIRE_ACCOUNT_DEL, "{\"account\":\"a1\"}",
                       LILAC_ERROR_NOT_FOUND);
}

/* reads from @fd until end of file */
static char *
worker_read_to_end (int fd)
{
  GString *text = g_string_new (NULL);
  char buffer[4096];
  ssize_t got;

  do
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };

      g_assert_cmpint (poll (&pfd, 1, WORKER_TIMEOUT_S * 1000), ==, 1);
      got = read (fd, buffer, sizeof buffer);
      g_assert_cmpint (got, >=, 0);
      g_string_append_len (text, buffer, got);
    }
  while (got > 0);
  return g_string_free (text, FALSE);
}

static void
test_worker_version (void)
{
  const char *hello = "{\"type\":1,\"body\":{\"version\":999,\"role\":\"gateway\"}}\n";
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-worker-XXXXXX", &local_error);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *answer = NULL;
  int fd = -1;

  g_test_summary ("a gateway speaking another protocol version is refused");
  g_assert_no_error (local_error);
  process = worker_spawn (dir, &fd);
  worker_write_all (fd, hello, strlen (hello));
  answer = worker_read_to_end (fd);
  g_assert_nonnull (strstr (answer, "\"role\":\"worker\""));
  g_assert_nonnull (strstr (answer, "\"code\":\"version\""));
  g_subprocess_wait (process, NULL, &local_error);
  g_assert_no_error (local_error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  close (fd);
  lilac_files_remove_tree (dir);
}

/* lilac-worker --sandbox-check @path for the user folder @dir: its exit status */
static int
worker_sandbox_check (const char *dir,
                      const char *path)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &local_error,
                              g_getenv ("LILAC_WORKER"), "--sandbox-check", path, "--dir", dir,
                              "--plugin-dir", g_getenv ("LILAC_PLUGIN_DIR"), NULL);
  g_assert_no_error (local_error);
  g_subprocess_wait (process, NULL, &local_error);
  g_assert_no_error (local_error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static void
test_worker_sandbox (void)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = g_dir_make_tmp ("test-worker-data-XXXXXX", &local_error);
  g_autofree char *own = g_build_filename (data, "users", "1", "purple", NULL);
  g_autofree char *other = g_build_filename (data, "users", "2", "purple", NULL);
  g_autofree char *database = g_build_filename (data, "lilac.db", NULL);
  g_autofree char *key = g_build_filename (data, "server.key", NULL);
  g_autofree char *others_file = g_build_filename (other, "accounts.xml", NULL);
  g_autofree char *others_new = g_build_filename (other, "blist.xml", NULL);
  g_autofree char *data_new = g_build_filename (data, "lilac.db-journal", NULL);
  g_autofree char *own_file = g_build_filename (own, "prefs.xml", NULL);
  g_autofree char *own_new = g_build_filename (own, "blist.xml", NULL);
  const struct {
    const char *path;
    int status;
  } cases[] = {
    /* 0: refused, 1: opened (or created) */
    { database, 0 }, { key, 0 }, { data_new, 0 }, { other, 0 }, { others_file, 0 },
    { others_new, 0 }, { "/etc/shadow", 0 }, { "/etc/ssl/private", 0 },
    { own, 1 }, { own_file, 1 }, { own_new, 1 }, { "/etc/ssl/certs", 1 },
    { "/usr/share/ca-certificates", 1 }, { "/etc/resolv.conf", 1 },
  };

  g_test_summary ("a worker's sandbox refuses the gateway's database and key and other users' "
                  "folders, and allows its own folder and the system's certificates");
  g_assert_no_error (local_error);
  g_assert_cmpint (g_mkdir_with_parents (own, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (other, 0700), ==, 0);
  for (const char *const *path = (const char *const[]) { database, key, others_file, own_file, NULL };
       *path != NULL; path++)
    {
      g_file_set_contents (*path, "not yours", -1, &local_error);
      g_assert_no_error (local_error);
    }
  if (worker_sandbox_check (own, own) == 77)
    {
      g_test_skip ("the kernel has no Landlock");
      lilac_files_remove_tree (data);
      return;
    }
  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int status;

      /* a system file this machine does not have is not tried */
      if (!g_str_has_prefix (cases[i].path, data) && access (cases[i].path, F_OK) != 0)
        continue;
      status = worker_sandbox_check (own, cases[i].path);
      if (status != cases[i].status)
        g_printerr ("%s: expected %s\n", cases[i].path, cases[i].status == 0 ? "refused" : "allowed");
      g_assert_cmpint (status, ==, cases[i].status);
    }
  /* what the check created it removed again, and nothing was made in others' places */
  g_assert_false (g_file_test (own_new, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (others_new, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (data_new, G_FILE_TEST_EXISTS));
  lilac_files_remove_tree (data);
}

static gboolean
worker_has_option (JsonObject *protocol,
                   const char *key,
                   const char *type)
{
  JsonArray *options = json_object_get_array_member (protocol, "options");

  for (unsigned i = 0; i < json_array_get_length (options); i++)
    {
      JsonObject *option = json_array_get_object_element (options, i);

      if (g_strcmp0 (json_object_get_string_member (option, "key"), key) == 0)
        return g_strcmp0 (json_object_get_string_member (option, "type"), type) == 0;
    }
  return FALSE;
}

static void
worker_communicated_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  char **output = user_data;

  g_assert_true (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                                       output, NULL, NULL));
}

static void
test_worker_protocols (void)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *output = NULL;
  gboolean jabber = FALSE, irc = FALSE;
  JsonArray *protocols;

  g_test_summary ("--protocols prints every protocol plugin with its options as JSON");
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &local_error,
                              g_getenv ("LILAC_WORKER"), "--protocols", NULL);
  g_assert_no_error (local_error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, worker_communicated_cb, &output);
  worker_run_until (output != NULL);
  g_assert_true (json_parser_load_from_data (parser, output, -1, &local_error));
  g_assert_no_error (local_error);
  protocols = json_node_get_array (json_parser_get_root (parser));
  for (unsigned i = 0; i < json_array_get_length (protocols); i++)
    {
      JsonObject *protocol = json_array_get_object_element (protocols, i);
      const char *id = json_object_get_string_member (protocol, "id");

      g_assert_true (json_object_has_member (protocol, "user_splits"));
      if (g_strcmp0 (id, "prpl-jabber") == 0)
        jabber = worker_has_option (protocol, "port", "int") &&
                 worker_has_option (protocol, "auth_plain_in_clear", "bool") &&
                 worker_has_option (protocol, "connection_security", "list");
      else if (g_strcmp0 (id, "prpl-irc") == 0)
        irc = worker_has_option (protocol, "port", "int");
    }
  g_assert_true (jabber);
  g_assert_true (irc);
  g_subprocess_wait (process, NULL, &local_error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}


static void
test_worker_buddies_offline (WorkerFixture *fixture,
                             gconstpointer  data)
{
  static const struct {
    LilacWireType type;
    const char *body;
    LilacErrorCode code;
  } cases[] = {
    { LILAC_WIRE_BUDDY_ADD, "{}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_BUDDY_ADD, "{\"account\":\"a1\"}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_BUDDY_ADD, "{\"account\":\"a1\",\"name\":\"\"}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_BUDDY_ADD, "{\"account\":\"a1\",\"name\":\"bob@localhost\",\"group\":7}",
      LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_BUDDY_ADD, "{\"account\":\"nobody\",\"name\":\"bob@localhost\"}",
      LILAC_ERROR_NOT_FOUND },
    { LILAC_WIRE_BUDDY_ADD, "{\"account\":\"a1\",\"name\":\"bob@localhost\",\"alias\":\"Bob\"}",
      LILAC_ERROR_UNAVAILABLE },
    { LILAC_WIRE_BUDDY_REMOVE, "{\"account\":\"a1\"}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_BUDDY_REMOVE, "{\"account\":\"nobody\",\"name\":\"bob@localhost\"}",
      LILAC_ERROR_NOT_FOUND },
    { LILAC_WIRE_BUDDY_REMOVE, "{\"account\":\"a1\",\"name\":\"bob@localhost\"}",
      LILAC_ERROR_UNAVAILABLE },
  };

  g_test_summary ("buddies are added and removed on connected accounts only; bad bodies are refused");
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    worker_assert_error (fixture, cases[i].type, cases[i].body, cases[i].code);
  worker_assert_reply (fixture, LILAC_WIRE_PING, "{}");
}

static void
test_worker_request_unknown (WorkerFixture *fixture,
                             gconstpointer  data)
{
  static const struct {
    const char *body;
    LilacErrorCode code;
  } cases[] = {
    { "{}", LILAC_ERROR_INVALID_INPUT },
    { "{\"request\":\"1\"}", LILAC_ERROR_NOT_FOUND },
    { "{\"request\":\"1\",\"action\":\"Accept\"}", LILAC_ERROR_INVALID_INPUT },
    { "{\"request\":1,\"action\":0}", LILAC_ERROR_INVALID_INPUT },
    { "{\"request\":\"1\",\"action\":0,\"fields\":[]}", LILAC_ERROR_INVALID_INPUT },
    { "{\"request\":\"1\",\"action\":0}", LILAC_ERROR_NOT_FOUND },
    { "{\"request\":\"999999\",\"action\":1,\"fields\":{\"text\":\"x\"}}", LILAC_ERROR_NOT_FOUND },
  };

  g_test_summary ("answering a request that is not open is not_found, a malformed answer bad_request");
  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    worker_assert_error (fixture, LILAC_WIRE_REQUEST_ANSWER, cases[i].body, cases[i].code);
  worker_assert_reply (fixture, LILAC_WIRE_PING, "{}");
}

/* whether every read end of the pipe whose write end is @fd is closed */
static gboolean
worker_pipe_is_widowed (int fd)
{
  struct pollfd pfd = { .fd = fd, .events = POLLOUT };

  return poll (&pfd, 1, WORKER_TIMEOUT_S * 1000) == 1 && (pfd.revents & POLLERR) != 0;
}

static void
test_worker_transfers_unknown (WorkerFixture *fixture,
                               gconstpointer  data)
{
  static const struct {
    LilacWireType type;
    const char *body;
    LilacErrorCode code;
  } cases[] = {
    { LILAC_WIRE_TRANSFER_ACCEPT, "{\"transfer\":\"7\"}", LILAC_ERROR_NOT_FOUND },
    { LILAC_WIRE_TRANSFER_REJECT, "{\"transfer\":\"7\"}", LILAC_ERROR_NOT_FOUND },
    { LILAC_WIRE_TRANSFER_CANCEL, "{\"transfer\":\"7\"}", LILAC_ERROR_NOT_FOUND },
    { LILAC_WIRE_TRANSFER_CANCEL, "{\"transfer\":7}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_TRANSFER_ACCEPT, "{}", LILAC_ERROR_INVALID_INPUT },
    { LILAC_WIRE_TRANSFER_SEND, "{\"account\":\"a1\",\"to\":\"bob@localhost/x\","
                                "\"filename\":\"f.txt\",\"size\":3}", LILAC_ERROR_INVALID_INPUT },
  };
  static const struct {
    const char *body;
    LilacErrorCode code;
  } sends[] = {
    { "{\"account\":\"a9\",\"to\":\"bob@localhost/x\",\"filename\":\"f\",\"size\":3}",
      LILAC_ERROR_NOT_FOUND },
    { "{\"account\":\"a1\",\"to\":\"bob@localhost/x\",\"filename\":\"f\",\"size\":3}",
      LILAC_ERROR_UNAVAILABLE },
    { "{\"account\":\"a1\",\"to\":\"bob@localhost/x\",\"filename\":\"a/b\",\"size\":3}",
      LILAC_ERROR_INVALID_INPUT },
    { "{\"account\":\"a1\",\"to\":\"bob@localhost/x\",\"filename\":\"f\",\"size\":0}",
      LILAC_ERROR_INVALID_INPUT },
    { "{\"account\":\"a1\",\"to\":\"\",\"filename\":\"f\",\"size\":3}",
      LILAC_ERROR_INVALID_INPUT },
  };

  g_test_summary ("transfer requests about no transfer, with a bad body, without their pipe or for "
                  "an account that is not connected are answered with errors, and the pipe that "
                  "came with one is closed");
  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    worker_assert_error (fixture, cases[i].type, cases[i].body, cases[i].code);
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  for (unsigned i = 0; i < G_N_ELEMENTS (sends); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonObject) reply = NULL;
      int fds[2];

      g_assert_cmpint (pipe (fds), ==, 0);
      reply = worker_request_fd (fixture, LILAC_WIRE_TRANSFER_SEND, sends[i].body, fds[0],
                                 &local_error);
      g_assert_null (reply);
      g_assert_error (local_error, LILAC_ERROR, (int) sends[i].code);
      g_assert_true (worker_pipe_is_widowed (fds[1]));
      close (fds[1]);
    }
  worker_assert_reply (fixture, LILAC_WIRE_PING, "{}");
}

static void
test_worker_settings (WorkerFixture *fixture,
                      gconstpointer  data)
{
  static const char *const good[] = {
    "{}",
    "{\"subscription_policy\":\"accept_all\"}",
    "{\"subscription_policy\":\"accept_buddies\"}",
    "{\"subscription_policy\":\"reject\"}",
    "{\"subscription_policy\":\"ask\"}",
    "{\"subscription_policy\":\"ask\",\"a_newer_setting\":true}",
    /* null is an absent member: nothing to set */
    "{\"subscription_policy\":null}",
  };
  static const char *const bad[] = {
    "{\"subscription_policy\":\"sometimes\"}",
    "{\"subscription_policy\":\"\"}",
    "{\"subscription_policy\":3}",
  };

  g_test_summary ("SETTINGS_SET takes the four subscription policies and refuses others");
  for (unsigned i = 0; i < G_N_ELEMENTS (good); i++)
    worker_assert_reply (fixture, LILAC_WIRE_SETTINGS_SET, good[i]);
  for (unsigned i = 0; i < G_N_ELEMENTS (bad); i++)
    worker_assert_error (fixture, LILAC_WIRE_SETTINGS_SET, bad[i], LILAC_ERROR_INVALID_INPUT);
}

/* a worker started with @args, greeted; its events gathered in @fixture */
static void
worker_fixture_start_with (WorkerFixture     *fixture,
                           const char *const *args)
{
  int fd = -1;

  fixture->process = worker_spawn_with (args, &fd);
  fixture->raw_fd = dup (fd);
  fixture->channel = lilac_wire_channel_new (fd, "gateway");
  g_signal_connect (fixture->channel, "ready", G_CALLBACK (worker_ready_cb), &fixture->state);
  g_signal_connect (fixture->channel, "closed", G_CALLBACK (worker_closed_cb), &fixture->state);
  g_signal_connect (fixture->channel, "frame", G_CALLBACK (worker_frame_cb), fixture);
  g_subprocess_wait_async (fixture->process, NULL, worker_exited_cb, &fixture->state);
  lilac_wire_channel_start (fixture->channel);
  worker_run_until (fixture->state.ready);
}

static gboolean
worker_array_has (JsonArray  *array,
                  const char *text)
{
  for (unsigned i = 0; i < json_array_get_length (array); i++)
    {
      if (g_strcmp0 (json_array_get_string_element (array, i), text) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_worker_plugins (WorkerFixture *fixture,
                     gconstpointer  data)
{
  const char *const args[] = { "--dir", fixture->dir, "--load-plugin", "core-no-such-plugin",
                               "--load-plugin", "prpl-jabber", NULL };
  JsonObject *notify;

  g_test_summary ("without Lilac's plugins only the policy ask applies; a plugin that does not "
                  "load is a notify, not an end");
  worker_fixture_stop (fixture);
  worker_fixture_start_with (fixture, args);
  worker_run_until (worker_find_event (fixture, "notify") != NULL);
  notify = worker_find_event (fixture, "notify");
  g_assert_cmpstr (json_object_get_string_member (notify, "level"), ==, "warning");
  g_assert_nonnull (strstr (json_object_get_string_member (notify, "text"),
                            "core-no-such-plugin"));
  worker_assert_error (fixture, LILAC_WIRE_SETTINGS_SET, "{\"subscription_policy\":\"reject\"}",
                       LILAC_ERROR_UNAVAILABLE);
  worker_assert_reply (fixture, LILAC_WIRE_SETTINGS_SET, "{\"subscription_policy\":\"ask\"}");
  /* the worker says what it has: XMPP among the protocols (not among the other plugins, such
   * as libpurple's SSL plugin), and not the plugin that is missing */
  worker_run_until (fixture->plugins != NULL);
  g_assert_true (worker_array_has (json_object_get_array_member (fixture->plugins, "protocols"),
                                   "prpl-jabber"));
  g_assert_true (worker_array_has (json_object_get_array_member (fixture->plugins, "plugins"),
                                   "core-ssl"));
  g_assert_false (worker_array_has (json_object_get_array_member (fixture->plugins, "plugins"),
                                    "prpl-jabber"));
  g_assert_false (worker_array_has (json_object_get_array_member (fixture->plugins, "plugins"),
                                    "core-no-such-plugin"));
}

static void
test_worker_folder (WorkerFixture *fixture,
                    gconstpointer  data)
{
  g_autofree char *link = g_strdup_printf ("/proc/%s/cwd",
                                           g_subprocess_get_identifier (fixture->process));
  g_autofree char *cwd = g_file_read_link (link, NULL);
  g_autofree char *dir = g_canonicalize_filename (fixture->dir, NULL);

  g_test_summary ("a worker works in its user's folder");
  g_assert_cmpstr (cwd, ==, dir);
}

/* ----------------------------------------------------------- The zygote */

/* lilac-worker --zygote with Lilac's plugins on a control socket, greeted */
typedef struct {
  char *dir;                  /* (owned) the users' folders go in here */
  GSubprocess *process;       /* (owned) */
  LilacWireChannel *control;  /* (owned) the supervisor's end */
  GPtrArray *exits;           /* (owned) worker.exited event objects */
  WorkerProcess state;
} ZygoteFixture;

static void
zygote_frame_cb (LilacWireChannel *channel,
                 LilacWireFrame   *frame,
                 gpointer          user_data)
{
  ZygoteFixture *fixture = user_data;
  JsonObject *event;

  if (frame->type != LILAC_WIRE_EVENT)
    return;
  event = json_object_get_object_member (frame->body, "event");
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "worker.exited");
  g_ptr_array_add (fixture->exits, json_object_ref (event));
}

static void
zygote_fixture_setup (ZygoteFixture *fixture,
                      gconstpointer  data)
{
  const char *plugins = g_getenv ("LILAC_PLUGIN_DIR");
  const char *const args[] = { "--zygote", "--plugin-dir", plugins, NULL };
  g_autoptr(GError) local_error = NULL;
  int fd = -1;

  fixture->dir = g_dir_make_tmp ("test-zygote-XXXXXX", &local_error);
  g_assert_no_error (local_error);
  fixture->exits = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  fixture->process = worker_spawn_with (args, &fd);
  fixture->control = lilac_wire_channel_new (fd, "gateway");
  g_signal_connect (fixture->control, "ready", G_CALLBACK (worker_ready_cb), &fixture->state);
  g_signal_connect (fixture->control, "closed", G_CALLBACK (worker_closed_cb), &fixture->state);
  g_signal_connect (fixture->control, "frame", G_CALLBACK (zygote_frame_cb), fixture);
  g_subprocess_wait_async (fixture->process, NULL, worker_exited_cb, &fixture->state);
  lilac_wire_channel_start (fixture->control);
  worker_run_until (fixture->state.ready);
}

static void
zygote_fixture_teardown (ZygoteFixture *fixture,
                         gconstpointer  data)
{
  if (!fixture->state.exited)
    {
      lilac_wire_channel_close (fixture->control);
      worker_run_until (fixture->state.exited);
    }
  g_signal_handlers_disconnect_by_data (fixture->control, fixture);
  g_signal_handlers_disconnect_by_data (fixture->control, &fixture->state);
  g_clear_object (&fixture->control);
  g_clear_object (&fixture->process);
  g_ptr_array_unref (fixture->exits);
  lilac_files_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* sends FORK (with @fd unless it is -1) and waits for the answer */
static JsonObject *
zygote_request (ZygoteFixture *fixture,
                const char    *body_text,
                int            fd,
                GError       **error)
{
  return worker_channel_request (fixture->control, LILAC_WIRE_FORK, body_text, fd, error);
}

/* forks a worker for the folder @user and greets it: the worker's pid */
static int
zygote_fork (ZygoteFixture *fixture,
             const char    *user,
             WorkerFixture *worker)
{
  g_autofree char *user_dir = g_build_filename (fixture->dir, user, NULL);
  g_autofree char *body = g_strdup_printf ("{\"dir\":\"%s\",\"limits\":{\"files\":512}}", user_dir);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  reply = zygote_request (fixture, body, fds[1], &local_error);
  g_assert_no_error (local_error);
  g_assert_cmpint (json_object_get_int_member (reply, "pid"), >, 0);
  worker->dir = g_steal_pointer (&user_dir);
  worker->raw_fd = -1;
  worker->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  worker->channel = lilac_wire_channel_new (fds[0], "gateway");
  g_signal_connect (worker->channel, "ready", G_CALLBACK (worker_ready_cb), &worker->state);
  g_signal_connect (worker->channel, "closed", G_CALLBACK (worker_closed_cb), &worker->state);
  g_signal_connect (worker->channel, "frame", G_CALLBACK (worker_frame_cb), worker);
  lilac_wire_channel_start (worker->channel);
  worker_run_until (worker->state.ready);
  g_assert_cmpint (lilac_wire_channel_get_peer_pid (worker->channel), ==,
                   json_object_get_int_member (reply, "pid"));
  return (int) json_object_get_int_member (reply, "pid");
}

static void
zygote_worker_clear (WorkerFixture *worker)
{
  g_signal_handlers_disconnect_by_data (worker->channel, worker);
  g_signal_handlers_disconnect_by_data (worker->channel, &worker->state);
  g_clear_object (&worker->channel);
  g_ptr_array_unref (worker->events);
  g_clear_pointer (&worker->plugins, json_object_unref);
  g_free (worker->dir);
}

static JsonObject *
zygote_find_exit (ZygoteFixture *fixture,
                  int            pid)
{
  for (unsigned i = 0; i < fixture->exits->len; i++)
    {
      JsonObject *event = fixture->exits->pdata[i];

      if (json_object_get_int_member (event, "pid") == pid)
        return event;
    }
  return NULL;
}

/* the soft limit on open files of process @pid, from /proc */
static int
zygote_open_files_limit (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/limits", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (unsigned i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "Max open files"))
        return atoi (lines[i] + strlen ("Max open files"));
    }
  return -1;
}

static void
test_zygote_fork (ZygoteFixture *fixture,
                  gconstpointer  data)
{
  WorkerFixture first = { 0 }, second = { 0 };
  g_autofree char *link = NULL;
  g_autofree char *cwd = NULL;
  JsonObject *exit_report;
  int pid, other;

  g_test_summary ("the zygote forks workers that greet the gateway, in their folders and with "
                  "their limits, and reports how each ends");
  pid = zygote_fork (fixture, "one", &first);
  worker_assert_reply (&first, LILAC_WIRE_PING, "{}");
  worker_assert_reply (&first, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  worker_assert_reply (&first, LILAC_WIRE_SETTINGS_SET, "{\"subscription_policy\":\"accept_all\"}");
  link = g_strdup_printf ("/proc/%d/cwd", pid);
  cwd = g_file_read_link (link, NULL);
  g_assert_cmpstr (cwd, ==, first.dir);
  g_assert_cmpint (zygote_open_files_limit (pid), ==, 512);

  other = zygote_fork (fixture, "two", &second);
  g_assert_cmpint (other, !=, pid);
  worker_assert_error (&second, LILAC_WIRE_ACCOUNT_DEL, "{\"account\":\"a1\"}",
                       LILAC_ERROR_NOT_FOUND);

  g_assert_true (lilac_wire_channel_send (first.channel, LILAC_WIRE_SHUTDOWN, 0, NULL, NULL));
  worker_run_until (zygote_find_exit (fixture, pid) != NULL);
  exit_report = zygote_find_exit (fixture, pid);
  g_assert_cmpint (json_object_get_int_member_with_default (exit_report, "code", -1), ==, 0);
  g_assert_false (json_object_has_member (exit_report, "signal"));

  g_assert_cmpint (kill (other, SIGKILL), ==, 0);
  worker_run_until (zygote_find_exit (fixture, other) != NULL);
  exit_report = zygote_find_exit (fixture, other);
  g_assert_cmpint (json_object_get_int_member_with_default (exit_report, "signal", -1), ==, SIGKILL);
  worker_run_until (second.state.closed);
  zygote_worker_clear (&first);
  zygote_worker_clear (&second);
}

static void
test_zygote_folder_kept (ZygoteFixture *fixture,
                         gconstpointer  data)
{
  WorkerFixture worker = { 0 };
  int pid;

  g_test_summary ("a worker forked again for the same folder finds the accounts it had");
  pid = zygote_fork (fixture, "again", &worker);
  worker_assert_reply (&worker, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  g_assert_true (lilac_wire_channel_send (worker.channel, LILAC_WIRE_SHUTDOWN, 0, NULL, NULL));
  worker_run_until (zygote_find_exit (fixture, pid) != NULL);
  zygote_worker_clear (&worker);

  memset (&worker, 0, sizeof worker);
  zygote_fork (fixture, "again", &worker);
  worker_assert_reply (&worker, LILAC_WIRE_ACCOUNT_DEL, "{\"account\":\"a1\"}");
  worker_assert_error (&worker, LILAC_WIRE_ACCOUNT_DEL, "{\"account\":\"a1\"}",
                       LILAC_ERROR_NOT_FOUND);
  zygote_worker_clear (&worker);
}

static void
test_zygote_bad_requests (ZygoteFixture *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  int fds[2];

  g_test_summary ("the zygote refuses a FORK without a socket or an absolute folder, and goes on");
  reply = zygote_request (fixture, "{\"dir\":\"/tmp/nowhere\"}", -1, &local_error);
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT);
  g_clear_error (&local_error);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  close (fds[0]);
  reply = zygote_request (fixture, "{\"dir\":\"relative/folder\"}", fds[1], &local_error);
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT);
  g_clear_error (&local_error);
  reply = zygote_request (fixture, "{\"dir\":7}", -1, &local_error);
  g_assert_error (local_error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT);
  g_assert_false (fixture->state.exited);
}

static void
test_zygote_gateway_gone (ZygoteFixture *fixture,
                          gconstpointer  data)
{
  g_test_summary ("the zygote exits with status 0 when its control socket closes");
  lilac_wire_channel_close (fixture->control);
  worker_run_until (fixture->state.exited);
  g_assert_cmpint (fixture->state.exit_status, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/worker/hello", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_hello, worker_fixture_teardown);
  g_test_add ("/worker/ping", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_ping, worker_fixture_teardown);
  g_test_add ("/worker/garbage", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_garbage, worker_fixture_teardown);
  g_test_add ("/worker/bad-bodies", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_bad_bodies, worker_fixture_teardown);
  g_test_add ("/worker/unsupported", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_unsupported, worker_fixture_teardown);
  g_test_add ("/worker/account/unknown-protocol", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_unknown_protocol, worker_fixture_teardown);
  g_test_add ("/worker/account/option-types", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_option_types, worker_fixture_teardown);
  g_test_add ("/worker/account/no-password-on-disk", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_no_password_on_disk, worker_fixture_teardown);
  g_test_add ("/worker/account/needs-password", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_needs_password, worker_fixture_teardown);
  g_test_add ("/worker/account/restart", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_restart, worker_fixture_teardown);
  g_test_add ("/worker/send-offline", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_send_offline, worker_fixture_teardown);
  g_test_add ("/worker/shutdown", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_shutdown, worker_fixture_teardown);
  g_test_add ("/worker/sigterm", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_sigterm, worker_fixture_teardown);
  g_test_add ("/worker/gateway-gone", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_gateway_gone, worker_fixture_teardown);
  g_test_add ("/worker/buddies/offline", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_buddies_offline, worker_fixture_teardown);
  g_test_add ("/worker/request/unknown", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_request_unknown, worker_fixture_teardown);
  g_test_add ("/worker/transfers/unknown", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_transfers_unknown, worker_fixture_teardown);
  g_test_add ("/worker/settings", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_settings, worker_fixture_teardown);
  g_test_add ("/worker/plugins", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_plugins, worker_fixture_teardown);
  g_test_add ("/worker/folder", WorkerFixture, NULL, worker_fixture_setup,
              test_worker_folder, worker_fixture_teardown);
  g_test_add ("/worker/zygote/fork", ZygoteFixture, NULL, zygote_fixture_setup,
              test_zygote_fork, zygote_fixture_teardown);
  g_test_add ("/worker/zygote/folder-kept", ZygoteFixture, NULL, zygote_fixture_setup,
              test_zygote_folder_kept, zygote_fixture_teardown);
  g_test_add ("/worker/zygote/bad-requests", ZygoteFixture, NULL, zygote_fixture_setup,
              test_zygote_bad_requests, zygote_fixture_teardown);
  g_test_add ("/worker/zygote/gateway-gone", ZygoteFixture, NULL, zygote_fixture_setup,
              test_zygote_gateway_gone, zygote_fixture_teardown);
  g_test_add_func ("/worker/version", test_worker_version);
  g_test_add_func ("/worker/protocols", test_worker_protocols);
  g_test_add_func ("/worker/sandbox", test_worker_sandbox);
  return g_test_run ();
}
