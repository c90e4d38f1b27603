#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Idle workers stop: once a user has logged out (no live login left) and is not always-on, the
IM session and its worker stop after the idle time ([workers] idle_seconds, 3 s here), not before.
A user who is still logged in keeps the worker even when no request comes for a long while, and an
always-on user keeps it after logging out. The next login starts a new worker."""

import time

import lilac_harness as h
from lilac_harness import expect

IDLE_SECONDS = 3
PASSWORDS = {"alice": "alice-idle-pw", "bob": "bob-idle-pw", "carol": "carol-idle-pw"}
USERS = {"root": "root-idle-pw", "ann": "ann-idle-pw", "ben": "ben-idle-pw", "cat": "cat-idle-pw"}
JIDS = {"ann": "alice", "ben": "bob", "cat": "carol"}

prosody = lilac = admin = None
clients = {}
accounts = {}


def setup_module():
    global prosody, lilac, admin
    prosody = h.start_prosody(**PASSWORDS)
    lilac = h.Lilac(config={"workers": {"idle_seconds": IDLE_SECONDS}})
    for name, password in USERS.items():
        lilac.add_user(name, password, admin=(name == "root"))
    lilac.start()
    admin = h.log_in(lilac, "root", USERS["root"])


def worker_of(name):
    status, users = admin.get("admin/users")
    expect(status == 200, "GET /admin/users answered %s" % status)
    user = next(user for user in users if user["name"] == name)
    return user["worker"], user["worker_pid"]


def sign_on(name):
    client = clients[name] = h.log_in(lilac, name, USERS[name])
    jid = JIDS[name]
    accounts[name] = client.add_account(prosody.xmpp_account(jid, PASSWORDS[jid]))
    client.wait_online(accounts[name]["id"], timeout=45)


@h.timeout(90)
def test_workers_running():
    for name in JIDS:
        sign_on(name)
    status, body = clients["cat"].patch("users/me/settings", json={"always_on": True})
    expect(status == 200 and body.get("always_on") is True, "always_on: %s %r" % (status, body))
    for name in JIDS:
        state, pid = worker_of(name)
        expect(state == "running" and pid > 0, "%s's worker: %s %r" % (name, state, pid))


@h.timeout(60)
def test_logged_out_worker_stops_after_the_idle_time():
    pids = {name: worker_of(name)[1] for name in JIDS}
    for name in ("ann", "cat"):
        status, body = clients[name].delete("session")
        expect(status == 204, "DELETE /session of %s answered %s %r" % (name, status, body))
    logged_out = time.monotonic()
    time.sleep(IDLE_SECONDS / 2)
    expect(h.pid_alive(pids["ann"]), "ann's worker stopped before the idle time")
    h.wait_until(lambda: not h.pid_alive(pids["ann"]), timeout=IDLE_SECONDS + 15,
                 message="ann's worker to exit")
    took = time.monotonic() - logged_out
    h.diag("ann's worker exited %.1f s after the logout (idle time %d s)" % (took, IDLE_SECONDS))
    expect(took >= IDLE_SECONDS - 0.2, "the worker stopped %.1f s after the logout" % took)
    state, pid = worker_of("ann")
    expect(state == "stopped" and pid == 0, "ann's worker: %s %r" % (state, pid))
    # ben (logged in, silent all along) and cat (always-on, logged out) keep theirs
    time.sleep(1)
    for name in ("ben", "cat"):
        state, pid = worker_of(name)
        expect(state == "running" and pid == pids[name] and h.pid_alive(pid),
               "%s's worker: %s %r (was %r)" % (name, state, pid, pids[name]))


@h.timeout(60)
def test_logged_in_silent_user_keeps_the_worker():
    _, pid = worker_of("ben")
    # no request of ben's for three idle times
    time.sleep(3 * IDLE_SECONDS)
    state, now = worker_of("ben")
    expect(state == "running" and now == pid and h.pid_alive(pid), "ben's worker: %s %r" % (state, now))
    status, body = clients["ben"].get("accounts")
    expect(status == 200 and body[0]["status"] == "online", "ben's account: %s %r" % (status, body))


@h.timeout(90)
def test_next_login_starts_a_new_worker():
    client = h.log_in(lilac, "ann", USERS["ann"])
    client.wait_online(accounts["ann"]["id"], timeout=45)
    state, pid = worker_of("ann")
    expect(state == "running" and pid > 0 and h.pid_alive(pid), "ann's worker: %s %r" % (state, pid))


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
