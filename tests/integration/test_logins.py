#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Logins that hold up: sessions listed and revoked (held polls end at once), logout, expiry after
disuse, the same time for an unknown user as for a wrong password, and failed logins limited to 10
a minute per user name and per client address (the 11th answers 429), even when they come all at
once."""

import http.client
import json
import os
import socket
import sqlite3
import statistics
import threading
import time

import lilac_harness as h
from lilac_harness import expect, expect_error

lilac = None
PASSWORD = "ann-logins-pw"
# users of the rate-limit tests, each with its own name (and its own client addresses)
PASSWORDS = {"cal": "cal-logins-pw", "dee": "dee-logins-pw", "eve": "eve-logins-pw",
             "fay": "fay-logins-pw", "gus": "gus-logins-pw"}


def setup_module():
    global lilac
    # cheap Argon2 keeps the timing test short; the limit is the documented default
    # 127.0.0.1 stands for a reverse proxy on this machine; the other 127.0.0.x are clients
    lilac = h.start_lilac(dict(PASSWORDS, ann=PASSWORD, bea="bea-logins-pw"),
                          config={"security": {"argon2_ops": 1, "argon2_memory_kib": 16384,
                                               "login_failures": 10},
                                  "gateway": {"trusted_proxies": "127.0.0.1;::1"}})


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


def login_from(source, name, password, forwarded=None):
    """POST /session from the client address source (one of 127.0.0.0/8), through a proxy that
    says X-Forwarded-For: forwarded when given; returns (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", lilac.port, timeout=30,
                                            source_address=(source, 0))
    headers = {"Content-Type": "application/json"}
    if forwarded is not None:
        headers["X-Forwarded-For"] = forwarded
    try:
        connection.request("POST", "/api/v1/session",
                           body=json.dumps({"username": name, "password": password}),
                           headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, response.headers, body
    finally:
        connection.close()


def check_limit(failures, refused, allowed):
    """failures: 10 (source, name, password) logins that answer 401; refused: the 11th, which
    answers 429; allowed: ((source, name, password), status) that the limit does not touch."""
    answers = [login_from(*attempt)[0] for attempt in failures]
    expect(answers == [401] * 10, "10 failed logins %r answered %r" % (failures, answers))
    status = login_from(*refused)[0]
    expect(status == 429, "the 11th login %r answered %s" % (refused, status))
    for attempt, expected in allowed:
        status = login_from(*attempt)[0]
        expect(status == expected, "%r answered %s, not %s" % (attempt, status, expected))


@h.timeout(120)
def test_eleventh_failure_is_rate_limited():
    # a user and an address that nothing else in this file uses: the count starts at 0
    check_limit([("127.0.0.11", "cal", "guess-%d" % attempt) for attempt in range(10)],
                ("127.0.0.11", "cal", "guess-10"),
                [(("127.0.0.11", "cal", PASSWORDS["cal"]), 429)])
    _, headers, _ = login_from("127.0.0.11", "cal", "guess-11")
    expect(headers.get("Retry-After") == "60", "Retry-After: %r" % headers.get("Retry-After"))


@h.timeout(120)
def test_failures_are_limited_per_name():
    """Ten addresses guessing one name: the name is locked, not the addresses."""
    check_limit([("127.0.0.%d" % (21 + i), "dee", "guess-%d" % i) for i in range(10)],
                ("127.0.0.31", "dee", "guess-10"),
                [(("127.0.0.31", "eve", "not-eve-password"), 401),
                 (("127.0.0.32", "eve", PASSWORDS["eve"]), 200)])


@h.timeout(120)
def test_failures_are_limited_per_address():
    """One address guessing ten names: the address is locked (even for a right password), not
    the names."""
    check_limit([("127.0.0.41", "ghost-%d" % i, "guess") for i in range(10)],
                ("127.0.0.41", "fay", PASSWORDS["fay"]),
                [(("127.0.0.42", "ghost-0", "guess"), 401),
                 (("127.0.0.42", "fay", PASSWORDS["fay"]), 200)])


@h.timeout(120)
def test_parallel_failures_are_limited():
    """Thirty wrong passwords sent at once: each attempt counts from the moment it is taken, not
    when its (slow, threaded) password check ends, so only 10 are checked and 20 answer 429."""
    count = 30
    sockets = []
    for _ in range(count):
        client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        client.bind(("127.0.0.51", 0))
        client.connect(("127.0.0.1", lilac.port))
        sockets.append(client)
    body = json.dumps({"username": "gus", "password": "a-wrong-guess"}).encode()
    request = (b"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    statuses = [None] * count

    def read_answer(index):
        data = b""
        sockets[index].settimeout(60)
        while True:
            piece = sockets[index].recv(65536)
            if not piece:
                break
            data += piece
        sockets[index].close()
        statuses[index] = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else None

    readers = [threading.Thread(target=read_answer, args=(i,)) for i in range(count)]
    for client in sockets:
        client.sendall(request)  # all of them before the first password check can end
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(90)
    h.diag("30 parallel wrong passwords: %d answered 401, %d answered 429" %
           (statuses.count(401), statuses.count(429)))
    expect(statuses.count(401) == 10 and statuses.count(429) == 20,
           "30 parallel wrong passwords answered %r" % statuses)
    status = login_from("127.0.0.52", "gus", PASSWORDS["gus"])[0]
    expect(status == 429, "the right password after them answered %s" % status)


@h.timeout(120)
def test_clients_behind_a_trusted_proxy():
    """Behind a reverse proxy every client connects from the proxy's address: the client is the
    right-most X-Forwarded-For address the proxy did not itself forward from a trusted proxy."""
    check_limit([("127.0.0.1", "ghost-x%d" % i, "guess", "203.0.113.7") for i in range(10)],
                ("127.0.0.1", "ghost-x10", "guess", "203.0.113.7"),
                # another client of the same proxy is not limited
                [(("127.0.0.1", "ghost-y", "guess", "203.0.113.8"), 401),
                 # what the client wrote itself stands left of what the proxy appended
                 (("127.0.0.1", "ghost-y", "guess", "203.0.113.7, 203.0.113.9"), 401),
                 # a chain of trusted proxies is followed to the client
                 (("127.0.0.1", "ghost-y", "guess", "203.0.113.7, 127.0.0.1"), 429),
                 (("127.0.0.1", "ghost-y", "guess", "203.0.113.7,::1"), 429)])


@h.timeout(120)
def test_forwarded_for_from_others_is_ignored():
    """A client that is not a trusted proxy cannot pick its address with X-Forwarded-For."""
    check_limit([("127.0.0.61", "ghost-z%d" % i, "guess", "203.0.113.%d" % (20 + i))
                 for i in range(10)],
                ("127.0.0.61", "ghost-z10", "guess", "203.0.113.30"),
                [(("127.0.0.62", "ghost-z10", "guess", "203.0.113.20"), 401)])


def test_lone_surrogate_is_refused():
    """JSON may escape half of a UTF-16 pair ("\\ud83d") where the body's bytes are valid UTF-8;
    json-glib would hand the gateway bytes that are not: the body answers 400."""
    # json-glib refuses the first and reads the second; the answers are UTF-8 JSON (the harness
    # decodes them) with code bad_request
    for raw in (b'{"username":"ann\\ud83d","password":"x"}', b'{"username":"a\\ud83dnn","password":"x"}'):
        status, body = lilac.client().post("session", raw=raw)
        expect(status == 400 and isinstance(body, dict) and body["error"]["code"] == "bad_request",
               "%r answered %s %r" % (raw, status, body))


def test_trusted_proxies_must_be_addresses():
    config = os.path.join(lilac.dir, "bad-proxies.conf")
    h.write_config(config, {"gateway": {"trusted_proxies": "127.0.0.1;10.0.0.0/8;nginx.local"}})
    result = lilac.run_cli(["user", "list", "--data", lilac.data, "--config", config])
    expect(result.returncode != 0 and b'"nginx.local" is not an IP address' in result.stderr,
           "a proxy named by host name was accepted: %d %r" % (result.returncode, result.stderr))


def test_sessions_show_the_client_address():
    def login_address(source, forwarded):
        status, _, body = login_from(source, "ann", PASSWORD, forwarded)
        expect(status == 200, "login from %s (%s) answered %s" % (source, forwarded, status))
        client = lilac.client()
        client.token = json.loads(body)["token"]
        client.use_bearer()
        status, sessions = client.get("sessions")
        current = [s for s in sessions if s["current"]]
        expect(status == 200 and len(current) == 1, "GET /sessions: %s %r" % (status, sessions))
        return current[0]["address"]

    address = login_address("127.0.0.1", "198.51.100.23")
    expect(address == "198.51.100.23", "a login through the proxy shows %r" % address)
    address = login_address("127.0.0.63", "198.51.100.24")
    expect(address == "127.0.0.63", "a login with a forged X-Forwarded-For shows %r" % address)


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
