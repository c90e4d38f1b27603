# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Helpers for the benchmarks: the processes (Prosody, BitlBee, Lilac), what they cost (/proc),
small HTTP and IRC clients (blocking and asyncio), and statistics.

Everything runs on loopback. Run with Debian's /usr/bin/python3 (slixmpp is Debian's).
"""

import asyncio
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "integration"))
import lilac_harness as harness  # noqa: E402
from lilac_harness import cmdline, free_port, pid_alive, wait_port  # noqa: E402,F401

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
API = "/api/v1"


# ----------------------------------------------------------------------------------------- misc

# every server started here and not stopped yet, so that stop_all() can end them on any exit
_running = []


def stop_all():
    for server in reversed(list(_running)):
        try:
            server.stop()
        except Exception as error:  # the others are stopped whatever one does
            log("could not stop %s: %s" % (type(server).__name__, error))


def _started(server):
    if server not in _running:
        _running.append(server)


def _stopped(server):
    if server in _running:
        _running.remove(server)

def log(*parts):
    print("bench: " + " ".join(str(part) for part in parts), file=sys.stderr, flush=True)


def now_ns():
    """CLOCK_MONOTONIC in ns: the same clock in every process on this machine."""
    return time.monotonic_ns()


def wait_until(condition, timeout, what, interval=0.1):
    return harness.wait_until(condition, timeout, interval, what)


def cpu_idle_fraction(seconds=1.0):
    """How idle the machine's CPUs were over the next seconds (/proc/stat)."""
    def sample():
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)
    idle0, total0 = sample()
    time.sleep(seconds)
    idle1, total1 = sample()
    return (idle1 - idle0) / max(1, total1 - total0)


def wait_quiet(idle=0.6, steady=3, limit=180.0):
    """Waits (at most limit seconds) until the CPUs are at least idle-fraction idle for steady
    seconds in a row: what a benchmark leaves behind (BitlBee's children winding down) must
    not weigh on the next. Returns the seconds waited."""
    started = time.monotonic()
    calm = 0
    while calm < steady and time.monotonic() - started < limit:
        calm = calm + 1 if cpu_idle_fraction() >= idle else 0
    return round(time.monotonic() - started, 1)


def summary(values):
    """{"median","min","max","n","runs"} of a list of numbers (None when empty)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values), "runs": values}


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, int(round(fraction * len(sorted_values) + 0.4999999)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# ------------------------------------------------------------------------------ /proc readings

def proc_stat(pid):
    """(ppid, utime+stime in seconds, session id) or None."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK, int(fields[3])


def all_pids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def descendants(root):
    """root and every process below it (by parent pid), plus every process of root's session."""
    parents = {}
    sessions = {}
    for pid in all_pids():
        stat = proc_stat(pid)
        if stat is not None:
            parents[pid] = stat[0]
            sessions[pid] = stat[2]
    found = {root} if root in parents else set()
    changed = True
    while changed:
        changed = False
        for pid, ppid in parents.items():
            if ppid in found and pid not in found:
                found.add(pid)
                changed = True
    found.update(pid for pid, sid in sessions.items() if sid == root)
    return sorted(pid for pid in found if pid_alive(pid))


def children(parent):
    result = []
    for pid in all_pids():
        stat = proc_stat(pid)
        if stat is not None and stat[0] == parent and pid_alive(pid):
            result.append(pid)
    return sorted(result)


def smaps_rollup(pid):
    """{"Pss": kB, "Rss": kB, "Private_Dirty": kB, ...} from /proc/PID/smaps_rollup."""
    values = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as rollup:
            for line in rollup:
                parts = line.split()
                if len(parts) >= 3 and parts[-1] == "kB":
                    values[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        return None
    return values


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pids):
    """utime+stime of the live processes in pids, summed."""
    total = 0.0
    for pid in pids:
        stat = proc_stat(pid)
        if stat is not None:
            total += stat[1]
    return total


def memory_of(pids):
    """Sums of PSS, RSS and private dirty (KiB) over pids, and per-pid detail."""
    total = {"pss_kib": 0, "rss_kib": 0, "private_dirty_kib": 0, "processes": 0}
    for pid in pids:
        values = smaps_rollup(pid)
        if values is None:
            continue
        total["pss_kib"] += values.get("Pss", 0)
        total["rss_kib"] += values.get("Rss", 0)
        total["private_dirty_kib"] += values.get("Private_Dirty", 0)
        total["processes"] += 1
    return total


def stop_process(process, grace=15.0):
    """SIGTERM a Popen we started, SIGKILL after grace seconds."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def kill_pids(pids):
    """SIGKILL for processes we started (or that ours started), by pid."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


# ------------------------------------------------------------------------------------- Prosody

class Prosody(harness.Prosody):
    """The tests' private Prosody, without rate limits (the benchmarks send thousands of
    stanzas). Accounts and rosters are written straight into its file store (internal_plain,
    one file per user), which is much faster than prosodyctl for thousands of users and is
    read by Prosody at each login."""

    def __init__(self, root):
        super().__init__(folder=os.path.join(root, "prosody"), extra="limits = { }")
        os.makedirs(os.path.join(self.dir, "data", "localhost", "accounts"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "data", "localhost", "roster"), exist_ok=True)

    @staticmethod
    def _check_name(user):
        if not re.fullmatch(r"[a-z0-9]+", user):
            raise ValueError("bench XMPP user names are lowercase letters and digits: %r" % user)

    def add_account(self, user, password):
        self._check_name(user)
        path = os.path.join(self.dir, "data", "localhost", "accounts", user + ".dat")
        with open(path, "w") as account:
            account.write('return {\n\t["password"] = %s;\n};\n' % self._lua_string(password))

    def set_roster(self, user, contacts, group="Bench"):
        """user's roster: every contact (a bare JID) with subscription both."""
        self._check_name(user)
        lines = ["return {", '\t[false] = { ["pending"] = {}; ["version"] = 1; };']
        for contact in contacts:
            lines.append('\t[%s] = { ["subscription"] = "both"; ["groups"] = { [%s] = true; }; };'
                         % (self._lua_string(contact), self._lua_string(group)))
        lines.append("};")
        path = os.path.join(self.dir, "data", "localhost", "roster", user + ".dat")
        with open(path, "w") as roster:
            roster.write("\n".join(lines) + "\n")

    @staticmethod
    def _lua_string(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def start(self):
        super().start(timeout=60)
        _started(self)
        return self

    def stop(self):
        _stopped(self)
        super().stop()

    def bitlbee_commands(self, user, password):
        """What a BitlBee user types in &bitlbee to add the same XMPP account (libpurple's prpl)."""
        return ["account add jabber %s@localhost %s" % (user, password),
                "account jabber set connect_server 127.0.0.1",
                "account jabber set port %d" % self.port,
                "account jabber set connection_security opportunistic_tls",
                "account jabber set auth_plain_in_clear true"]


def _read_int(path):
    try:
        with open(path) as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


# ------------------------------------------------------------------------------------- BitlBee

BITLBEE_CONFIG = """\
# written by bench/benchlib.py
[settings]
RunMode = ForkDaemon
DaemonInterface = 127.0.0.1
DaemonPort = {port}
AuthMode = Open
ConfigDir = {dir}/state
PidFile = {dir}/bitlbee.pid
MotdFile = /etc/bitlbee/motd.txt
[defaults]
"""


class BitlBee:
    """BitlBee with libpurple (Debian's bitlbee-libpurple) in ForkDaemon mode: a master that forks
    one child per IRC client.

    Each child initialises libpurple itself, and on this machine libpurple's media support then
    starts GStreamer's device providers (PulseAudio, Video4Linux, DeckLink, Vulkan, which maps
    Mesa's drivers and LLVM): about 17 MiB of private memory per child. hide_gstreamer=True runs
    BitlBee with an empty GStreamer plugin path and registry (GST_PLUGIN_SYSTEM_PATH_1_0,
    GST_REGISTRY_1_0), which keeps libpurple's media code from loading any of that: the leanest
    BitlBee this package can be."""

    def __init__(self, root, hide_gstreamer=False):
        self.dir = os.path.join(root, "bitlbee-lean" if hide_gstreamer else "bitlbee")
        self.hide_gstreamer = hide_gstreamer
        os.makedirs(os.path.join(self.dir, "state"), exist_ok=True)
        self.port = free_port()
        self.config = os.path.join(self.dir, "bitlbee.conf")
        with open(self.config, "w") as config:
            config.write(BITLBEE_CONFIG.format(dir=self.dir, port=self.port))
        self.process = None

    def start(self):
        log_file = open(os.path.join(self.dir, "bitlbee.log"), "ab")
        env = dict(os.environ)
        if self.hide_gstreamer:
            empty = os.path.join(self.dir, "no-gstreamer")
            os.makedirs(empty, exist_ok=True)
            env["GST_PLUGIN_SYSTEM_PATH_1_0"] = empty
            env["GST_PLUGIN_PATH_1_0"] = empty
            env["GST_REGISTRY_1_0"] = os.path.join(empty, "registry.bin")
        self.process = subprocess.Popen(["bitlbee", "-F", "-n", "-c", self.config,
                                         "-d", os.path.join(self.dir, "state")],
                                        stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                        env=env)
        log_file.close()
        _started(self)
        wait_port(self.port, alive=lambda: self.process.poll() is None)
        return self

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def children(self):
        return children(self.pid) if self.pid else []

    def copy_users_from(self, other):
        """The users (and their stored accounts) another BitlBee's state folder holds."""
        source = os.path.join(other.dir, "state")
        for name in os.listdir(source):
            if name.endswith(".xml"):
                shutil.copy(os.path.join(source, name), os.path.join(self.dir, "state", name))

    def stop(self):
        _stopped(self)
        if self.process is None:
            return
        kids = self.children()
        stop_process(self.process)
        self.process = None
        # the children end when their IRC client goes; whatever is left was ours
        deadline = time.monotonic() + 5
        while any(pid_alive(pid) for pid in kids) and time.monotonic() < deadline:
            time.sleep(0.05)
        kill_pids([pid for pid in kids if pid_alive(pid)])

    @staticmethod
    def version():
        result = subprocess.run(["bitlbee", "-V"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return result.stdout.decode(errors="replace").strip()


# --------------------------------------------------------------------------------------- Lilac

class Lilac:
    """The lilac gateway from a build folder, on a loopback port, with its own data folder."""

    def __init__(self, build, root, name, config):
        self.binary = os.path.join(build, "gateway", "daemon", "lilac")
        self.dir = os.path.join(root, name)
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.data, mode=0o700, exist_ok=True)
        self.port = free_port()
        self.config = config
        self.config_path = os.path.join(self.dir, "lilac.conf")
        harness.write_config(self.config_path, config)
        self.log_path = os.path.join(self.dir, "lilac.log")
        self.process = None

    def cli(self, args, stdin_text=""):
        result = subprocess.run([self.binary] + args + ["--data", self.data, "--config", self.config_path],
                                input=stdin_text.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=120)
        if result.returncode != 0:
            raise RuntimeError("lilac %s: %s%s" % (" ".join(args), result.stdout.decode(errors="replace"),
                                                   result.stderr.decode(errors="replace")))
        return result.stdout.decode(errors="replace")

    def add_user(self, name, password, admin=False):
        self.cli(["user", "add", name] + (["--admin"] if admin else []), password + "\n")

    def start(self):
        log_file = open(self.log_path, "ab")
        env = dict(os.environ, LC_ALL="C.UTF-8")
        # LILAC_BENCH_WRAPPER="valgrind --tool=callgrind ..." runs the gateway under a profiler
        wrapper = os.environ.get("LILAC_BENCH_WRAPPER", "").split()
        self.process = subprocess.Popen(wrapper + [self.binary, "--listen", "127.0.0.1", "--port", str(self.port),
                                                   "--data", self.data, "--config", self.config_path],
                                        stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                        env=env, start_new_session=True)
        log_file.close()
        _started(self)
        deadline = time.monotonic() + (300 if wrapper else 30)
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("lilac exited with %s while starting; see %s" %
                                   (self.process.returncode, self.log_path))
            try:
                status, body = Http(self.port).request("GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("lilac did not answer /healthz")
            time.sleep(0.05)
        return self

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def processes(self):
        """The gateway, the zygote if any, and the workers."""
        return descendants(self.pid) if self.pid else []

    def zygote_pids(self):
        """The zygote: the gateway's child started with --zygote (the workers it forks carry the
        same command line, one level down)."""
        return [pid for pid in children(self.pid) if "--zygote" in cmdline(pid)] if self.pid else []

    def stop(self):
        _stopped(self)
        if self.process is None:
            return
        members = self.processes()
        stop_process(self.process, grace=20)
        self.process = None
        deadline = time.monotonic() + 10
        while any(pid_alive(pid) for pid in members) and time.monotonic() < deadline:
            time.sleep(0.05)
        kill_pids([pid for pid in members if pid_alive(pid)])

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, errors="replace") as text:
                return "".join(text.readlines()[-lines:])
        except OSError:
            return ""


# ----------------------------------------------------------------------------- blocking HTTP

class Http:
    """A keep-alive HTTP/1.1 connection to Lilac with an optional bearer token."""

    def __init__(self, port, token=None, timeout=60.0):
        self.port = port
        self.token = token
        self.timeout = timeout
        self.connection = None

    def request(self, method, path, body=None, timeout=None):
        if not path.startswith("/"):
            path = API + "/" + path
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif method in ("POST", "PATCH", "DELETE"):
            data = b""
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                             timeout=timeout or self.timeout)
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # libsoup closes a keep-alive connection now and then (e.g. after a 204)
                self.close()
                if attempt == 2:
                    raise
        if response.getheader("Connection", "").lower() == "close" or response.status == 204:
            self.close()
        if "json" in (response.getheader("Content-Type") or ""):
            return response.status, json.loads(raw or b"null")
        return response.status, raw.decode(errors="replace")

    def expect(self, method, path, body=None, status=(200, 201, 202, 204)):
        code, answer = self.request(method, path, body)
        if code not in status:
            raise RuntimeError("%s %s answered %s %r" % (method, path, code, answer))
        return answer

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def lilac_login(port, name, password):
    """(token, user id) of a new login."""
    answer = Http(port).expect("POST", "session", {"username": name, "password": password})
    return answer["token"], answer["user"]["id"]


# ------------------------------------------------------------------------------ asyncio HTTP

class AsyncHttp:
    """A minimal keep-alive HTTP/1.1 client on asyncio streams (Content-Length or chunked)."""

    def __init__(self, port, token=None):
        self.port = port
        self.token = token
        self.reader = self.writer = None

    async def _connect(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method, path, body=None):
        if not path.startswith("/"):
            path = API + "/" + path
        data = json.dumps(body).encode() if body is not None else b""
        head = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:%d" % self.port]
        if self.token:
            head.append("Authorization: Bearer " + self.token)
        if body is not None:
            head.append("Content-Type: application/json")
        if body is not None or method in ("POST", "PATCH", "DELETE"):
            head.append("Content-Length: %d" % len(data))
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + data
        for attempt in (1, 2):
            try:
                if self.writer is None:
                    await self._connect()
                self.writer.write(raw)
                return await self._read_response()
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise

    async def _read_response(self):
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close" or status == 204:
            await self.close()
        if "json" in headers.get("content-type", ""):
            return status, json.loads(body or b"null")
        return status, body.decode(errors="replace")

    async def expect(self, method, path, body=None, status=(200, 201, 202, 204)):
        code, answer = await self.request(method, path, body)
        if code not in status:
            raise RuntimeError("%s %s answered %s %r" % (method, path, code, answer))
        return answer

    async def close(self):
        if self.writer is not None:
            writer, self.writer, self.reader = self.writer, None, None
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass


# ------------------------------------------------------------------------------- asyncio IRC

class AsyncIrc:
    """One IRC client connection to BitlBee (asyncio)."""

    def __init__(self, port, nick):
        self.port = port
        self.nick = nick
        self.reader = self.writer = None
        self.lines = asyncio.Queue()
        self.task = None

    async def connect(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                break
            except OSError:
                # BitlBee listens with a backlog of 10: a burst of connects may be refused
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)
        self.task = asyncio.ensure_future(self._read_loop())
        self.send("NICK " + self.nick)
        self.send("USER %s 0 * :%s" % (self.nick, self.nick))
        await self.wait_for(lambda line: " JOIN :&bitlbee" in line and line.startswith(":" + self.nick + "!"),
                            timeout)

    def send(self, line):
        self.writer.write((line + "\r\n").encode())

    def say(self, text, target="&bitlbee"):
        self.send("PRIVMSG %s :%s" % (target, text))

    async def _read_loop(self):
        try:
            while True:
                line = await self.reader.readline()
                if not line:
                    await self.lines.put(None)
                    return
                text = line.decode(errors="replace").rstrip("\r\n")
                if text.startswith("PING "):
                    self.send("PONG " + text[5:])
                    continue
                await self.lines.put(text)
        except (ConnectionError, asyncio.CancelledError):
            await self.lines.put(None)

    async def wait_for(self, predicate, timeout=60.0):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("%s: no awaited IRC line within %.0f s" % (self.nick, timeout))
            line = await asyncio.wait_for(self.lines.get(), remaining)
            if line is None:
                raise ConnectionError("%s: BitlBee closed the connection" % self.nick)
            if predicate(line):
                return line

    async def root_says(self, fragment, timeout=60.0):
        return await self.wait_for(lambda line: line.startswith(":root!") and fragment in line, timeout)

    async def close(self):
        if self.writer is not None:
            try:
                self.send("QUIT :bye")
                await self.writer.drain()
            except (ConnectionError, OSError):
                pass
            self.writer.close()
            self.writer = None
        if self.task is not None:
            self.task.cancel()
            self.task = None


async def bitlbee_add_user(bitlbee, prosody, user, password, irc_password):
    """Creates a BitlBee user with one stored XMPP account, then disconnects."""
    client = AsyncIrc(bitlbee.port, user)
    await client.connect()
    for command in prosody.bitlbee_commands(user, password):
        client.say(command)
        await client.root_says("jabber" if command.startswith("account add") else " = ")
    client.say("register " + irc_password)
    await client.root_says("Account successfully created")
    await client.close()


async def gather_limited(limit, coroutines):
    """Runs the coroutines with at most limit at a time; returns their results in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with semaphore:
            return await coroutine
    return await asyncio.gather(*(one(c) for c in coroutines))


def make_root(keep=False):
    root = tempfile.mkdtemp(prefix="lilac-bench-")
    os.chmod(root, 0o755)
    return root


def remove_root(root):
    shutil.rmtree(root, ignore_errors=True)
