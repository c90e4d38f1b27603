/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Configuration: defaults, the [gateway] and [security] groups of the config
 * file, and validation. Every option is documented in README.md.
 */
#include "config.h"

#include "lilac-config.h"

#include <gio/gio.h>

#include "lilac-error.h"

/**
 * lilac_config_new_default:
 *
 * Returns: (transfer full): the built-in defaults
 */
LilacConfig *
lilac_config_new_default (void)
{
  LilacConfig *self = g_new0 (LilacConfig, 1);

  self->listen = g_strdup ("127.0.0.1");
  self->port = 8080;
  self->data_dir = g_strdup ("data");
  self->poll_timeout = 25;
  self->poll_timeout_max = 60;
  self->event_ring = 4096;
  self->max_body = 64 * 1024;
  self->max_message = 16 * 1024;
  self->worker_heartbeat = 15;
  self->argon2_ops = 2;
  self->argon2_mem = 64 * 1024 * 1024;
  self->log_level = g_strdup ("message");
  self->session_days = 30;
  self->idle_worker_minutes = 10;
  self->history_days = 90;
  self->worker_memory_mib = 1024;
  self->worker_files = 256;
  self->worker_zygote = TRUE;
  self->request_seconds = 600;
  self->login_failures = 10;
  self->max_transfer = (gint64) 100 * 1024 * 1024;
  self->max_per_address = 256;
  self->header_seconds = 15;
  self->request_timeout = 60;
  self->transfer_quota = (gint64) 1024 * 1024 * 1024;
  return self;
}

void
lilac_config_free (LilacConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->listen);
  g_free (self->data_dir);
  g_free (self->worker_path);
  g_free (self->log_level);
  g_free (self->tls_certificate);
  g_free (self->tls_key);
  g_strfreev (self->worker_plugins);
  g_strfreev (self->trusted_proxies);
  g_free (self);
}

static gboolean
lilac_config_read_int (GKeyFile   *file,
                       const char *group,
                       const char *key,
                       gint64      min,
                       gint64      max,
                       gint64     *value,
                       GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 read;

  if (!g_key_file_has_key (file, group, key, NULL))
    return TRUE;
  read = g_key_file_get_int64 (file, group, key, &local_error);
  if (local_error != NULL || read < min || read > max)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "[%s] %s must be an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                   group, key, min, max);
      return FALSE;
    }
  *value = read;
  return TRUE;
}

static void
lilac_config_read_string (GKeyFile   *file,
                          const char *group,
                          const char *key,
                          char      **value)
{
  g_autofree char *read = g_key_file_get_string (file, group, key, NULL);

  if (read == NULL)
    return;
  g_free (*value);
  *value = g_strstrip (g_steal_pointer (&read));
}

/* a list of IP addresses or networks (CIDR), each checked */
static gboolean
lilac_config_read_networks (GKeyFile   *file,
                            const char *group,
                            const char *key,
                            char     ***value,
                            GError    **error)
{
  g_auto(GStrv) read = g_key_file_get_string_list (file, group, key, NULL, NULL);
  g_autoptr(GPtrArray) networks = g_ptr_array_new_with_free_func (g_free);

  if (read == NULL)
    return TRUE;
  for (unsigned i = 0; read[i] != NULL; i++)
    {
      const char *text = g_strstrip (read[i]);
      g_autoptr(GInetAddressMask) mask = NULL;

      if (text[0] == '\0')
        continue;
      mask = g_inet_address_mask_new_from_string (text, NULL);
      if (mask == NULL)
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       "[%s] %s: \"%s\" is not an IP address or network", group, key, text);
          return FALSE;
        }
      g_ptr_array_add (networks, g_strdup (text));
    }
  g_ptr_array_add (networks, NULL);
  g_strfreev (*value);
  *value = (char **) g_ptr_array_free (g_steal_pointer (&networks), FALSE);
  return TRUE;
}

/**
 * lilac_config_load_file:
 * @self: the configuration
 * @path: a GKeyFile
 * @error: return location for a #GError
 *
 * Reads the options present in @path over the current values.
 */
gboolean
lilac_config_load_file (LilacConfig *self,
                        const char  *path,
                        GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  gint64 port = self->port, timeout = self->poll_timeout, ring = self->event_ring;
  gint64 heartbeat = self->worker_heartbeat, ops = (gint64) self->argon2_ops;
  gint64 mem = (gint64) (self->argon2_mem / 1024);
  gint64 session_days = self->session_days, idle = self->idle_worker_minutes;
  gint64 idle_seconds = self->idle_worker_seconds;
  gint64 history = self->history_days, memory = self->worker_memory_mib;
  gint64 cpu = self->worker_cpu_seconds, files = self->worker_files;
  gint64 failures = self->login_failures;
  gint64 max_transfer = self->max_transfer / (1024 * 1024);
  gint64 quota = self->transfer_quota / (1024 * 1024);
  gint64 database = self->max_database / (1024 * 1024);
  gint64 per_address = self->max_per_address, header = self->header_seconds;
  gint64 request_timeout = self->request_timeout;
  gint64 requests = self->request_seconds;
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "reading %s: ", path);
      return FALSE;
    }
  lilac_config_read_string (file, "gateway", "listen", &self->listen);
  lilac_config_read_string (file, "gateway", "data", &self->data_dir);
  lilac_config_read_string (file, "gateway", "worker", &self->worker_path);
  lilac_config_read_string (file, "gateway", "log_level", &self->log_level);
  lilac_config_read_string (file, "gateway", "tls_certificate", &self->tls_certificate);
  lilac_config_read_string (file, "gateway", "tls_key", &self->tls_key);
  if (g_key_file_has_key (file, "gateway", "registration", NULL))
    {
      self->registration = g_key_file_get_boolean (file, "gateway", "registration", &local_error);
      if (local_error != NULL)
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       "%s: [gateway] registration must be true or false", path);
          return FALSE;
        }
    }
  if (g_key_file_has_key (file, "workers", "plugins", NULL))
    {
      g_strfreev (self->worker_plugins);
      self->worker_plugins = g_key_file_get_string_list (file, "workers", "plugins", NULL, NULL);
    }
  if (g_key_file_has_key (file, "workers", "zygote", NULL))
    {
      self->worker_zygote = g_key_file_get_boolean (file, "workers", "zygote", &local_error);
      if (local_error != NULL)
        {
          g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                       "%s: [workers] zygote must be true or false", path);
          return FALSE;
        }
    }
  if (!lilac_config_read_networks (file, "gateway", "trusted_proxies", &self->trusted_proxies, error) ||
      !lilac_config_read_int (file, "gateway", "port", 0, 65535, &port, error) ||
      !lilac_config_read_int (file, "gateway", "poll_timeout", 1, 60, &timeout, error) ||
      !lilac_config_read_int (file, "gateway", "event_ring", 16, 1 << 20, &ring, error) ||
      !lilac_config_read_int (file, "gateway", "worker_heartbeat", 1, 3600, &heartbeat, error) ||
      !lilac_config_read_int (file, "security", "argon2_ops", 1, 16, &ops, error) ||
      !lilac_config_read_int (file, "security", "argon2_memory_kib", 8, 4 * 1024 * 1024, &mem,
                              error) ||
      !lilac_config_read_int (file, "security", "login_failures", 1, 1000, &failures, error) ||
      !lilac_config_read_int (file, "gateway", "session_days", 1, 3650, &session_days, error) ||
      !lilac_config_read_int (file, "gateway", "history_days", 1, 36500, &history, error) ||
      !lilac_config_read_int (file, "gateway", "max_transfer_mib", 1, 1 << 20, &max_transfer, error) ||
      !lilac_config_read_int (file, "gateway", "transfer_quota_mib", 1, 1 << 30, &quota, error) ||
      !lilac_config_read_int (file, "gateway", "max_database_mib", 0, 1 << 30, &database, error) ||
      !lilac_config_read_int (file, "gateway", "connections_per_address", 0, 1 << 20, &per_address,
                              error) ||
      !lilac_config_read_int (file, "gateway", "header_timeout", 1, 3600, &header, error) ||
      !lilac_config_read_int (file, "gateway", "request_timeout", 1, 3600, &request_timeout, error) ||
      !lilac_config_read_int (file, "workers", "idle_minutes", 1, 100000, &idle, error) ||
      !lilac_config_read_int (file, "workers", "idle_seconds", 1, 100000 * 60, &idle_seconds,
                              error) ||
      !lilac_config_read_int (file, "workers", "memory_mib", 0, 1 << 20, &memory, error) ||
      !lilac_config_read_int (file, "workers", "cpu_seconds", 0, G_MAXINT, &cpu, error) ||
      !lilac_config_read_int (file, "workers", "files", 32, 1 << 20, &files, error) ||
      !lilac_config_read_int (file, "workers", "request_seconds", 1, 7 * 24 * 3600, &requests, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  self->port = (int) port;
  self->poll_timeout = (int) timeout;
  self->event_ring = (unsigned) ring;
  self->worker_heartbeat = (int) heartbeat;
  self->argon2_ops = (guint64) ops;
  self->argon2_mem = (gsize) mem * 1024;
  self->login_failures = (int) failures;
  self->session_days = (int) session_days;
  self->history_days = (int) history;
  self->idle_worker_minutes = (int) idle;
  self->idle_worker_seconds = (int) idle_seconds;
  self->worker_memory_mib = (int) memory;
  self->worker_cpu_seconds = (int) cpu;
  self->worker_files = (int) files;
  self->max_transfer = max_transfer * 1024 * 1024;
  self->transfer_quota = quota * 1024 * 1024;
  self->max_database = database * 1024 * 1024;
  self->max_per_address = (int) per_address;
  self->header_seconds = (int) header;
  self->request_timeout = (int) request_timeout;
  self->request_seconds = (int) requests;
  return TRUE;
}

/**
 * lilac_config_finish:
 * @self: the configuration
 * @error: return location for a #GError
 *
 * Checks the values and makes the data folder absolute.
 */
gboolean
lilac_config_finish (LilacConfig *self,
                     GError     **error)
{
  static const char *const levels[] = { "message", "info", "debug", NULL };

  if (self->port < 0 || self->port > 65535)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "port %d is out of range", self->port);
      return FALSE;
    }
  if (!g_strv_contains (levels, self->log_level))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "log_level must be message, info or debug, not %s", self->log_level);
      return FALSE;
    }
  if ((self->tls_certificate == NULL) != (self->tls_key == NULL))
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "tls_certificate and tls_key go together");
      return FALSE;
    }
  if (self->data_dir == NULL || self->data_dir[0] == '\0')
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                           "the data folder is empty");
      return FALSE;
    }
  if (!g_path_is_absolute (self->data_dir))
    {
      g_autofree char *cwd = g_get_current_dir ();
      char *absolute = g_build_filename (cwd, self->data_dir, NULL);

      g_free (self->data_dir);
      self->data_dir = absolute;
    }
  return TRUE;
}

/**
 * lilac_config_get_database_path:
 *
 * Returns: (transfer full): the SQLite file in the data folder
 */
char *
lilac_config_get_database_path (const LilacConfig *self)
{
  return g_build_filename (self->data_dir, "lilac.db", NULL);
}

/**
 * lilac_config_get_server_key_path:
 *
 * Returns: (transfer full): the 0600 file holding the server key
 */
char *
lilac_config_get_server_key_path (const LilacConfig *self)
{
  return g_build_filename (self->data_dir, "server.key", NULL);
}

/**
 * lilac_config_get_users_dir:
 *
 * Returns: (transfer full): the folder holding one libpurple folder per user
 */
char *
lilac_config_get_users_dir (const LilacConfig *self)
{
  return g_build_filename (self->data_dir, "users", NULL);
}
