/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Tests of the worker supervision (LilacSupervisor and LilacWorkerProxy)
 * with tests/fake-worker, exec'ed as the worker: a worker that exits with
 * a non-zero status, or closes its socket while staying alive, is restarted
 * (restarting, then running again), the one left alive is killed, and the
 * supervisor reports how a worker ended.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>

#include "lilac-files.h"
#include "lilac-supervisor.h"
#include "lilac-worker-proxy.h"

#define SUPERVISOR_TIMEOUT_S 20

typedef struct {
  char *dir;                    /* (owned) the worker's folder */
  LilacSupervisor *supervisor;  /* (owned) */
  LilacWorkerProxy *proxy;      /* (owned) */
  GArray *states;               /* (owned) LilacWorkerState, as they came */
  GArray *pids;                 /* (owned) int: the worker's pid at each "running" */
  GPtrArray *exits;             /* (owned) "PID how" of each worker-exited */
} SupervisorFixture;

static gboolean
supervisor_timeout_cb (gpointer user_data)
{
  g_printerr ("timed out waiting for: %s\n", (const char *) user_data);
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

/* every wait fails the test after SUPERVISOR_TIMEOUT_S */
#define supervisor_run_until(condition)                                                  \
  G_STMT_START {                                                                         \
    guint timeout_ = g_timeout_add_seconds (SUPERVISOR_TIMEOUT_S, supervisor_timeout_cb, \
                                            (gpointer) #condition);                      \
    while (!(condition))                                                                 \
      g_main_context_iteration (NULL, TRUE);                                             \
    g_source_remove (timeout_);                                                          \
  } G_STMT_END

static void
supervisor_state_cb (LilacWorkerProxy *proxy,
                     int               state,
                     gpointer          user_data)
{
  SupervisorFixture *fixture = user_data;
  LilacWorkerState value = state;

  g_array_append_val (fixture->states, value);
  if (value == LILAC_WORKER_RUNNING)
    {
      int pid = lilac_worker_proxy_get_pid (proxy);

      g_array_append_val (fixture->pids, pid);
    }
}

static void
supervisor_exited_cb (LilacSupervisor *supervisor,
                      int              pid,
                      const char      *why,
                      gpointer         user_data)
{
  SupervisorFixture *fixture = user_data;

  g_ptr_array_add (fixture->exits, g_strdup_printf ("%d %s", pid, why));
}

static void
supervisor_fixture_setup (SupervisorFixture *fixture,
                          gconstpointer      data)
{
  const char *mode = data;

  g_setenv ("LILAC_FAKE_WORKER_MODE", mode, TRUE);
  fixture->dir = g_dir_make_tmp ("lilac-test-supervisor-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  fixture->supervisor = lilac_supervisor_new (g_getenv ("LILAC_FAKE_WORKER"), FALSE, NULL, NULL, FALSE);
  /* a worker that behaves is pinged every second; one that does not is
   * pinged too rarely for a missed heartbeat to be what restarts it */
  fixture->proxy = lilac_worker_proxy_new (fixture->supervisor, fixture->dir,
                                           g_str_equal (mode, "run") ? 1 : 30);
  fixture->states = g_array_new (FALSE, FALSE, sizeof (LilacWorkerState));
  fixture->pids = g_array_new (FALSE, FALSE, sizeof (int));
  fixture->exits = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->proxy, "state-changed", G_CALLBACK (supervisor_state_cb), fixture);
  g_signal_connect (fixture->supervisor, "worker-exited", G_CALLBACK (supervisor_exited_cb), fixture);
}

static void
supervisor_fixture_teardown (SupervisorFixture *fixture,
                             gconstpointer      data)
{
  lilac_worker_proxy_stop (fixture->proxy);
  g_clear_object (&fixture->proxy);
  /* the stopped worker answers SHUTDOWN by exiting */
  supervisor_run_until (lilac_supervisor_get_running (fixture->supervisor) == 0);
  g_clear_object (&fixture->supervisor);
  g_array_unref (fixture->states);
  g_array_unref (fixture->pids);
  g_ptr_array_unref (fixture->exits);
  lilac_files_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static LilacWorkerState
supervisor_state_at (SupervisorFixture *fixture,
                     unsigned           index)
{
  return g_array_index (fixture->states, LilacWorkerState, index);
}

/* Starts the worker and waits for it to go starting, running, restarting,
 * running: restarted once, by a new process that runs now. Returns how the
 * first process ended, as the supervisor said it: "PID how". */
static const char *
supervisor_assert_restarted (SupervisorFixture *fixture)
{
  gint64 started = g_get_monotonic_time ();
  int first;
  g_autofree char *prefix = NULL;

  lilac_worker_proxy_start (fixture->proxy);
  supervisor_run_until (fixture->states->len >= 4);
  /* the first restart waits 0.5 to 1 s */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (supervisor_state_at (fixture, 0), ==, LILAC_WORKER_STARTING);
  g_assert_cmpint (supervisor_state_at (fixture, 1), ==, LILAC_WORKER_RUNNING);
  g_assert_cmpint (supervisor_state_at (fixture, 2), ==, LILAC_WORKER_RESTARTING);
  g_assert_cmpint (supervisor_state_at (fixture, 3), ==, LILAC_WORKER_RUNNING);
  g_assert_cmpuint (lilac_worker_proxy_get_restarts (fixture->proxy), ==, 1);
  g_assert_cmpuint (lilac_supervisor_get_restarts (fixture->supervisor), ==, 1);
  first = g_array_index (fixture->pids, int, 0);
  g_assert_cmpint (first, >, 0);
  g_assert_cmpint (g_array_index (fixture->pids, int, 1), ==, lilac_worker_proxy_get_pid (fixture->proxy));
  g_assert_cmpint (lilac_worker_proxy_get_pid (fixture->proxy), !=, first);
  supervisor_run_until (fixture->exits->len >= 1);
  prefix = g_strdup_printf ("%d ", first);
  g_assert_true (g_str_has_prefix (fixture->exits->pdata[0], prefix));
  return (const char *) fixture->exits->pdata[0] + strlen (prefix);
}

static void
test_supervisor_exit_status (SupervisorFixture *fixture,
                             gconstpointer      data)
{
  g_test_summary ("a worker that exits with status 3 is restarted; the supervisor says how it ended");
  g_assert_cmpstr (supervisor_assert_restarted (fixture), ==, "exited with status 3");
}

static void
test_supervisor_closed_socket (SupervisorFixture *fixture,
                               gconstpointer      data)
{
  g_test_summary ("a worker that closes its socket but lives on is killed and restarted");
  /* the deaf one, which would have slept 30 s, was killed by the proxy */
  g_assert_cmpstr (supervisor_assert_restarted (fixture), ==, "was killed by signal 9");
}

static gboolean
supervisor_set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_supervisor_steady (SupervisorFixture *fixture,
                        gconstpointer      data)
{
  gboolean waited = FALSE;

  g_test_summary ("a worker that behaves runs on through heartbeats, without restarts");
  lilac_worker_proxy_start (fixture->proxy);
  supervisor_run_until (fixture->states->len >= 2);
  /* three heartbeats of 1 s */
  g_timeout_add (3500, supervisor_set_flag_cb, &waited);
  supervisor_run_until (waited);
  g_assert_cmpuint (fixture->states->len, ==, 2);
  g_assert_cmpint (lilac_worker_proxy_get_state (fixture->proxy), ==, LILAC_WORKER_RUNNING);
  g_assert_cmpuint (fixture->exits->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  g_test_add ("/supervisor/restart/exit-status", SupervisorFixture, "exit:3", supervisor_fixture_setup,
              test_supervisor_exit_status, supervisor_fixture_teardown);
  g_test_add ("/supervisor/restart/closed-socket", SupervisorFixture, "close", supervisor_fixture_setup,
              test_supervisor_closed_socket, supervisor_fixture_teardown);
  g_test_add ("/supervisor/steady", SupervisorFixture, "run", supervisor_fixture_setup,
              test_supervisor_steady, supervisor_fixture_teardown);
  return g_test_run ();
}
