#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Crash isolation: with two users online, one user's worker is killed with SIGKILL. That user's
stream shows the worker restarting then running and the account back online within 10 s; the other
user's worker and held long poll are untouched; messages sent to the first user while the worker
was down arrive afterwards (Prosody keeps them offline): nothing is lost. The zygote the workers are
forked from may die too: the workers it made go on, and workers still start."""

import os
import signal
import threading
import time

import lilac_harness as h
from lilac_harness import expect

PASSWORDS = {"alice": "alice-crash-pw", "bob": "bob-crash-pw", "carol": "carol-crash-pw"}
USERS = {"root": "root-crash-pw", "ann": "ann-crash-pw", "ben": "ben-crash-pw"}
WHILE_DOWN = ["sent while the worker was down %d" % number for number in range(3)]

prosody = lilac = admin = ann = ben = bob = None
alice = carol = None


def setup_module():
    global prosody, lilac, admin, ann, ben, bob
    prosody = h.start_prosody(**PASSWORDS)
    bob = h.XmppPeer(prosody.jid("bob"), PASSWORDS["bob"], prosody.port).start()
    lilac = h.Lilac()
    for name, password in USERS.items():
        lilac.add_user(name, password, admin=(name == "root"))
    lilac.start()
    admin = h.log_in(lilac, "root", USERS["root"])
    ann = h.log_in(lilac, "ann", USERS["ann"])
    ben = h.log_in(lilac, "ben", USERS["ben"])


def worker_pid(name):
    status, users = admin.get("admin/users")
    expect(status == 200, "GET /admin/users answered %s" % status)
    return next(user for user in users if user["name"] == name)["worker_pid"]


def from_alice(kind):
    return lambda p: p["type"] == kind and p["from"].startswith(prosody.jid("alice"))


@h.timeout(90)
def test_two_users_online():
    global alice, carol
    alice = ann.add_account(prosody.xmpp_account("alice", PASSWORDS["alice"]))
    carol = ben.add_account(prosody.xmpp_account("carol", PASSWORDS["carol"]))
    ann.wait_online(alice["id"], timeout=45)
    ben.wait_online(carol["id"], timeout=45)
    # bob and alice see each other's presence, so bob knows when alice's worker is gone
    status, body = ann.patch("users/me/settings", json={"subscription_policy": "accept_all"})
    expect(status == 200, "PATCH /users/me/settings answered %s %r" % (status, body))
    status, body = ann.post("buddies", json={"account": alice["id"], "name": prosody.jid("bob")})
    expect(status == 202, "POST /buddies answered %s %r" % (status, body))
    bob.wait_presence(from_alice("available"), timeout=20)
    expect(worker_pid("ann") > 0 and worker_pid("ben") > 0, "a user has no worker")


@h.timeout(90)
def test_kill_one_worker():
    ann_pid, ben_pid = worker_pid("ann"), worker_pid("ben")
    ann.settle()
    ben.settle()
    held = {}

    def hold():
        started = time.monotonic()
        held["status"], held["body"] = ben.poll_raw(ben.next, timeout=15, epoch=ben.epoch)
        held["seconds"] = time.monotonic() - started

    poller = threading.Thread(target=hold, daemon=True)
    poller.start()
    time.sleep(0.5)
    killed = time.monotonic()
    os.kill(ann_pid, signal.SIGKILL)
    # once Prosody has closed alice's session, what bob sends waits in its offline storage
    bob.wait_presence(from_alice("unavailable"), timeout=10)
    for text in WHILE_DOWN:
        bob.send(prosody.jid("alice"), text)

    states = []
    ann.wait_event(lambda e: e.get("type") == "session.worker" and states.append(e["state"]) is None
                   and e["state"] == "running", timeout=10)
    expect(states[:1] == ["restarting"], "the worker went through %r" % states)
    ann.wait_online(alice["id"], timeout=max(1.0, 10 - (time.monotonic() - killed)))
    h.diag("account online again %.1f s after the kill" % (time.monotonic() - killed))
    expect(time.monotonic() - killed < 10, "the account took %.1f s to come back" % (time.monotonic() - killed))
    for text in WHILE_DOWN:
        ann.wait_event(lambda e, text=text: e.get("type") == "message" and e.get("text") == text,
                       timeout=20)
    new_pid = worker_pid("ann")
    expect(new_pid not in (0, ann_pid), "ann's worker is still %r" % new_pid)

    poller.join(30)
    expect(held.get("status") == 200, "ben's held poll answered %r" % held)
    expect(held["body"]["events"] == [], "ben's held poll got events: %r" % held["body"])
    expect(held["seconds"] >= 14, "ben's held poll ended early, after %.1f s" % held["seconds"])
    expect(worker_pid("ben") == ben_pid, "ben's worker changed: %r" % worker_pid("ben"))
    status, body = ben.get("accounts")
    expect(status == 200 and body[0]["status"] == "online", "ben's account: %r" % body)


def zygotes():
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % entry) as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open("/proc/%s/cmdline" % entry, "rb") as cmdline:
                arguments = cmdline.read().split(b"\0")
        except (OSError, ValueError):
            continue
        if parent == lilac.process.pid and b"--zygote" in arguments:
            found.append(int(entry))
    return found


def resident_kib(pid):
    with open("/proc/%d/smaps_rollup" % pid) as rollup:
        return next(int(line.split()[1]) for line in rollup if line.startswith("Rss:"))


@h.timeout(90)
def test_zygote_death_spares_workers():
    found = zygotes()
    expect(len(found) == 1, "zygotes: %r" % found)
    # the library pages libpurple's init touched are dropped from the zygote (24 MiB resident before)
    resident = resident_kib(found[0])
    h.diag("the zygote's resident memory: %.1f MiB" % (resident / 1024))
    expect(h.sanitized() or resident < 14 * 1024, "the zygote holds %.1f MiB" % (resident / 1024))
    ann_pid, ben_pid = worker_pid("ann"), worker_pid("ben")
    # the zygote's libpurple folder is in the data folder, where the next zygote empties what a
    # killed one leaves (not a temp folder of its own, which would be left behind at each kill)
    template = os.path.join(lilac.data, "zygote")
    expect(os.path.isdir(template), "no zygote folder %s" % template)
    with open(os.path.join(template, "left-by-the-old-zygote"), "w") as leftover:
        leftover.write("stale")
    os.kill(found[0], signal.SIGKILL)
    h.wait_until(lambda: zygotes() and zygotes() != found, timeout=20, message="a new zygote")
    h.wait_until(lambda: not os.path.exists(os.path.join(template, "left-by-the-old-zygote")), timeout=20,
                 message="the new zygote to empty its folder")
    expect(worker_pid("ann") == ann_pid and worker_pid("ben") == ben_pid,
           "a worker changed with the zygote: %r" % ((worker_pid("ann"), worker_pid("ben")),))
    text = "still here after the zygote"
    bob.send(prosody.jid("alice"), text)
    ann.wait_event(lambda e: e.get("type") == "message" and e.get("text") == text, timeout=15)
    # a worker the old zygote made is still watched: killed, it is replaced
    os.kill(ann_pid, signal.SIGKILL)
    ann.wait_event(lambda e: e.get("type") == "session.worker" and e.get("state") == "running",
                   timeout=20)
    ann.wait_online(alice["id"], timeout=20)
    expect(worker_pid("ann") not in (0, ann_pid), "ann's worker was not replaced")


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()
    expect(not os.path.exists(os.path.join(lilac.data, "zygote")), "the zygote left its folder behind")


if __name__ == "__main__":
    h.run(globals())
