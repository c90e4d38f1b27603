# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""The three small client processes of the latency benchmark, each in a process of its own so
that none slows the others (or the orchestrator) down:

  clients.py send PORT USER PASSWORD      an XMPP sender (slixmpp). Reads commands on stdin:
                                           "paced TAG COUNT RATE TO" or "burst TAG COUNT TO";
                                           sends COUNT messages "TAG I SENT_NS" to TO and prints
                                           "DONE FIRST_NS LAST_NS".
  clients.py lilac PORT TOKEN             Lilac's receiver: a long-poll client of /api/v1/events.
  clients.py irc PORT NICK PASSWORD       BitlBee's receiver: an IRC client that identifies.
  clients.py xmpp PORT USER PASSWORD      no gateway at all: a raw XMPP client on Prosody itself,
                                           the floor under both gateways' figures.

Receivers print "READY" once they receive, then "TAG I SENT_NS RECEIVED_NS" per message.
Times are CLOCK_MONOTONIC nanoseconds, the same clock in every process of the machine.
Run with /usr/bin/python3.
"""

import asyncio
import base64
import html
import json
import re
import socket
import sys
import threading
import time

BODY = re.compile(r"^(\S+) (\d+) (\d+)$")


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def report(text, received_ns):
    match = BODY.match(text.strip())
    if match:
        out("%s %s %s %d" % (match.group(1), match.group(2), match.group(3), received_ns))


# ------------------------------------------------------------------------------------- sender

def sender(port, user, password):
    import slixmpp

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    xmpp = slixmpp.ClientXMPP("%s@localhost/bench" % user, password)
    xmpp.enable_plaintext = True
    xmpp.enable_starttls = False
    xmpp.enable_direct_tls = False
    xmpp["feature_mechanisms"].unencrypted_plain = True
    ready = asyncio.Event()

    async def session_start(_event):
        xmpp.send_presence()
        try:
            await xmpp.get_roster(timeout=10)
        except Exception:
            pass
        ready.set()

    xmpp.add_event_handler("session_start", session_start)
    xmpp.add_event_handler("failed_auth", lambda *_: (out("FAILED auth"), sys.exit(1)))

    async def paced(tag, count, rate, to):
        start = time.monotonic_ns()
        first = last = None
        for i in range(count):
            target = start + int(i * 1e9 / rate)
            delay = (target - time.monotonic_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            last = time.monotonic_ns()
            first = first or last
            xmpp.send_message(mto=to, mbody="%s %d %d" % (tag, i, last), mtype="chat")
        return first, last

    async def burst(tag, count, to):
        first = last = None
        for i in range(count):
            last = time.monotonic_ns()
            first = first or last
            xmpp.send_message(mto=to, mbody="%s %d %d" % (tag, i, last), mtype="chat")
            if i % 100 == 99:
                await asyncio.sleep(0)   # let slixmpp write what is queued
        return first, last

    async def command(line):
        parts = line.split()
        await ready.wait()
        if parts[0] == "paced":
            first, last = await paced(parts[1], int(parts[2]), float(parts[3]), parts[4])
        else:
            first, last = await burst(parts[1], int(parts[2]), parts[3])
        out("DONE %d %d" % (first, last))

    def read_stdin():
        for line in sys.stdin:
            if line.strip():
                asyncio.run_coroutine_threadsafe(command(line), loop).result()
        loop.call_soon_threadsafe(loop.stop)

    async def announce():
        await ready.wait()
        out("READY")

    xmpp.connect(("127.0.0.1", port))
    loop.create_task(announce())
    threading.Thread(target=read_stdin, daemon=True).start()
    loop.run_forever()


# ---------------------------------------------------------------------------- Lilac receiver

def lilac_receiver(port, token):
    """A long-poll client on one kept-alive connection, on a plain socket like the IRC receiver:
    a message's receive time is when the first bytes of the answer that carries it arrive, not
    after an HTTP library has parsed it."""
    sock = None

    def connect():
        nonlocal sock
        if sock is not None:
            sock.close()
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def exchange(path):
        """(body, the time its first bytes arrived, whether the connection stays open)"""
        sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n"
                      % (path, token)).encode())
        data = sock.recv(65536)
        received = time.monotonic_ns()
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            if not more:
                raise ConnectionError("the gateway closed the connection")
            data += more
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {name.strip().lower(): value.strip()
                   for name, _, value in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            more = sock.recv(65536)
            if not more:
                raise ConnectionError("the gateway closed the connection mid-answer")
            body += more
        if status != 200:
            raise RuntimeError("GET %s answered %d %r" % (path, status, body[:200]))
        return json.loads(body), received, headers.get("connection", "").lower() != "close"

    def get(path):
        for attempt in (1, 2):
            try:
                body, received, keep = exchange(path)
                if not keep:
                    connect()
                return body, received
            except ConnectionError:
                connect()
                if attempt == 2:
                    raise

    connect()
    state, _ = get("/api/v1/state")
    seq, epoch = state["seq"], state["epoch"]
    out("READY")
    while True:
        answer, received = get("/api/v1/events?since=%d&epoch=%s&timeout=60" % (seq, epoch))
        for event in answer["events"]:
            if event["type"] == "resync":
                out("RESYNC")
            elif event["type"] == "message" and event.get("direction") == "in":
                report(event.get("text", ""), received)
        seq, epoch = answer["next"], answer["epoch"]


# -------------------------------------------------------------------------- BitlBee receiver

def irc_receiver(port, nick, password):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""

    def send(line):
        sock.sendall((line + "\r\n").encode())

    def lines():
        nonlocal buffer
        while True:
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("BitlBee closed the connection")
            received = time.monotonic_ns()
            buffer += data
            while b"\r\n" in buffer:
                line, buffer = buffer.split(b"\r\n", 1)
                text = line.decode(errors="replace")
                if text.startswith("PING "):
                    send("PONG " + text[5:])
                    continue
                yield text, received

    send("NICK " + nick)
    send("USER %s 0 * :%s" % (nick, nick))
    stream = lines()
    for text, _ in stream:
        if " JOIN :&bitlbee" in text:
            break
    send("PRIVMSG &bitlbee :identify " + password)
    for text, _ in stream:
        if text.startswith(":root!") and "Logged in" in text:
            break
        if text.startswith(":root!") and ("Login error" in text or "Incorrect password" in text):
            raise RuntimeError(text)
    out("READY")
    privmsg = re.compile(r"^:(\S+?)!\S+ PRIVMSG (\S+) :(.*)$")
    for text, received in stream:
        match = privmsg.match(text)
        if match and match.group(2) == nick:
            report(match.group(3), received)


# ------------------------------------------------------------------------- the direct floor

def xmpp_receiver(port, user, password):
    """Signs on to Prosody over a plain socket (SASL PLAIN, no TLS, as the sender does) and
    reports the bodies of the chat messages it receives, timed like the other two receivers: when
    the bytes arrive, before any XML library sees them. What neither gateway can go below."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""

    def read_until(marker):
        nonlocal buffer
        while marker not in buffer:
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("Prosody closed the stream: %r" % buffer[-300:])
            buffer += data
        head, _, buffer = buffer.partition(marker)
        return head

    def open_stream():
        sock.sendall(b"<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' "
                     b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")
        read_until(b"</stream:features>")

    open_stream()
    plain = base64.b64encode(("\0%s\0%s" % (user, password)).encode()).decode()
    sock.sendall(("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>" % plain).encode())
    answer = read_until(b"/>")
    if b"<success" not in answer:
        raise RuntimeError("SASL refused: %r" % answer)
    open_stream()
    sock.sendall(b"<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                 b"<resource>floor</resource></bind></iq>")
    read_until(b"</iq>")
    sock.sendall(b"<presence/>")
    out("READY")
    body = re.compile(rb"<body>([^<]*)</body>")
    while True:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("Prosody closed the stream")
        received = time.monotonic_ns()
        buffer += data
        end = buffer.rfind(b"</message>")
        if end < 0:
            continue
        complete, buffer = buffer[:end + 10], buffer[end + 10:]
        for match in body.finditer(complete):
            report(html.unescape(match.group(1).decode()), received)


def main():
    role = sys.argv[1]
    if role == "send":
        sender(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif role == "lilac":
        lilac_receiver(int(sys.argv[2]), sys.argv[3])
    elif role == "irc":
        irc_receiver(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif role == "xmpp":
        xmpp_receiver(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        raise SystemExit("unknown role " + role)


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
