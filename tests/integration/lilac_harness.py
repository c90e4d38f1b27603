# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""The integration harness: real parts only.

Starts private IM servers (Prosody, ngircd) on loopback, the real `lilac` gateway on a temporary
data folder, and drives the gateway over HTTP as a browser would. The other side of every
conversation is a real client (slixmpp, python3-irc) running in a thread. Each test file is a
script whose test functions run under the small TAP runner at the end of this file.

Run with Debian's /usr/bin/python3 (it sees python3-slixmpp and python3-irc).
"""

import asyncio
import http.client
import json as jsonlib
import math
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

BUILD_ROOT = os.environ.get("LILAC_BUILD_ROOT", "/work/main/build")
API = "/api/v1"

# the gateway's log lines that make a run fail even when every HTTP answer was right: sanitizer
# reports, criticals, and warnings from the libraries (GLib's "invalid cast", json-glib's ...), which
# are programming errors; Lilac's own warnings (lilac-* domains) are only shown
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
)
GLIB_LOG_LINE = re.compile(r"\(\S+:\d+\): ([\w.-]+)-(CRITICAL|WARNING) \*\*")


# ------------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------------

def diag(text):
    """Prints text as TAP comment lines (never mistaken for a test result)."""
    for line in str(text).splitlines() or [""]:
        print("# " + line, flush=True)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port, timeout=15.0, host="127.0.0.1", alive=None):
    """Waits until host:port accepts a connection. alive() returning False stops the wait early."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            pass
        if alive is not None and not alive():
            raise RuntimeError("the server on port %d died while starting" % port)
        if time.monotonic() > deadline:
            raise TimeoutError("nothing accepts connections on %s:%d after %.0f s" % (host, port, timeout))
        time.sleep(0.05)


def wait_until(condition, timeout=10.0, interval=0.05, message="condition"):
    """Calls condition() until it returns something true, which is returned; fails on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, message))
        time.sleep(interval)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stop_pid(pid, grace=10.0):
    """SIGTERM, wait up to grace seconds, then SIGKILL. Works for processes that are not our children."""
    if pid is None or not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def group_members(pgid):
    """Pids of the live processes in process group pgid."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def median_ms(samples):
    return statistics.median(samples) * 1000.0


def keep_temp():
    return os.environ.get("LILAC_KEEP_TMP") not in (None, "", "0")


# Everything started here is stopped at exit, even when a test fails or meson times us out.
_cleanups = []
_failure_hooks = []


def add_cleanup(function):
    _cleanups.append(function)


def remove_cleanup(function):
    if function in _cleanups:
        _cleanups.remove(function)


def run_cleanups():
    while _cleanups:
        function = _cleanups.pop()
        try:
            function()
        except Exception:  # cleanup goes on whatever one step does
            diag("cleanup failed:\n" + traceback.format_exc())


def make_temp_dir(prefix):
    path = tempfile.mkdtemp(prefix=prefix)
    os.chmod(path, 0o755)
    if not keep_temp():
        add_cleanup(lambda: shutil.rmtree(path, ignore_errors=True))
    return path


# ------------------------------------------------------------------------------------------------
# Prosody: a private XMPP server
# ------------------------------------------------------------------------------------------------

PROSODY_CONFIG = """\
-- written by lilac_harness.py for one test run
pidfile = "{dir}/prosody.pid"
data_path = "{dir}/data"
run_as_root = true
log = {{ info = "{dir}/prosody.log"; error = "{dir}/prosody.err" }}
modules_enabled = {{
  "roster"; "saslauth"; "disco"; "posix"; "ping"; "register"; "offline"; "carbons";
  "private"; "vcard"; "version"; "uptime"; "time"; "blocklist";
}}
modules_disabled = {{ "s2s" }}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {port} }}
s2s_ports = {{ }}
http_ports = {{ }}
https_ports = {{ }}
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
allow_registration = false
{extra}
VirtualHost "{domain}"
Component "{muc}" "muc"
  -- false: a new room is usable at once, without the owner submitting a configuration form first
  muc_room_locking = {muc_locking}
"""


class Prosody:
    """A Prosody on a free 127.0.0.1 port with its own config and data in a temp folder."""

    def __init__(self, domain="localhost", folder=None, extra="", muc_locking=False):
        """folder: where config and data go (default: a temp folder removed at the end);
        extra: more global configuration lines; muc_locking: a new MUC room stays locked until its
        owner submits the configuration form (XEP-0045 10.1.3)."""
        self.dir = folder or make_temp_dir("lilac-prosody-")
        self.port = free_port()
        self.domain = domain
        self.muc = "conference." + domain
        self.config = os.path.join(self.dir, "prosody.cfg.lua")
        self.pidfile = os.path.join(self.dir, "prosody.pid")
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        with open(self.config, "w") as config:
            config.write(PROSODY_CONFIG.format(dir=self.dir, port=self.port, domain=domain, muc=self.muc,
                                               extra=extra, muc_locking="true" if muc_locking else "false"))
        self.pid = None

    def register(self, user, password):
        result = subprocess.run(
            ["prosodyctl", "--config", self.config, "register", user, self.domain, password],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        if result.returncode != 0:
            raise RuntimeError("prosodyctl register %s failed: %s" % (user, result.stdout.decode(errors="replace")))

    def jid(self, user):
        return "%s@%s" % (user, self.domain)

    def start(self, timeout=15.0):
        result = subprocess.run(["prosody", "--config", self.config, "-D"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=30)
        if result.returncode != 0:
            raise RuntimeError("prosody failed to start: %s\n%s" % (result.stdout.decode(errors="replace"),
                                                                     self.log_tail()))
        add_cleanup(self.stop)
        try:
            self.pid = wait_until(self._read_pid, timeout, message="prosody's pidfile")
            wait_port(self.port, timeout, alive=lambda: pid_alive(self.pid))
        except Exception:
            diag(self.log_tail())
            raise
        return self

    def _read_pid(self):
        try:
            with open(self.pidfile) as pidfile:
                return int(pidfile.read().strip())
        except (OSError, ValueError):
            return None

    def stop(self):
        remove_cleanup(self.stop)
        stop_pid(self.pid or self._read_pid())
        self.pid = None

    def log_tail(self, lines=30):
        text = ""
        for name in ("prosody.err", "prosody.log"):
            try:
                with open(os.path.join(self.dir, name), errors="replace") as log:
                    text += "== %s\n%s" % (name, "".join(log.readlines()[-lines:]))
            except OSError:
                pass
        return text

    def xmpp_account(self, user, password, resource="lilac"):
        """The POST /api/v1/accounts body for user's XMPP account on this server."""
        return {
            "protocol": "prpl-jabber",
            "username": "%s@%s/%s" % (user, self.domain, resource),
            "password": password,
            "options": {
                "connect_server": "127.0.0.1",
                "port": self.port,
                "auth_plain_in_clear": True,
                "connection_security": "opportunistic_tls",
            },
        }


# ------------------------------------------------------------------------------------------------
# ngircd: a private IRC server
# ------------------------------------------------------------------------------------------------

NGIRCD_CONFIG = """\
# written by lilac_harness.py for one test run
[Global]
Name = irc.localhost
Info = Lilac test server
Listen = 127.0.0.1
Ports = {port}
MotdPhrase = "Lilac test server"
AdminInfo1 = Lilac integration tests
AdminInfo2 = loopback only
AdminEMail = root@localhost
{password_line}
[Limits]
MaxConnectionsIP = 0
MaxJoins = 0
MaxNickLength = 30

[Options]
DNS = no
Ident = no
PAM = no
"""


class Ngircd:
    """An ngircd in the foreground (-n) on a free 127.0.0.1 port, stopped by the pid we started.
    With a password, every client must send it (PASS); without one, ngircd refuses any PASS."""

    def __init__(self, password=None):
        self.dir = make_temp_dir("lilac-ngircd-")
        self.port = free_port()
        self.password = password
        self.config = os.path.join(self.dir, "ngircd.conf")
        password_line = "Password = %s\n" % password if password else ""
        with open(self.config, "w") as config:
            config.write(NGIRCD_CONFIG.format(port=self.port, password_line=password_line))
        self.log_path = os.path.join(self.dir, "ngircd.log")
        self.process = None

    def start(self, timeout=15.0):
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(["ngircd", "-f", self.config, "-n"], stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT)
        log.close()
        add_cleanup(self.stop)
        try:
            wait_port(self.port, timeout, alive=lambda: self.process.poll() is None)
        except Exception:
            diag(self.log_tail())
            raise
        return self

    def stop(self):
        remove_cleanup(self.stop)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as log:
                return "== ngircd.log\n" + "".join(log.readlines()[-lines:])
        except OSError:
            return ""

    def irc_account(self, nick):
        """The POST /api/v1/accounts body for an IRC account with nick on this server."""
        return {"protocol": "prpl-irc", "username": "%s@127.0.0.1" % nick, "password": self.password or "",
                "options": {"port": self.port}}


# ------------------------------------------------------------------------------------------------
# Lilac: the real gateway
# ------------------------------------------------------------------------------------------------

class Lilac:
    """The real lilac binary on a loopback port and a data folder in a temp dir."""

    def __init__(self, port=None, config=None, extra_args=()):
        """config: {"group": {"key": value}} written to a config file passed with --config;
        extra_args: more command-line flags (e.g. ["--verbose"])."""
        self.build_root = BUILD_ROOT
        self.binary = os.environ.get("LILAC_BIN") or os.path.join(self.build_root, "gateway", "daemon", "lilac")
        self.dir = make_temp_dir("lilac-it-")
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.data, mode=0o700, exist_ok=True)
        self.log_path = os.path.join(self.dir, "lilac.log")
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        self.config_path = None
        if config:
            self.config_path = os.path.join(self.dir, "lilac.conf")
            write_config(self.config_path, config)
        self.process = None
        self.pgid = None
        self.exit_codes = []
        self.leftovers = []
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError("no lilac binary at %s (set LILAC_BUILD_ROOT or LILAC_BIN)" % self.binary)

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def _env(self):
        env = dict(os.environ)
        env.setdefault("LC_ALL", "C.UTF-8")
        return env

    def start(self, timeout=30.0):
        log = open(self.log_path, "ab")
        log.write(b"==== lilac starting\n")
        log.flush()
        # its own process group, so that workers it leaves behind can be found and reported
        args = [self.binary, "--listen", "127.0.0.1", "--port", str(self.port), "--data", self.data]
        if self.config_path:
            args += ["--config", self.config_path]
        self.process = subprocess.Popen(
            args + self.extra_args,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=self._env(),
            start_new_session=True)
        log.close()
        self.pgid = self.process.pid
        add_cleanup(self.kill)
        if self.log_news not in _failure_hooks:
            _failure_hooks.append(self.log_news)
        self._wait_healthy(timeout)  # on failure the runner prints the log's tail
        return self

    def _wait_healthy(self, timeout):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("lilac exited with status %s while starting" % self.process.returncode)
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                body = response.read().decode(errors="replace")
                connection.close()
                if response.status == 200 and body.strip() == "ok":
                    return
                last = "%d %r" % (response.status, body[:200])
            except OSError as error:
                last = str(error)
            time.sleep(0.05)
        raise TimeoutError("GET /healthz did not answer 200 ok within %.0f s (last: %s)" % (timeout, last))

    def stop(self, grace=10.0):
        """SIGTERM, wait (SIGKILL after grace seconds); returns the exit status."""
        if self.process is None:
            return None
        remove_cleanup(self.kill)
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                diag("lilac did not stop within %.0f s of SIGTERM: killed" % grace)
                process.kill()
                process.wait()
        self.exit_codes.append(process.returncode)
        self._reap_group()
        return process.returncode

    def _reap_group(self):
        """Processes of lilac's group still alive 5 s after it exited (workers) are noted and killed."""
        if self.pgid is None:
            return
        pgid, self.pgid = self.pgid, None
        try:
            wait_until(lambda: not group_members(pgid), timeout=5, message="lilac's workers to exit")
        except AssertionError:
            members = group_members(pgid)
            self.leftovers.extend(members)
            diag("still running after lilac exited: %s" % ", ".join(
                "%d (%s)" % (pid, cmdline(pid)) for pid in members))
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None
        if self.pgid is not None:
            try:
                os.killpg(self.pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.pgid = None

    def restart(self, timeout=30.0):
        self.stop()
        return self.start(timeout)

    def run_cli(self, args, stdin_text=None, timeout=60):
        return subprocess.run([self.binary] + list(args), input=(stdin_text or "").encode(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, env=self._env())

    def add_user(self, name, password, admin=False):
        args = ["user", "add", name] + (["--admin"] if admin else []) + ["--data", self.data]
        if self.config_path:
            args += ["--config", self.config_path]
        result = self.run_cli(args, password + "\n")
        if result.returncode != 0:
            raise AssertionError("lilac %s exited %d: %s%s" % (
                " ".join(args), result.returncode, result.stdout.decode(errors="replace"),
                result.stderr.decode(errors="replace")))
        return result

    def client(self):
        return Client(self.base_url)

    def log_text(self):
        try:
            with open(self.log_path, "rb") as log:
                return log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines=40):
        return "== lilac log (%s), last %d lines\n%s" % (
            self.log_path, lines, "".join(self.log_text().splitlines(True)[-lines:]))

    def log_news(self, lines=40):
        """The log's tail, only what was written since the last call (printed after each failure)."""
        text = self.log_text()
        news, self._log_shown = text[getattr(self, "_log_shown", 0):], len(text)
        if not news:
            return "== lilac log (%s): nothing new" % self.log_path
        return "== lilac log (%s), new lines (at most %d)\n%s" % (
            self.log_path, lines, "".join(news.splitlines(True)[-lines:]))

    def assert_clean_exit(self):
        """Stops lilac and fails on a non-zero exit, sanitizer reports, criticals or leftover workers."""
        self.stop()
        problems = []
        bad_codes = [code for code in self.exit_codes if code not in (0, None)]
        if bad_codes:
            problems.append("lilac exit statuses %s" % self.exit_codes)
        found, own_warnings = [], []
        for line in self.log_text().splitlines():
            match = GLIB_LOG_LINE.search(line)
            if match and match.group(1).startswith("lilac") and match.group(2) == "WARNING":
                own_warnings.append(line)
            elif match or any(marker in line for marker in SANITIZER_MARKERS):
                found.append(line)
        if own_warnings:
            diag("lilac's own warnings in the log:\n" + "\n".join(own_warnings[:10]))
        if found:
            problems.append("the log has %d sanitizer reports, criticals or library warnings, first: %s"
                            % (len(found), found[:5]))
        if self.leftovers:
            problems.append("processes left running after lilac exited: %s" % self.leftovers)
        if problems:
            raise AssertionError("; ".join(problems))


def write_config(path, config):
    """Writes {group: {key: value}} as a Lilac configuration file (GKeyFile)."""
    with open(path, "w") as out:
        for group, keys in config.items():
            out.write("[%s]\n" % group)
            for key, value in keys.items():
                out.write("%s=%s\n" % (key, value))


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as source:
            return source.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


# ------------------------------------------------------------------------------------------------
# The HTTP client: what a browser page (cookie + CSRF) or a bot (Bearer token) does
# ------------------------------------------------------------------------------------------------

class Client:
    """An HTTP client for one login. Paths without a leading slash are under /api/v1/."""

    STATE_CHANGING = ("POST", "PATCH", "PUT", "DELETE")

    def __init__(self, base_url):
        parsed = urllib.parse.urlsplit(base_url)
        self.host = parsed.hostname
        self.port = parsed.port
        self.cookies = {}
        self.csrf = None
        self.token = None
        self.user = None
        self.bearer = False
        # the event stream as this client follows it
        self.epoch = None
        self.next = None
        self.pending = []
        self.history = []
        self.last_headers = None

    # --- requests -------------------------------------------------------------------------------

    def request(self, method, path, json=None, raw=None, headers=None, timeout=30.0):
        """Returns (status, body): body parsed as JSON when it is JSON, else text (bytes if not UTF-8).
        headers may set a header to None to leave it out (e.g. {"X-Lilac-Csrf": None})."""
        if not path.startswith("/"):
            path = API + "/" + path
        all_headers = {}
        body = None
        if json is not None:
            body = jsonlib.dumps(json).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        elif raw is not None:
            body = raw if isinstance(raw, bytes) else raw.encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        if self.bearer and self.token:
            all_headers["Authorization"] = "Bearer " + self.token
        else:
            if self.cookies:
                all_headers["Cookie"] = "; ".join("%s=%s" % item for item in self.cookies.items())
            if method in self.STATE_CHANGING and self.csrf:
                all_headers["X-Lilac-Csrf"] = self.csrf
        for name, value in (headers or {}).items():
            if value is None:
                all_headers.pop(name, None)
            else:
                all_headers[name] = value
        if method in self.STATE_CHANGING and body is None:
            body = b""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        self.last_headers = response.headers
        self._take_cookies(response.headers.get_all("Set-Cookie") or [])
        return response.status, _parse_body(data, response.headers.get("Content-Type", ""))

    def _take_cookies(self, set_cookies):
        for header in set_cookies:
            first, _, attributes = header.partition(";")
            name, _, value = first.strip().partition("=")
            expired = "max-age=0" in attributes.lower().replace(" ", "")
            if expired or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def get(self, path, headers=None, timeout=30.0):
        return self.request("GET", path, headers=headers, timeout=timeout)

    def post(self, path, json=None, raw=None, headers=None, timeout=30.0):
        return self.request("POST", path, json=json, raw=raw, headers=headers, timeout=timeout)

    def patch(self, path, json=None, raw=None, headers=None, timeout=30.0):
        return self.request("PATCH", path, json=json, raw=raw, headers=headers, timeout=timeout)

    def delete(self, path, json=None, raw=None, headers=None, timeout=30.0):
        return self.request("DELETE", path, json=json, raw=raw, headers=headers, timeout=timeout)

    # --- login ----------------------------------------------------------------------------------

    def login(self, username, password, bearer=False):
        """Logs in; keeps the lilac_session cookie, the csrf and the token. bearer=True then sends
        Authorization: Bearer instead of the cookie."""
        status, body = self.post("session", json={"username": username, "password": password})
        expect(status == 200, "login as %s answered %s %r" % (username, status, body))
        self.csrf = body.get("csrf")
        self.token = body.get("token")
        self.user = body.get("user")
        self.bearer = bearer
        expect("lilac_session" in self.cookies or bearer, "login set no lilac_session cookie: %r" % self.cookies)
        return body

    def use_bearer(self, on=True):
        self.bearer = on

    # --- state and events -----------------------------------------------------------------------

    def state(self):
        status, body = self.get("state")
        expect(status == 200, "GET /state answered %s %r" % (status, body))
        return body

    def sync(self):
        """Reloads /state and follows the event stream from its seq (what a page does on resync)."""
        snapshot = self.state()
        self.epoch = snapshot["epoch"]
        self.next = snapshot["seq"]
        self.pending = []
        return snapshot

    def poll_raw(self, since, timeout=0, epoch=None):
        query = {"since": since, "timeout": int(timeout)}
        if epoch is not None:
            query["epoch"] = epoch
        return self.get("events?" + urllib.parse.urlencode(query), timeout=timeout + 20.0)

    def poll(self, since, timeout=0, epoch=None):
        """One long poll; returns the answer's body ({"epoch","next","events"}), fails unless 200."""
        status, body = self.poll_raw(since, timeout, epoch)
        expect(status == 200 and isinstance(body, dict) and "events" in body,
               "GET /events answered %s %r" % (status, body))
        return body

    def wait_event(self, predicate, timeout=20.0):
        """Long-polls from where this client left off until an event matches predicate; returns it.
        Events after the match stay pending for the next call. A resync reloads /state and goes on."""
        if self.next is None:
            self.sync()
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            while self.pending:
                event = self.pending.pop(0)
                seen.append(event)
                self.history.append(event)
                if predicate(event):
                    return event
                if event.get("type") == "resync":
                    self.sync()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no matching event within %.0f s; events seen: %s" % (
                    timeout, _short(seen)))
            body = self.poll(self.next, max(1, min(25, math.ceil(remaining))), epoch=self.epoch)
            self.epoch = body.get("epoch", self.epoch)
            self.next = body.get("next", self.next)
            self.pending.extend(body["events"])

    def settle(self, quiet=1, timeout=15.0):
        """Follows the stream until a poll of quiet seconds brings nothing; returns the events read."""
        if self.next is None:
            self.sync()
        read = list(self.pending)
        self.pending = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.poll(self.next, quiet, epoch=self.epoch)
            self.epoch = body.get("epoch", self.epoch)
            self.next = body.get("next", self.next)
            if not body["events"]:
                self.history.extend(read)
                return read
            read.extend(body["events"])
            if any(event.get("type") == "resync" for event in body["events"]):
                self.sync()
        raise AssertionError("the event stream did not go quiet within %.0f s: %s" % (timeout, _short(read)))

    # --- the things most tests do ---------------------------------------------------------------

    def add_account(self, body):
        status, account = self.post("accounts", json=body)
        expect(status == 201, "POST /accounts answered %s %r" % (status, account))
        expect(isinstance(account.get("id"), str), "account id is not a string: %r" % account)
        return account

    def wait_online(self, account_id, timeout=30.0):
        """Waits for account.status online (an error status fails at once). An online status this
        client already read while waiting for something else counts too."""
        statuses = [event for event in self.history
                    if event.get("type") == "account.status" and event.get("account") == account_id]
        if statuses and statuses[-1].get("status") == "online":
            return statuses[-1]

        def is_status(event):
            if event.get("type") != "account.status" or event.get("account") != account_id:
                return False
            if event.get("status") == "error":
                raise AssertionError("account %s went to error: %r" % (account_id, event))
            return event.get("status") == "online"
        return self.wait_event(is_status, timeout)

    def send_message(self, text, account=None, to=None, conversation=None):
        body = {"text": text}
        if conversation is not None:
            body["conversation"] = conversation
        else:
            body.update(account=account, to=to)
        status, answer = self.post("messages", json=body)
        expect(status == 202, "POST /messages answered %s %r" % (status, answer))
        expect(isinstance(answer.get("id"), str), "POST /messages gave no string id: %r" % answer)
        return answer["id"]


def _parse_body(data, content_type):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    if "json" in content_type or text[:1] in ("{", "["):
        try:
            return jsonlib.loads(text)
        except ValueError:
            pass
    return text


def _short(events, limit=40):
    shown = [jsonlib.dumps(event, sort_keys=True)[:300] for event in events[-limit:]]
    more = "" if len(events) <= limit else " (and %d earlier)" % (len(events) - limit)
    return "[%s]%s" % (", ".join(shown), more)


def expect(condition, message):
    """assert that survives python -O and reads well in TAP output."""
    if not condition:
        raise AssertionError(message)


def expect_error(answer, status, code, what=""):
    """answer is (status, body); checks the documented {"error":{"code","message"}} shape."""
    got_status, body = answer
    expect(got_status == status, "%sexpected %d %s, got %s %r" % (what and what + ": ", status, code, got_status, body))
    expect(isinstance(body, dict) and isinstance(body.get("error"), dict),
           "%serror body is not {\"error\":{...}}: %r" % (what and what + ": ", body))
    expect(body["error"].get("code") == code,
           "%sexpected code %s, got %r" % (what and what + ": ", code, body["error"]))
    expect(isinstance(body["error"].get("message"), str), "error has no message: %r" % body)


# ------------------------------------------------------------------------------------------------
# The other side: peers in threads
# ------------------------------------------------------------------------------------------------

class _Inbox:
    """Messages a peer received; wait_message consumes them in order."""

    def __init__(self):
        self.queue = queue.Queue()
        self.history = []

    def wait(self, predicate, timeout, who):
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("%s got no matching message within %.0f s; got: %r" % (who, timeout, seen))
            try:
                message = self.queue.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            seen.append(message)
            self.history.append(message)
            if predicate is None or predicate(message):
                return message


class XmppPeer:
    """A slixmpp client with its asyncio loop in a thread (plaintext, as in shared/notes/peers.md).
    Presences others send it (subscriptions included) land in .presences, chat states in
    .chatstates. auto_authorize=False keeps slixmpp from answering subscription requests (and
    from subscribing back) by itself."""

    def __init__(self, jid, password, port, host="127.0.0.1", auto_authorize=True, setup=None):
        """setup(xmpp), when given, runs in the peer's thread before it connects (more plugins)."""
        self.jid = jid
        self.setup = setup
        self.password = password
        self.address = (host, port)
        self.auto_authorize = auto_authorize
        self.inbox = _Inbox()
        self.presences = _Inbox()
        self.chatstates = _Inbox()
        self.loop = None
        self.xmpp = None
        self.thread = None
        self.ready = threading.Event()
        self.failure = None

    def start(self, timeout=15.0):
        self.thread = threading.Thread(target=self._run, name="xmpp " + self.jid, daemon=True)
        self.thread.start()
        add_cleanup(self.stop)
        if not self.ready.wait(timeout):
            raise TimeoutError("%s: no session within %.0f s" % (self.jid, timeout))
        if self.failure:
            raise RuntimeError("%s: %s" % (self.jid, self.failure))
        return self

    def _run(self):
        import slixmpp  # Debian's python3-slixmpp: run the tests with /usr/bin/python3

        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        xmpp = slixmpp.ClientXMPP(self.jid, self.password)
        xmpp.enable_plaintext = True
        xmpp.enable_starttls = False
        xmpp.enable_direct_tls = False
        xmpp["feature_mechanisms"].unencrypted_plain = True
        xmpp.register_plugin("xep_0030")
        xmpp.register_plugin("xep_0045")
        xmpp.register_plugin("xep_0199")
        xmpp.register_plugin("xep_0085")
        # slixmpp refuses requests when auto_authorize is False; None leaves them to the test
        xmpp.auto_authorize = True if self.auto_authorize else None
        xmpp.auto_subscribe = self.auto_authorize
        xmpp.add_event_handler("presence", self._on_presence)
        xmpp.add_event_handler("chatstate", self._on_chatstate)
        xmpp.add_event_handler("session_start", self._on_session_start)
        xmpp.add_event_handler("message", self._on_message)
        xmpp.add_event_handler("groupchat_message", self._on_groupchat)
        xmpp.add_event_handler("failed_auth", lambda *_: self._fail("authentication failed"))
        xmpp.add_event_handler("connection_failed", lambda *_: self._fail("connection failed"))
        self.xmpp = xmpp
        if self.setup is not None:
            self.setup(xmpp)
        xmpp.connect(self.address)
        try:
            self.loop.run_forever()
            # let slixmpp's own tasks end before the loop closes, so they do not complain at exit
            pending = [task for task in asyncio.all_tasks(self.loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        finally:
            self.loop.close()

    def _fail(self, why):
        self.failure = why
        self.ready.set()

    async def _on_session_start(self, _event):
        self.xmpp.send_presence()
        try:
            await self.xmpp.get_roster(timeout=10)
        except Exception as error:  # a roster is not needed to exchange messages
            diag("%s: roster: %s" % (self.jid, error))
        self.ready.set()

    def _on_message(self, message):
        if message["type"] in ("chat", "normal") and message["body"]:
            self.inbox.queue.put({"from": str(message["from"]), "to": str(message["to"]),
                                  "type": message["type"], "body": message["body"], "time": time.monotonic()})

    def _on_groupchat(self, message):
        if message["body"]:
            self.inbox.queue.put({"from": str(message["from"]), "to": str(message["to"]),
                                  "type": "groupchat", "nick": message["mucnick"], "body": message["body"],
                                  "time": time.monotonic()})

    def _on_presence(self, presence):
        self.presences.queue.put({"from": str(presence["from"]), "type": presence["type"],
                                  "show": presence["show"], "status": presence["status"],
                                  "time": time.monotonic()})

    def _on_chatstate(self, message):
        self.chatstates.queue.put({"from": str(message["from"]), "state": message["chat_state"],
                                   "time": time.monotonic()})

    def wait_presence(self, predicate=None, timeout=15.0):
        return self.presences.wait(predicate, timeout, self.jid)

    def send_presence(self, **fields):
        """slixmpp's send_presence in the peer's thread, e.g. pto=JID, ptype="subscribe", pshow="away"."""
        self.call(lambda: self.xmpp.send_presence(**fields))

    def send_chatstate(self, to, state):
        def send():
            message = self.xmpp.make_message(mto=to, mtype="chat")
            message["chat_state"] = state
            message.send()
        self.call(send)

    def call(self, function, timeout=15.0):
        """Runs function() in the peer's loop thread; returns its result (awaited if a coroutine)."""
        async def runner():
            result = function()
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                result = await result
            return result
        future = asyncio.run_coroutine_threadsafe(runner(), self.loop)
        return future.result(timeout)

    def send(self, to, text, mtype="chat"):
        self.call(lambda: self.xmpp.send_message(mto=to, mbody=text, mtype=mtype))

    def wait_message(self, predicate=None, timeout=15.0):
        return self.inbox.wait(predicate, timeout, self.jid)

    def join_muc(self, room, nick, timeout=15.0):
        """Joins a MUC room and waits for our own presence (status 110). slixmpp's join_muc_wait is
        not used: it also waits for a subject, which a new Prosody room never sends."""
        joined = threading.Event()

        def send_join():
            self.xmpp.add_event_handler("muc::%s::self-presence" % room, lambda _presence: joined.set())
            plugin = self.xmpp["xep_0045"]
            plugin.rooms[room] = {}
            plugin.our_nicks[room] = nick
            stanza = self.xmpp.make_presence(pto="%s/%s" % (room, nick))
            stanza.enable("muc_join")
            stanza["muc_join"]["history"]["maxstanzas"] = "0"
            stanza.send()
        self.call(send_join)
        if not joined.wait(timeout):
            raise TimeoutError("%s could not join %s within %.0f s" % (self.jid, room, timeout))

    def stop(self):
        remove_cleanup(self.stop)
        if self.loop is None or self.loop.is_closed():
            return
        try:
            self.call(lambda: self.xmpp.disconnect(wait=1.0), timeout=5)
        except Exception:
            pass
        try:
            self.loop.call_soon_threadsafe(self.loop.stop)
        except RuntimeError:
            pass
        self.thread.join(5)


class IrcPeer:
    """A python3-irc client (irc.client.IRC) processing its socket in a thread. Commands given from
    the test thread are queued and run in that thread."""

    def __init__(self, nick, port, host="127.0.0.1", password=None):
        self.nick = nick
        self.password = password
        self.address = (host, port)
        self.inbox = _Inbox()
        self.joins = queue.Queue()
        self.channels = set()
        self.commands = queue.Queue()
        self.ready = threading.Event()
        self.stopping = threading.Event()
        self.thread = None
        self.connection = None
        self.failure = None

    def start(self, timeout=15.0):
        import irc.client  # Debian's python3-irc 8.5: run the tests with /usr/bin/python3

        # a line that is not UTF-8 is shown with replacement characters instead of stopping the peer
        irc.client.ServerConnection.buffer_class.errors = "replace"
        self.reactor = irc.client.IRC()
        for kind, handler in (("welcome", self._on_welcome), ("join", self._on_join),
                              ("pubmsg", self._on_text), ("privmsg", self._on_text),
                              ("nicknameinuse", self._on_nick_in_use), ("error", self._on_error),
                              ("disconnect", self._on_error)):
            self.reactor.add_global_handler(kind, handler)
        self.connection = self.reactor.server().connect(self.address[0], self.address[1], self.nick,
                                                      password=self.password)
        self.thread = threading.Thread(target=self._run, name="irc " + self.nick, daemon=True)
        self.thread.start()
        add_cleanup(self.stop)
        if not self.ready.wait(timeout):
            raise TimeoutError("%s: no IRC welcome within %.0f s" % (self.nick, timeout))
        if self.failure:
            raise RuntimeError(self.failure)
        return self

    def _run(self):
        while not self.stopping.is_set():
            while True:
                try:
                    command = self.commands.get_nowait()
                except queue.Empty:
                    break
                try:
                    command()
                except Exception:
                    diag("irc %s: command failed:\n%s" % (self.nick, traceback.format_exc()))
            self.reactor.process_once(0.05)

    def _on_welcome(self, _connection, _event):
        self.ready.set()

    def _on_nick_in_use(self, _connection, _event):
        self.failure = "nick %s is in use" % self.nick
        self.ready.set()

    def _on_error(self, _connection, event):
        if not self.ready.is_set():
            self.failure = "%s: %s %s" % (self.nick, event.type, " ".join(map(str, event.arguments)))
            self.ready.set()

    def _on_join(self, _connection, event):
        nick = event.source.nick
        if nick == self.connection.get_nickname():
            self.channels.add(event.target.lower())
        self.joins.put((nick, event.target))

    def _on_text(self, _connection, event):
        self.inbox.queue.put({"type": event.type, "from": event.source.nick, "target": event.target,
                              "text": event.arguments[0] if event.arguments else "", "time": time.monotonic()})

    def _do(self, function):
        self.commands.put(function)

    def join(self, channel, timeout=15.0):
        self._do(lambda: self.connection.join(channel))
        wait_until(lambda: channel.lower() in self.channels, timeout, message="%s to join %s" % (self.nick, channel))

    def wait_join(self, nick, channel, timeout=20.0):
        """Waits until nick (another user) is seen joining channel."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("%s did not see %s join %s within %.0f s" % (self.nick, nick, channel, timeout))
            try:
                who, where = self.joins.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if who.lower() == nick.lower() and where.lower() == channel.lower():
                return

    def say(self, target, text):
        self._do(lambda: self.connection.privmsg(target, text))

    def wait_message(self, predicate=None, timeout=15.0):
        return self.inbox.wait(predicate, timeout, self.nick)

    def stop(self):
        remove_cleanup(self.stop)
        if self.thread is None:
            return
        self._do(lambda: self.connection.is_connected() and self.connection.quit("bye"))
        time.sleep(0.1)
        self.stopping.set()
        self.thread.join(5)
        try:
            self.connection.close()
        except Exception:
            pass
        self.thread = None


# ------------------------------------------------------------------------------------------------
# The TAP runner
# ------------------------------------------------------------------------------------------------

class TestTimeout(Exception):
    pass


def timeout(seconds):
    """Decorator: this test's own time limit (the default is DEFAULT_TIMEOUT)."""
    def mark(function):
        function.timeout = seconds
        return function
    return mark


DEFAULT_TIMEOUT = 90


def _on_alarm(_signum, _frame):
    raise TestTimeout("the test ran past its time limit")


def _on_term(_signum, _frame):
    raise SystemExit("terminated (meson's timeout?)")


def run(module_globals):
    """Runs the module's test_* functions in file order under TAP; setup_module()/teardown_module()
    around them when defined. Exits 1 if any test failed."""
    tests = sorted((value for name, value in module_globals.items()
                    if name.startswith("test_") and callable(value)),
                   key=lambda function: function.__code__.co_firstlineno)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGTERM, _on_term)
    print("1..%d" % len(tests), flush=True)
    failed = 0
    setup_error = None
    try:
        setup = module_globals.get("setup_module")
        if setup is not None:
            signal.alarm(getattr(setup, "timeout", DEFAULT_TIMEOUT))
            try:
                setup()
            except BaseException:
                setup_error = traceback.format_exc()
                _print_failure_hooks()
            finally:
                signal.alarm(0)
        for number, test in enumerate(tests, 1):
            name = test.__name__[len("test_"):]
            if setup_error is not None:
                print("not ok %d - %s # setup_module failed" % (number, name), flush=True)
                if number == 1:
                    diag("setup_module failed:\n" + setup_error)
                failed += 1
                continue
            if not _run_one(number, name, test):
                failed += 1
    finally:
        teardown = module_globals.get("teardown_module")
        if teardown is not None:
            signal.alarm(60)
            try:
                teardown()
            except BaseException:
                diag("teardown_module failed:\n" + traceback.format_exc())
            finally:
                signal.alarm(0)
        signal.alarm(120)  # stopping every process takes seconds; never forever
        try:
            run_cleanups()
        finally:
            signal.alarm(0)
    sys.exit(1 if failed else 0)


class Skip(Exception):
    """Raised by a test that cannot be meaningful in this build; reported as TAP # SKIP."""


def sanitized():
    """Whether the binaries under test run under AddressSanitizer (./test's second tree)."""
    return bool(os.environ.get("ASAN_OPTIONS")) or "build-sanitize" in BUILD_ROOT


def _run_one(number, name, test):
    started = time.monotonic()
    signal.alarm(getattr(test, "timeout", DEFAULT_TIMEOUT))
    try:
        test()
    except Skip as reason:
        signal.alarm(0)
        print("ok %d - %s # SKIP %s" % (number, name, reason), flush=True)
        return True
    except Exception:  # TestTimeout included
        signal.alarm(0)
        print("not ok %d - %s" % (number, name), flush=True)
        diag(traceback.format_exc().rstrip())
        _print_failure_hooks()
        return False
    finally:
        signal.alarm(0)
    print("ok %d - %s (%.1f s)" % (number, name, time.monotonic() - started), flush=True)
    return True


def _print_failure_hooks():
    for hook in _failure_hooks:
        try:
            diag(hook())
        except Exception:
            pass


# ------------------------------------------------------------------------------------------------
# Set-ups that most test files share
# ------------------------------------------------------------------------------------------------

def start_prosody(**users):
    """A started Prosody with each user=password registered."""
    prosody = Prosody()
    for user, password in users.items():
        prosody.register(user, password)
    return prosody.start()


def start_lilac(users, **lilac_options):
    """A started Lilac with the gateway users {name: password} created before it starts."""
    lilac = Lilac(**lilac_options)
    for name, password in users.items():
        lilac.add_user(name, password)
    return lilac.start()


def log_in(lilac, name, password, bearer=False):
    """A Client logged in as name and following the event stream from the current /state."""
    client = lilac.client()
    client.login(name, password, bearer=bearer)
    client.sync()
    return client
