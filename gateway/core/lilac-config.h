/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The gateway's configuration: a GKeyFile read once at start, with defaults
 * and command-line overrides, immutable afterwards.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *listen;              /* (owned) address to listen on */
  int port;
  char *data_dir;            /* (owned) absolute path */
  int poll_timeout;          /* default seconds a poll is held */
  int poll_timeout_max;
  unsigned event_ring;       /* events kept per user */
  gsize max_body;            /* bytes of a JSON request body */
  gsize max_message;         /* bytes of a message's text */
  char *worker_path;         /* (owned) (nullable) lilac-worker to run */
  int worker_heartbeat;      /* seconds between pings */
  guint64 argon2_ops;        /* Argon2id opslimit for login passwords */
  gsize argon2_mem;          /* Argon2id memlimit, bytes */
  char *log_level;           /* (owned) "message", "info" or "debug" */
  char *tls_certificate;     /* (owned) (nullable) PEM file: serve HTTPS */
  char *tls_key;             /* (owned) (nullable) PEM file of its private key */
  gboolean registration;     /* anyone may create a user */
  int session_days;          /* a login unused this long ends */
  int idle_worker_minutes;   /* a logged-out user's worker stops after this, unless always-on */
  int idle_worker_seconds;   /* the same in seconds when set ([workers] idle_seconds), else 0 */
  int history_days;          /* messages older than this are purged */
  int worker_memory_mib;     /* address space limit of a worker, 0: none */
  int worker_cpu_seconds;    /* CPU time limit of a worker, 0: none */
  int worker_files;          /* open file limit of a worker */
  char **worker_plugins;     /* (owned) (nullable) extra libpurple plugin ids every worker loads */
  gboolean worker_zygote;    /* fork workers from a zygote; FALSE: exec each */
  int request_seconds;       /* a libpurple request nobody answers is cancelled after this */
  int login_failures;        /* failed logins per minute per name and per address before 429 */
  gint64 max_transfer;       /* bytes of one file transfer */
  gint64 max_database;       /* bytes the database may grow to, 0: no limit */
  int max_per_address;       /* connections per client address, 0: no cap */
  int header_seconds;        /* time a request has to send its headers */
  int request_timeout;       /* seconds a request's body may stall, or its answer wait unread */
  gint64 transfer_quota;     /* bytes of stored transfers per user */
  char **trusted_proxies;    /* (owned) (nullable) addresses or networks of reverse proxies whose
                              * X-Forwarded-For names the client */
} LilacConfig;

LilacConfig *lilac_config_new_default (void);
gboolean     lilac_config_load_file (LilacConfig *self,
                                     const char  *path,
                                     GError     **error);
gboolean     lilac_config_finish (LilacConfig *self,
                                  GError     **error);
void         lilac_config_free (LilacConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacConfig, lilac_config_free)

char        *lilac_config_get_database_path (const LilacConfig *self);
char        *lilac_config_get_users_dir (const LilacConfig *self);
char        *lilac_config_get_server_key_path (const LilacConfig *self);

G_END_DECLS
