/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The listening socket, accepted by the gateway itself and handed to libsoup
 * one connection at a time (soup_server_accept_iostream), so that the
 * gateway can refuse connections past its caps: a total that keeps the
 * process's file descriptors in reserve, and a cap per client address
 * (127.0.0.1 and ::1 excepted: a reverse proxy connects from there). Every request
 * must send its headers within a deadline, and its body without stalling
 * or crawling, so clients trickling bytes (slowloris) or idling between
 * requests cannot hold connections forever; the kernel ends a connection
 * whose client stops reading what it is sent (TCP_USER_TIMEOUT, which also
 * covers a peer that keeps the window shut).
 *
 * Between two requests of a kept-alive connection, libsoup 3.2 neither
 * announces the next request before its first bytes nor closes the
 * connection when the client does: it stops watching it, and the
 * descriptor and the place under the caps would stay taken for good. The
 * listener watches those idle connections itself: one the client closed is
 * closed, one idle past the deadline is shut down (then closed).
 */
#include "config.h"

#include "lilac-web-listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "lilac-error.h"

#define LILAC_WEB_LISTENER_BACKLOG 4096
#define LILAC_WEB_LISTENER_FD_RESERVE 256
/* bytes a second a request body must average once its first request_seconds are over */
#define LILAC_WEB_LISTENER_MIN_RATE 1024

struct _LilacWebListener {
  GObject parent_instance;

  SoupServer *soup;             /* (unowned) the web server outlives its listener */
  GTlsCertificate *tls;         /* (owned) (nullable) */
  GSocket *socket;              /* (owned) */
  guint accept_id;
  guint sweep_id;
  unsigned max_connections;
  unsigned max_per_address;
  unsigned header_seconds;
  unsigned request_seconds;
  unsigned connections;
  GHashTable *per_address;      /* (owned) address text -> count */
  GHashTable *waiting;          /* (owned) (owned) SoupServerMessage -> (owned) LilacWebReading */
  GHashTable *sockets;          /* (owned) "address:port" of the client -> (unowned) LilacWebConnection */
  GHashTable *idle;             /* (owned) set of (unowned) LilacWebConnection between requests */
  int inert_peer;               /* the far end of libsoup's inert listener, -1 before listening */
};

G_DEFINE_TYPE (LilacWebListener, lilac_web_listener, G_TYPE_OBJECT)

/* a request being read: its headers, then its body */
typedef struct {
  gboolean body;                /* reading the body (else the headers) */
  gint64 started;               /* monotonic us when the part began */
  gint64 progress;              /* monotonic us when the last body bytes came */
  guint64 bytes;                /* body bytes read */
} LilacWebReading;

/* what a connection holds on to until libsoup lets it go */
typedef struct {
  LilacWebListener *listener;   /* (nullable) cleared when the listener goes first */
  char *address;                /* (owned) (nullable) NULL when exempt from the address cap */
  char *peer;                   /* (owned) "address:port", the key of the socket map */
  GSocket *socket;              /* (owned) */
  gint64 idle_since;            /* monotonic us, while between requests */
  gboolean hung_up;             /* the client was gone at the last sweep */
  gboolean counted;             /* still under the caps */
} LilacWebConnection;

/* libsoup does not give the socket of a connection it got from accept_iostream:
 * the listener keeps them, by the client's address and port */
static char *
lilac_web_listener_peer_key (GSocketAddress *remote)
{
  g_autofree char *host = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return g_strdup ("");
  host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  return g_strdup_printf ("%s:%u", host, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)));
}

/* the connection a request came on */
static LilacWebConnection *
lilac_web_listener_find (LilacWebListener  *self,
                         SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  g_autofree char *key = NULL;

  if (remote == NULL)
    return NULL;
  key = lilac_web_listener_peer_key (remote);
  return g_hash_table_lookup (self->sockets, key);
}

/* the connection no longer counts under the caps */
static void
lilac_web_listener_uncount (LilacWebListener   *self,
                            LilacWebConnection *connection)
{
  g_hash_table_remove (self->idle, connection);
  if (!connection->counted)
    return;
  connection->counted = FALSE;
  self->connections--;
  if (connection->address != NULL)
    {
      unsigned count = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, connection->address));

      if (count <= 1)
        g_hash_table_remove (self->per_address, connection->address);
      else
        g_hash_table_insert (self->per_address, g_strdup (connection->address),
                             GUINT_TO_POINTER (count - 1));
    }
  if (g_hash_table_lookup (self->sockets, connection->peer) == connection)
    g_hash_table_remove (self->sockets, connection->peer);
}

static void
lilac_web_listener_release (gpointer data,
                            GObject *where_the_connection_was)
{
  LilacWebConnection *connection = data;
  LilacWebListener *self = connection->listener;

  if (self != NULL)
    {
      lilac_web_listener_uncount (self, connection);
      g_object_remove_weak_pointer (G_OBJECT (self), (gpointer *) &connection->listener);
    }
  g_free (connection->address);
  g_free (connection->peer);
  g_clear_object (&connection->socket);
  g_free (connection);
}

static char *
lilac_web_listener_capped_address (GSocketAddress *remote)
{
  g_autofree char *text = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;
  text = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  /* the address a reverse proxy on this machine connects from */
  if (g_str_equal (text, "127.0.0.1") || g_str_equal (text, "::1"))
    return NULL;
  return g_steal_pointer (&text);
}

static gboolean
lilac_web_listener_admit (LilacWebListener *self,
                          const char       *address)
{
  if (self->connections >= self->max_connections)
    return FALSE;
  if (address != NULL && self->max_per_address > 0 &&
      GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address)) >= self->max_per_address)
    return FALSE;
  return TRUE;
}

static void
lilac_web_listener_hand_over (LilacWebListener *self,
                              GSocket          *socket)
{
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection (socket);
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  LilacWebConnection *held;
  char *address = remote != NULL ? lilac_web_listener_capped_address (remote) : NULL;

  if (remote == NULL || !lilac_web_listener_admit (self, address))
    {
      g_debug ("connection from %s refused: over the connection caps",
               address != NULL ? address : "loopback");
      g_free (address);
      return;
    }
  stream = self->tls != NULL
    ? G_IO_STREAM (g_tls_server_connection_new (G_IO_STREAM (connection), self->tls, NULL))
    : G_IO_STREAM (g_object_ref (connection));
  if (stream == NULL)
    {
      g_free (address);
      return;
    }
  held = g_new0 (LilacWebConnection, 1);
  held->listener = self;
  held->address = address;
  held->peer = lilac_web_listener_peer_key (remote);
  held->socket = g_object_ref (socket);
  held->idle_since = g_get_monotonic_time ();
  held->counted = TRUE;
  g_hash_table_insert (self->sockets, g_strdup (held->peer), held);
  g_hash_table_add (self->idle, held);
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &held->listener);
  self->connections++;
  if (address != NULL)
    g_hash_table_insert (self->per_address, g_strdup (address),
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address,
                                                                                  address)) + 1));
  g_object_weak_ref (G_OBJECT (connection), lilac_web_listener_release, held);
  if (!soup_server_accept_iostream (self->soup, stream, local, remote, &local_error))
    g_debug ("libsoup refused a connection: %s", local_error->message);
}

static gboolean
lilac_web_listener_accept_cb (int          fd,
                              GIOCondition condition,
                              gpointer     user_data)
{
  LilacWebListener *self = LILAC_WEB_LISTENER (user_data);

  /* a batch per wake-up: browsers reconnect all at once after a restart */
  for (int round = 0; round < 64; round++)
    {
      g_autoptr(GSocket) socket = NULL;
      int client = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (client < 0)
        {
          if (errno != EAGAIN && errno != EINTR)
            g_debug ("accept failed: %s", g_strerror (errno));
          break;
        }
      socket = g_socket_new_from_fd (client, NULL);
      if (socket == NULL)
        {
          close (client);
          continue;
        }
      /* libsoup writes an answer's headers and body apart: with Nagle's algorithm the
       * body would wait for the client's delayed ACK (40 ms) on a kept-alive connection */
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
      /* what is sent and not read (or not acknowledged) this long ends the connection */
      g_socket_set_option (socket, IPPROTO_TCP, TCP_USER_TIMEOUT,
                           (int) self->request_seconds * 1000, NULL);
      lilac_web_listener_hand_over (self, socket);
    }
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------- Reading deadlines */

/* headers within header_seconds; a body that never stalls for request_seconds and,
 * after its first request_seconds, averages at least LILAC_WEB_LISTENER_MIN_RATE */
static gint64
lilac_web_listener_deadline (LilacWebListener      *self,
                             const LilacWebReading *reading)
{
  gint64 allowed = (gint64) self->request_seconds * G_USEC_PER_SEC;

  if (!reading->body)
    return reading->started + (gint64) self->header_seconds * G_USEC_PER_SEC;
  return MIN (reading->started + allowed +
              (gint64) (reading->bytes * G_USEC_PER_SEC / LILAC_WEB_LISTENER_MIN_RATE),
              reading->progress + allowed);
}

static void
lilac_web_listener_got_headers_cb (SoupServerMessage *msg,
                                   gpointer           user_data)
{
  LilacWebListener *self = LILAC_WEB_LISTENER (user_data);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  LilacWebReading *reading = g_hash_table_lookup (self->waiting, msg);

  if (reading == NULL)
    return;
  if (encoding == SOUP_ENCODING_CHUNKED ||
      (encoding == SOUP_ENCODING_CONTENT_LENGTH && soup_message_headers_get_content_length (headers) > 0))
    {
      reading->body = TRUE;
      reading->started = reading->progress = g_get_monotonic_time ();
      return;
    }
  g_hash_table_remove (self->waiting, msg);
}

static void
lilac_web_listener_got_chunk_cb (SoupServerMessage *msg,
                                 GBytes            *chunk,
                                 gpointer           user_data)
{
  LilacWebListener *self = LILAC_WEB_LISTENER (user_data);
  LilacWebReading *reading = g_hash_table_lookup (self->waiting, msg);

  if (reading == NULL)
    return;
  reading->bytes += g_bytes_get_size (chunk);
  reading->progress = g_get_monotonic_time ();
}

/* the body is in, or the request is over */
static void
lilac_web_listener_read_cb (SoupServerMessage *msg,
                            gpointer           user_data)
{
  LilacWebListener *self = LILAC_WEB_LISTENER (user_data);

  g_hash_table_remove (self->waiting, msg);
}

static void
lilac_web_listener_request_started_cb (SoupServer        *soup,
                                       SoupServerMessage *msg,
                                       gpointer           user_data)
{
  LilacWebListener *self = LILAC_WEB_LISTENER (user_data);
  LilacWebReading *reading = g_new0 (LilacWebReading, 1);
  LilacWebConnection *connection;

  reading->started = g_get_monotonic_time ();
  connection = lilac_web_listener_find (self, msg);
  if (connection != NULL)
    {
      connection->hung_up = FALSE;
      g_hash_table_remove (self->idle, connection);
    }
  /* a reference: libsoup drops the message of a connection that closes before its request,
   * without "got-headers" or "finished" */
  g_hash_table_insert (self->waiting, g_object_ref (msg), reading);
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (lilac_web_listener_got_headers_cb),
                           self, 0);
  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (lilac_web_listener_got_chunk_cb), self, 0);
  g_signal_connect_object (msg, "got-body", G_CALLBACK (lilac_web_listener_read_cb), self, 0);
  g_signal_connect_object (msg, "finished", G_CALLBACK (lilac_web_listener_read_cb), self, 0);
}

/* an answer is out: until the next request comes, the connection idles */
static void
lilac_web_listener_request_finished_cb (SoupServer        *soup,
                                        SoupServerMessage *msg,
                                        gpointer           user_data)
{
  LilacWebListener *self = LILAC_WEB_LISTENER (user_data);
  LilacWebConnection *connection = lilac_web_listener_find (self, msg);

  if (connection == NULL)
    return;
  connection->idle_since = g_get_monotonic_time ();
  g_hash_table_add (self->idle, connection);
}

/* whether the client of an idle connection has closed its end */
static gboolean
lilac_web_listener_hung_up (GSocket *socket)
{
  char byte;
  ssize_t got = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* idle kept-alive connections: closed once their client is gone (seen at two
 * sweeps, so that libsoup has read the end and stopped watching); those idle
 * since before idle_deadline go into late, to be shut down (and so closed
 * at a later sweep) */
static void
lilac_web_listener_sweep_idle (LilacWebListener *self,
                               gint64            idle_deadline,
                               GPtrArray        *late)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->idle);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      LilacWebConnection *connection = key;

      if (g_socket_is_closed (connection->socket))
        continue;
      if (connection->hung_up)
        g_ptr_array_add (gone, connection);
      else if (lilac_web_listener_hung_up (connection->socket))
        connection->hung_up = TRUE;
      else if (connection->idle_since <= idle_deadline)
        g_ptr_array_add (late, g_object_ref (connection->socket));
    }
  for (unsigned i = 0; i < gone->len; i++)
    {
      LilacWebConnection *connection = gone->pdata[i];

      g_socket_close (connection->socket, NULL);
      lilac_web_listener_uncount (self, connection);
    }
}

static gboolean
lilac_web_listener_sweep_cb (gpointer user_data)
{
  LilacWebListener *self = LILAC_WEB_LISTENER (user_data);
  gint64 now = g_get_monotonic_time ();
  gint64 idle_deadline = now - (gint64) self->header_seconds * G_USEC_PER_SEC;
  g_autoptr(GPtrArray) late = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->waiting);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      LilacWebConnection *connection;

      if (lilac_web_listener_deadline (self, value) > now)
        continue;
      connection = lilac_web_listener_find (self, key);
      if (connection != NULL)
        g_ptr_array_add (late, g_object_ref (connection->socket));
      g_hash_table_iter_remove (&iter);
    }
  lilac_web_listener_sweep_idle (self, idle_deadline, late);
  /* too slow with its headers or its body, or idle between requests: the connection goes */
  for (unsigned i = 0; i < late->len; i++)
    g_socket_shutdown (late->pdata[i], TRUE, TRUE, NULL);
  return G_SOURCE_CONTINUE;
}

/* libsoup keeps a connection open after an answer only while the server has a
 * listener of its own (request_finished in soup-server.c). The connections
 * here come through accept_iostream, so libsoup gets a listener that never
 * accepts anything: one end of a socketpair whose other end stays open and
 * silent. Without it, every client would pay a TCP connect per request. */
static gboolean
lilac_web_listener_keep_alive (LilacWebListener *self,
                               GError          **error)
{
  g_autoptr(GSocket) inert = NULL;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      lilac_error_set_from_errno (error, errno, "making libsoup's inert listener");
      return FALSE;
    }
  self->inert_peer = fds[1];
  inert = g_socket_new_from_fd (fds[0], error);
  if (inert == NULL)
    {
      close (fds[0]);
      return FALSE;
    }
  return soup_server_listen_socket (self->soup, inert, 0, error);
}

/* -------------------------------------------------------------- GObject */

static void
lilac_web_listener_dispose (GObject *object)
{
  LilacWebListener *self = LILAC_WEB_LISTENER (object);

  lilac_web_listener_stop (self);
  G_OBJECT_CLASS (lilac_web_listener_parent_class)->dispose (object);
}

static void
lilac_web_listener_finalize (GObject *object)
{
  LilacWebListener *self = LILAC_WEB_LISTENER (object);

  g_clear_object (&self->tls);
  if (self->inert_peer >= 0)
    close (self->inert_peer);
  g_hash_table_unref (self->per_address);
  g_hash_table_unref (self->waiting);
  g_hash_table_unref (self->sockets);
  g_hash_table_unref (self->idle);
  G_OBJECT_CLASS (lilac_web_listener_parent_class)->finalize (object);
}

static void
lilac_web_listener_class_init (LilacWebListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lilac_web_listener_dispose;
  object_class->finalize = lilac_web_listener_finalize;
}

static void
lilac_web_listener_init (LilacWebListener *self)
{
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->waiting = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  self->sockets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->idle = g_hash_table_new (NULL, NULL);
  self->inert_peer = -1;
}

/**
 * lilac_web_listener_new:
 * @soup: the server that serves the connections
 * @tls: (nullable): a certificate: connections are TLS
 * @max_per_address: connections one (non-loopback) address may hold, 0 for no cap
 * @header_seconds: how long a request may take to send its headers
 * @request_seconds: how long a request's body may stall (it must also
 *   average 1 KiB/s after that long), and an answer may wait to be read
 *
 * Returns: (transfer full): a listener, not yet listening
 */
LilacWebListener *
lilac_web_listener_new (SoupServer      *soup,
                        GTlsCertificate *tls,
                        unsigned         max_per_address,
                        unsigned         header_seconds,
                        unsigned         request_seconds)
{
  LilacWebListener *self = g_object_new (LILAC_TYPE_WEB_LISTENER, NULL);
  struct rlimit files = { 0 };

  self->soup = soup;
  self->tls = tls != NULL ? g_object_ref (tls) : NULL;
  self->max_per_address = max_per_address;
  self->header_seconds = MAX (header_seconds, 1);
  self->request_seconds = MAX (request_seconds, 1);
  /* keep descriptors for the store, workers and pipes */
  getrlimit (RLIMIT_NOFILE, &files);
  self->max_connections = files.rlim_cur > 2 * LILAC_WEB_LISTENER_FD_RESERVE
    ? (unsigned) files.rlim_cur - LILAC_WEB_LISTENER_FD_RESERVE : LILAC_WEB_LISTENER_FD_RESERVE;
  g_signal_connect_object (soup, "request-started",
                           G_CALLBACK (lilac_web_listener_request_started_cb), self, 0);
  g_signal_connect_object (soup, "request-finished",
                           G_CALLBACK (lilac_web_listener_request_finished_cb), self, 0);
  g_signal_connect_object (soup, "request-aborted",
                           G_CALLBACK (lilac_web_listener_request_finished_cb), self, 0);
  return self;
}

/**
 * lilac_web_listener_listen:
 * @self: the listener
 * @address: an IP address
 * @port: a port, 0 for any
 * @error: return location for a #GError
 *
 * Returns: the port listened on, or 0 with @error set
 */
int
lilac_web_listener_listen (LilacWebListener *self,
                           const char       *address,
                           int               port,
                           GError          **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  if (inet == NULL)
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "cannot listen on \"%s\": not an IP address", address);
      return 0;
    }
  socket_address = g_inet_socket_address_new (inet, (guint16) port);
  self->socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_TCP, error);
  if (self->socket == NULL)
    return 0;
  g_socket_set_listen_backlog (self->socket, LILAC_WEB_LISTENER_BACKLOG);
  g_socket_set_blocking (self->socket, FALSE);
  if (!g_socket_bind (self->socket, socket_address, TRUE, error) ||
      !g_socket_listen (self->socket, error))
    {
      g_prefix_error (error, "listening on %s:%d: ", address, port);
      return 0;
    }
  bound = g_socket_get_local_address (self->socket, error);
  if (bound == NULL || !lilac_web_listener_keep_alive (self, error))
    return 0;
  self->accept_id = g_unix_fd_add (g_socket_get_fd (self->socket), G_IO_IN,
                                   lilac_web_listener_accept_cb, self);
  self->sweep_id = g_timeout_add_seconds (1, lilac_web_listener_sweep_cb, self);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

void
lilac_web_listener_stop (LilacWebListener *self)
{
  g_clear_handle_id (&self->accept_id, g_source_remove);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->socket != NULL)
    {
      g_socket_close (self->socket, NULL);
      g_clear_object (&self->socket);
    }
}

/**
 * lilac_web_listener_adopt:
 * @self: the listener
 * @fd: (transfer full): a connection the gateway held itself (a parked poll)
 *
 * Gives a connection back to libsoup for its next request, under the same
 * caps and accounting as a new one.
 */
void
lilac_web_listener_adopt (LilacWebListener *self,
                          int               fd)
{
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, NULL);

  if (socket == NULL)
    {
      close (fd);
      return;
    }
  lilac_web_listener_hand_over (self, socket);
}

/**
 * lilac_web_listener_get_socket:
 * @self: the listener
 * @msg: a request on one of the listener's connections
 *
 * Returns: (transfer none) (nullable): the connection's socket
 */
GSocket *
lilac_web_listener_get_socket (LilacWebListener  *self,
                               SoupServerMessage *msg)
{
  LilacWebConnection *connection;

  if (soup_server_message_get_socket (msg) != NULL)
    return soup_server_message_get_socket (msg);
  connection = lilac_web_listener_find (self, msg);
  return connection != NULL ? connection->socket : NULL;
}

unsigned
lilac_web_listener_get_connections (LilacWebListener *self)
{
  return self->connections;
}
