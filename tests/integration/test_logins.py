#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Logins that hold up: sessions listed and revoked (held polls end at once), logout, expiry after
disuse, the same time for an unknown user as for a wrong password, and the 11th failed login within
a minute answering 429."""

import os
import sqlite3
import statistics
import threading
import time

import lilac_harness as h
from lilac_harness import expect, expect_error

lilac = None
PASSWORD = "ann-logins-pw"


def setup_module():
    global lilac
    # cheap Argon2 keeps the timing test short; the limit is the documented default
    lilac = h.start_lilac({"ann": PASSWORD, "bea": "bea-logins-pw"},
                          config={"security": {"argon2_ops": 1, "argon2_memory_kib": 16384,
                                               "login_failures": 10}})


def held_poll(client, seconds, results):
    def run():
        results.append(client.poll_raw(client.next, seconds))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(0.5)  # the poll is held by now
    return thread


def test_sessions_listed_and_revoked():
    first = h.log_in(lilac, "ann", PASSWORD)
    second = h.log_in(lilac, "ann", PASSWORD)
    status, sessions = first.get("sessions")
    expect(status == 200 and len(sessions) == 2, "GET /sessions: %s %r" % (status, sessions))
    current = [s for s in sessions if s["current"]]
    expect(len(current) == 1 and all(key in current[0] for key in ("id", "created", "last_seen", "address", "agent")),
           "sessions: %r" % sessions)
    other = next(s for s in sessions if not s["current"])
    results = []
    thread = held_poll(second, 20, results)
    started = time.monotonic()
    status, _ = first.delete("sessions/%s" % other["id"])
    expect(status == 204, "DELETE /sessions/{id} answered %s" % status)
    thread.join(5)
    expect(results and results[0][0] == 401, "the revoked login's held poll answered %r" % results)
    expect(time.monotonic() - started < 3, "the held poll ended late")
    expect_error(second.get("state"), 401, "unauthorized", "revoked login")
    expect(first.get("state")[0] == 200, "the current login still works")


def test_other_users_sessions_are_not_found():
    ann = h.log_in(lilac, "ann", PASSWORD)
    bea = h.log_in(lilac, "bea", "bea-logins-pw")
    _, sessions = ann.get("sessions")
    expect_error(bea.delete("sessions/%s" % sessions[0]["id"]), 404, "not_found", "bea revoking ann's login")
    expect(ann.get("state")[0] == 200, "ann's login survived bea's attempt")


def test_logout_ends_polls():
    client = h.log_in(lilac, "ann", PASSWORD)
    results = []
    thread = held_poll(client, 20, results)
    status, _ = client.delete("session")
    expect(status == 204, "DELETE /session answered %s" % status)
    thread.join(5)
    expect(results and results[0][0] == 401, "a held poll of the ended login answered %r" % results)
    expect("lilac_session" not in client.cookies, "the cookie was not cleared: %r" % client.cookies)


def test_expired_login():
    client = h.log_in(lilac, "ann", PASSWORD)
    database = sqlite3.connect(os.path.join(lilac.data, "lilac.db"), timeout=10)
    with database:
        # the login was last used 31 days ago (the default lifetime is 30 days of disuse)
        database.execute("UPDATE sessions SET last_seen = last_seen - 31 * 86400000")
    database.close()
    expect_error(client.get("state"), 401, "unauthorized", "expired login")


def time_login(name, password):
    client = lilac.client()
    started = time.monotonic()
    status, _ = client.post("session", json={"username": name, "password": password})
    elapsed = time.monotonic() - started
    expect(status == 401, "a bad login answered %s" % status)
    return elapsed


@h.timeout(120)
def test_unknown_user_takes_as_long_as_wrong_password():
    unknown, wrong = [], []
    for _ in range(4):
        unknown.append(time_login("nobody-here", "whatever-pw"))
        wrong.append(time_login("bea", "not-bea-password"))
    h.diag("unknown user %.1f ms, wrong password %.1f ms (medians)" %
           (statistics.median(unknown) * 1000, statistics.median(wrong) * 1000))
    ratio = statistics.median(unknown) / statistics.median(wrong)
    expect(0.6 < ratio < 1.6, "timing differs: unknown %r, wrong %r" % (unknown, wrong))


@h.timeout(120)
def test_eleventh_failure_is_rate_limited():
    client = lilac.client()
    # the address already failed 8 times above; fill its minute up to 10
    answers = []
    for _ in range(12):
        status, body = client.post("session", json={"username": "bea", "password": "guess-guess"})
        answers.append(status)
        if status == 429:
            break
    expect(answers[-1] == 429, "no 429 after repeated failures: %r" % answers)
    expect(len(answers) <= 11, "429 came only after %d attempts" % len(answers))
    status, body = client.post("session", json={"username": "bea", "password": "bea-logins-pw"})
    expect_error((status, body), 429, "rate_limited", "the right password while limited")
    expect(client.last_headers.get("Retry-After") is not None, "no Retry-After header")


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
