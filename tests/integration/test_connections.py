#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Connections: 1,000 clients trickling their headers a byte a second do not stop others from being
served and are closed at the header deadline; one address cannot hold more connections than its
cap; a client keeps its connection across requests and held polls, and its answers are not held
back by Nagle's algorithm; every answer carries the security headers, the page's files and the
answers the gateway writes itself (held polls, early refusals) too."""

import http.client
import json
import re
import socket
import threading
import time

import lilac_harness as h
from lilac_harness import expect

lilac = None
CAP = 20
TIMEOUT = 3  # header_timeout and request_timeout


def setup_module():
    global lilac
    lilac = h.start_lilac({"ann": "ann-connections-pw"},
                          config={"gateway": {"header_timeout": TIMEOUT, "request_timeout": TIMEOUT,
                                              "connections_per_address": CAP}})


def connect(source="127.0.0.1"):
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.bind((source, 0))
    client.connect(("127.0.0.1", lilac.port))
    return client


def timed_get(path="/healthz"):
    started = time.monotonic()
    status, _ = lilac.client().get(path, timeout=10)
    return status, time.monotonic() - started


def closed(client, timeout):
    client.settimeout(timeout)
    try:
        return client.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


@h.timeout(120)
def test_slow_clients_do_not_block_others():
    slow = []
    for _ in range(1000):
        client = connect()
        client.sendall(b"G")
        slow.append(client)
    # the first request waits behind the thousand connects in the listen queue: that is how fast
    # the gateway accepts (slow under AddressSanitizer), not whether slow clients block it
    status, first = timed_get()
    expect(status == 200 and first < (10.0 if h.sanitized() else 2.0),
           "the request behind 1,000 connects: %s after %.0f ms" % (status, first * 1000))
    worst = 0.0
    started = time.monotonic()
    while time.monotonic() - started < 2:
        for client in slow[:50]:
            try:
                client.sendall(b"E")  # a byte now and then, never the whole header
            except OSError:
                pass
        status, elapsed = timed_get()
        expect(status == 200, "a normal request answered %s" % status)
        worst = max(worst, elapsed)
        time.sleep(0.2)
    h.diag("with 1,000 slow clients, the first normal request took %.1f ms, the slowest after it %.1f ms"
           % (first * 1000, worst * 1000))
    # blocked would mean waiting for the header deadline (3 s); AddressSanitizer, unwinding a
    # whole stack on every allocation, slows the accepting of a thousand connections
    limit = 2.0 if h.sanitized() else 0.5
    expect(worst < limit, "a normal request took %.0f ms" % (worst * 1000))
    # the deadline runs from the moment the gateway took the connection, and the sweep looks once
    # a second: under AddressSanitizer the last of the thousand is taken seconds after the first
    deadline = time.monotonic() + 3 + (6 if h.sanitized() else 2)
    still_open = sum(1 for client in slow
                     if not closed(client, max(0.01, deadline - time.monotonic())))
    expect(still_open == 0, "%d slow clients are still connected after the header deadline" % still_open)
    for client in slow:
        client.close()


def test_connections_per_address_are_capped():
    kept = [connect("127.0.0.2") for _ in range(CAP)]
    time.sleep(0.3)
    extra = connect("127.0.0.2")
    expect(closed(extra, 2), "connection %d from one address was kept" % (CAP + 1))
    for client in kept:
        expect(not closed(client, 0.01), "a connection under the cap was closed")
        client.close()


    def served():
        again = connect("127.0.0.2")
        try:
            again.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            again.settimeout(5)
            return again.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            return False
        finally:
            again.close()

    # the gateway notices the closed connections as it reads them; then the address is served again
    h.wait_until(served, timeout=10, interval=0.2, message="a connection after the others closed")


def test_dual_stack_listener_caps_ipv4_clients_alike():
    """Listening on an IPv6 address (here the IPv4-mapped ::ffff:127.0.0.1, so that only loopback
    is listened on), IPv4 clients come as ::ffff:a.b.c.d and GLib hands them over as IPv4: a reverse
    proxy on 127.0.0.1 is still exempt from the cap, and another address is still capped."""
    dual = h.Lilac(config={"gateway": {"connections_per_address": 2}}, extra_args=["--listen", "::ffff:127.0.0.1"])
    dual.start()
    try:
        def connect_to(source):
            client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            client.bind((source, 0))
            client.connect(("127.0.0.1", dual.port))
            return client

        proxy = [connect_to("127.0.0.1") for _ in range(5)]
        capped = [connect_to("127.0.0.3") for _ in range(3)]
        time.sleep(0.3)
        expect(not any(closed(client, 0.2) for client in proxy), "a connection from 127.0.0.1 was refused")
        expect(not any(closed(client, 0.2) for client in capped[:2]), "a connection under the cap was refused")
        expect(closed(capped[2], 2), "the third connection from 127.0.0.3 was kept")
        for client in proxy + capped:
            client.close()
    finally:
        dual.stop()
    dual.assert_clean_exit()


def test_one_connection_carries_many_requests():
    """A browser or bot reuses its connection: log in, read /state, hold a poll that an event
    answers, and ask again, all on one TCP connection (the server must not close it)."""
    connection = http.client.HTTPConnection("127.0.0.1", lilac.port, timeout=20)
    connection.connect()
    first_socket = connection.sock

    def call(method, path, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=data, headers=dict(headers or {}, **(
            {"Content-Type": "application/json"} if data is not None else {})))
        response = connection.getresponse()
        payload = response.read()
        expect(connection.sock is first_socket, "%s %s came on a new connection" % (method, path))
        expect(response.getheader("Connection", "").lower() != "close",
               "%s %s answered with Connection: close" % (method, path))
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        return response.status, json.loads(payload) if is_json else payload

    status, session = call("POST", "/api/v1/session", {"username": "ann", "password": "ann-connections-pw"})
    expect(status == 200, "login answered %s" % status)
    bearer = {"Authorization": "Bearer " + session["token"]}
    status, state = call("GET", "/api/v1/state", headers=bearer)
    expect(status == 200, "state answered %s" % status)

    def set_presence():
        time.sleep(0.5)  # the poll below is held by then
        other = lilac.client()
        other.login("ann", "ann-connections-pw", bearer=True)
        expect(other.post("presence", json={"status": "away", "message": "keep-alive"})[0] in (200, 202, 204),
               "presence not set")
    setter = threading.Thread(target=set_presence)
    setter.start()
    status, answer = call("GET", "/api/v1/events?since=%d&epoch=%s&timeout=10" % (state["seq"], state["epoch"]),
                          headers=bearer)
    setter.join()
    expect(status == 200 and answer["events"], "the held poll answered %s %r" % (status, answer))
    # the answers come at once, not after the client's delayed ACK (40 ms) as they would with
    # Nagle's algorithm on the gateway's side of a kept-alive connection
    elapsed = []
    for _ in range(9):
        started = time.monotonic()
        status, _ = call("GET", "/api/v1/state", headers=bearer)
        elapsed.append(time.monotonic() - started)
        expect(status == 200, "state answered %s" % status)
    median = sorted(elapsed)[len(elapsed) // 2]
    h.diag("GET /state on a kept-alive connection: median %.2f ms" % (median * 1000))
    expect(median < 0.030, "GET /state on a kept-alive connection took %.1f ms" % (median * 1000))
    connection.close()


def expect_security_headers(what, headers):
    for name, value in (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")):
        expect(headers.get(name) == value, "%s: %s is %r" % (what, name, headers.get(name)))
    policy = headers.get("Content-Security-Policy", "")
    expect("frame-ancestors 'none'" in policy, "%s: Content-Security-Policy %r" % (what, policy))


def slack():
    """Seconds a deadline may be late: the sweep looks once a second; AddressSanitizer is slow."""
    return 4.0 if h.sanitized() else 2.0


def expect_cut_at_deadline(client, what, started=None):
    """The connection stays open until TIMEOUT seconds from started, and is closed soon after."""
    started = started or time.monotonic()
    expect(not closed(client, max(0.01, started + TIMEOUT - 0.8 - time.monotonic())),
           "%s: closed before the deadline" % what)
    expect(closed(client, started + TIMEOUT + slack() - time.monotonic()),
           "%s: still open %.0f s after the deadline" % (what, slack()))
    h.diag("%s: closed after %.1f s" % (what, time.monotonic() - started))
    client.close()


def read_answer(client, timeout=10):
    """Reads one answer with a Content-Length (all of it: the connection is then quiet)."""
    client.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data or len(data) < answer_length(data):
        piece = client.recv(65536)
        if not piece:
            break
        data += piece
    return data


def answer_length(data):
    head, _, _ = data.partition(b"\r\n\r\n")
    found = re.search(rb"\r\ncontent-length: *(\d+)", head, re.IGNORECASE)
    return len(head) + 4 + (int(found.group(1)) if found else 0)


def test_idle_connection_is_closed_between_requests():
    client = connect("127.0.0.3")
    client.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    answer = read_answer(client)
    expect(answer.startswith(b"HTTP/1.1 200") and b"close" not in answer.lower(),
           "GET /healthz answered %r" % answer[:200])
    expect_cut_at_deadline(client, "an idle kept-alive connection")


def test_stalled_body_is_cut():
    client = connect("127.0.0.3")
    client.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 1000\r\n\r\n")
    expect_cut_at_deadline(client, "a request whose 1000-byte body never comes")


def send_slowly(client, data, piece, interval):
    """Sends data a piece every interval seconds; returns when it is sent or the server cut it."""
    for offset in range(0, len(data), piece):
        try:
            client.sendall(data[offset:offset + piece])
        except OSError:
            return False
        time.sleep(interval)
    return True


def test_body_slower_than_the_minimum_rate_is_cut():
    """200 bytes a second: past the first TIMEOUT seconds a body must average 1 KiB/s."""
    client = connect("127.0.0.3")
    client.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 5000\r\n\r\n")
    started = time.monotonic()
    send_slowly(client, b"x" * 5000, 100, 0.5)
    elapsed = time.monotonic() - started
    h.diag("a body at 200 bytes/s was cut after %.1f s" % elapsed)
    # allowed: TIMEOUT s plus a second per KiB received, about 3.8 s in all
    expect(TIMEOUT < elapsed < TIMEOUT + 1 + slack(), "a body at 200 bytes/s ran %.1f s" % elapsed)
    expect(closed(client, 1), "the connection is still open")


def start_upload(token, account, length):
    client = connect("127.0.0.3")
    client.sendall(("POST /api/v1/transfers?account=%s&to=bea%%40localhost&filename=a.bin HTTP/1.1\r\n"
                    "Host: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/octet-stream\r\n"
                    "Content-Length: %d\r\n\r\n" % (account, token, length)).encode())
    return client


def test_uploads_must_keep_coming():
    """An upload that stops is cut at the deadline; one that keeps coming (3 KiB/s, well past the
    deadline) is read to its end and answered."""
    owner = lilac.client()
    owner.login("ann", "ann-connections-pw", bearer=True)
    status, account = owner.post("accounts", json={"protocol": "prpl-jabber", "username": "ann@localhost",
                                                   "password": "unused", "enabled": False})
    expect(status == 201, "POST /accounts answered %s %r" % (status, account))
    client = start_upload(owner.token, account["id"], 100000)
    client.sendall(b"x" * 10000)
    expect_cut_at_deadline(client, "an upload that stopped after 10 kB")
    client = start_upload(owner.token, account["id"], 24 * 1024)
    started = time.monotonic()
    expect(send_slowly(client, b"y" * (24 * 1024), 768, 0.25), "a steady upload was cut")
    answer = read_answer(client)
    h.diag("an upload at 3 KiB/s for %.1f s answered %r" % (time.monotonic() - started,
                                                           answer.split(b"\r\n")[0]))
    expect(answer.startswith(b"HTTP/1.1 "), "a steady upload got %r" % answer[:200])
    client.close()


def test_client_that_never_reads_is_cut():
    """A client that asks and asks (pipelined requests for the page) and reads nothing: once its
    buffers are full, the answers wait and the connection ends at the deadline."""
    client = connect("127.0.0.3")
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    count = 4000
    requests = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * count
    client.setblocking(False)
    sent, started = 0, time.monotonic()
    while sent < len(requests) and time.monotonic() - started < 5:
        try:
            sent += client.send(requests[sent:])
        except BlockingIOError:
            time.sleep(0.01)
    time.sleep(TIMEOUT + slack())
    client.setblocking(True)
    client.settimeout(2)
    received, ending = 0, "still open"
    try:
        while True:
            piece = client.recv(65536)
            if not piece:
                ending = "closed"
                break
            received += len(piece)
    except ConnectionResetError:
        ending = "reset"
    except socket.timeout:
        pass
    h.diag("a client that did not read: %d bytes waited for it, then the connection was %s"
           % (received, ending))
    # kept, the connection would carry all the answers (about 2.8 kB each) once the client reads
    expect(ending != "still open" and received < count * 1000,
           "the connection of a client that did not read was kept (%d bytes were read at the end, "
           "then it was %s)" % (received, ending))
    client.close()


def test_security_headers_on_every_answer():
    client = lilac.client()
    for path in ("/healthz", "/api/v1/state", "/api/v1/nothing", "/m/login", "/"):
        client.get(path)
        expect_security_headers(path, client.last_headers)
    status, page = client.get("/")
    files = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    expect(status == 200 and files, "no /static/ files named by the page: %r" % page[:300])
    for path in files[:3]:
        status, _ = client.get(path)
        expect(status == 200, "%s answered %s" % (path, status))
        expect_security_headers(path, client.last_headers)


def test_security_headers_on_answers_written_by_the_gateway():
    """Answers that do not come through libsoup: a held poll answered from its parked connection,
    and a body refused from its headers."""
    client = lilac.client()
    client.login("ann", "ann-connections-pw", bearer=True)
    state = client.state()
    started = time.monotonic()
    status, _ = client.poll_raw(state["seq"], 1, state["epoch"])
    expect(status == 200 and time.monotonic() - started > 0.9, "the poll was not held: %s" % status)
    expect_security_headers("a held poll's answer", client.last_headers)
    status, body = client.post("session", raw=b"x" * (100 * 1024))
    expect(status == 413 and body["error"]["code"] == "too_large", "100 KiB body: %s %r" % (status, body))
    expect_security_headers("an early 413", client.last_headers)


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
