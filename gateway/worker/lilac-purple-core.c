/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Starts and stops libpurple for one worker. libpurple keeps its state in
 * globals, so there is at most one running LilacPurpleCore per process; the
 * adapters (accounts, conversations, buddies, notify, requests) report what
 * happens through lilac_purple_emit(), which the running core turns into its
 * "event" signal.
 *
 * A core starts in one of two ways. A worker that was exec'ed starts it in
 * its user's folder (lilac_purple_core_start()). The zygote starts it in a
 * template folder that belongs to no user, with no accounts, no network and
 * its timers only recorded (lilac_purple_core_start_template()), and loads
 * the SSL plugin and the system's certificate authorities once; each child
 * it forks then moves that core into its user's folder
 * (lilac_purple_core_move_to()) before anything is written.
 */
#include "config.h"

#include "lilac-purple-core.h"

#include <purple.h>

#include "lilac-purple-folder.h"
#include "lilac-error.h"
#include "lilac-purple-accounts.h"
#include "lilac-purple-buddies.h"
#include "lilac-purple-conversations.h"
#include "lilac-purple-eventloop.h"
#include "lilac-purple-notify.h"
#include "lilac-purple-plugins.h"
#include "lilac-purple-requests.h"
#include "lilac-purple-status.h"
#include "lilac-purple-transfers.h"

struct _LilacPurpleCore {
  GObject parent_instance;

  char *user_dir;     /* (owned) libpurple's folder for this user */
  gboolean started;
};

G_DEFINE_TYPE (LilacPurpleCore, lilac_purple_core, G_TYPE_OBJECT)

enum {
  SIGNAL_EVENT,
  N_SIGNALS
};

static guint lilac_purple_core_signals[N_SIGNALS];

/* the started core; libpurple cannot run twice in one process */
static LilacPurpleCore *lilac_purple_core_running;
static gboolean lilac_purple_core_debug;
static GHashTable *lilac_purple_core_ui_info;

/* ------------------------------------------------------------ Debug output */

/* debug lines in which protocol plugins dump their traffic, message bodies
 * included: those are never logged, at any level */
static const struct {
  const char *category;
  const char *prefix;
} lilac_purple_core_traffic[] = {
  { "jabber", "Sending" },
  { "jabber", "Recv" },
  { "irc", "<< " },
  { "irc", ">> " },
  { "irc", "Unrecognized " },
};

static gboolean
lilac_purple_core_is_traffic (const char *category,
                              const char *text)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (lilac_purple_core_traffic); i++)
    {
      if (g_strcmp0 (category, lilac_purple_core_traffic[i].category) == 0 &&
          g_str_has_prefix (text, lilac_purple_core_traffic[i].prefix))
        return TRUE;
    }
  return FALSE;
}

static void
lilac_purple_core_debug_print (PurpleDebugLevel level,
                               const char      *category,
                               const char      *text)
{
  if (text == NULL || lilac_purple_core_is_traffic (category, text))
    return;
  g_log ("purple", G_LOG_LEVEL_DEBUG, "%s: %s", category != NULL ? category : "misc", text);
}

static gboolean
lilac_purple_core_debug_is_enabled (PurpleDebugLevel level,
                                    const char      *category)
{
  return lilac_purple_core_debug;
}

static PurpleDebugUiOps lilac_purple_core_debug_ops = {
  .print = lilac_purple_core_debug_print,
  .is_enabled = lilac_purple_core_debug_is_enabled,
};

static void
lilac_purple_core_debug_init (void)
{
  purple_debug_set_ui_ops (&lilac_purple_core_debug_ops);
  /* libpurple's own printing goes to stdout, which --protocols needs clean */
  purple_debug_set_enabled (FALSE);
  /* "unsafe" debug output includes passwords */
  purple_debug_set_unsafe (FALSE);
}

/* --------------------------------------------------------------- UI ops */

static void
lilac_purple_core_set_prefs (void)
{
  /* the gateway keeps the history; nothing is logged in the user's folder */
  purple_prefs_set_bool ("/purple/logging/log_ims", FALSE);
  purple_prefs_set_bool ("/purple/logging/log_chats", FALSE);
  purple_prefs_set_bool ("/purple/logging/log_system", FALSE);
  /* no X session to be idle in, and no automatic away */
  purple_prefs_set_string ("/purple/away/idle_reporting", "none");
  purple_prefs_set_bool ("/purple/away/away_when_idle", FALSE);
  /* a server does not ask the router for port mappings (UPnP, NAT-PMP) */
  purple_prefs_set_bool ("/purple/network/map_ports", FALSE);
}

static void
lilac_purple_core_ui_init (void)
{
  lilac_purple_core_set_prefs ();
  purple_connections_set_ui_ops (lilac_purple_accounts_get_ui_ops ());
  purple_conversations_set_ui_ops (lilac_purple_conversations_get_ui_ops ());
  purple_blist_set_ui_ops (lilac_purple_buddies_get_ui_ops ());
  purple_notify_set_ui_ops (lilac_purple_notify_get_ui_ops ());
  purple_request_set_ui_ops (lilac_purple_requests_get_ui_ops ());
  purple_accounts_set_ui_ops (lilac_purple_requests_get_account_ui_ops ());
  purple_xfers_set_ui_ops (lilac_purple_transfers_get_ui_ops ());
  lilac_purple_accounts_init ();
  lilac_purple_requests_init ();
  lilac_purple_buddies_init ();
  lilac_purple_conversations_init ();
  lilac_purple_transfers_init ();
}

static GHashTable *
lilac_purple_core_get_ui_info (void)
{
  if (lilac_purple_core_ui_info == NULL)
    {
      lilac_purple_core_ui_info = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (lilac_purple_core_ui_info, "name", "Lilac");
      g_hash_table_insert (lilac_purple_core_ui_info, "version", PACKAGE_VERSION);
      g_hash_table_insert (lilac_purple_core_ui_info, "client_type", "web");
    }
  return lilac_purple_core_ui_info;
}

static PurpleCoreUiOps lilac_purple_core_ui_ops = {
  /* the earliest hook, before libpurple probes its plugins */
  .ui_prefs_init = lilac_purple_plugins_shadow_loaders,
  .debug_ui_init = lilac_purple_core_debug_init,
  .ui_init = lilac_purple_core_ui_init,
  .get_ui_info = lilac_purple_core_get_ui_info,
};

/* ------------------------------------------------------ GObject implementation */

static void
lilac_purple_core_finalize (GObject *object)
{
  LilacPurpleCore *self = LILAC_PURPLE_CORE (object);

  lilac_purple_core_stop (self);
  g_free (self->user_dir);
  G_OBJECT_CLASS (lilac_purple_core_parent_class)->finalize (object);
}

static void
lilac_purple_core_class_init (LilacPurpleCoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lilac_purple_core_finalize;

  /* an event for the gateway: a JsonObject with a "type" member */
  lilac_purple_core_signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
}

static void
lilac_purple_core_init (LilacPurpleCore *self)
{
}

/* ------------------------------------------------------------- Public API */

/**
 * lilac_purple_core_new:
 * @user_dir: libpurple's folder for this user; it must exist
 *
 * Returns: (transfer full): a core; call lilac_purple_core_start() next
 */
LilacPurpleCore *
lilac_purple_core_new (const char *user_dir)
{
  LilacPurpleCore *self = g_object_new (LILAC_TYPE_PURPLE_CORE, NULL);

  self->user_dir = g_strdup (user_dir);
  return self;
}

/* the buddy list (from blist.xml), the accounts in it, the status; the
 * accounts exist and the buddy list was made already */
static void
lilac_purple_core_load_list (void)
{
  purple_blist_load ();
  lilac_purple_accounts_adopt_loaded ();
  lilac_purple_status_activate (PURPLE_STATUS_AVAILABLE, NULL);
}

static void
lilac_purple_core_load_session (void)
{
  purple_set_blist (purple_blist_new ());
  lilac_purple_core_load_list ();
}

/* purple_core_init() in the core's folder, then the plugins */
static gboolean
lilac_purple_core_init_purple (LilacPurpleCore *self,
                               GError         **error)
{
  if (lilac_purple_core_running != NULL)
    {
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                           "libpurple is already running in this process");
      return FALSE;
    }
  lilac_purple_plugins_prepare ();
  lilac_purple_plugins_add_search_paths ();
  purple_util_set_user_dir (self->user_dir);
  purple_eventloop_set_ui_ops (lilac_purple_eventloop_get_ui_ops ());
  purple_core_set_ui_ops (&lilac_purple_core_ui_ops);
  lilac_purple_core_running = self;
  if (!purple_core_init (LILAC_PURPLE_UI))
    {
      lilac_purple_core_running = NULL;
      g_set_error_literal (error, LILAC_ERROR, LILAC_ERROR_INTERNAL,
                           "libpurple failed to initialise");
      return FALSE;
    }
  self->started = TRUE;
  g_debug ("%u protocol plugins loaded", g_list_length (purple_plugins_get_protocols ()));
  /* a server's network is up; NetworkManager's view of it does not matter */
  purple_network_force_online ();
  lilac_purple_plugins_load ();
  return TRUE;
}

/**
 * lilac_purple_core_start:
 * @self: a core
 * @session: also load the accounts, the buddy list and the saved status
 * @error: return location for a #GError
 *
 * Initialises libpurple in the core's folder and probes the plugins. Without
 * @session only the plugins are usable (enough to list the protocols).
 *
 * Returns: %TRUE on success
 */
gboolean
lilac_purple_core_start (LilacPurpleCore *self,
                         gboolean         session,
                         GError         **error)
{
  g_return_val_if_fail (LILAC_IS_PURPLE_CORE (self), FALSE);

  if (!lilac_purple_core_init_purple (self, error))
    return FALSE;
  if (session)
    lilac_purple_core_load_session ();
  return TRUE;
}

/* what every TLS connection would otherwise load for itself: the SSL plugin
 * (NSS) and the system's certificate authorities, parsed */
static void
lilac_purple_core_preload_tls (void)
{
  PurpleCertificatePool *authorities;
  GList *ids;

  if (!purple_ssl_is_supported ())
    {
      g_message ("libpurple has no SSL plugin: TLS connections will fail");
      return;
    }
  authorities = purple_certificate_find_pool ("x509", "ca");
  if (authorities == NULL)
    return;
  ids = purple_certificate_pool_get_idlist (authorities);
  g_debug ("%u certificate authorities loaded", g_list_length (ids));
  purple_certificate_pool_destroy_idlist (ids);
}

/**
 * lilac_purple_core_start_template:
 * @self: a core whose folder belongs to no user
 * @error: return location for a #GError
 *
 * The zygote's start: initialises libpurple in the template folder with its
 * timers and watches recorded but not attached to any main context, and
 * loads what TLS needs. No account, buddy list or status is loaded.
 *
 * Returns: %TRUE on success
 */
gboolean
lilac_purple_core_start_template (LilacPurpleCore *self,
                                  GError         **error)
{
  g_return_val_if_fail (LILAC_IS_PURPLE_CORE (self), FALSE);

  lilac_purple_eventloop_defer ();
  if (!lilac_purple_core_init_purple (self, error))
    return FALSE;
  lilac_purple_core_preload_tls ();
  return TRUE;
}

/**
 * lilac_purple_core_move_to:
 * @self: a core started with lilac_purple_core_start_template(), in a
 *   process forked from the one that started it
 * @user_dir: the user's libpurple folder
 * @error: return location for a #GError
 *
 * Makes @user_dir libpurple's folder, reads the user's preferences and
 * accounts from it, attaches libpurple's timers and watches to this
 * process's main context, and loads the buddy list and the status.
 *
 * Returns: %TRUE on success
 */
gboolean
lilac_purple_core_move_to (LilacPurpleCore *self,
                           const char      *user_dir,
                           GError         **error)
{
  g_return_val_if_fail (LILAC_IS_PURPLE_CORE (self), FALSE);
  g_return_val_if_fail (self->started, FALSE);

  g_free (self->user_dir);
  self->user_dir = g_strdup (user_dir);
  if (!lilac_purple_folder_enter (user_dir, error))
    return FALSE;
  lilac_purple_core_set_prefs ();
  lilac_purple_eventloop_attach ();
  /* libpurple keeps a buddy cache per account from the list's making on */
  purple_set_blist (purple_blist_new ());
  lilac_purple_folder_load_accounts ();
  lilac_purple_core_load_list ();
  return TRUE;
}

/**
 * lilac_purple_core_stop:
 * @self: a core
 *
 * Signs every account off and shuts libpurple down, which writes its files
 * (accounts, buddy list, status, prefs). Events produced while signing off
 * are still emitted.
 */
void
lilac_purple_core_stop (LilacPurpleCore *self)
{
  g_return_if_fail (LILAC_IS_PURPLE_CORE (self));

  if (!self->started)
    return;
  self->started = FALSE;
  lilac_purple_requests_cancel_all ();
  purple_connections_disconnect_all ();
  purple_core_quit ();
  /* what libpurple forgot to remove must not run without it */
  lilac_purple_eventloop_clear ();
  lilac_purple_transfers_uninit ();
  lilac_purple_buddies_uninit ();
  lilac_purple_accounts_uninit ();
  g_clear_pointer (&lilac_purple_core_ui_info, g_hash_table_unref);
  lilac_purple_core_running = NULL;
}

/**
 * lilac_purple_core_set_debug:
 * @enabled: whether libpurple's debug output goes to g_debug()
 */
void
lilac_purple_core_set_debug (gboolean enabled)
{
  lilac_purple_core_debug = enabled;
}

/**
 * lilac_purple_event_new:
 * @type: the event type, as in lilac-wire-protocol.h
 *
 * Returns: (transfer full): an event object with its "type" set
 */
JsonObject *
lilac_purple_event_new (const char *type)
{
  JsonObject *event = json_object_new ();

  json_object_set_string_member (event, "type", type);
  return event;
}

/**
 * lilac_purple_emit:
 * @event: (transfer none): an event made with lilac_purple_event_new()
 *
 * Hands an event to the running core, which emits it as "event". Without a
 * running core the event is dropped.
 */
void
lilac_purple_emit (JsonObject *event)
{
  if (lilac_purple_core_running == NULL)
    {
      g_debug ("event %s without a running core dropped",
               json_object_get_string_member_with_default (event, "type", "?"));
      return;
    }
  g_signal_emit (lilac_purple_core_running, lilac_purple_core_signals[SIGNAL_EVENT], 0, event);
}
