/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * pollers: the load generator of the "polls" benchmark.
 *
 * C long polls (GET /api/v1/events) are held on one Lilac gateway, P per
 * user (P "tabs"; every tab of a user sees every event of that user), while
 * events are published to random users at a fixed rate with targeted admin
 * broadcasts (POST /api/v1/admin/broadcast, "users":["ID"]). A broadcast's
 * text carries its number and the moment it was written to the gateway, so
 * each delivery gives one publish-to-delivery latency.
 *
 * Events also come from real XMPP clients: with --xmpp K:M, K senders
 * (slixmpp, run by bench.py) each send M messages "xK I SENT_NS" to one of
 * the first K users, whose IM account signs on to a private Prosody; the
 * senders start when this program says "pollers: publishing" on stderr.
 * Each delivery of such a message gives one send-to-delivery latency, kept
 * apart from the broadcasts', and each must reach every poll of its user
 * exactly once.
 *
 * The proof of no loss and no duplicate: every poll checks that its
 * sequence numbers are contiguous (no gap, no repeat, no resync), and at the
 * end every acknowledged broadcast (202 with every user reached) must have
 * reached each poll of its user exactly once, and nothing else arrived. A
 * broadcast whose connection broke before its answer is "unacknowledged":
 * it may or may not have been published, and is left out of the check.
 *
 * One thread, one epoll set, plain non-blocking sockets. Poll connections
 * are bound to several 127.0.0.x source addresses (IP_BIND_ADDRESS_NO_PORT)
 * so that one address's ephemeral ports never run out. A request that meets
 * a connection the gateway has just closed is sent again on a new one, as
 * a browser does with a GET. A gateway that closes connections after each
 * answer (without "Connection: close") is detected by its publishers and
 * warmers, which then open a connection per request instead of racing its
 * closes; the polls keep theirs (a parked poll's connection stays open).
 *
 * Phases: (1) GET /state once per user, which starts each user's IM session
 * and gives its epoch and seq; (2) gateway RSS "before"; (3) open the C polls
 * and wait until /metrics says all are held; (4) RSS "held" and CPU of 2 idle
 * seconds; (5) publish; (6) wait for every acknowledged event; (7) print one
 * JSON object on stdout.
 *
 *   pollers --port P --admin TOKEN --users FILE --count C --pid GATEWAY_PID
 *           [--per-user 1] [--rate 2000] [--seconds 10] [--batch 1]
 *           [--addresses 8] [--publishers 4] [--timeout 60] [--xmpp K:M]
 * FILE has one "USER_ID TOKEN" a line; C / per-user users are used.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum kind { POLLER, PUBLISHER, WARMER };

struct conn {
  enum kind kind;
  int fd;
  int index;             /* POLLER: its poll; WARMER: the user being warmed */
  int connected;
  int busy;              /* a request is out and its answer not in yet */
  long answers;          /* answers on the current connection */
  long pubid;            /* PUBLISHER: the broadcast in flight */
  char *in;              /* what came in and is not handled yet */
  size_t in_len, in_cap;
  char out[1024];        /* the request being written */
  size_t out_len, out_off;
};

struct user {
  long long id;
  char token[128];
  char epoch[80];                /* from GET /state */
  unsigned long long seq;
};

struct poll {
  int user;
  char epoch[80];
  unsigned long long seq;        /* the last seq this poll has: its next "since" */
  long received, gaps, repeats, resyncs, other;
};

static struct {
  int port, count, per_user, rate, seconds, batch, addresses, publishers, timeout, pid;
  int xmpp_senders, xmpp_count;
  const char *admin, *users_file;
} opt = { .per_user = 1, .rate = 2000, .seconds = 10, .batch = 1, .addresses = 8, .publishers = 4,
          .timeout = 60 };

static struct user *users;
static int user_count;
static struct poll *polls;
static int epfd;
static struct conn **conns;
static int conn_total;

/* broadcasts */
static long published, pub_cap, lost_broadcasts, publish_errors;
static int *pub_users;                /* [pubid * batch + i]: the users of each broadcast */
static unsigned char *pub_acked;      /* 202 with every user reached */
static unsigned short *pub_delivered; /* polls that received it */
static double publish_lag_max;        /* ms a broadcast went out later than its schedule */

/* deliveries */
static double *latencies;             /* ms, publish-to-delivery of every delivery */
static long latency_count, latency_cap;
static long delivered, wrong_user, delivered_twice, unknown;
static long http_errors, reopened, lost_requests, empty_answers, warmed;
static int gateway_closes;            /* see the top of the file */

/* messages from the XMPP senders */
static unsigned short *xmpp_delivered; /* [sender * xmpp_count + i]: polls that received it */
static double *xmpp_latencies;         /* ms, send-to-delivery */
static long xmpp_latency_count, xmpp_latency_cap, xmpp_twice, xmpp_unknown;

static void
die (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fprintf (stderr, "pollers: ");
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
  exit (1);
}

static long long
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double
now_ms (void)
{
  return now_ns () / 1e6;
}

/* ------------------------------------------------------------ /proc readings */

static long
gateway_rss_kib (void)
{
  char path[64], line[256];
  long value = -1;
  FILE *file;

  snprintf (path, sizeof path, "/proc/%d/status", opt.pid);
  if ((file = fopen (path, "r")) == NULL)
    return -1;
  while (fgets (line, sizeof line, file) != NULL)
    if (sscanf (line, "VmRSS: %ld kB", &value) == 1)
      break;
  fclose (file);
  return value;
}

static double
gateway_cpu_seconds (void)
{
  char path[64], text[2048], *after;
  unsigned long utime = 0, stime = 0;
  FILE *file;
  size_t length;

  snprintf (path, sizeof path, "/proc/%d/stat", opt.pid);
  if ((file = fopen (path, "r")) == NULL)
    return -1;
  length = fread (text, 1, sizeof text - 1, file);
  fclose (file);
  text[length] = '\0';
  if ((after = strrchr (text, ')')) == NULL)
    return -1;
  /* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
  if (sscanf (after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return -1;
  return (double) (utime + stime) / sysconf (_SC_CLK_TCK);
}

/* ---------------------------------------------------------------- sockets */

/* a non-blocking connection to the gateway from 127.0.0.(2 + address), 0 <= address < 250, or
 * from 127.0.1.(address - 249) for the publishers' addresses (250 and up) */
static int
open_socket (int address)
{
  struct sockaddr_in local = { .sin_family = AF_INET }, remote = { .sin_family = AF_INET };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;

  if (fd < 0)
    die ("socket: %s", strerror (errno));
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (address >= 0)
    {
      /* the port is picked at connect time, per destination */
      setsockopt (fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      local.sin_addr.s_addr = htonl (address < 250 ? 0x7f000002 + (uint32_t) address
                                                   : 0x7f000101 + (uint32_t) (address - 250));
      if (bind (fd, (struct sockaddr *) &local, sizeof local) != 0)
        die ("bind to source address %d: %s", address, strerror (errno));
    }
  remote.sin_port = htons ((uint16_t) opt.port);
  remote.sin_addr.s_addr = htonl (0x7f000001);
  if (connect (fd, (struct sockaddr *) &remote, sizeof remote) != 0 && errno != EINPROGRESS)
    die ("connect: %s", strerror (errno));
  return fd;
}

/* polls: one of opt.addresses; broadcasts, which may take a connection each, rotate through 16
 * addresses of their own so that no 4-tuple comes back while the gateway's side of it is still
 * in TIME_WAIT (a SYN meeting one can wait a second for a retransmission) */
static int
conn_address (struct conn *conn)
{
  static unsigned rotation;

  if (conn->kind == POLLER)
    return conn->index % opt.addresses;
  if (conn->kind == PUBLISHER)
    return 250 + (int) (rotation++ % 16);
  return -1;
}

static void
conn_watch (struct conn *conn, int op, uint32_t events)
{
  struct epoll_event wanted = { .events = events, .data.ptr = conn };

  if (epoll_ctl (epfd, op, conn->fd, &wanted) != 0)
    die ("epoll_ctl: %s", strerror (errno));
}

static struct conn *
conn_new (enum kind kind, int index)
{
  struct conn *conn = calloc (1, sizeof *conn);

  conn->kind = kind;
  conn->index = index;
  conn->fd = open_socket (conn_address (conn));
  conn->in_cap = 4096;
  conn->in = malloc (conn->in_cap);
  conn_watch (conn, EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
  conns[conn_total++] = conn;
  return conn;
}

static void
conn_close (struct conn *conn)
{
  epoll_ctl (epfd, EPOLL_CTL_DEL, conn->fd, NULL);
  close (conn->fd);
}

/* a new connection in place of the old one; a request not yet answered is forgotten */
static void
conn_reopen (struct conn *conn)
{
  conn_close (conn);
  conn->fd = open_socket (conn_address (conn));
  conn->connected = conn->busy = 0;
  conn->answers = 0;
  conn->in_len = conn->out_len = conn->out_off = 0;
  conn_watch (conn, EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
  reopened++;
}

/* writes what it can of conn->out; EPOLLOUT stays on only while something is left */
static void
conn_flush (struct conn *conn)
{
  uint32_t events = EPOLLIN | EPOLLRDHUP;

  if (!conn->connected)
    return;
  while (conn->out_off < conn->out_len)
    {
      ssize_t sent = send (conn->fd, conn->out + conn->out_off, conn->out_len - conn->out_off,
                           MSG_NOSIGNAL);

      if (sent < 0 && errno == EINTR)
        continue;
      if (sent < 0 && errno == EAGAIN)
        {
          events |= EPOLLOUT;
          break;
        }
      if (sent < 0)
        return;   /* the reading side sees the error */
      conn->out_off += (size_t) sent;
    }
  conn_watch (conn, EPOLL_CTL_MOD, events);
}

/* a request: the head (format), then the JSON body if any; written as soon as connected */
static void
conn_send (struct conn *conn, const char *body, const char *format, ...)
{
  va_list args;
  int length;

  va_start (args, format);
  length = vsnprintf (conn->out, sizeof conn->out, format, args);
  va_end (args);
  if (body != NULL)
    length += snprintf (conn->out + length, sizeof conn->out - (size_t) length,
                        "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                        strlen (body), body);
  else
    length += snprintf (conn->out + length, sizeof conn->out - (size_t) length, "\r\n");
  if (length >= (int) sizeof conn->out)
    die ("request too long");
  conn->out_len = (size_t) length;
  conn->out_off = 0;
  conn->busy = 1;
  conn_flush (conn);
}

/* ------------------------------------------------------------- requests */

static void
send_poll (struct conn *conn)
{
  struct poll *poll = &polls[conn->index];

  conn_send (conn, NULL,
             "GET /api/v1/events?since=%llu&epoch=%s&timeout=%d HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Authorization: Bearer %s\r\n", poll->seq, poll->epoch, opt.timeout, users[poll->user].token);
}

static void
send_state (struct conn *conn)
{
  conn_send (conn, NULL, "GET /api/v1/state HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n",
             users[conn->index].token);
}

static void
send_broadcast (struct conn *conn, double scheduled_ms)
{
  char body[800];
  int length;
  double lag = now_ms () - scheduled_ms;

  if (lag > publish_lag_max)
    publish_lag_max = lag;
  if (published >= pub_cap)
    die ("more broadcasts than planned");
  conn->pubid = published++;
  length = snprintf (body, sizeof body, "{\"title\":\"bench\",\"text\":\"%ld %lld\",\"users\":[",
                     conn->pubid, now_ns ());
  for (int i = 0; i < opt.batch; i++)
    {
      int chosen, again;

      do   /* distinct users within one broadcast */
        {
          chosen = rand () % user_count;
          again = 0;
          for (int j = 0; j < i; j++)
            again |= pub_users[conn->pubid * opt.batch + j] == chosen;
        }
      while (again);
      pub_users[conn->pubid * opt.batch + i] = chosen;
      length += snprintf (body + length, sizeof body - (size_t) length, "%s\"%lld\"", i ? "," : "",
                          users[chosen].id);
    }
  snprintf (body + length, sizeof body - (size_t) length, "]}");
  conn_send (conn, body,
             "POST /api/v1/admin/broadcast HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n%s",
             opt.admin, gateway_closes ? "Connection: close\r\n" : "");
}

/* --------------------------------------------------------------- answers */

static const char *
find_in (const char *start, const char *end, const char *needle)
{
  return memmem (start, (size_t) (end - start), needle, strlen (needle));
}

/* a message event: one of the XMPP senders' "xK I SENT_NS", or another (presence of the
 * account signing on, say): other */
static void
handle_xmpp_message (struct poll *poll, const char *start, const char *end, long long received_ns)
{
  const char *text = find_in (start, end, "\"text\":\"");
  const char *direction = find_in (start, end, "\"direction\":\"in\"");
  int sender = -1;
  long number = -1;
  long long sent_ns = 0;
  long index;

  if (text == NULL || direction == NULL ||
      sscanf (text + 8, "x%d %ld %lld", &sender, &number, &sent_ns) != 3)
    {
      poll->other++;
      return;
    }
  if (sender < 0 || sender >= opt.xmpp_senders || number < 0 || number >= opt.xmpp_count ||
      poll->user != sender)
    {
      xmpp_unknown++;
      return;
    }
  index = (long) sender * opt.xmpp_count + number;
  if (++xmpp_delivered[index] > opt.per_user)
    xmpp_twice++;
  if (xmpp_latency_count < xmpp_latency_cap)
    xmpp_latencies[xmpp_latency_count++] = (double) (received_ns - sent_ns) / 1e6;
  poll->received++;
}

/* one event object of a poll answer, from "{\"seq\":" up to end */
static void
handle_event (struct poll *poll, const char *start, const char *end, long long received_ns)
{
  unsigned long long seq = strtoull (start + 7, NULL, 10);
  const char *type = find_in (start, end, "\"type\":\"");
  const char *text;
  long long sent_ns = 0;
  long pubid = -1;
  int mine = 0;

  if (type != NULL && strncmp (type + 8, "resync\"", 7) == 0)
    {
      poll->resyncs++;
      poll->seq = seq;
      return;
    }
  if (seq <= poll->seq)
    poll->repeats++;
  else if (seq != poll->seq + 1)
    poll->gaps++;
  if (seq > poll->seq)
    poll->seq = seq;
  if (type != NULL && strncmp (type + 8, "message\"", 8) == 0 && opt.xmpp_senders > 0)
    {
      handle_xmpp_message (poll, start, end, received_ns);
      return;
    }
  if (type == NULL || strncmp (type + 8, "notify\"", 7) != 0)
    {
      poll->other++;
      return;
    }
  text = find_in (start, end, "\"text\":\"");
  if (text == NULL || sscanf (text + 8, "%ld %lld", &pubid, &sent_ns) != 2 || pubid < 0 || pubid >= published)
    {
      unknown++;
      return;
    }
  for (int i = 0; i < opt.batch; i++)
    mine |= pub_users[pubid * opt.batch + i] == poll->user;
  wrong_user += !mine;
  if (++pub_delivered[pubid] > opt.batch * opt.per_user)
    delivered_twice++;
  if (latency_count < latency_cap)
    latencies[latency_count++] = (double) (received_ns - sent_ns) / 1e6;
  poll->received++;
  delivered++;
}

/* {"epoch":"...","events":[{"seq":...},...],"next":N} */
static void
handle_poll_answer (struct conn *conn, int status, const char *body, size_t length)
{
  struct poll *poll = &polls[conn->index];
  const char *end = body + length, *at, *epoch, *next;
  long long received_ns = now_ns ();
  int events = 0;

  if (status != 200)
    {
      http_errors++;
      return;
    }
  epoch = find_in (body, end, "\"epoch\":\"");
  if (epoch != NULL)
    sscanf (epoch + 9, "%79[^\"]", poll->epoch);
  for (at = find_in (body, end, "{\"seq\":"); at != NULL; events++)
    {
      const char *following = find_in (at + 7, end, "{\"seq\":");

      handle_event (poll, at, following != NULL ? following : end, received_ns);
      at = following;
    }
  empty_answers += events == 0;
  next = find_in (body, end, "\"next\":");
  if (next != NULL && strtoull (next + 7, NULL, 10) > poll->seq)
    poll->seq = strtoull (next + 7, NULL, 10);
}

static void
handle_state_answer (struct conn *conn, int status, const char *body, size_t length)
{
  struct user *user = &users[conn->index];
  const char *end = body + length, *seq, *epoch;

  if (status != 200)
    die ("GET /state for user %lld answered %d", user->id, status);
  seq = find_in (body, end, "\"seq\":");
  epoch = find_in (body, end, "\"epoch\":\"");
  if (seq == NULL || epoch == NULL)
    die ("GET /state without seq or epoch");
  user->seq = strtoull (seq + 6, NULL, 10);
  sscanf (epoch + 9, "%79[^\"]", user->epoch);
  warmed++;
}

static void
handle_broadcast_answer (struct conn *conn, int status, const char *body, size_t length)
{
  const char *reached = find_in (body, body + length, "\"users\":");

  if (status == 202 && reached != NULL && atoi (reached + 8) == opt.batch)
    pub_acked[conn->pubid] = 1;
  else
    publish_errors++;
}

/* handles every complete answer in conn->in; returns how many */
static int
handle_input (struct conn *conn)
{
  int handled = 0;

  while (1)
    {
      char *head_end = memmem (conn->in, conn->in_len, "\r\n\r\n", 4);
      char *length_header;
      size_t head, body_length = 0, total;
      int status = 0;

      if (head_end == NULL)
        return handled;
      head = (size_t) (head_end - conn->in) + 4;
      sscanf (conn->in, "HTTP/1.%*d %d", &status);
      length_header = memmem (conn->in, head, "Content-Length:", 15);
      if (length_header == NULL)
        length_header = memmem (conn->in, head, "content-length:", 15);
      if (length_header != NULL)
        body_length = strtoul (length_header + 15, NULL, 10);
      total = head + body_length;
      if (conn->in_len < total)
        return handled;
      conn->busy = 0;
      conn->answers++;
      if (conn->kind == POLLER)
        handle_poll_answer (conn, status, conn->in + head, body_length);
      else if (conn->kind == WARMER)
        handle_state_answer (conn, status, conn->in + head, body_length);
      else
        handle_broadcast_answer (conn, status, conn->in + head, body_length);
      memmove (conn->in, conn->in + total, conn->in_len - total);
      conn->in_len -= total;
      handled++;
    }
}

/* reads what came; returns -1 once the connection is closed */
static int
conn_read (struct conn *conn)
{
  while (1)
    {
      ssize_t got;

      if (conn->in_cap - conn->in_len < 4096)
        {
          conn->in_cap *= 2;
          conn->in = realloc (conn->in, conn->in_cap);
        }
      got = recv (conn->fd, conn->in + conn->in_len, conn->in_cap - conn->in_len, 0);
      if (got > 0)
        conn->in_len += (size_t) got;
      else if (got < 0 && errno == EINTR)
        continue;
      else if (got < 0 && errno == EAGAIN)
        return 0;
      else
        return -1;
    }
}

/* ------------------------------------------------------------- the loop */

static int warm_next;     /* the next user to warm up */

static void
next_request (struct conn *conn)
{
  if (conn->kind == POLLER)
    send_poll (conn);
  else if (conn->kind == WARMER && warm_next < user_count)
    {
      conn->index = warm_next++;
      send_state (conn);
    }
}

static void
on_ready (struct epoll_event *ready)
{
  struct conn *conn = ready->data.ptr;
  int closed, handled, lost = 0;

  if (!conn->connected)
    {
      int error = 0;
      socklen_t size = sizeof error;

      getsockopt (conn->fd, SOL_SOCKET, SO_ERROR, &error, &size);
      if (error != 0)
        die ("connect: %s", strerror (error));
      conn->connected = 1;
      conn_flush (conn);      /* a request made before the connection was up; else EPOLLOUT off */
      if (!conn->busy)
        next_request (conn);
      return;
    }
  if (ready->events & EPOLLOUT)
    conn_flush (conn);
  if ((ready->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0)
    return;
  closed = conn_read (conn);
  handled = handle_input (conn);
  if (closed < 0)
    {
      /* closed by the gateway: after an answer, or under a request of ours (sent again,
       * except a broadcast, which stays unacknowledged) */
      lost = conn->busy;
      lost_requests += lost;
      lost_broadcasts += lost && conn->kind == PUBLISHER;
      if (lost && handled == 0 && conn->answers > 0 && conn->kind != POLLER && !gateway_closes)
        {
          gateway_closes = 1;
          fprintf (stderr, "pollers: the gateway closes connections after each answer: "
                   "one connection per broadcast from now on\n");
        }
      conn_reopen (conn);
    }
  else if (handled > 0 && gateway_closes && conn->kind != POLLER)
    conn_reopen (conn);
  if (lost && conn->kind == WARMER)
    send_state (conn);
  else if (!conn->busy && (handled > 0 || closed < 0))
    next_request (conn);
}

static void
run_loop (int timeout_ms)
{
  struct epoll_event ready[512];
  int count = epoll_wait (epfd, ready, 512, timeout_ms);

  for (int i = 0; i < count; i++)
    on_ready (&ready[i]);
}

static void
run_for (double ms)
{
  double until = now_ms () + ms;

  while (now_ms () < until)
    run_loop (10);
}

/* the gateway's lilac_polls_held, from /metrics over a blocking connection of its own */
static long
polls_held (void)
{
  struct sockaddr_in remote = { .sin_family = AF_INET };
  char request[512], answer[16384];
  size_t got = 0;
  long value = -1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  char *at;

  remote.sin_port = htons ((uint16_t) opt.port);
  remote.sin_addr.s_addr = htonl (0x7f000001);
  if (connect (fd, (struct sockaddr *) &remote, sizeof remote) != 0)
    die ("connect for /metrics: %s", strerror (errno));
  snprintf (request, sizeof request, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Authorization: Bearer %s\r\nConnection: close\r\n\r\n", opt.admin);
  if (send (fd, request, strlen (request), MSG_NOSIGNAL) < 0)
    die ("send /metrics: %s", strerror (errno));
  while (got < sizeof answer - 1)
    {
      ssize_t n = recv (fd, answer + got, sizeof answer - 1 - got, 0);

      if (n <= 0)
        break;
      got += (size_t) n;
    }
  answer[got] = '\0';
  close (fd);
  if ((at = strstr (answer, "\nlilac_polls_held ")) != NULL)
    value = atol (at + 18);
  return value;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* of sorted values */
static double
percentile (const double *values, long count, double fraction)
{
  long rank = (long) (fraction * count + 0.9999999);

  if (count == 0)
    return -1;
  rank = rank < 1 ? 1 : rank > count ? count : rank;
  return values[rank - 1];
}

/* the messages of the XMPP senders that have not reached every poll of their user yet */
static long
xmpp_missing (void)
{
  long missing = 0;

  for (long i = 0; i < (long) opt.xmpp_senders * opt.xmpp_count; i++)
    missing += xmpp_delivered[i] < opt.per_user;
  return missing;
}

static void
read_users (void)
{
  FILE *file = fopen (opt.users_file, "r");
  long long id;
  char token[128];

  if (file == NULL)
    die ("%s: %s", opt.users_file, strerror (errno));
  user_count = opt.count / opt.per_user;
  users = calloc ((size_t) user_count, sizeof *users);
  for (int i = 0; i < user_count; i++)
    {
      if (fscanf (file, "%lld %127s", &id, token) != 2)
        die ("%s has %d users, %d needed", opt.users_file, i, user_count);
      users[i].id = id;
      snprintf (users[i].token, sizeof users[i].token, "%s", token);
    }
  fclose (file);
  polls = calloc ((size_t) opt.count, sizeof *polls);
  for (int i = 0; i < opt.count; i++)
    polls[i].user = i % user_count;
}

static void
parse_options (int argc, char **argv)
{
  for (int i = 1; i + 1 < argc; i += 2)
    {
      const char *name = argv[i], *value = argv[i + 1];

      if (strcmp (name, "--port") == 0) opt.port = atoi (value);
      else if (strcmp (name, "--admin") == 0) opt.admin = value;
      else if (strcmp (name, "--users") == 0) opt.users_file = value;
      else if (strcmp (name, "--count") == 0) opt.count = atoi (value);
      else if (strcmp (name, "--per-user") == 0) opt.per_user = atoi (value);
      else if (strcmp (name, "--pid") == 0) opt.pid = atoi (value);
      else if (strcmp (name, "--rate") == 0) opt.rate = atoi (value);
      else if (strcmp (name, "--seconds") == 0) opt.seconds = atoi (value);
      else if (strcmp (name, "--batch") == 0) opt.batch = atoi (value);
      else if (strcmp (name, "--addresses") == 0) opt.addresses = atoi (value);
      else if (strcmp (name, "--publishers") == 0) opt.publishers = atoi (value);
      else if (strcmp (name, "--timeout") == 0) opt.timeout = atoi (value);
      else if (strcmp (name, "--xmpp") == 0)
        {
          if (sscanf (value, "%d:%d", &opt.xmpp_senders, &opt.xmpp_count) != 2)
            die ("--xmpp takes SENDERS:MESSAGES");
        }
      else die ("unknown option %s", name);
    }
  if (argc % 2 != 1 || opt.port <= 0 || opt.admin == NULL || opt.users_file == NULL || opt.count <= 0 ||
      opt.pid <= 0 || opt.per_user < 1 || opt.count % opt.per_user != 0 || opt.batch < 1 ||
      opt.batch > 64 || opt.batch > opt.count / opt.per_user || opt.addresses < 1 || opt.addresses > 250 ||
      opt.publishers < 1 || opt.publishers > 64 || opt.rate < opt.batch || opt.seconds < 1 ||
      opt.xmpp_senders < 0 || opt.xmpp_senders > opt.count / opt.per_user || opt.xmpp_count < 0 ||
      (opt.xmpp_senders > 0 && opt.xmpp_count < 1))
    die ("usage: pollers --port P --admin TOKEN --users FILE --count C --pid GATEWAY_PID [--per-user P] "
         "[--rate N] [--seconds S] [--batch B] [--addresses A] [--publishers N] [--timeout T] "
         "[--xmpp SENDERS:MESSAGES]");
}

int
main (int argc, char **argv)
{
  struct conn *publishers[64];
  double started, connect_ms, publish_start, publish_end, drain_end;
  double cpu_before, cpu_held, cpu_idle_end, cpu_publish_start, cpu_publish_end;
  long rss_before, rss_held, rss_after, held, schedule_total;
  long acked = 0, acked_missing = 0, unacked_delivered = 0;
  long gaps = 0, repeats = 0, resyncs = 0, other = 0;
  const int warmers = 8;
  int contiguous;

  parse_options (argc, argv);
  read_users ();
  srand (12345);
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  conns = calloc ((size_t) opt.count + 128, sizeof *conns);
  schedule_total = (long) opt.rate * opt.seconds / opt.batch;
  pub_cap = 2 * schedule_total + 16;   /* room for broadcasts made up for lost ones */
  pub_users = calloc ((size_t) (pub_cap * opt.batch), sizeof *pub_users);
  pub_acked = calloc ((size_t) pub_cap, 1);
  pub_delivered = calloc ((size_t) pub_cap, sizeof *pub_delivered);
  latency_cap = pub_cap * opt.batch * opt.per_user;
  latencies = calloc ((size_t) latency_cap, sizeof *latencies);
  xmpp_delivered = calloc ((size_t) opt.xmpp_senders * opt.xmpp_count + 1, sizeof *xmpp_delivered);
  /* every delivery, and as many again that arrive twice */
  xmpp_latency_cap = 2L * opt.xmpp_senders * opt.xmpp_count * opt.per_user;
  xmpp_latencies = calloc ((size_t) xmpp_latency_cap + 1, sizeof *xmpp_latencies);

  /* (1) every user's IM session exists and we know its epoch and seq */
  started = now_ms ();
  for (int i = 0; i < warmers; i++)
    conn_new (WARMER, -1);
  while (warmed < user_count)
    run_loop (100);
  for (int i = 0; i < conn_total; i++)
    {
      conn_close (conns[i]);
      free (conns[i]->in);
      free (conns[i]);
    }
  conn_total = 0;
  for (int i = 0; i < opt.count; i++)
    {
      polls[i].seq = users[polls[i].user].seq;
      memcpy (polls[i].epoch, users[polls[i].user].epoch, sizeof polls[i].epoch);
    }
  fprintf (stderr, "pollers: %d sessions warm in %.1f s\n", user_count, (now_ms () - started) / 1e3);
  reopened = lost_requests = 0;   /* from here on, the polls' and the broadcasts' */

  /* (2) the gateway before any poll */
  usleep (1000000);
  rss_before = gateway_rss_kib ();
  cpu_before = gateway_cpu_seconds ();

  /* (3) C polls, at most 256 connecting at once */
  started = now_ms ();
  for (int opened = 0; opened < opt.count;)
    {
      int connecting = 0;

      for (int i = 0; i < conn_total; i++)
        connecting += !conns[i]->connected;
      for (; connecting < 256 && opened < opt.count; connecting++)
        conn_new (POLLER, opened++);
      run_loop (1);
    }
  while ((held = polls_held ()) < opt.count)
    {
      run_for (100);
      if (now_ms () - started > 300000)
        die ("only %ld of %d polls held after 300 s", held, opt.count);
    }
  connect_ms = now_ms () - started;
  fprintf (stderr, "pollers: %d polls held after %.1f s\n", opt.count, connect_ms / 1e3);

  /* (4) memory with the polls held, and what holding them costs when nothing happens */
  run_for (1000);
  rss_held = gateway_rss_kib ();
  cpu_held = gateway_cpu_seconds ();
  run_for (2000);
  cpu_idle_end = gateway_cpu_seconds ();

  /* (5) publish: rate broadcasts/s to batch random users each; one lost to a closed
   * connection is made up for by another (to new random users) */
  for (int i = 0; i < opt.publishers; i++)
    publishers[i] = conn_new (PUBLISHER, -1);
  for (int up = 0; up < opt.publishers;)
    {
      run_loop (1);
      up = 0;
      for (int i = 0; i < opt.publishers; i++)
        up += publishers[i]->connected;
    }
  fprintf (stderr, "pollers: publishing\n");
  fflush (stderr);
  cpu_publish_start = gateway_cpu_seconds ();
  publish_start = now_ms ();
  for (long sent = 0; (sent = published - lost_broadcasts) < schedule_total;)
    {
      long due = (long) ((now_ms () - publish_start) * opt.rate / opt.batch / 1000.0) + 1;

      if (due > schedule_total)
        due = schedule_total;
      for (int i = 0; i < opt.publishers && sent < due; i++)
        if (publishers[i]->connected && !publishers[i]->busy)
          {
            send_broadcast (publishers[i], publish_start + sent * 1000.0 * opt.batch / opt.rate);
            sent++;
          }
      run_loop (sent < due ? 0 : 1);
    }
  publish_end = now_ms ();

  /* (6) until every acknowledged broadcast reached every poll of its users (or 30 s) */
  while (now_ms () - publish_end < 30000)
    {
      int idle = 1;
      long missing = 0;

      for (int i = 0; i < opt.publishers; i++)
        idle &= !publishers[i]->busy;
      for (long p = 0; p < published; p++)
        missing += pub_acked[p] && pub_delivered[p] < opt.batch * opt.per_user;
      if (idle && missing == 0 && xmpp_missing () == 0)
        break;
      run_for (20);
    }
  drain_end = now_ms ();
  cpu_publish_end = gateway_cpu_seconds ();
  rss_after = gateway_rss_kib ();

  /* (7) the figures */
  for (long p = 0; p < published; p++)
    {
      acked += pub_acked[p];
      acked_missing += pub_acked[p] && pub_delivered[p] < opt.batch * opt.per_user;
      unacked_delivered += !pub_acked[p] && pub_delivered[p] > 0;
    }
  for (int i = 0; i < opt.count; i++)
    {
      gaps += polls[i].gaps;
      repeats += polls[i].repeats;
      resyncs += polls[i].resyncs;
      other += polls[i].other;
    }
  contiguous = gaps == 0 && repeats == 0 && resyncs == 0 && acked_missing == 0 && delivered_twice == 0 &&
               wrong_user == 0 && unknown == 0 && http_errors == 0 && xmpp_missing () == 0 &&
               xmpp_twice == 0 && xmpp_unknown == 0;
  qsort (latencies, (size_t) latency_count, sizeof *latencies, compare_doubles);
  qsort (xmpp_latencies, (size_t) xmpp_latency_count, sizeof *xmpp_latencies, compare_doubles);
  printf ("{\"count\":%d,\"users\":%d,\"per_user\":%d,\"rate\":%d,\"seconds\":%d,\"batch\":%d,"
          "\"addresses\":%d,\"publishers\":%d,\"connect_seconds\":%.3f,"
          "\"rss_before_kib\":%ld,\"rss_held_kib\":%ld,\"rss_after_kib\":%ld,\"rss_per_poll_bytes\":%.1f,"
          "\"cpu_connect_seconds\":%.3f,\"cpu_idle_2s_seconds\":%.3f,"
          "\"cpu_publish_seconds\":%.3f,\"publish_seconds\":%.3f,\"drain_seconds\":%.3f,"
          "\"published\":%ld,\"acknowledged\":%ld,\"unacknowledged\":%ld,\"unacknowledged_delivered\":%ld,"
          "\"publish_errors\":%ld,\"publish_lag_max_ms\":%.3f,\"delivered\":%ld,"
          "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,\"samples\":%ld},"
          "\"xmpp\":{\"senders\":%d,\"messages\":%ld,\"missing\":%ld,\"delivered_twice\":%ld,\"unknown\":%ld,"
          "\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f,\"samples\":%ld}},"
          "\"sequence\":{\"gaps\":%ld,\"repeats\":%ld,\"resyncs\":%ld,\"other_events\":%ld,"
          "\"acknowledged_missing\":%ld,\"delivered_twice\":%ld,\"wrong_user\":%ld,\"unknown\":%ld,"
          "\"contiguous\":%s},"
          "\"http_errors\":%ld,\"connections_reopened\":%ld,\"requests_lost_to_closed_connections\":%ld,"
          "\"empty_answers\":%ld,\"gateway_keeps_alive\":%s}\n",
          opt.count, user_count, opt.per_user, opt.rate, opt.seconds, opt.batch, opt.addresses, opt.publishers,
          connect_ms / 1e3, rss_before, rss_held, rss_after, (double) (rss_held - rss_before) * 1024.0 / opt.count,
          cpu_held - cpu_before, cpu_idle_end - cpu_held,
          cpu_publish_end - cpu_publish_start, (publish_end - publish_start) / 1e3, (drain_end - publish_end) / 1e3,
          published, acked, published - acked, unacked_delivered, publish_errors, publish_lag_max, delivered,
          percentile (latencies, latency_count, 0.50), percentile (latencies, latency_count, 0.90),
          percentile (latencies, latency_count, 0.99), percentile (latencies, latency_count, 0.999),
          latency_count ? latencies[latency_count - 1] : -1.0, latency_count,
          opt.xmpp_senders, (long) opt.xmpp_senders * opt.xmpp_count, xmpp_missing (), xmpp_twice, xmpp_unknown,
          percentile (xmpp_latencies, xmpp_latency_count, 0.50),
          percentile (xmpp_latencies, xmpp_latency_count, 0.99),
          xmpp_latency_count ? xmpp_latencies[xmpp_latency_count - 1] : -1.0, xmpp_latency_count,
          gaps, repeats, resyncs, other, acked_missing, delivered_twice, wrong_user, unknown,
          contiguous ? "true" : "false",
          http_errors, reopened, lost_requests, empty_answers, gateway_closes ? "false" : "true");
  return contiguous ? 0 : 2;
}
