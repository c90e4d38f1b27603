#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""The file-descriptor reserve (web/lilac-web-listener.c): the gateway takes at most its
RLIMIT_NOFILE minus 256 connections and keeps the rest for its store, its workers and their
pipes. With the limit at 1024, a flood of kept-alive connections is served up to 768 exactly, and every
connection past that is closed at once, without an answer; meanwhile a connection it already
holds still logs in, adds an account (a worker starts: a socket pair, a pidfd) that goes online,
and reads its state; once some connections close, new ones are served again (GET /healthz), and
once all are closed the gateway holds as few descriptors as before the flood; the gateway never ran
out of descriptors and stops cleanly. On a second gateway: a kept-alive connection left idle after
a request is closed at the header deadline, and one its client closes gives its descriptor back
(libsoup 3.2 does neither by itself)."""

import http.client
import json
import os
import resource
import socket
import stat
import time

import lilac_harness as h
from lilac_harness import expect

LIMIT = 1024
RESERVE = 256
PASSWORDS = {"alice": "alice-fd-pw"}
LOGIN = "ann-fd-login"

prosody = lilac = None
held = []
kept = None
baseline = None
cookie = csrf = None


def setup_module():
    global prosody, lilac
    # the flood needs more descriptors on this side than the gateway may use on its side
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = LIMIT + 512 if hard == resource.RLIM_INFINITY else min(hard, LIMIT + 512)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    prosody = h.start_prosody(**PASSWORDS)
    # idle kept-alive connections must outlive the test: no header deadline in the way
    lilac = h.Lilac(config={"gateway": {"header_timeout": 600}})
    lilac.binary = limited(lilac.binary, lilac.dir)
    lilac.add_user("ann", LOGIN)
    lilac.start()
    limits = open("/proc/%d/limits" % lilac.process.pid).read()
    expect("Max open files            %d" % LIMIT in limits, "the gateway's limits:\n%s" % limits)


def limited(binary, folder):
    """A script that starts binary with RLIMIT_NOFILE at LIMIT (soft and hard)."""
    path = os.path.join(folder, "lilac-limited")
    with open(path, "w") as script:
        script.write("#!/bin/sh\nulimit -n %d || exit 1\nexec '%s' \"$@\"\n" % (LIMIT, binary))
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def open_descriptors():
    return len(os.listdir("/proc/%d/fd" % lilac.process.pid))


def ask(connection, method, path, body=None, headers=None):
    """One request on a kept-alive http.client connection; (status, parsed body)."""
    all_headers = dict(headers or {})
    if cookie:
        all_headers["Cookie"] = "lilac_session=" + cookie
        all_headers["X-Lilac-Csrf"] = csrf
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    connection.request(method, path, body=data, headers=all_headers)
    response = connection.getresponse()
    text = response.read()
    expect(response.getheader("Connection", "").lower() != "close", "the gateway closed the kept connection")
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";")[0].partition("=")
        if name.strip() == "lilac_session" and value:
            globals()["cookie"] = value
    return response.status, json.loads(text) if text[:1] in (b"{", b"[") else text


def healthz_on(client):
    """True when the gateway answers GET /healthz on this new connection, False when it closes it."""
    client.settimeout(10)
    client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    try:
        while b"\r\n\r\nok" not in answer:
            data = client.recv(4096)
            if not data:
                return False
            answer += data
    except ConnectionResetError:
        return False
    expect(answer.startswith(b"HTTP/1.1 200"), "GET /healthz answered %r" % answer[:200])
    return True


def connect():
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect(("127.0.0.1", lilac.port))
    return client


@h.timeout(120)
def test_connections_are_served_up_to_the_cap():
    global kept
    # the harness's start-up check closed its connection: the gateway lets go of it at its
    # second sweep (a second apart) after
    time.sleep(2.5)
    kept = http.client.HTTPConnection("127.0.0.1", lilac.port, timeout=30)
    status, _ = ask(kept, "GET", "/healthz")
    expect(status == 200, "GET /healthz answered %s" % status)
    global baseline
    before = baseline = open_descriptors()
    refused = None
    for _ in range(LIMIT):
        client = connect()
        if not healthz_on(client):
            refused = client
            break
        held.append(client)
    expect(refused is not None, "%d connections were all served" % len(held))
    refused.close()
    at_cap = open_descriptors()
    h.diag("%d connections served besides the kept one; the gateway had %d descriptors open before, %d now"
           % (len(held), before, at_cap))
    # the kept connection counts too
    expect(len(held) + 1 == LIMIT - RESERVE,
           "the cap is %d connections, %d were served" % (LIMIT - RESERVE, len(held) + 1))
    expect(at_cap <= LIMIT - RESERVE + before + 8, "the gateway holds %d descriptors" % at_cap)


@h.timeout(60)
def test_past_the_cap_connections_close_at_once():
    for _ in range(50):
        client = connect()
        expect(not healthz_on(client), "a connection past the cap was served")
        client.close()
    expect(lilac.process.poll() is None, "the gateway died")


@h.timeout(120)
def test_a_held_connection_still_logs_in_and_starts_a_worker():
    global csrf
    status, body = ask(kept, "POST", "/api/v1/session", {"username": "ann", "password": LOGIN})
    expect(status == 200, "POST /session answered %s %r" % (status, body))
    csrf = body["csrf"]
    status, account = ask(kept, "POST", "/api/v1/accounts", prosody.xmpp_account("alice", PASSWORDS["alice"]))
    expect(status == 201, "POST /accounts answered %s %r" % (status, account))

    def online():
        status, state = ask(kept, "GET", "/api/v1/state")
        expect(status == 200, "GET /state answered %s %r" % (status, state))
        return state["worker"] == "running" and state["accounts"][0]["status"] == "online"
    h.wait_until(online, timeout=60, interval=0.5, message="the account to go online through a new worker")
    expect(open_descriptors() < LIMIT - 64, "the gateway holds %d descriptors" % open_descriptors())
    client = connect()
    expect(not healthz_on(client), "a new connection was served while at the cap")
    client.close()


@h.timeout(60)
def test_closing_some_makes_room_again():
    for client in held[:20]:
        client.close()
    del held[:20]

    def served():
        client = connect()
        try:
            return healthz_on(client)
        finally:
            client.close()
    h.wait_until(served, timeout=10, interval=0.1, message="a new connection to be served")
    status, _ = ask(kept, "GET", "/api/v1/state")
    expect(status == 200, "GET /state on the kept connection answered %s" % status)


@h.timeout(60)
def test_closed_connections_give_their_descriptors_back():
    for client in held:
        client.close()
    kept.close()
    h.wait_until(lambda: open_descriptors() <= baseline + 8, timeout=10, interval=0.5,
                 message="the gateway to let go of the closed connections (it holds %d descriptors, %d before)"
                 % (open_descriptors(), baseline))


def test_gateway_stops_cleanly():
    expect("Too many open files" not in lilac.log_text(), "the gateway ran out of descriptors")
    lilac.assert_clean_exit()


def one_request(client):
    client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while not answer.endswith(b"ok"):
        data = client.recv(4096)
        expect(data, "the gateway closed the connection before its answer")
        answer += data


@h.timeout(60)
def test_idle_kept_alive_connections_are_closed():
    other = h.Lilac(config={"gateway": {"header_timeout": 2}})
    other.start()
    descriptors = lambda: len(os.listdir("/proc/%d/fd" % other.process.pid))  # noqa: E731
    h.wait_until(lambda: descriptors() <= 16, timeout=10, message="the gateway to settle")
    before = descriptors()
    idle = socket.create_connection(("127.0.0.1", other.port))
    one_request(idle)
    gone = []
    for _ in range(20):
        client = socket.create_connection(("127.0.0.1", other.port))
        one_request(client)
        client.close()
        gone.append(client)
    started = time.monotonic()
    idle.settimeout(15)
    try:
        end = idle.recv(1)
    except ConnectionResetError:
        end = b""
    waited = time.monotonic() - started
    h.diag("an idle kept-alive connection closed after %.1f s (deadline 2 s)" % waited)
    expect(end == b"" and waited < 6, "the idle connection got %r after %.1f s" % (end, waited))
    idle.close()
    h.wait_until(lambda: descriptors() <= before, timeout=10, interval=0.5,
                 message="the closed connections' descriptors to come back (%d, %d before)" % (descriptors(), before))
    other.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
