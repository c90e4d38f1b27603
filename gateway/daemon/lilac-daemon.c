/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The daemon: everything the gateway is made of, built in dependency order
 * (store, accounts, IM sessions, web) and torn down in reverse.
 */
#include "config.h"

#include "lilac-daemon.h"

#include <errno.h>

#include <gio/gio.h>

#include "lilac-error.h"
#include "lilac-im-account-store.h"
#include "lilac-im-manager.h"
#include "lilac-login.h"
#include "lilac-protocols.h"
#include "lilac-secret.h"
#include "lilac-store.h"
#include "lilac-supervisor.h"
#include "lilac-web-server.h"

struct _LilacDaemon {
  GObject parent_instance;

  LilacConfig *config;            /* (owned) */
  LilacStore *store;              /* (owned) (nullable) */
  LilacUserStore *users;          /* (owned) (nullable) */
  LilacLoginStore *logins;        /* (owned) (nullable) */
  LilacImAccountStore *accounts;  /* (owned) (nullable) */
  LilacProtocols *protocols;      /* (owned) (nullable) */
  LilacSupervisor *supervisor;    /* (owned) (nullable) */
  LilacImManager *manager;        /* (owned) (nullable) */
  LilacWebServer *web;            /* (owned) (nullable) */
};

G_DEFINE_TYPE (LilacDaemon, lilac_daemon, G_TYPE_OBJECT)

static void
lilac_daemon_dispose (GObject *object)
{
  LilacDaemon *self = LILAC_DAEMON (object);

  lilac_daemon_stop (self);
  g_clear_object (&self->web);
  g_clear_object (&self->manager);
  g_clear_object (&self->supervisor);
  g_clear_object (&self->protocols);
  g_clear_object (&self->accounts);
  g_clear_object (&self->logins);
  g_clear_object (&self->users);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (lilac_daemon_parent_class)->dispose (object);
}

static void
lilac_daemon_finalize (GObject *object)
{
  LilacDaemon *self = LILAC_DAEMON (object);

  lilac_config_free (self->config);
  G_OBJECT_CLASS (lilac_daemon_parent_class)->finalize (object);
}

static void
lilac_daemon_class_init (LilacDaemonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lilac_daemon_dispose;
  object_class->finalize = lilac_daemon_finalize;
}

static void
lilac_daemon_init (LilacDaemon *self)
{
}

/**
 * lilac_daemon_new:
 * @config: (transfer full): the finished configuration
 *
 * Returns: (transfer full): a daemon; lilac_daemon_setup() builds it
 */
LilacDaemon *
lilac_daemon_new (LilacConfig *config)
{
  LilacDaemon *self = g_object_new (LILAC_TYPE_DAEMON, NULL);

  self->config = config;
  return self;
}

/**
 * lilac_daemon_find_worker:
 * @config: the configuration
 *
 * The worker binary: the configured one, else $LILAC_WORKER, else the one
 * built beside this lilac in a build tree, else the installed one.
 *
 * Returns: (transfer full): its path
 */
char *
lilac_daemon_find_worker (const LilacConfig *config)
{
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *self_dir = NULL;
  g_autofree char *built = NULL;

  if (config->worker_path != NULL)
    return g_strdup (config->worker_path);
  if (g_getenv ("LILAC_WORKER") != NULL)
    return g_strdup (g_getenv ("LILAC_WORKER"));
  if (self_path != NULL)
    {
      self_dir = g_path_get_dirname (self_path);
      built = g_build_filename (self_dir, "..", "worker", "lilac-worker", NULL);
      if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&built);
    }
  return g_build_filename (LILAC_LIBEXECDIR, "lilac-worker", NULL);
}

/**
 * lilac_daemon_open_store:
 * @self: the daemon
 * @error: return location for a #GError
 *
 * Creates the data folder (0700) and opens the store and the user store;
 * enough for the `lilac user` commands.
 */
gboolean
lilac_daemon_open_store (LilacDaemon *self,
                         GError     **error)
{
  g_autofree char *database = lilac_config_get_database_path (self->config);

  if (g_mkdir_with_parents (self->config->data_dir, 0700) != 0)
    {
      lilac_error_set_from_errno (error, errno, "creating the data folder");
      g_prefix_error (error, "%s: ", self->config->data_dir);
      return FALSE;
    }
  if (!lilac_secret_init (error))
    return FALSE;
  self->store = lilac_store_open (database, error);
  if (self->store == NULL || !lilac_store_set_max_size (self->store, self->config->max_database, error))
    return FALSE;
  self->users = lilac_user_store_new (self->store, self->config->argon2_ops,
                                      self->config->argon2_mem);
  return TRUE;
}

/**
 * lilac_daemon_setup:
 * @self: the daemon
 * @error: return location for a #GError
 *
 * Builds the whole gateway; nothing listens yet.
 */
gboolean
lilac_daemon_setup (LilacDaemon *self,
                    GError     **error)
{
  g_autofree char *worker = lilac_daemon_find_worker (self->config);
  g_autofree char *users_dir = lilac_config_get_users_dir (self->config);
  g_autofree char *server_key_path = lilac_config_get_server_key_path (self->config);
  g_autofree char *zygote_dir = NULL;
  g_auto(GStrv) protocols_argv = NULL;
  g_autoptr(LilacKey) server_key = NULL;
  LilacImSettings im_settings = {
    .users_dir = users_dir,
    .event_ring = self->config->event_ring,
    .heartbeat = self->config->worker_heartbeat,
    .idle_seconds = self->config->idle_worker_seconds > 0 ? self->config->idle_worker_seconds
                                                          : self->config->idle_worker_minutes * 60,
    .history_days = self->config->history_days,
    .max_transfer = self->config->max_transfer,
    .transfer_quota = self->config->transfer_quota,
  };
  LilacWorkerLimits limits = {
    .memory_mib = self->config->worker_memory_mib,
    .cpu_seconds = self->config->worker_cpu_seconds,
    .files = self->config->worker_files,
  };
  LilacWebSettings web_settings = {
    .listen = self->config->listen,
    .port = self->config->port,
    .max_body = self->config->max_body,
    .max_message = self->config->max_message,
    .poll_timeout = self->config->poll_timeout,
    .poll_timeout_max = self->config->poll_timeout_max,
    .registration = self->config->registration,
    .login_failures = self->config->login_failures,
    .session_days = self->config->session_days,
    .tls_certificate = self->config->tls_certificate,
    .tls_key = self->config->tls_key,
    .max_per_address = self->config->max_per_address,
    .header_seconds = self->config->header_seconds,
    .request_seconds = self->config->request_timeout,
    .trusted_proxies = (const char *const *) self->config->trusted_proxies,
  };

  if (self->store == NULL && !lilac_daemon_open_store (self, error))
    return FALSE;
  self->supervisor = lilac_supervisor_new (worker, g_strcmp0 (self->config->log_level, "debug") == 0,
                                           &limits, (const char *const *) self->config->worker_plugins,
                                           self->config->worker_zygote);
  /* the protocols of a libpurple with the workers' plugins */
  protocols_argv = lilac_supervisor_get_protocols_argv (self->supervisor);
  self->protocols = lilac_protocols_new_from_worker ((const char *const *) protocols_argv, error);
  if (self->protocols == NULL)
    {
      g_prefix_error (error, "asking %s for its protocols: ", worker);
      return FALSE;
    }
  server_key = lilac_secret_load_server_key (server_key_path, error);
  if (server_key == NULL)
    return FALSE;
  self->logins = lilac_login_store_new (self->store);
  lilac_login_store_set_lifetime (self->logins, (gint64) self->config->session_days * 24 * 3600 * 1000);
  lilac_login_store_purge_expired (self->logins);
  self->accounts = lilac_im_account_store_new (self->store);
  zygote_dir = g_build_filename (self->config->data_dir, "zygote", NULL);
  lilac_supervisor_set_zygote_dir (self->supervisor, zygote_dir);
  lilac_supervisor_set_request_seconds (self->supervisor, self->config->request_seconds);
  self->manager = lilac_im_manager_new (self->store, self->users, self->accounts, self->protocols,
                                        self->supervisor, &im_settings);
  lilac_im_manager_set_server_key (self->manager, server_key);
  lilac_im_manager_set_logins (self->manager, self->logins);
  self->web = lilac_web_server_new (&web_settings, self->users, self->logins, self->manager);
  return TRUE;
}

gboolean
lilac_daemon_start (LilacDaemon *self,
                    GError     **error)
{
  unsigned always_on;

  if (!lilac_web_server_listen (self->web, error))
    return FALSE;
  g_message ("listening on %s://%s:%d/", self->config->tls_certificate != NULL ? "https" : "http",
             self->config->listen, lilac_web_server_get_port (self->web));
  always_on = lilac_im_manager_start_always_on (self->manager);
  if (always_on > 0)
    g_message ("started %u always-on users", always_on);
  return TRUE;
}

/**
 * lilac_daemon_stop:
 *
 * Answers held polls, stops listening and stops every worker.
 */
void
lilac_daemon_stop (LilacDaemon *self)
{
  if (self->web != NULL)
    lilac_web_server_stop (self->web);
  if (self->manager != NULL)
    lilac_im_manager_stop_all (self->manager);
}

/**
 * lilac_daemon_get_users:
 *
 * Returns: (transfer none): the user store, once the store is open
 */
LilacUserStore *
lilac_daemon_get_users (LilacDaemon *self)
{
  return self->users;
}
