/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of the real lilac-worker binary (its path comes from LILAC_WORKER):
 * the tests play the gateway on a socketpair with a LilacWireChannel and
 * check the worker's answers, its resistance to malformed input, that no
 * password reaches its folder, and how it exits. No network is used.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "lilac-error.h"
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

static int
worker_remove_entry (const char        *path,
                     const struct stat *info,
                     int                flag,
                     struct FTW        *ftw)
{
  remove (path);
  return 0;
}

static GSubprocess *
worker_spawn (const char *dir,
              int        *gateway_fd)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) local_error = NULL;
  const char *worker = g_getenv ("LILAC_WORKER");
  GSubprocess *process;
  int fds[2];

  g_assert_nonnull (worker);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  /* the launcher closes our copy of the worker's end when it is freed */
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  process = g_subprocess_launcher_spawn (launcher, &local_error, worker,
                                         "--fd", "3", "--dir", dir, NULL);
  g_assert_no_error (local_error);
  *gateway_fd = fds[0];
  return process;
}

/* ---------------------------------------------------------------- Fixture */

/* a lilac-worker on a temporary folder, greeted by a gateway-side channel */
typedef struct {
  char *dir;                  /* (owned) the worker's libpurple folder */
  GSubprocess *process;       /* (owned) */
  LilacWireChannel *channel;  /* (owned) the gateway's end */
  int raw_fd;                 /* (owned) a duplicate of the gateway's end, for raw bytes */
  GPtrArray *events;          /* (owned) event objects received */
  gboolean ready;
  gboolean closed;
  gboolean exited;
  int exit_status;
  gboolean replied;
  JsonObject *reply;          /* (owned) (nullable) */
  GError *reply_error;        /* (owned) (nullable) */
} WorkerFixture;

static void
worker_exited_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  WorkerFixture *fixture = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  fixture->exited = TRUE;
  fixture->exit_status = g_subprocess_get_if_exited (G_SUBPROCESS (source))
                         ? g_subprocess_get_exit_status (G_SUBPROCESS (source)) : -1;
}

static void
worker_ready_cb (LilacWireChannel *channel,
                 gpointer          user_data)
{
  ((WorkerFixture *) user_data)->ready = TRUE;
}

static void
worker_closed_cb (LilacWireChannel *channel,
                  const GError     *reason,
                  gpointer          user_data)
{
  ((WorkerFixture *) user_data)->closed = TRUE;
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
  g_ptr_array_add (fixture->events, json_object_ref (event));
}

static void
worker_fixture_start (WorkerFixture *fixture)
{
  int fd = -1;

  fixture->process = worker_spawn (fixture->dir, &fd);
  fixture->raw_fd = dup (fd);
  fixture->channel = lilac_wire_channel_new (fd, "gateway");
  g_signal_connect (fixture->channel, "ready", G_CALLBACK (worker_ready_cb), fixture);
  g_signal_connect (fixture->channel, "closed", G_CALLBACK (worker_closed_cb), fixture);
  g_signal_connect (fixture->channel, "frame", G_CALLBACK (worker_frame_cb), fixture);
  g_subprocess_wait_async (fixture->process, NULL, worker_exited_cb, fixture);
  lilac_wire_channel_start (fixture->channel);
  worker_run_until (fixture->ready);
}

static void
worker_fixture_stop (WorkerFixture *fixture)
{
  if (fixture->process != NULL && !fixture->exited)
    {
      g_subprocess_send_signal (fixture->process, SIGTERM);
      worker_run_until (fixture->exited);
    }
  if (fixture->channel != NULL)
    g_signal_handlers_disconnect_by_data (fixture->channel, fixture);
  g_clear_object (&fixture->channel);
  g_clear_object (&fixture->process);
  if (fixture->raw_fd >= 0)
    close (fixture->raw_fd);
  fixture->raw_fd = -1;
  fixture->ready = fixture->closed = fixture->exited = FALSE;
  g_ptr_array_set_size (fixture->events, 0);
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
  g_clear_pointer (&fixture->reply, json_object_unref);
  g_clear_error (&fixture->reply_error);
  nftw (fixture->dir, worker_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  g_free (fixture->dir);
}

/* ---------------------------------------------------------------- Helpers */

static void
worker_reply_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WorkerFixture *fixture = user_data;

  fixture->reply = lilac_wire_channel_request_finish (LILAC_WIRE_CHANNEL (source), result,
                                                      &fixture->reply_error);
  fixture->replied = TRUE;
}

/* sends a request with a body written as JSON text and waits for its answer */
static JsonObject *
worker_request (WorkerFixture *fixture,
                LilacWireType  type,
                const char    *body_text,
                GError       **error)
{
  g_autoptr(JsonObject) body = lilac_json_parse_object (body_text, strlen (body_text), NULL);

  g_assert_nonnull (body);
  fixture->replied = FALSE;
  g_clear_pointer (&fixture->reply, json_object_unref);
  g_clear_error (&fixture->reply_error);
  lilac_wire_channel_request_async (fixture->channel, type, body, NULL, worker_reply_cb, fixture);
  worker_run_until (fixture->replied);
  if (fixture->reply_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&fixture->reply_error));
      return NULL;
    }
  return g_steal_pointer (&fixture->reply);
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
  g_assert_false (fixture->exited);
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
  worker_assert_error (fixture, LILAC_WIRE_BUDDY_ADD, "{\"account\":\"a1\",\"name\":\"bob\"}",
                       LILAC_ERROR_INVALID_INPUT);
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
  worker_run_until (fixture->exited);
  g_assert_cmpint (fixture->exit_status, ==, 0);
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
  worker_run_until (fixture->exited);
  g_assert_cmpint (fixture->exit_status, ==, 0);
  worker_run_until (fixture->closed);
}

static void
test_worker_sigterm (WorkerFixture *fixture,
                     gconstpointer  data)
{
  g_test_summary ("SIGTERM makes the worker sign off and exit with status 0");
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  g_subprocess_send_signal (fixture->process, SIGTERM);
  worker_run_until (fixture->exited);
  g_assert_cmpint (fixture->exit_status, ==, 0);
}

static void
test_worker_gateway_gone (WorkerFixture *fixture,
                          gconstpointer  data)
{
  g_test_summary ("when the gateway's end of the socket closes, the worker exits");
  lilac_wire_channel_close (fixture->channel);
  close (fixture->raw_fd);
  fixture->raw_fd = -1;
  worker_run_until (fixture->exited);
  g_assert_cmpint (fixture->exit_status, ==, 0);
}

static void
test_worker_restart (WorkerFixture *fixture,
                     gconstpointer  data)
{
  g_test_summary ("a worker restarted on the same folder still knows the gateway's accounts");
  worker_assert_reply (fixture, LILAC_WIRE_ACCOUNT_PUT, worker_disabled_account);
  g_assert_true (lilac_wire_channel_send (fixture->channel, LILAC_WIRE_SHUTDOWN, 0, NULL, NULL));
  worker_run_until (fixture->exited);
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
  nftw (dir, worker_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
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
  g_test_add_func ("/worker/version", test_worker_version);
  g_test_add_func ("/worker/protocols", test_worker_protocols);
  return g_test_run ();
}
