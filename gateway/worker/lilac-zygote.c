/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The zygote: one process that initialises libpurple once, in a template
 * folder that belongs to no user, and forks a worker for each user. A
 * forked worker shares the zygote's pages (the plugins, NSS, the parsed
 * certificate authorities) until it writes them, which makes a worker cost
 * well under a megabyte instead of several (shared/DESIGN.md).
 *
 * The zygote runs no GLib main loop: whatever it attached to a main context
 * would be every child's. libpurple's timers are only recorded
 * (lilac-purple-eventloop.c) and attached by each child. GLib's default
 * context is created all the same, by libjabber's media manager (a GStreamer
 * bus watch) while the plugins are probed, and its wake-up descriptor, an
 * eventfd, would be shared by every child, so that one child could swallow
 * another's wake-up: each child replaces every eventfd it inherits with one
 * of its own. The zygote blocks in poll(2) on its control socket (the
 * framing of lilac-wire-protocol.h, blocking writes) and on a signalfd for
 * SIGCHLD, SIGTERM and SIGINT:
 *
 * - FORK {"dir","limits"} with a socket (SCM_RIGHTS): fork. The child closes
 *   what belongs to the zygote, restores its signals, applies the limits,
 *   reseeds its random generators and returns from lilac_zygote_run() to run
 *   the worker on the socket; the zygote answers {"pid"}.
 * - SIGCHLD: every child reaped is reported as a worker.exited event.
 * - the control socket closes, or SIGTERM: the zygote returns, and stops
 *   libpurple and removes its template folder when it is freed. Its children are not its to stop: each ends when the
 *   gateway closes its socket.
 */
#include "config.h"

#include "lilac-zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lilac-error.h"
#include "lilac-files.h"
#include "lilac-json.h"
#include "lilac-wire.h"
#include "lilac-worker-sandbox.h"

#define LILAC_ZYGOTE_READ_CHUNK 4096
#define LILAC_ZYGOTE_MAX_FDS 8

struct _LilacZygote {
  GObject parent_instance;

  int control_fd;               /* (owned) -1 once closed */
  int signal_fd;                /* (owned) -1 unless running */
  sigset_t old_mask;            /* the signal mask to give back to children */
  char *template_dir;           /* (owned) (nullable) */
  GArray *eventfds;             /* (owned) int: eventfds libpurple's start left open */
  LilacPurpleCore *core;        /* (owned) (nullable) */
  LilacWireDecoder *decoder;    /* (owned) */
  GQueue fds;                   /* (owned) descriptors received, for the frames announcing one */
  gboolean forked;              /* this is a child: the template is not ours to remove */
  gboolean done;
};

G_DEFINE_TYPE (LilacZygote, lilac_zygote, G_TYPE_OBJECT)

/* the resource limits a FORK asks for */
typedef struct {
  gint64 memory_mib;
  gint64 cpu_seconds;
  gint64 files;
} LilacZygoteLimits;

/* ------------------------------------------------------------ Sending */

static void
lilac_zygote_send (LilacZygote  *self,
                   LilacWireType type,
                   gint64        id,
                   JsonObject   *body)
{
  gsize length = 0;
  g_autofree char *data = lilac_wire_frame_encode (type, id, body, &length);
  gsize done = 0;

  while (self->control_fd >= 0 && done < length)
    {
      ssize_t written = send (self->control_fd, data + done, length - done, MSG_NOSIGNAL);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          g_debug ("the gateway is gone: %s", g_strerror (errno));
          self->done = TRUE;
          return;
        }
      done += (gsize) written;
    }
}

static void
lilac_zygote_send_error (LilacZygote  *self,
                         gint64        id,
                         const GError *reason)
{
  g_autoptr(JsonObject) body = json_object_new ();
  LilacErrorCode code = reason->domain == LILAC_ERROR ? (LilacErrorCode) reason->code
                                                      : LILAC_ERROR_INTERNAL;

  json_object_set_string_member (body, "code", lilac_error_code_to_string (code));
  json_object_set_string_member (body, "message", reason->message);
  lilac_zygote_send (self, LILAC_WIRE_ERROR, id, body);
}

static void
lilac_zygote_send_hello (LilacZygote *self)
{
  g_autoptr(JsonObject) hello = json_object_new ();

  json_object_set_int_member (hello, "version", LILAC_WIRE_PROTOCOL_VERSION);
  json_object_set_string_member (hello, "role", "zygote");
  json_object_set_int_member (hello, "pid", getpid ());
  lilac_zygote_send (self, LILAC_WIRE_HELLO, 0, hello);
}

/* ------------------------------------------------------------ Children */

static void
lilac_zygote_report_exit (LilacZygote *self,
                          pid_t        pid,
                          int          status)
{
  g_autoptr(JsonObject) body = json_object_new ();
  JsonObject *event = json_object_new ();

  json_object_set_string_member (event, "type", "worker.exited");
  json_object_set_int_member (event, "pid", pid);
  if (WIFEXITED (status))
    json_object_set_int_member (event, "code", WEXITSTATUS (status));
  else if (WIFSIGNALED (status))
    json_object_set_int_member (event, "signal", WTERMSIG (status));
  json_object_set_object_member (body, "event", event);
  g_debug ("worker %d ended (wait status %d)", (int) pid, status);
  lilac_zygote_send (self, LILAC_WIRE_EVENT, 0, body);
}

static void
lilac_zygote_reap (LilacZygote *self)
{
  pid_t pid;
  int status;

  while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
    lilac_zygote_report_exit (self, pid, status);
}

static void
lilac_zygote_set_limit (int    resource,
                        gint64 value)
{
  struct rlimit limit = { .rlim_cur = (rlim_t) value, .rlim_max = (rlim_t) value };

  if (value > 0 && setrlimit (resource, &limit) != 0)
    g_message ("resource limit %d not set: %s", resource, g_strerror (errno));
}

static void
lilac_zygote_apply_limits (const LilacZygoteLimits *limits)
{
#if !defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer reserves terabytes of address space: no limit under it */
  lilac_zygote_set_limit (RLIMIT_AS, limits->memory_mib * 1024 * 1024);
#endif
  lilac_zygote_set_limit (RLIMIT_CPU, limits->cpu_seconds);
  lilac_zygote_set_limit (RLIMIT_NOFILE, limits->files);
  lilac_zygote_set_limit (RLIMIT_CORE, 0);
}

/* every child would otherwise draw the zygote's random numbers */
static void
lilac_zygote_reseed (void)
{
  guint32 seed[2] = { 0, 0 };

  if (getrandom (seed, sizeof seed, 0) != sizeof seed)
    {
      seed[0] = (guint32) g_get_monotonic_time ();
      seed[1] = (guint32) getpid ();
    }
  g_random_set_seed (seed[0]);
  srandom (seed[1]);
  srand (seed[1] ^ seed[0]);
}

/* an eventfd is a counter: each child needs its own under the same number */
static void
lilac_zygote_unshare_eventfds (LilacZygote *self)
{
  for (unsigned i = 0; i < self->eventfds->len; i++)
    {
      int fd = g_array_index (self->eventfds, int, i);
      int fresh = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);

      if (fresh < 0 || dup3 (fresh, fd, O_CLOEXEC) < 0)
        g_message ("eventfd %d still shared with the zygote: %s", fd, g_strerror (errno));
      if (fresh >= 0)
        close (fresh);
    }
}

/* in the child: drop what is the zygote's, become a worker's process */
static void
lilac_zygote_become_child (LilacZygote             *self,
                           const LilacZygoteLimits *limits)
{
  self->forked = TRUE;
  self->done = TRUE;
  close (self->control_fd);
  self->control_fd = -1;
  close (self->signal_fd);
  self->signal_fd = -1;
  while (!g_queue_is_empty (&self->fds))
    close (GPOINTER_TO_INT (g_queue_pop_head (&self->fds)));
  sigprocmask (SIG_SETMASK, &self->old_mask, NULL);
  lilac_zygote_unshare_eventfds (self);
  lilac_zygote_apply_limits (limits);
  lilac_zygote_reseed ();
}

static gboolean
lilac_zygote_read_limits (JsonObject        *body,
                          LilacZygoteLimits *limits,
                          GError           **error)
{
  JsonObject *object = lilac_json_get_object (body, "limits", error);

  if (object == NULL)
    return error == NULL || *error == NULL;
  return lilac_json_get_int (object, "memory_mib", 0, &limits->memory_mib, error) &&
         lilac_json_get_int (object, "cpu_seconds", 0, &limits->cpu_seconds, error) &&
         lilac_json_get_int (object, "files", 0, &limits->files, error);
}

/* Handles FORK. Returns TRUE in the child, with @child filled in. */
static gboolean
lilac_zygote_fork (LilacZygote      *self,
                   LilacWireFrame   *frame,
                   LilacZygoteChild *child)
{
  LilacZygoteLimits limits = { 0 };
  g_autoptr(GError) local_error = NULL;
  const char *dir = lilac_json_get_string (frame->body, "dir", TRUE, 4096, &local_error);
  pid_t pid;

  if (dir != NULL && !g_path_is_absolute (dir))
    local_error = g_error_new_literal (LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                                       "the folder must be an absolute path");
  else if (dir != NULL && lilac_zygote_read_limits (frame->body, &limits, &local_error) &&
           frame->fd < 0)
    local_error = g_error_new_literal (LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                                       "no socket came with the request");
  if (local_error != NULL)
    {
      lilac_zygote_send_error (self, frame->id, local_error);
      return FALSE;
    }
  pid = fork ();
  if (pid < 0)
    {
      lilac_error_set_from_errno (&local_error, errno, "forking a worker");
      lilac_zygote_send_error (self, frame->id, local_error);
      return FALSE;
    }
  if (pid == 0)
    {
      lilac_zygote_become_child (self, &limits);
      child->user_dir = g_strdup (dir);
      child->fd = g_steal_fd (&frame->fd);
      return TRUE;
    }
  {
    g_autoptr(JsonObject) reply = json_object_new ();

    g_debug ("worker %d forked for %s", (int) pid, dir);
    json_object_set_int_member (reply, "pid", pid);
    lilac_zygote_send (self, LILAC_WIRE_REPLY, frame->id, reply);
  }
  return FALSE;
}

/* ------------------------------------------------------------ Frames */

static void
lilac_zygote_check_hello (LilacZygote    *self,
                          LilacWireFrame *frame)
{
  gint64 version = 0;

  lilac_json_get_int (frame->body, "version", 0, &version, NULL);
  if (version == LILAC_WIRE_PROTOCOL_VERSION)
    return;
  {
    g_autoptr(GError) reason = g_error_new (LILAC_ERROR, LILAC_ERROR_VERSION_MISMATCH,
                                            "peer speaks protocol %" G_GINT64_FORMAT
                                            ", we speak %d", version,
                                            LILAC_WIRE_PROTOCOL_VERSION);

    g_message ("%s", reason->message);
    lilac_zygote_send_error (self, 0, reason);
    self->done = TRUE;
  }
}

/* Handles one frame. Returns TRUE in a child just forked. */
static gboolean
lilac_zygote_dispatch (LilacZygote      *self,
                       LilacWireFrame   *frame,
                       LilacZygoteChild *child)
{
  if (frame->type == LILAC_WIRE_HELLO)
    {
      lilac_zygote_check_hello (self, frame);
      return FALSE;
    }
  if (frame->type == LILAC_WIRE_FORK && frame->id > 0)
    return lilac_zygote_fork (self, frame, child);
  if (frame->id > 0 && frame->type >= LILAC_WIRE_ACCOUNT_PUT && frame->type < LILAC_WIRE_EVENT)
    {
      g_autoptr(GError) unsupported = g_error_new (LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                                                   "the zygote does not take requests of type %d",
                                                   frame->type);

      lilac_zygote_send_error (self, frame->id, unsupported);
    }
  return FALSE;
}

static gboolean
lilac_zygote_announces_fd (LilacWireFrame *frame)
{
  gboolean announced = FALSE;

  lilac_json_get_bool (frame->body, "fd", FALSE, &announced, NULL);
  return announced;
}

/* Handles the frames read so far. Returns TRUE in a child just forked. */
static gboolean
lilac_zygote_process (LilacZygote      *self,
                      LilacZygoteChild *child)
{
  while (!self->done)
    {
      g_autoptr(LilacWireFrame) frame = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!lilac_wire_decoder_next (self->decoder, &frame, &local_error))
        {
          g_message ("dropped a frame from the gateway: %s", local_error->message);
          continue;
        }
      if (frame == NULL)
        return FALSE;
      if (lilac_zygote_announces_fd (frame) && !g_queue_is_empty (&self->fds))
        frame->fd = GPOINTER_TO_INT (g_queue_pop_head (&self->fds));
      if (lilac_zygote_dispatch (self, frame, child))
        return TRUE;
    }
  return FALSE;
}

static void
lilac_zygote_keep_fds (LilacZygote   *self,
                       struct msghdr *header)
{
  for (struct cmsghdr *message = CMSG_FIRSTHDR (header); message != NULL;
       message = CMSG_NXTHDR (header, message))
    {
      gsize count;
      int fds[LILAC_ZYGOTE_MAX_FDS];

      if (message->cmsg_level != SOL_SOCKET || message->cmsg_type != SCM_RIGHTS)
        continue;
      count = MIN ((message->cmsg_len - CMSG_LEN (0)) / sizeof (int), (gsize) LILAC_ZYGOTE_MAX_FDS);
      memcpy (fds, CMSG_DATA (message), count * sizeof (int));
      for (gsize i = 0; i < count; i++)
        g_queue_push_tail (&self->fds, GINT_TO_POINTER (fds[i]));
    }
}

/* Reads what the gateway sent. Returns TRUE in a child just forked. */
static gboolean
lilac_zygote_read (LilacZygote      *self,
                   LilacZygoteChild *child)
{
  char buffer[LILAC_ZYGOTE_READ_CHUNK];
  struct iovec vector = { .iov_base = buffer, .iov_len = sizeof buffer };
  union {
    char buffer[CMSG_SPACE (sizeof (int) * LILAC_ZYGOTE_MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct msghdr header = {
    .msg_iov = &vector, .msg_iovlen = 1,
    .msg_control = control.buffer, .msg_controllen = sizeof control.buffer,
  };
  ssize_t got = recvmsg (self->control_fd, &header, MSG_CMSG_CLOEXEC);

  if (got < 0 && (errno == EINTR || errno == EAGAIN))
    return FALSE;
  if (got <= 0)
    {
      g_debug ("the gateway closed the control socket");
      self->done = TRUE;
      return FALSE;
    }
  lilac_zygote_keep_fds (self, &header);
  lilac_wire_decoder_feed (self->decoder, buffer, (gsize) got);
  return lilac_zygote_process (self, child);
}

static void
lilac_zygote_read_signals (LilacZygote *self)
{
  struct signalfd_siginfo info;

  while (read (self->signal_fd, &info, sizeof info) == sizeof info)
    {
      if (info.ssi_signo == SIGCHLD)
        lilac_zygote_reap (self);
      else
        {
          g_debug ("stopping on signal %u", info.ssi_signo);
          self->done = TRUE;
        }
    }
}

/* ------------------------------------------------------------ Template */

static void
lilac_zygote_remove_template (LilacZygote *self)
{
  if (self->template_dir == NULL || self->forked)
    return;
  lilac_files_remove_tree (self->template_dir);
  g_clear_pointer (&self->template_dir, g_free);
}

/* ------------------------------------------------ GObject implementation */

static void
lilac_zygote_finalize (GObject *object)
{
  LilacZygote *self = LILAC_ZYGOTE (object);

  /* libpurple writes its files into the template as it stops */
  if (self->core != NULL && !self->forked)
    lilac_purple_core_stop (self->core);
  lilac_zygote_remove_template (self);
  g_clear_object (&self->core);
  if (self->control_fd >= 0)
    close (self->control_fd);
  if (self->signal_fd >= 0)
    close (self->signal_fd);
  while (!g_queue_is_empty (&self->fds))
    close (GPOINTER_TO_INT (g_queue_pop_head (&self->fds)));
  lilac_wire_decoder_free (self->decoder);
  g_array_unref (self->eventfds);
  g_free (self->template_dir);
  G_OBJECT_CLASS (lilac_zygote_parent_class)->finalize (object);
}

static void
lilac_zygote_class_init (LilacZygoteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lilac_zygote_finalize;
}

static void
lilac_zygote_init (LilacZygote *self)
{
  self->control_fd = -1;
  self->signal_fd = -1;
  self->decoder = lilac_wire_decoder_new (LILAC_WIRE_MAX_FRAME);
  self->eventfds = g_array_new (FALSE, FALSE, sizeof (int));
  g_queue_init (&self->fds);
}

/* ------------------------------------------------------------ Public API */

/**
 * lilac_zygote_new:
 * @control_fd: (transfer full): the control socket to the gateway
 * @template_dir: (nullable): the folder to start libpurple in (what an
 *   earlier zygote left there is removed), or %NULL for a temp folder
 *
 * Returns: (transfer full): a zygote; lilac_zygote_start() next
 */
LilacZygote *
lilac_zygote_new (int         control_fd,
                  const char *template_dir)
{
  LilacZygote *self = g_object_new (LILAC_TYPE_ZYGOTE, NULL);

  self->control_fd = control_fd;
  self->template_dir = g_strdup (template_dir);
  return self;
}

static void
lilac_zygote_find_eventfds (LilacZygote *self)
{
  g_autoptr(GDir) fds = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  while (fds != NULL && (name = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);
      int fd = atoi (name);

      if (g_strcmp0 (target, "anon_inode:[eventfd]") == 0 && fd != self->control_fd)
        g_array_append_val (self->eventfds, fd);
    }
  g_debug ("%u eventfds to give each worker its own of", self->eventfds->len);
}

/* libpurple's init runs code of many libraries (NSS, GnuTLS, GStreamer, ICU,
 * the protocol plugins) whose pages then stay in the zygote's page tables,
 * counted in its memory, though a forked worker faults in only what it runs
 * (fork does not copy the page tables of file mappings). The zygote drops
 * them; the page cache keeps them. Only mappings of files without anonymous
 * pages: those hold nothing but the file's contents, whereas MADV_DONTNEED
 * on a mapping with copied-on-write pages (relocations) would lose them. */
static void
lilac_zygote_drop_file_pages (void)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  unsigned long start = 0, end = 0;
  gboolean file = FALSE;
  gsize dropped = 0;

  if (!g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL))
    return;
  lines = g_strsplit (smaps, "\n", -1);
  for (unsigned i = 0; lines[i] != NULL; i++)
    {
      unsigned long anonymous = 0, from = 0, to = 0;
      int path = 0;

      /* a mapping's first line (an attribute line may start with a hex digit too) */
      if (sscanf (lines[i], "%lx-%lx %*s %*s %*s %*s %n", &from, &to, &path) == 2)
        {
          start = from;
          end = to;
          file = path > 0 && lines[i][path] == '/';
        }
      else if (file && sscanf (lines[i], "Anonymous: %lu kB", &anonymous) == 1)
        {
          if (anonymous == 0 && madvise ((void *) start, end - start, MADV_DONTNEED) == 0)
            dropped += end - start;
          file = FALSE;
        }
    }
  g_debug ("dropped %" G_GSIZE_FORMAT " KiB of file mappings from the page tables", dropped / 1024);
}

/**
 * lilac_zygote_start:
 * @self: a zygote
 * @error: return location for a #GError
 *
 * Creates the template folder and starts libpurple in it.
 *
 * Returns: %TRUE on success
 */
gboolean
lilac_zygote_start (LilacZygote *self,
                    GError     **error)
{
  g_return_val_if_fail (LILAC_IS_ZYGOTE (self), FALSE);
  g_return_val_if_fail (self->core == NULL, FALSE);

  if (self->template_dir != NULL)
    {
      /* a zygote that was killed could not clean up after itself */
      lilac_files_remove_tree (self->template_dir);
      if (g_mkdir_with_parents (self->template_dir, 0700) != 0)
        {
          lilac_error_set_from_errno (error, errno, self->template_dir);
          return FALSE;
        }
    }
  else
    {
      self->template_dir = g_dir_make_tmp ("lilac-zygote-XXXXXX", error);
      if (self->template_dir == NULL)
        return FALSE;
    }
  self->core = lilac_purple_core_new (self->template_dir);
  if (!lilac_purple_core_start_template (self->core, error))
    return FALSE;
  lilac_zygote_find_eventfds (self);
  /* asked once here, so that a kernel without Landlock is mentioned once */
  lilac_worker_sandbox_get_abi ();
  /* gives back the pages init used and freed: no child needs them */
  malloc_trim (0);
  lilac_zygote_drop_file_pages ();
  return TRUE;
}

static gboolean
lilac_zygote_watch_signals (LilacZygote *self,
                            GError     **error)
{
  sigset_t mask;

  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  if (sigprocmask (SIG_BLOCK, &mask, &self->old_mask) != 0)
    {
      lilac_error_set_from_errno (error, errno, "blocking signals");
      return FALSE;
    }
  self->signal_fd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (self->signal_fd < 0)
    {
      lilac_error_set_from_errno (error, errno, "creating a signalfd");
      return FALSE;
    }
  return TRUE;
}

/**
 * lilac_zygote_run:
 * @self: a started zygote
 * @child: (out caller-allocates): what a forked child is to run
 * @error: return location for a #GError
 *
 * Greets the gateway and forks workers until the control socket closes or
 * the zygote is told to stop. Returns in the zygote with @child's fd -1
 * when it is done, and in each child with @child filled in.
 *
 * Returns: %FALSE with @error if the zygote could not run
 */
gboolean
lilac_zygote_run (LilacZygote      *self,
                  LilacZygoteChild *child,
                  GError          **error)
{
  g_return_val_if_fail (LILAC_IS_ZYGOTE (self), FALSE);

  child->user_dir = NULL;
  child->fd = -1;
  if (!lilac_zygote_watch_signals (self, error))
    return FALSE;
  lilac_zygote_send_hello (self);
  while (!self->done)
    {
      struct pollfd fds[2] = {
        { .fd = self->control_fd, .events = POLLIN },
        { .fd = self->signal_fd, .events = POLLIN },
      };

      if (poll (fds, G_N_ELEMENTS (fds), -1) < 0)
        {
          if (errno == EINTR)
            continue;
          lilac_error_set_from_errno (error, errno, "waiting for the gateway");
          return FALSE;
        }
      if (fds[1].revents != 0)
        lilac_zygote_read_signals (self);
      if (fds[0].revents != 0 && !self->done && lilac_zygote_read (self, child))
        return TRUE;
    }
  lilac_zygote_reap (self);
  return TRUE;
}

/**
 * lilac_zygote_get_core:
 * @self: a started zygote
 *
 * Returns: (transfer none): the libpurple core the zygote started
 */
LilacPurpleCore *
lilac_zygote_get_core (LilacZygote *self)
{
  g_return_val_if_fail (LILAC_IS_ZYGOTE (self), NULL);
  return self->core;
}
