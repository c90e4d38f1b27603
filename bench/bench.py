# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Lilac and BitlBee side by side: memory per user, message latency, held polls, the state API.

Started by bench/run (which installs the packages and builds Lilac and bench/pollers):
  /usr/bin/python3 bench/bench.py --build DIR --pollers BIN [NAME...] [--quick] [--repeat N]
NAME is footprint, latency, polls or api (all when none is given). Prints one table and writes
the raw numbers to bench/results/DATE.json (and the table to DATE.txt).
"""

import argparse
import asyncio
import datetime
import json
import os
import platform
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PASSWORD = "bench-password-1"        # every gateway user's and XMPP account's password
LOGIN_SLOTS = 16                     # users logging in at once in the footprint benchmark
SETTLE_SECONDS = 3                   # after the last account is online, before memory is read
NAMES = ("footprint", "latency", "polls", "api")

# What Lilac runs with here. Login hashing is made cheap (Argon2id, 1 pass, 8 KiB) so that
# creating and logging in thousands of users is quick; it is not what is measured.
BASE_CONFIG = {
    "gateway": {"connections_per_address": 0},
    "workers": {"idle_minutes": 100000},
    # 16 users log in at once from 127.0.0.1, and a login whose check runs counts against the limit
    "security": {"argon2_ops": 1, "argon2_memory_kib": 8, "login_failures": 1000},
}


class Context:
    def __init__(self, args, measuring=True):
        self.build = args.build
        self.pollers = args.pollers
        self.quick = args.quick
        self.repeat = args.repeat
        self.root = bl.make_root() if measuring else None
        self.prosody = None
        self.overrides = {}
        for item in args.lilac_config or []:
            key, _, value = item.partition("=")
            group, _, name = key.partition(".")
            self.overrides.setdefault(group, {})[name] = value
        self.footprint_max = args.footprint_max
        self.footprint_seconds = args.footprint_seconds
        self.poll_sizes = [int(v) for v in args.poll_sizes.split(",")] if args.poll_sizes else None
        self.footprint_sizes = ([v if v == "max" else int(v) for v in args.footprint_sizes.split(",")]
                                if args.footprint_sizes else None)
        self.raw = {}
        self.load = {}
        self.rows = []
        self.notes = []

    def lilac_config(self, extra=None):
        config = json.loads(json.dumps(BASE_CONFIG))
        for source in (extra or {}, self.overrides):
            for group, keys in source.items():
                config.setdefault(group, {}).update(keys)
        return config

    def lilac(self, name, extra=None):
        return bl.Lilac(self.build, self.root, name, self.lilac_config(extra))

    def row(self, bench, metric, unit, lilac, bitlbee=None, na=None, target=None, met=None,
            ratio_target=None):
        self.rows.append({"bench": bench, "metric": metric, "unit": unit, "lilac": lilac,
                          "bitlbee": bitlbee, "bitlbee_na": na, "target": target, "met": met,
                          "ratio_target": ratio_target})


def run_async(coroutine):
    return asyncio.run(coroutine)


def lilac_worker_mode(lilac):
    """How the running gateway makes workers, as seen in the process tree."""
    return "zygote" if lilac.zygote_pids() else "exec per worker"


# =========================================================================== footprint

async def lilac_wait_online(http, timeout=180.0):
    """Returns once the user's (only) account is online, following /events from /state."""
    deadline = time.monotonic() + timeout
    state = await http.expect("GET", "state")
    while True:
        accounts = state.get("accounts", [])
        if accounts and all(account.get("status") == "online" for account in accounts):
            return
        seq, epoch = state["seq"], state["epoch"]
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError("account not online after %.0f s" % timeout)
            answer = await http.expect("GET", "events?since=%d&epoch=%s&timeout=20" % (seq, epoch))
            resync = False
            for event in answer["events"]:
                if event["type"] == "resync":
                    resync = True
                elif event["type"] == "account.status":
                    if event.get("status") == "online":
                        return
                    if event.get("status") == "error":
                        raise RuntimeError("account error: %s" % event.get("error"))
            if resync:
                state = await http.expect("GET", "state")
                break
            seq, epoch = answer["next"], answer["epoch"]


async def lilac_bring_online(ctx, lilac, names, add_accounts, deadline=None):
    """Logs the users in (LOGIN_SLOTS at a time, each slot held until that user's account is
    online); with add_accounts, first adds the user's XMPP account. With a deadline (seconds),
    no login starts after it. Returns (seconds from the first login to the last account online,
    how many are online)."""
    started = time.monotonic()

    async def one(name):
        if deadline is not None and time.monotonic() - started > deadline:
            return None
        http = bl.AsyncHttp(lilac.port)
        answer = await http.expect("POST", "session", {"username": name, "password": PASSWORD})
        http.token = answer["token"]
        if add_accounts:
            await http.expect("POST", "accounts", ctx.prosody.xmpp_account(name, PASSWORD))
        await lilac_wait_online(http)
        await http.close()
        return time.monotonic() - started

    times = [t for t in await bl.gather_limited(LOGIN_SLOTS, [one(name) for name in names]) if t is not None]
    return max(times), len(times)


async def bitlbee_bring_online(bitlbee, names, deadline=None):
    """Connects one IRC client per user (LOGIN_SLOTS at a time), identifies, waits for the
    stored XMPP account to log in; with a deadline (seconds), no client connects after it.
    Returns (seconds, clients); the clients of the users online stay connected."""
    started = time.monotonic()

    async def one(name):
        if deadline is not None and time.monotonic() - started > deadline:
            return None
        client = bl.AsyncIrc(bitlbee.port, name)
        await client.connect()
        client.say("identify " + PASSWORD)
        line = await client.wait_for(lambda text: text.startswith(":root!") and (
            "Logged in" in text or "Login error" in text or "Incorrect password" in text or
            "Couldn't log in" in text), timeout=600)
        if "Logged in" not in line:
            raise RuntimeError("BitlBee %s: %s" % (name, line))
        return time.monotonic() - started, client

    results = [r for r in await bl.gather_limited(LOGIN_SLOTS, [one(name) for name in names]) if r is not None]
    return max(seconds for seconds, _ in results), [client for _, client in results]


def lilac_memory(lilac):
    pids = lilac.processes()
    zygotes = lilac.zygote_pids()
    workers = [pid for pid in pids if pid != lilac.pid and pid not in zygotes]
    return {"all": bl.memory_of(pids), "gateway": bl.memory_of([lilac.pid]),
            "zygote": bl.memory_of(zygotes), "workers": bl.memory_of(workers),
            "worker_count": len(workers), "zygote_count": len(zygotes)}


def footprint_setup(ctx, k):
    """Prosody accounts, Lilac users with one stored XMPP account each, BitlBee users the same."""
    t0 = time.monotonic()
    lilac_names = ["lf%d" % i for i in range(k)]
    bitlbee_names = ["bf%d" % i for i in range(k)]
    for name in lilac_names + bitlbee_names:
        ctx.prosody.add_account(name, PASSWORD)

    lilac = ctx.lilac("footprint-%d" % k)
    lilac.add_user("admin", PASSWORD, admin=True)
    lilac.start()
    admin_token, _ = bl.lilac_login(lilac.port, "admin", PASSWORD)

    async def lilac_users():
        admin = bl.AsyncHttp(lilac.port, admin_token)
        for name in lilac_names:
            await admin.expect("POST", "users", {"username": name, "password": PASSWORD})
        await admin.close()
        return await lilac_bring_online(ctx, lilac, lilac_names, add_accounts=True)

    try:
        first_online, _ = run_async(lilac_users())
    finally:
        lilac.stop()
    lilac_setup = time.monotonic() - t0

    # the users are made on the lean BitlBee (much quicker to start children), then copied
    t1 = time.monotonic()
    lean = bl.BitlBee(os.path.join(ctx.root, "footprint-%d" % k), hide_gstreamer=True).start()

    async def bitlbee_users():
        await bl.gather_limited(LOGIN_SLOTS, [bl.bitlbee_add_user(lean, ctx.prosody, name, PASSWORD, PASSWORD)
                                              for name in bitlbee_names])
    try:
        run_async(bitlbee_users())
    finally:
        lean.stop()
    bitlbee = bl.BitlBee(os.path.join(ctx.root, "footprint-%d" % k))
    bitlbee.copy_users_from(lean)
    bl.log("footprint K=%d: set up in %.1f s (Lilac %.1f s, first sign-on %.1f s; BitlBee %.1f s)"
           % (k, time.monotonic() - t0, lilac_setup, first_online, time.monotonic() - t1))
    return lilac, {"bitlbee": bitlbee, "lean": lean}, lilac_names, bitlbee_names, lilac_setup, time.monotonic() - t1


def footprint_lilac_run(ctx, lilac, names, deadline=None):
    lilac.start()
    try:
        seconds, online = run_async(lilac_bring_online(ctx, lilac, names, add_accounts=False, deadline=deadline))
        time.sleep(SETTLE_SECONDS)
        memory = lilac_memory(lilac)
        mode = lilac_worker_mode(lilac)
    finally:
        lilac.stop()
    if memory["worker_count"] != online:
        ctx.raw["footprint"]["notes"].append("footprint K=%d: %d Lilac workers seen for %d users online"
                                             % (len(names), memory["worker_count"], online))
    return {"login_to_online_s": seconds, "online": online, "memory": memory, "worker_mode": mode,
            "pss_per_user_mib": memory["all"]["pss_kib"] / online / 1024,
            "workers_pss_per_user_mib": memory["workers"]["pss_kib"] / online / 1024}


def footprint_bitlbee_run(ctx, bitlbee, names, deadline=None):
    bitlbee.start()
    try:
        async def run():
            seconds, clients = await bitlbee_bring_online(bitlbee, names, deadline)
            await asyncio.sleep(SETTLE_SECONDS)
            kids = bitlbee.children()
            memory = {"children": bl.memory_of(kids), "master": bl.memory_of([bitlbee.pid]),
                      "child_count": len(kids)}
            for client in clients:
                await client.close()
            return seconds, len(clients), memory
        seconds, online, memory = run_async(run())
    finally:
        bitlbee.stop()
    if memory["child_count"] != online:
        ctx.raw["footprint"]["notes"].append("footprint K=%d: %d BitlBee children seen for %d users online"
                                             % (len(names), memory["child_count"], online))
    return {"login_to_online_s": seconds, "online": online, "memory": memory,
            "pss_per_user_mib": memory["children"]["pss_kib"] / online / 1024,
            "pss_per_user_with_master_mib": (memory["children"]["pss_kib"] + memory["master"]["pss_kib"]) / online / 1024}


def footprint_size(ctx, k, installed=True, deadline=None):
    """installed=False leaves out BitlBee as installed (its ~24 MiB per user does not fit K_max);
    with a deadline, each gateway logs users in for that many seconds only."""
    lilac, bitlbees, lilac_names, bitlbee_names, lilac_setup, bitlbee_setup = footprint_setup(ctx, k)
    runs = {"lilac": [], "bitlbee": [], "lean": [], "deadline": deadline,
            "setup_seconds": {"lilac": lilac_setup, "bitlbee": bitlbee_setup}}
    for r in range(ctx.repeat):
        runs["lilac"].append(footprint_lilac_run(ctx, lilac, lilac_names, deadline))
        for side in ("bitlbee", "lean") if installed else ("lean",):
            runs[side].append(footprint_bitlbee_run(ctx, bitlbees[side], bitlbee_names, deadline))
        report = []
        for side, label in (("lilac", "Lilac"), ("bitlbee", "BitlBee"), ("lean", "BitlBee -gst")):
            if runs[side]:
                run = runs[side][-1]
                report.append("%s %d online in %.1f s, %.2f MiB/user" % (label, run["online"], run["login_to_online_s"],
                                                                      run["pss_per_user_mib"]))
        bl.log("footprint K=%d run %d (%s): %s" % (k, r + 1, runs["lilac"][-1]["worker_mode"], "; ".join(report)))
    bl.remove_root(lilac.dir)
    for bitlbee in bitlbees.values():
        bl.remove_root(bitlbee.dir)
    return runs


def footprint_max_users(ctx, measured):
    """The pool for "as many as fit in 5 minutes": as many users as half of MemAvailable holds at
    the larger PSS per user measured at the largest K so far (Lilac or BitlBee -gst), at most 6,000 (each user is
    a Prosody connection, an IRC client here and about 3 descriptors of the gateway's). Each
    gateway then logs users of that pool in for 300 s; K is how many are online. BitlBee as
    installed (~24 MiB per user) is left out."""
    if ctx.footprint_max:
        return ctx.footprint_max, "pool given with --footprint-max"
    with open("/proc/meminfo") as meminfo:
        available = next(int(line.split()[1]) for line in meminfo if line.startswith("MemAvailable:"))
    if measured:
        largest = measured[max(measured, key=int)]
        per_user_kib = 1024 * max(max(run["pss_per_user_mib"] for run in largest[side]) for side in ("lilac", "lean"))
    else:  # only "max" asked for: BitlBee -gst's figure at K=10 here, rounded up
        per_user_kib = 5 * 1024
    by_memory = int(available / 2 / per_user_kib)
    k = max(200, min(by_memory, 6000)) // 100 * 100
    why = ("a pool of %d users (half of MemAvailable holds %d at the larger PSS per user; cap 6000), logged in for "
           "%d s on each gateway; BitlBee as installed left out" % (k, by_memory, ctx.footprint_seconds))
    return k, why


def bench_footprint(ctx):
    sizes = ctx.footprint_sizes or ([10] if ctx.quick else [10, 100, "max"])
    raw = {"sizes": {}, "notes": [],
           "zygote_setting": ctx.lilac_config().get("workers", {}).get("zygote", "default")}
    ctx.raw["footprint"] = raw
    for size in sizes:
        if size == "max":
            k, why = footprint_max_users(ctx, raw["sizes"])
            bl.log("footprint: K_max = %d (%s)" % (k, why))
            raw["notes"].append("footprint K_max=%d: %s" % (k, why))
        else:
            k = size
        raw["sizes"][str(k)] = footprint_size(ctx, k, installed=size != "max",
                                              deadline=ctx.footprint_seconds if size == "max" else None)
        raw["sizes"][str(k)]["k"] = k


def rows_footprint(ctx, raw):
    if "sizes" not in raw:   # results written before the raw numbers had this shape
        raw = {"sizes": raw, "notes": [], "zygote_setting": "default"}
    ctx.notes.extend(raw["notes"])
    modes = sorted({run["worker_mode"] for size in raw["sizes"].values() for run in size["lilac"]})
    zygote_setting = raw["zygote_setting"]
    masters = [run["memory"]["master"]["pss_kib"] / 1024 for size in raw["sizes"].values()
               for side in ("bitlbee", "lean") for run in size[side]]
    ctx.notes.append("footprint: Lilac measured with workers made by: %s ([workers] zygote = %s). Lilac's PSS "
                     "counts every process (gateway, zygote if any, workers); BitlBee's counts its ForkDaemon "
                     "children, not the master (%s MiB PSS, in the JSON)"
                     % (", ".join(modes), zygote_setting,
                        "%.1f-%.1f" % (min(masters), max(masters)) if masters else "not measured"))
    ctx.notes.append("footprint: 'BitlBee' is Debian's bitlbee-libpurple as installed: each child's libpurple starts "
                     "GStreamer device providers (PulseAudio, V4L2, DeckLink, Vulkan -> Mesa + LLVM), ~17 MiB "
                     "private each. 'BitlBee -gst' runs it with an empty GStreamer plugin path, which keeps all of "
                     "that out: the stricter comparison, and the one the targets are judged on")
    ctx.notes.append("footprint: %d users log in at once (a slot is held until that user's account is online); "
                     "memory is read %d s after the last account is online" % (LOGIN_SLOTS, SETTLE_SECONDS))
    for size in raw["sizes"].values():
        footprint_size_rows(ctx, size, modes[0] if len(modes) == 1 else "mixed")


def footprint_size_rows(ctx, size, mode):
    def pick(side, key):
        return bl.summary([run[key] for run in size[side]])

    lilac_pss, bitlbee_pss, lean_pss = (pick(side, "pss_per_user_mib") for side in ("lilac", "bitlbee", "lean"))
    lilac_time, bitlbee_time, lean_time = (pick(side, "login_to_online_s") for side in ("lilac", "bitlbee", "lean"))
    if size.get("deadline"):
        # the pool logged in for a fixed time: K differs between the gateways
        lilac_online, lean_online = pick("lilac", "online"), pick("lean", "online")
        k = "pool %d, %d s (Lilac %d, BitlBee %d online)" % (size["k"], size["deadline"], lilac_online["median"],
                                                        lean_online["median"])
        ctx.row("footprint", "users online after %d s of logins (pool %d), vs BitlBee -gst" % (size["deadline"], size["k"]),
                "users", lilac_online, lean_online, target=">= BitlBee",
                met=lilac_online["median"] >= lean_online["median"])
        if lean_online["median"] < size["k"]:
            ctx.notes.append("footprint: BitlBee's master tells every child of every new client over IPC (an "
                             "OPERMSG 'Client connecting (PID=...)' per child), so K logins cost O(K^2) wake-ups: "
                             "with hundreds of users online the machine ran at ~99% system CPU")
    else:
        k = "%d" % size["k"]
    if bitlbee_pss is not None:
        ctx.row("footprint", "PSS per user, K=%s, Lilac %s vs BitlBee" % (k, mode), "MiB", lilac_pss, bitlbee_pss)
    ctx.row("footprint", "PSS per user, K=%s, Lilac %s vs BitlBee -gst" % (k, mode), "MiB", lilac_pss, lean_pss,
            target="<= 0.5x BitlBee", met=lilac_pss["median"] <= 0.5 * lean_pss["median"], ratio_target=0.5)
    ctx.row("footprint", "  workers only vs children only (-gst), K=%s" % k, "MiB",
            pick("lilac", "workers_pss_per_user_mib"), lean_pss)
    if bitlbee_time is not None:
        ctx.row("footprint", "login to all online, K=%s, vs BitlBee" % k, "s", lilac_time, bitlbee_time)
    ctx.row("footprint", "login to all online, K=%s, vs BitlBee -gst" % k, "s", lilac_time, lean_time,
            target=None if size.get("deadline") else "<= BitlBee",
            met=None if size.get("deadline") else lilac_time["median"] <= lean_time["median"])


# ============================================================================= latency

class ClientProcess:
    """One of clients.py's roles as a child process; its stdout lines land in a queue."""

    def __init__(self, *args):
        self.process = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "clients.py")] + [str(a) for a in args],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, prefix, timeout=60.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError("no %r from %s" % (prefix, self.process.args[2]))
            if line is None:
                raise RuntimeError("%s exited (%s)" % (self.process.args[2:4], self.process.wait()))
            if line.startswith(prefix):
                return line

    def send(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def latency_phase(sender, receiver, to, tag, count, rate, pids_of):
    """Sends count messages (paced at rate/s, or as fast as possible when rate is None) and
    waits for all of them at the receiver; returns the latencies (ms) and the figures."""
    pids = pids_of()
    cpu_before = bl.cpu_seconds(pids)
    if rate:
        sender.send("paced %s %d %f %s" % (tag, count, rate, to))
    else:
        sender.send("burst %s %d %s" % (tag, count, to))
    got = {}
    deadline = time.monotonic() + 120 + count / (rate or 1000)
    while len(got) < count:
        try:
            line = receiver.lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            raise RuntimeError("the receiver exited")
        parts = line.split()
        if len(parts) == 4 and parts[0] == tag:
            got[int(parts[1])] = (int(parts[2]), int(parts[3]))
    done = sender.expect("DONE").split()
    cpu_after = bl.cpu_seconds(pids_of())
    latencies = sorted((received - sent) / 1e6 for sent, received in got.values())
    first_sent = int(done[1])
    last_received = max((received for _, received in got.values()), default=first_sent)
    return {"sent": count, "received": len(got), "lost": count - len(got),
            "p50_ms": bl.percentile(latencies, 0.5), "p99_ms": bl.percentile(latencies, 0.99),
            "max_ms": latencies[-1] if latencies else None,
            "messages_per_s": len(got) / max(1e-9, (last_received - first_sent) / 1e9),
            "cpu_s": cpu_after - cpu_before, "processes": len(pids)}


def bench_latency(ctx):
    count = 2000
    rate = 500.0
    prosody = ctx.prosody
    for name in ("latsender", "latlilac", "latbitlbee", "latdirect"):
        prosody.add_account(name, PASSWORD)
    prosody.set_roster("latsender", ["latlilac@localhost", "latbitlbee@localhost", "latdirect@localhost"])
    for name in ("latlilac", "latbitlbee", "latdirect"):
        prosody.set_roster(name, ["latsender@localhost"])

    lilac = ctx.lilac("latency")
    lilac.add_user("latlilac", PASSWORD)
    lilac.start()
    bitlbee = bl.BitlBee(os.path.join(ctx.root, "latency")).start()
    processes = []
    try:
        token, _ = bl.lilac_login(lilac.port, "latlilac", PASSWORD)

        async def setup():
            http = bl.AsyncHttp(lilac.port, token)
            await http.expect("POST", "accounts", prosody.xmpp_account("latlilac", PASSWORD))
            await lilac_wait_online(http)
            await http.close()
            await bl.bitlbee_add_user(bitlbee, prosody, "latbitlbee", PASSWORD, PASSWORD)
        run_async(setup())

        sender = ClientProcess("send", prosody.port, "latsender", PASSWORD)
        lilac_rx = ClientProcess("lilac", lilac.port, token)
        irc_rx = ClientProcess("irc", bitlbee.port, "latbitlbee", PASSWORD)
        direct_rx = ClientProcess("xmpp", prosody.port, "latdirect", PASSWORD)
        processes = [sender, lilac_rx, irc_rx, direct_rx]
        for process in processes:
            process.expect("READY", 60)
        sides = {
            "lilac": (lilac_rx, "latlilac@localhost", lambda: lilac.processes()),
            "bitlbee": (irc_rx, "latbitlbee@localhost", lambda: [bitlbee.pid] + bitlbee.children()),
            "floor": (direct_rx, "latdirect@localhost", lambda: []),
        }
        for side, (receiver, to, pids_of) in sides.items():
            warm = latency_phase(sender, receiver, to, "warm%s" % side, 50, 100.0, pids_of)
            if warm["lost"]:
                raise RuntimeError("%s: %d of 50 warm-up messages lost" % (side, warm["lost"]))
        raw = {"lilac": [], "bitlbee": [], "floor": [], "count": count, "rate": rate}
        for r in range(ctx.repeat):
            for side, (receiver, to, pids_of) in sides.items():
                paced = latency_phase(sender, receiver, to, "p%d%s" % (r, side), count, rate, pids_of)
                time.sleep(0.5)
                burst = latency_phase(sender, receiver, to, "b%d%s" % (r, side), count, None, pids_of)
                time.sleep(0.5)
                raw[side].append({"paced": paced, "burst": burst})
                bl.log("latency run %d %s: paced p50 %.2f p99 %.2f max %.2f ms, lost %d, cpu %.2f s; burst %.0f msg/s, lost %d"
                       % (r + 1, side, paced["p50_ms"], paced["p99_ms"], paced["max_ms"], paced["lost"],
                          paced["cpu_s"], burst["messages_per_s"], burst["lost"]))
        raw["lilac_worker_mode"] = lilac_worker_mode(lilac)
    finally:
        for process in processes:
            process.stop()
        lilac.stop()
        bitlbee.stop()
    ctx.raw["latency"] = raw


def rows_latency(ctx, raw):
    count, rate = raw["count"], raw["rate"]

    def pick(side, phase, key):
        return bl.summary([run[phase][key] for run in raw[side]])

    p50 = (pick("lilac", "paced", "p50_ms"), pick("bitlbee", "paced", "p50_ms"))
    p99 = (pick("lilac", "paced", "p99_ms"), pick("bitlbee", "paced", "p99_ms"))
    label = "%d msgs at %d/s" % (count, rate)
    ctx.row("latency", "p50, %s" % label, "ms", *p50, target="<= 0.5x BitlBee",
            met=p50[0]["median"] <= 0.5 * p50[1]["median"], ratio_target=0.5)
    ctx.row("latency", "p99, %s" % label, "ms", *p99, target="< 10 ms", met=p99[0]["median"] < 10)
    if raw.get("floor"):
        # the same messages read by a raw XMPP client on Prosody: the sender, Prosody and the
        # loopback, which every gateway's figure includes; above it is the gateway's own share
        floor = [run["paced"]["p50_ms"] for run in raw["floor"]]
        ctx.notes.append("latency: p50 with no gateway (a raw XMPP client on Prosody) %s ms"
                         % bl.summary(floor)["median"])

        def above_floor(side):
            return bl.summary([run["paced"]["p50_ms"] - low for run, low in zip(raw[side], floor)])
        ctx.row("latency", "p50 above the no-gateway floor, %s" % label, "ms",
                above_floor("lilac"), above_floor("bitlbee"))
    ctx.row("latency", "max, %s" % label, "ms", pick("lilac", "paced", "max_ms"), pick("bitlbee", "paced", "max_ms"))
    ctx.row("latency", "gateway CPU for %s" % label, "s", pick("lilac", "paced", "cpu_s"),
            pick("bitlbee", "paced", "cpu_s"))
    ctx.row("latency", "messages/s, %d sent at once" % count, "msg/s", pick("lilac", "burst", "messages_per_s"),
            pick("bitlbee", "burst", "messages_per_s"))
    ctx.row("latency", "p99, %d sent at once" % count, "ms", pick("lilac", "burst", "p99_ms"),
            pick("bitlbee", "burst", "p99_ms"))
    ctx.row("latency", "gateway CPU for %d sent at once" % count, "s", pick("lilac", "burst", "cpu_s"),
            pick("bitlbee", "burst", "cpu_s"))
    lost = sum(run[phase]["lost"] for side in ("lilac", "bitlbee") for run in raw[side] for phase in ("paced", "burst"))
    if lost:
        ctx.notes.append("latency: %d messages were not received" % lost)


# =============================================================================== polls

def polls_users(ctx, lilac, count, admin_token):
    """count users (cheap Argon2), each logged in once: a file of "ID TOKEN" lines."""
    names = ["p%d" % i for i in range(count)]

    async def create():
        async def make(chunk):
            http = bl.AsyncHttp(lilac.port, admin_token)
            for name in chunk:
                await http.expect("POST", "users", {"username": name, "password": PASSWORD})
            await http.close()

        async def login(chunk):
            http = bl.AsyncHttp(lilac.port)
            tokens = []
            for name in chunk:
                answer = await http.expect("POST", "session", {"username": name, "password": PASSWORD})
                tokens.append((answer["user"]["id"], answer["token"]))
            await http.close()
            return tokens

        chunks = [names[i::8] for i in range(8)]
        await asyncio.gather(*(make(chunk) for chunk in chunks))
        results = await asyncio.gather(*(login(chunk) for chunk in chunks))
        return [pair for chunk in results for pair in chunk]

    started = time.monotonic()
    pairs = run_async(create())
    path = os.path.join(lilac.dir, "users.txt")
    with open(path, "w") as out:
        for user_id, token in pairs:
            out.write("%s %s\n" % (user_id, token))
    bl.log("polls: %d users created and logged in in %.1f s" % (count, time.monotonic() - started))
    return path


# At most this many users, logged in once each: past it, polls go several per user ("tabs").
# (Until data keys shared sodium_malloc blocks, each logged-in user cost 4 memory mappings and
# vm.max_map_count, 65530 here, stopped a gateway near 16,000 of them.)
POLL_USERS_MAX = 20000


def polls_per_user(count):
    per_user = -(-count // POLL_USERS_MAX)
    while count % per_user:
        per_user += 1
    return per_user


def map_count(pid):
    with open("/proc/%d/maps" % pid) as maps:
        return sum(1 for _ in maps)


# Of the events a second, these come from real XMPP clients: XMPP_SENDERS slixmpp senders, each
# writing to one poll user whose account is online on the private Prosody; the rest are broadcasts.
XMPP_SENDERS = 4
XMPP_RATE = 200


def polls_xmpp_setup(ctx, lilac, users_file):
    """The first XMPP_SENDERS poll users get an XMPP account, always on (so that it signs on again
    by itself each time the gateway restarts), and a slixmpp sender each; returns their tokens and
    the senders."""
    prosody = ctx.prosody
    with open(users_file) as lines:
        tokens = [line.split()[1] for line, _ in zip(lines, range(XMPP_SENDERS))]
    for k in range(XMPP_SENDERS):
        prosody.add_account("pollrx%d" % k, PASSWORD)
        prosody.add_account("pollsx%d" % k, PASSWORD)
        prosody.set_roster("pollrx%d" % k, ["pollsx%d@localhost" % k])
        prosody.set_roster("pollsx%d" % k, ["pollrx%d@localhost" % k])

    async def setup():
        for k, token in enumerate(tokens):
            http = bl.AsyncHttp(lilac.port, token)
            await http.expect("POST", "accounts", prosody.xmpp_account("pollrx%d" % k, PASSWORD))
            await http.expect("PATCH", "users/me/settings", {"always_on": True})
            await lilac_wait_online(http)
            await http.close()
    run_async(setup())
    senders = [ClientProcess("send", prosody.port, "pollsx%d" % k, PASSWORD) for k in range(XMPP_SENDERS)]
    for sender in senders:
        sender.expect("READY", 60)
    return tokens, senders


def polls_xmpp_online(lilac, tokens):
    async def wait():
        for token in tokens:
            http = bl.AsyncHttp(lilac.port, token)
            await lilac_wait_online(http)
            await http.close()
    run_async(wait())


def polls_run(ctx, lilac, args, senders, seconds):
    """Runs pollers; when it starts publishing, the XMPP senders start too. Returns its figures."""
    per_sender = XMPP_RATE * seconds // XMPP_SENDERS
    process = subprocess.Popen(args + ["--xmpp", "%d:%d" % (XMPP_SENDERS, per_sender)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors = []

    def follow():
        for line in process.stderr:
            errors.append(line)
            if line.startswith("pollers: publishing"):
                for k, sender in enumerate(senders):
                    sender.send("paced x%d %d %f pollrx%d@localhost" % (k, per_sender, XMPP_RATE / XMPP_SENDERS, k))
    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    output = process.stdout.read()
    process.wait()
    reader.join(10)
    if process.returncode not in (0, 2) or not output.strip():
        raise RuntimeError("pollers failed: %s\n%s" % ("".join(errors)[-2000:], lilac.log_tail()))
    for sender in senders:
        sender.expect("DONE", 60)
    return json.loads(output)


def bench_polls(ctx):
    sizes = ctx.poll_sizes or ([1000] if ctx.quick else [1000, 5000, 10000, 18000])
    seconds = 5 if ctx.quick else 10
    rate = 2000
    lilac = ctx.lilac("polls")
    lilac.add_user("admin", PASSWORD, admin=True)
    lilac.start()
    raw = {"rate": rate, "seconds": seconds, "sizes": {},
           "max_map_count": open("/proc/sys/vm/max_map_count").read().strip()}
    senders = []
    try:
        admin_token, _ = bl.lilac_login(lilac.port, "admin", PASSWORD)
        users_file = polls_users(ctx, lilac, max(count // polls_per_user(count) for count in sizes), admin_token)
        tokens, senders = polls_xmpp_setup(ctx, lilac, users_file)
        for count in sizes:
            runs = []
            for r in range(ctx.repeat):
                # a fresh gateway process for each run: "before" is a gateway with C sessions only
                lilac.stop()
                lilac.start()
                polls_xmpp_online(lilac, tokens)
                maps_before = map_count(lilac.pid)
                rss_start = bl.rss_kib(lilac.pid)
                run = polls_run(ctx, lilac, [ctx.pollers, "--port", str(lilac.port), "--admin", admin_token,
                                             "--users", users_file, "--count", str(count), "--pid", str(lilac.pid),
                                             "--per-user", str(polls_per_user(count)),
                                             "--rate", str(rate - XMPP_RATE), "--seconds", str(seconds),
                                             "--addresses", "8", "--timeout", "60"], senders, seconds)
                run["maps_per_session"] = (map_count(lilac.pid) - maps_before) / run["users"]
                run["rss_per_session_kib"] = (run["rss_before_kib"] - rss_start) / run["users"]
                runs.append(run)
                bl.log("polls C=%d run %d: %.0f B/poll, p50 %.2f p99 %.2f max %.2f ms, %d delivered of %d "
                       "acknowledged (+%d unacknowledged); XMPP %d messages, %d missing, p50 %.2f p99 %.2f ms; "
                       "contiguous %s, cpu %.2f s, %d connections opened"
                       % (count, r + 1, run["rss_per_poll_bytes"], run["latency_ms"]["p50"],
                          run["latency_ms"]["p99"], run["latency_ms"]["max"], run["delivered"], run["acknowledged"],
                          run["unacknowledged"], run["xmpp"]["messages"], run["xmpp"]["missing"],
                          run["xmpp"]["latency_ms"]["p50"], run["xmpp"]["latency_ms"]["p99"],
                          run["sequence"]["contiguous"], run["cpu_publish_seconds"], run["connections_reopened"]))
            raw["sizes"][str(count)] = runs
    finally:
        for sender in senders:
            sender.stop()
        lilac.stop()
    ctx.raw["polls"] = raw


def rows_polls(ctx, raw):
    sizes = sorted(int(count) for count in raw["sizes"])
    rate, seconds = raw["rate"], raw["seconds"]
    na = "BitlBee has no HTTP long polls (an IRC client keeps one TCP connection per user)"
    first = raw["sizes"][str(sizes[0])][0]
    maps_limit = int(int(raw.get("max_map_count", 65530)) / max(1e-3, first["maps_per_session"]))
    ctx.notes.append("polls: events published at %d/s for %d s: targeted admin broadcasts to random users (one "
                     "user each) and, %d/s of them, messages from %d real XMPP clients (slixmpp through Prosody) to "
                     "as many users; C polls from 8 source addresses; polls per user: %s. Each logged-in user "
                     "costs %.2f memory mappings (vm.max_map_count %s: ~%d users a process) and %.1f KiB RSS "
                     "(session, event ring) before any poll" % (
                         rate, seconds, XMPP_RATE, XMPP_SENDERS,
                         ", ".join("%d at C=%d" % (polls_per_user(c), c) for c in sizes),
                         first["maps_per_session"], raw.get("max_map_count", 65530), maps_limit,
                         first["rss_per_session_kib"]))
    if any(not run["gateway_keeps_alive"] for runs in raw["sizes"].values() for run in runs):
        ctx.notes.append("polls: the gateway closes the connection after every answer libsoup writes (no keep-alive, "
                         "no 'Connection: close' either): each broadcast takes a connection of its own. Parked polls, "
                         "answered by the gateway's own write, keep theirs")
    if len(sizes) > 1:
        polls_growth_note(ctx, raw, sizes)
    for count in sizes:
        runs = raw["sizes"][str(count)]
        label = "C=%d" % count
        per_poll = bl.summary([run["rss_per_poll_bytes"] for run in runs])
        p99 = bl.summary([run["latency_ms"]["p99"] for run in runs])
        contiguous = all(run["sequence"]["contiguous"] for run in runs)
        ctx.row("polls", "gateway RSS per held poll, %s" % label, "B", per_poll, na=na,
                target="<= 4 KB", met=per_poll["median"] <= 4096)
        ctx.row("polls", "publish-to-delivery p50, %s, %d ev/s" % (label, rate), "ms",
                bl.summary([run["latency_ms"]["p50"] for run in runs]), na=na)
        ctx.row("polls", "publish-to-delivery p99, %s, %d ev/s" % (label, rate), "ms", p99, na=na,
                target="< 50 ms" if count >= 18000 else None, met=(p99["median"] < 50) if count >= 18000 else None)
        ctx.row("polls", "publish-to-delivery max, %s" % label, "ms",
                bl.summary([run["latency_ms"]["max"] for run in runs]), na=na)
        if all("xmpp" in run for run in runs):
            ctx.row("polls", "XMPP send-to-delivery p50, %s" % label, "ms",
                    bl.summary([run["xmpp"]["latency_ms"]["p50"] for run in runs]), na=na)
            ctx.row("polls", "XMPP send-to-delivery p99, %s" % label, "ms",
                    bl.summary([run["xmpp"]["latency_ms"]["p99"] for run in runs]), na=na)
        ctx.row("polls", "gateway CPU per delivered event, %s" % label, "us",
                bl.summary([run["cpu_publish_seconds"] * 1e6 / max(1, run["delivered"]) for run in runs]), na=na)
        ctx.row("polls", "gateway CPU while %d polls idle, 2 s" % count, "s",
                bl.summary([run["cpu_idle_2s_seconds"] for run in runs]), na=na)
        ctx.row("polls", "time to hold %d polls" % count, "s",
                bl.summary([run["connect_seconds"] for run in runs]), na=na)
        ctx.row("polls", "events delivered, %s (every client contiguous: %s)" % (label, "yes" if contiguous else "NO"),
                "events", bl.summary([run["delivered"] + run.get("xmpp", {}).get("latency_ms", {}).get("samples", 0)
                                      for run in runs]), na=na,
                target="no loss, no dup", met=contiguous)
        unacknowledged = sum(run["unacknowledged"] for run in runs)
        if unacknowledged:
            ctx.notes.append("polls %s: %d broadcasts lost their answer to a closed connection (%d of them were "
                             "delivered); they are left out of the loss check" % (
                                 label, unacknowledged, sum(run["unacknowledged_delivered"] for run in runs)))


def polls_growth_note(ctx, raw, sizes):
    """How memory and CPU grow with C, and what that says of 100,000 polls in one process."""
    def median(count, key):
        return bl.summary([key(run) for run in raw["sizes"][str(count)]])["median"]

    low, high = sizes[0], sizes[-1]
    held = lambda run: run["rss_held_kib"] - run["rss_before_kib"]  # noqa: E731
    slope = (median(high, held) - median(low, held)) * 1024.0 / (high - low)
    cpu = [median(c, lambda run: run["cpu_publish_seconds"] * 1e6 / max(1, run["delivered"])) for c in sizes]
    session = median(low, lambda run: run["rss_per_session_kib"])
    raw["growth"] = {"bytes_per_poll_slope": slope, "cpu_us_per_delivery": dict(zip(sizes, cpu)),
                                  "session_kib": session}
    ctx.notes.append(
        "polls growth: held-poll memory grows by %.0f B per poll between C=%d and C=%d (%.0f MiB for 100,000); "
        "CPU per delivered event %s us at C=%s (flat: the cost is per event, not per held poll); idle CPU "
        "with every poll held stays ~0. 100,000 logged-in users with a poll each in one process: about "
        "%.0f MiB of sessions (%.1f KiB each before any poll) plus %.0f MiB of polls, and 100,000 descriptors "
        "(this machine allows 20,000 a process)" % (
            slope, low, high, slope * 100000 / 2**20, "/".join("%.0f" % v for v in cpu),
            "/".join(str(c) for c in sizes), session * 100000 / 1024, session, slope * 100000 / 2**20))


# ================================================================================= api

WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
WRK_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)


def wrk(url, token, connections, threads, seconds):
    result = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "--latency",
                             "-H", "Authorization: Bearer " + token, url],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=seconds + 60)
    text = result.stdout
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    latency = {int(p): float(v) * scale[u] for p, v, u in WRK_LATENCY.findall(text)}
    rate = WRK_RATE.search(text)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    requests = re.search(r"(\d+) requests in", text)
    if rate is None or 99 not in latency:
        raise RuntimeError("cannot read wrk's output:\n" + text)
    return {"rps": float(rate.group(1)), "p50_ms": latency[50], "p99_ms": latency[99],
            "non_2xx": int(errors.group(1)) if errors else 0, "requests": int(requests.group(1)),
            "read_errors": int(socket_errors.group(2)) if socket_errors else 0, "output": text}


def bench_api(ctx):
    prosody = ctx.prosody
    contacts = ["apic%d" % i for i in range(500)]
    prosody.add_account("apialice", PASSWORD)
    for name in contacts:
        prosody.add_account(name, PASSWORD)
        prosody.set_roster(name, ["apialice@localhost"])
    prosody.set_roster("apialice", ["%s@localhost" % name for name in contacts])
    lilac = ctx.lilac("api")
    lilac.add_user("alice", PASSWORD)
    lilac.start()
    seconds = 5 if ctx.quick else 10
    raw = {"runs_8": [], "runs_1": []}
    try:
        token, _ = bl.lilac_login(lilac.port, "alice", PASSWORD)
        http = bl.Http(lilac.port, token)
        account = http.expect("POST", "accounts", prosody.xmpp_account("apialice", PASSWORD))

        async def online():
            client = bl.AsyncHttp(lilac.port, token)
            await lilac_wait_online(client)
            await client.close()
        run_async(online())
        bl.wait_until(lambda: len(http.expect("GET", "state")["buddies"]) >= 500, 60, "500 buddies in /state")
        for name in contacts[:50]:
            http.expect("POST", "messages", {"account": account["id"], "to": "%s@localhost" % name,
                                             "text": "hello %s" % name})
        bl.wait_until(lambda: len(http.expect("GET", "state")["conversations"]) >= 50, 60, "50 conversations")
        state = http.expect("GET", "state")
        raw["buddies"] = len(state["buddies"])
        raw["conversations"] = len(state["conversations"])
        raw["state_bytes"] = len(json.dumps(state, separators=(",", ":")))
        http.close()
        url = "http://127.0.0.1:%d/api/v1/state" % lilac.port
        wrk(url, token, 8, 2, 2)  # warm-up
        for r in range(ctx.repeat):
            cpu_before = bl.cpu_seconds([lilac.pid])
            run = wrk(url, token, 8, 2, seconds)
            run["gateway_cpu_s"] = bl.cpu_seconds([lilac.pid]) - cpu_before
            raw["runs_8"].append(run)
            raw["runs_1"].append(wrk(url, token, 1, 1, max(3, seconds // 2)))
            bl.log("api run %d: %.0f req/s, p99 %.2f ms (8 connections); p99 %.2f ms (1 connection)"
                   % (r + 1, run["rps"], run["p99_ms"], raw["runs_1"][-1]["p99_ms"]))
    finally:
        lilac.stop()
    ctx.raw["api"] = raw


def rows_api(ctx, raw):
    na = "BitlBee has no state API: an IRC client gets the buddy list once, as channel joins, at login"
    label = "%d buddies, %d conversations, %d B" % (raw["buddies"], raw["conversations"], raw["state_bytes"])
    ctx.row("api", "GET /state req/s (wrk 8 conns, 2 thr; %s)" % label, "req/s",
            bl.summary([run["rps"] for run in raw["runs_8"]]), na=na)
    ctx.row("api", "GET /state p99, 8 connections", "ms", bl.summary([run["p99_ms"] for run in raw["runs_8"]]), na=na)
    ctx.row("api", "GET /state p50, 1 connection", "ms", bl.summary([run["p50_ms"] for run in raw["runs_1"]]), na=na)
    ctx.row("api", "GET /state p99, 1 connection", "ms", bl.summary([run["p99_ms"] for run in raw["runs_1"]]), na=na)
    if any(run["non_2xx"] for run in raw["runs_8"] + raw["runs_1"]):
        ctx.notes.append("api: wrk saw non-2xx answers")
    closed = sum(run["read_errors"] for run in raw["runs_8"]) / max(1, sum(run["requests"] for run in raw["runs_8"]))
    if closed > 0.5:
        ctx.notes.append("api: the gateway closed the connection after %.0f%% of the answers (wrk read errors): wrk "
                         "reconnects for nearly every request, so these figures include a TCP connect each" % (100 * closed))


# =============================================================================== table

def fmt(value):
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return "%.0f" % value
    if magnitude >= 100:
        return "%.1f" % value
    if magnitude >= 10:
        return "%.2f" % value
    return "%.3f" % value


def fmt_summary(summary):
    if summary is None:
        return "-"
    if summary["n"] == 1:
        return fmt(summary["median"])
    return "%s [%s-%s]" % (fmt(summary["median"]), fmt(summary["min"]), fmt(summary["max"]))


def table(ctx, repeat):
    header = ("metric", "unit", "Lilac median [min-max]", "BitlBee median [min-max]", "Lilac/BitlBee", "target", "met")
    lines = []
    for row in ctx.rows:
        ratio = "-"
        if row["bitlbee"] is not None and row["bitlbee"]["median"]:
            ratio = "%.2fx" % (row["lilac"]["median"] / row["bitlbee"]["median"])
        bitlbee = fmt_summary(row["bitlbee"]) if row["bitlbee"] is not None else ("n/a" if row["bitlbee_na"] else "-")
        met = "-" if row["met"] is None else ("yes" if row["met"] else "NO")
        lines.append((row["bench"] + ": " + row["metric"], row["unit"], fmt_summary(row["lilac"]), bitlbee, ratio,
                      row["target"] or "", met))
    widths = [max(len(line[i]) for line in lines + [header]) for i in range(len(header))]
    out = []
    out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)))
    out.append("  ".join("-" * width for width in widths))
    for line in lines:
        out.append("  ".join(cell.ljust(widths[i]) if i != 1 else cell.ljust(widths[i]) for i, cell in enumerate(line)))
    out.append("")
    out.append("Notes:")
    out.append("- every figure is the median of %d run(s) [min-max]; ratio = Lilac median / BitlBee median" % repeat)
    out.append("- targets: memory per user <= 0.5x BitlBee; message latency p50 <= 0.5x BitlBee and p99 < 10 ms; "
               "18,000 held polls with p99 publish-to-delivery < 50 ms at 2,000 events/s and <= 4 KB of gateway "
               "memory per held poll; login to online no slower than BitlBee")
    nas = sorted({row["bitlbee_na"] for row in ctx.rows if row["bitlbee_na"]})
    for reason in nas:
        out.append("- n/a: " + reason)
    for note in ctx.notes:
        out.append("- " + note)
    return "\n".join(out)


def on_sigterm(_signum, _frame):
    raise KeyboardInterrupt()


def git_describe():
    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
        return commit + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def build_table(ctx, meta, failures):
    """The rows and notes from ctx.raw (as measured now, or read back with --table)."""
    ctx.rows, ctx.notes = [], []
    for name in NAMES:
        if name in ctx.raw:
            globals()["rows_" + name](ctx, ctx.raw[name])
    for name, failure in failures.items():
        ctx.notes.append("%s FAILED: %s" % (name, failure))
    ctx.notes.insert(0, "Lilac %s; workers seen: %s; BitlBee %s (ForkDaemon); Prosody %s; %d CPUs; %s mode; took %.0f s"
                     % (meta["lilac_commit"][:12], ", ".join(meta["lilac_worker_mode_seen"]) or "-", meta["bitlbee"],
                        meta["prosody"], meta["host"]["cpus"], "quick" if meta["quick"] else "full", meta["seconds"]))
    ctx.notes.append("load average (1 min) before/after each benchmark, from other work on this shared machine "
                     "as well as ours: %s" % "; ".join("%s %s/%s" % (name, value["before"][0], value["after"][0])
                                                        for name, value in meta["load"].items()))
    return table(ctx, meta["repeat"])


def worker_modes(raw):
    modes = {run.get("worker_mode") for size in raw.get("footprint", {}).get("sizes", {}).values()
             for run in size["lilac"]}
    if "latency" in raw:
        modes.add(raw["latency"]["lilac_worker_mode"])
    return sorted(modes)


def measure(ctx, names, args):
    """Runs the benchmarks; returns (meta, failures)."""
    started = time.monotonic()
    # SIGTERM (a timeout, a kill) ends the run like ^C: every server started here is stopped
    signal.signal(signal.SIGTERM, on_sigterm)
    bl.log("temporary folder %s" % ctx.root)
    failures = {}
    try:
        ctx.prosody = bl.Prosody(ctx.root).start()
        for name in names:
            waited = bl.wait_quiet()
            bl.log("=== %s (after waiting %.0f s for the CPUs to calm down)" % (name, waited))
            t0 = time.monotonic()
            load_before = open("/proc/loadavg").read().split()[:3]
            try:
                globals()["bench_" + name](ctx)
            except Exception as error:  # one benchmark failing does not lose the others' figures
                traceback.print_exc()
                failures[name] = "%s: %s" % (type(error).__name__, error)
            bl.log("=== %s took %.0f s" % (name, time.monotonic() - t0))
            ctx.load[name] = {"before": load_before, "after": open("/proc/loadavg").read().split()[:3],
                              "seconds": round(time.monotonic() - t0, 1), "waited_for_quiet": waited}
    except KeyboardInterrupt:
        failures["interrupted"] = "interrupted"
        bl.log("interrupted: stopping everything")
    finally:
        bl.stop_all()
        if not args.keep:
            bl.remove_root(ctx.root)
    meta = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "lilac_commit": git_describe(),
        "lilac_config": ctx.lilac_config(),
        "lilac_worker_mode_seen": worker_modes(ctx.raw),
        "bitlbee": subprocess.run(["dpkg-query", "-W", "-f=${Version}", "bitlbee-libpurple"],
                                  stdout=subprocess.PIPE, text=True).stdout,
        "prosody": subprocess.run(["dpkg-query", "-W", "-f=${Version}", "prosody"], stdout=subprocess.PIPE,
                                  text=True).stdout,
        "host": {"cpus": os.cpu_count(), "kernel": platform.release(),
                 "memory_kib": int(open("/proc/meminfo").readline().split()[1])},
        "quick": args.quick, "repeat": args.repeat, "benchmarks": names,
        "seconds": round(time.monotonic() - started, 1),
        "login_slots": LOGIN_SLOTS, "settle_seconds": SETTLE_SECONDS, "load": ctx.load,
    }
    return meta, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME", help="one of %s (default: all)" % ", ".join(NAMES))
    parser.add_argument("--quick", action="store_true", help="every benchmark at its smallest size")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median, min, max)")
    parser.add_argument("--build", help="Lilac's meson build folder")
    parser.add_argument("--pollers", help="the compiled bench/pollers.c")
    parser.add_argument("--lilac-config", action="append", metavar="GROUP.KEY=VALUE",
                        help="a Lilac configuration value, e.g. workers.zygote=false (repeatable)")
    parser.add_argument("--footprint-max", type=int, help="the pool of users of the largest footprint run "
                        "(default: what half of the available memory holds)")
    parser.add_argument("--footprint-seconds", type=int, default=300, help="how long the largest footprint run "
                        "logs users in (default 300)")
    parser.add_argument("--poll-sizes", metavar="C,C,...", help="held polls per run (default 1000 quick, "
                        "1000,5000,10000,18000 full)")
    parser.add_argument("--footprint-sizes", metavar="K,K,...", help="users per footprint run, 'max' for what fits "
                        "in 5 minutes (default 10 quick, 10,100,max full)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--table", metavar="RESULTS.json", help="print the table of an earlier run again, and exit")
    args = parser.parse_args()
    if args.table:
        with open(args.table) as saved:
            data = json.load(saved)
        ctx = Context(args, measuring=False)
        ctx.raw = data["raw"]
        print(build_table(ctx, data["meta"], data.get("failures", {})))
        return 0
    names = args.names or list(NAMES)
    for name in names:
        if name not in NAMES:
            parser.error("unknown benchmark %r (choose from %s)" % (name, ", ".join(NAMES)))
    if not args.build or not args.pollers:
        parser.error("--build and --pollers are needed to measure (bench/run gives them)")
    ctx = Context(args)
    meta, failures = measure(ctx, names, args)
    text = build_table(ctx, meta, failures)
    print(text)
    results = os.path.join(HERE, "results")
    os.makedirs(results, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S") + ("-quick" if args.quick else "")
    with open(os.path.join(results, stamp + ".json"), "w") as out:
        json.dump({"meta": meta, "rows": ctx.rows, "notes": ctx.notes, "raw": ctx.raw, "failures": failures},
                  out, indent=1)
    with open(os.path.join(results, stamp + ".txt"), "w") as out:
        out.write(text + "\n")
    print("\nraw numbers: %s" % os.path.join(results, stamp + ".json"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
