/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The worker's file system sandbox. A worker runs protocol plugins that
 * parse whatever IM servers and contacts send; should one of them be made to
 * run foreign code, that code must not reach the gateway's data folder (the
 * database, the server key) or any other user's folder. So once a worker has
 * loaded what it needs (in its own folder, before any account signs on) it
 * sets PR_SET_NO_NEW_PRIVS and restricts itself with Landlock to:
 *
 * - reading (and running) the system's programs and libraries: /usr and the
 *   /bin, /sbin and /lib folders (libpurple's plugins and data, NSS and its
 *   modules, the CA certificates of /usr/share/ca-certificates, locales,
 *   time zones);
 * - reading what the resolver, the name services, the dynamic linker and TLS
 *   read in /etc (not /etc itself: /etc/shadow and /etc/ssl/private stay
 *   out), and Lilac's own plugin folders;
 * - reading /proc/self, /proc/sys/crypto (NSS's FIPS switch) and the list of
 *   processors; reading /dev/urandom, /dev/random and /dev/zero, reading and
 *   writing /dev/null;
 * - reading and writing its own user folder, libpurple's.
 *
 * Everything else in the file system is refused (EACCES), /tmp included.
 * Network access is not restricted. From ABI 6 on, the worker also cannot
 * signal processes outside its sandbox (the gateway, the zygote, other
 * workers) nor connect to abstract UNIX sockets made outside it.
 *
 * A Landlock domain binds the thread that makes it and the threads and
 * processes it starts afterwards, not the threads already running: the
 * worker applies it before it starts any (GLib starts one for UNIX signal
 * handlers). On a kernel without Landlock the worker runs unsandboxed and
 * says so once, at info level; the resource limits of the zygote and the
 * supervisor apply either way.
 */
#include "config.h"

#include "lilac-worker-sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lilac-error.h"

/* rights of later ABIs than the system's header may know */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* the rights of ABI 1, bits 0 to 12 */
#define LILAC_SANDBOX_FS_V1 ((1ULL << 13) - 1)
/* the rights that apply to a file (the others apply to folders only) */
#define LILAC_SANDBOX_FILE (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
                            LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
                            LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define LILAC_SANDBOX_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LILAC_SANDBOX_RUN (LILAC_SANDBOX_READ | LANDLOCK_ACCESS_FS_EXECUTE)
#define LILAC_SANDBOX_DEVICE (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
                              LANDLOCK_ACCESS_FS_TRUNCATE)
/* a user's folder: files and folders made, changed, renamed and removed; no
 * programs, devices, sockets, pipes or links made there */
#define LILAC_SANDBOX_OWN (LILAC_SANDBOX_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | \
                           LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
                           LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR | \
                           LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER)

/* struct landlock_ruleset_attr as of ABI 6; a kernel that knows fewer
 * members accepts the longer struct when the members it does not know are 0 */
typedef struct {
  guint64 handled_access_fs;
  guint64 handled_access_net;
  guint64 scoped;
} LilacSandboxRuleset;

static const struct {
  const char *path;
  guint64 access;
} lilac_worker_sandbox_paths[] = {
  { "/usr", LILAC_SANDBOX_RUN },
  { "/bin", LILAC_SANDBOX_RUN },
  { "/sbin", LILAC_SANDBOX_RUN },
  { "/lib", LILAC_SANDBOX_RUN },
  { "/lib32", LILAC_SANDBOX_RUN },
  { "/lib64", LILAC_SANDBOX_RUN },
  { "/libx32", LILAC_SANDBOX_RUN },
  /* TLS: certificate authorities and library settings */
  { "/etc/ssl/certs", LILAC_SANDBOX_READ },
  { "/etc/ssl/openssl.cnf", LILAC_SANDBOX_READ },
  { "/etc/ca-certificates", LILAC_SANDBOX_READ },
  { "/etc/ca-certificates.conf", LILAC_SANDBOX_READ },
  { "/etc/pki", LILAC_SANDBOX_READ },
  { "/etc/crypto-policies", LILAC_SANDBOX_READ },
  { "/etc/gnutls", LILAC_SANDBOX_READ },
  { "/etc/pkcs11", LILAC_SANDBOX_READ },
  /* the resolver and the name services */
  { "/etc/resolv.conf", LILAC_SANDBOX_READ },
  { "/etc/hosts", LILAC_SANDBOX_READ },
  { "/etc/host.conf", LILAC_SANDBOX_READ },
  { "/etc/gai.conf", LILAC_SANDBOX_READ },
  { "/etc/nsswitch.conf", LILAC_SANDBOX_READ },
  { "/etc/services", LILAC_SANDBOX_READ },
  { "/etc/protocols", LILAC_SANDBOX_READ },
  { "/etc/networks", LILAC_SANDBOX_READ },
  { "/etc/passwd", LILAC_SANDBOX_READ },
  { "/etc/group", LILAC_SANDBOX_READ },
  /* the dynamic linker, time and locale */
  { "/etc/ld.so.cache", LILAC_SANDBOX_READ },
  { "/etc/ld.so.conf", LILAC_SANDBOX_READ },
  { "/etc/ld.so.conf.d", LILAC_SANDBOX_READ },
  { "/etc/localtime", LILAC_SANDBOX_READ },
  { "/etc/timezone", LILAC_SANDBOX_READ },
  { "/etc/locale.alias", LILAC_SANDBOX_READ },
  { "/etc/mime.types", LILAC_SANDBOX_READ },
  /* SASL and Kerberos (XMPP sign-on), libpurple's system-wide settings */
  { "/etc/sasl2", LILAC_SANDBOX_READ },
  { "/etc/gss", LILAC_SANDBOX_READ },
  { "/etc/krb5.conf", LILAC_SANDBOX_READ },
  { "/etc/purple", LILAC_SANDBOX_READ },
  /* the process itself */
  { "/proc/self", LILAC_SANDBOX_READ },
  { "/proc/sys/crypto", LILAC_SANDBOX_READ },
  { "/sys/devices/system/cpu", LILAC_SANDBOX_READ },
  { "/dev/null", LILAC_SANDBOX_DEVICE },
  { "/dev/zero", LILAC_SANDBOX_READ },
  { "/dev/urandom", LILAC_SANDBOX_READ },
  { "/dev/random", LILAC_SANDBOX_READ },
};

/* ------------------------------------------------------------- Landlock */

static int
lilac_worker_sandbox_probe (void)
{
#ifdef SYS_landlock_create_ruleset
  int abi = (int) syscall (SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

  if (abi > 0)
    return abi;
  g_info ("Landlock is not available (%s): workers run without a file system sandbox",
          g_strerror (errno));
#else
  g_info ("built without Landlock: workers run without a file system sandbox");
#endif
  return 0;
}

/**
 * lilac_worker_sandbox_get_abi:
 *
 * Asks the kernel once (and says once when Landlock is missing).
 *
 * Returns: the kernel's Landlock ABI version, 0 without Landlock
 */
int
lilac_worker_sandbox_get_abi (void)
{
  static int abi = -1;

  if (abi < 0)
    abi = lilac_worker_sandbox_probe ();
  return abi;
}

static guint64
lilac_worker_sandbox_handled (int abi)
{
  guint64 handled = LILAC_SANDBOX_FS_V1;

  if (abi >= 2)
    handled |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3)
    handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
  if (abi >= 5)
    handled |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
  return handled;
}

/* Allows @access beneath @path. What does not exist needs no rule, unless
 * @required. */
static gboolean
lilac_worker_sandbox_allow (int         ruleset,
                            guint64     handled,
                            const char *path,
                            guint64     access,
                            gboolean    required,
                            GError    **error)
{
  struct landlock_path_beneath_attr rule = { 0 };
  struct stat info;
  int saved_errno;
  int result;

  rule.parent_fd = open (path, O_PATH | O_CLOEXEC);
  if (rule.parent_fd < 0 && !required)
    return TRUE;
  if (rule.parent_fd >= 0 && fstat (rule.parent_fd, &info) == 0 && !S_ISDIR (info.st_mode))
    access &= LILAC_SANDBOX_FILE;
  rule.allowed_access = access & handled;
  result = rule.parent_fd < 0 ? -1 : (int) syscall (SYS_landlock_add_rule, ruleset,
                                                    LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
  saved_errno = errno;
  if (rule.parent_fd >= 0)
    close (rule.parent_fd);
  if (result == 0)
    return TRUE;
  g_set_error (error, LILAC_ERROR, LILAC_ERROR_INTERNAL, "allowing %s in the sandbox: %s", path,
               g_strerror (saved_errno));
  return FALSE;
}

#if defined(__SANITIZE_ADDRESS__)
/* the sanitizers of ./test read their suppression files at exit, and their
 * symbolizer reads the executable: those stay readable in such a build */
static gboolean
lilac_worker_sandbox_allow_sanitizers (int       ruleset,
                                       guint64   handled,
                                       GError  **error)
{
  static const char *const variables[] = { "ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS" };
  g_autofree char *executable = g_file_read_link ("/proc/self/exe", NULL);

  if (executable != NULL &&
      !lilac_worker_sandbox_allow (ruleset, handled, executable, LILAC_SANDBOX_READ, FALSE, error))
    return FALSE;
  for (unsigned i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      g_auto(GStrv) options = g_strsplit (g_getenv (variables[i]) != NULL ? g_getenv (variables[i]) : "",
                                          ":", -1);

      for (unsigned j = 0; options[j] != NULL; j++)
        {
          if (g_str_has_prefix (options[j], "suppressions=") &&
              !lilac_worker_sandbox_allow (ruleset, handled, options[j] + strlen ("suppressions="),
                                           LILAC_SANDBOX_READ, FALSE, error))
            return FALSE;
        }
    }
  return TRUE;
}
#endif

static gboolean
lilac_worker_sandbox_add_rules (int                ruleset,
                                guint64            handled,
                                const char        *user_dir,
                                const char *const *read_dirs,
                                GError           **error)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (lilac_worker_sandbox_paths); i++)
    {
      if (!lilac_worker_sandbox_allow (ruleset, handled, lilac_worker_sandbox_paths[i].path,
                                       lilac_worker_sandbox_paths[i].access, FALSE, error))
        return FALSE;
    }
  for (unsigned i = 0; read_dirs != NULL && read_dirs[i] != NULL; i++)
    {
      if (!lilac_worker_sandbox_allow (ruleset, handled, read_dirs[i], LILAC_SANDBOX_READ, FALSE,
                                       error))
        return FALSE;
    }
#if defined(__SANITIZE_ADDRESS__)
  if (!lilac_worker_sandbox_allow_sanitizers (ruleset, handled, error))
    return FALSE;
#endif
  return lilac_worker_sandbox_allow (ruleset, handled, user_dir, LILAC_SANDBOX_OWN, TRUE, error);
}

static unsigned
lilac_worker_sandbox_count_threads (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  unsigned count = 0;

  while (tasks != NULL && g_dir_read_name (tasks) != NULL)
    count++;
  return count;
}

static gboolean
lilac_worker_sandbox_restrict (int                abi,
                               const char        *user_dir,
                               const char *const *read_dirs,
                               GError           **error)
{
  LilacSandboxRuleset attributes = { .handled_access_fs = lilac_worker_sandbox_handled (abi) };
  unsigned threads;
  int ruleset;

  if (abi >= 6)
    attributes.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
  ruleset = (int) syscall (SYS_landlock_create_ruleset, &attributes, sizeof attributes, 0);
  if (ruleset < 0)
    {
      lilac_error_set_from_errno (error, errno, "creating the Landlock rule set");
      return FALSE;
    }
  if (!lilac_worker_sandbox_add_rules (ruleset, attributes.handled_access_fs, user_dir, read_dirs,
                                       error))
    {
      close (ruleset);
      return FALSE;
    }
  threads = lilac_worker_sandbox_count_threads ();
  if (threads > 1)
    g_message ("%u threads started before the sandbox are not confined by it", threads - 1);
  if (syscall (SYS_landlock_restrict_self, ruleset, 0) != 0)
    {
      lilac_error_set_from_errno (error, errno, "entering the Landlock sandbox");
      close (ruleset);
      return FALSE;
    }
  close (ruleset);
  g_debug ("sandboxed in %s (Landlock ABI %d)", user_dir, abi);
  return TRUE;
}

/* ------------------------------------------------------------- Public API */

/**
 * lilac_worker_sandbox_apply:
 * @user_dir: the user's libpurple folder, which must exist
 * @read_dirs: (nullable) (array zero-terminated=1): more folders to read
 *   (Lilac's plugin folders)
 * @error: return location for a #GError
 *
 * Sets PR_SET_NO_NEW_PRIVS and, where the kernel has Landlock, confines this
 * thread and whatever it starts afterwards to the rules above. Without
 * Landlock, that is all and it succeeds.
 *
 * Returns: %TRUE on success
 */
gboolean
lilac_worker_sandbox_apply (const char        *user_dir,
                            const char *const *read_dirs,
                            GError           **error)
{
  g_autofree char *own = g_canonicalize_filename (user_dir, NULL);
  int abi;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    {
      lilac_error_set_from_errno (error, errno, "setting no_new_privs");
      return FALSE;
    }
  abi = lilac_worker_sandbox_get_abi ();
  if (abi <= 0)
    return TRUE;
  return lilac_worker_sandbox_restrict (abi, own, read_dirs, error);
}

/**
 * lilac_worker_sandbox_check:
 * @user_dir: a user's libpurple folder, created if missing
 * @read_dirs: (nullable) (array zero-terminated=1): as for
 *   lilac_worker_sandbox_apply()
 * @path: what to try
 *
 * lilac-worker --sandbox-check: enters the sandbox a worker of @user_dir
 * would, then opens @path for reading, or creates it (and removes it again)
 * when it does not exist.
 *
 * Returns: the exit status: 0 when refused, 1 when it could be opened or
 *   created, 77 without Landlock, 2 on any other error
 */
int
lilac_worker_sandbox_check (const char        *user_dir,
                            const char *const *read_dirs,
                            const char        *path)
{
  g_autoptr(GError) local_error = NULL;
  gboolean created = FALSE;
  int saved_errno;
  int fd;

  if (lilac_worker_sandbox_get_abi () <= 0)
    {
      g_print ("Landlock is not available: nothing is refused\n");
      return 77;
    }
  if (g_mkdir_with_parents (user_dir, 0700) != 0 ||
      !lilac_worker_sandbox_apply (user_dir, read_dirs, &local_error))
    {
      g_printerr ("lilac-worker: %s\n", local_error != NULL ? local_error->message
                                                           : g_strerror (errno));
      return 2;
    }
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    {
      fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      created = fd >= 0;
    }
  if (fd >= 0)
    {
      close (fd);
      if (created)
        unlink (path);
      g_print ("%s: %s\n", path, created ? "created" : "opened");
      return 1;
    }
  saved_errno = errno;
  g_print ("%s: %s\n", path, g_strerror (saved_errno));
  return saved_errno == EACCES || saved_errno == EPERM ? 0 : 2;
}
