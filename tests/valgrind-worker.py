#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""A worker session under valgrind: HELLO, an XMPP account put and signed on against a private
Prosody, a message received and one sent, the account removed, PING and SHUTDOWN. Passes when
valgrind finds no invalid memory use at all and no definite leak whose stack passes through Lilac's
own code (leaks inside libpurple and its plugins are reported as diagnostics only). Prints TAP.
Usage: valgrind-worker.py WORKER"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "integration"))
import lilac_harness as h  # noqa: E402


class Wire:
    """The gateway's end of the wire protocol, just enough to drive a worker."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""
        self.next_id = 0

    def send(self, frame_type, body=None, request=True):
        frame = {"type": frame_type, "body": body or {}}
        if request:
            self.next_id += 1
            frame["id"] = self.next_id
        self.sock.sendall(json.dumps(frame).encode() + b"\n")
        return frame.get("id")

    def frames(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                if line:
                    yield json.loads(line)
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                return
            self.buffer += data

    def wait(self, predicate, timeout, what):
        for frame in self.frames(timeout):
            if predicate(frame):
                return frame
        raise AssertionError("no %s within %d s" % (what, timeout))


def event_is(kind, **fields):
    def check(frame):
        event = frame.get("body", {}).get("event", {})
        return frame.get("type") == 200 and event.get("type") == kind and all(
            event.get(key) == value for key, value in fields.items())
    return check


def session(worker, folder, log):
    prosody = h.start_prosody(alice="alice-valgrind-pw", bob="bob-valgrind-pw")
    bob = h.XmppPeer(prosody.jid("bob"), "bob-valgrind-pw", prosody.port).start()
    ours, theirs = socket.socketpair()
    process = subprocess.Popen(["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite",
                                "--xml=yes", "--xml-file=" + log, "--child-silent-after-fork=yes",
                                worker, "--fd", str(theirs.fileno()), "--dir", folder],
                               pass_fds=[theirs.fileno()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    theirs.close()
    wire = Wire(ours)
    wire.send(1, {"version": 1, "role": "gateway", "pid": os.getpid()}, request=False)
    wire.wait(lambda f: f.get("type") == 1, 120, "HELLO")
    account = prosody.xmpp_account("alice", "alice-valgrind-pw")
    wire.send(100, {"account": {"id": "1", "protocol": account["protocol"], "username": account["username"],
                                "password": account["password"], "options": account["options"],
                                "enabled": True}})
    wire.wait(event_is("account.status", account="1", status="online"), 120, "the account online")
    bob.send(prosody.jid("alice"), "hello valgrind")
    wire.wait(event_is("message", text="hello valgrind"), 60, "bob's message")
    wire.send(102, {"account": "1", "type": "im", "name": prosody.jid("bob"), "text": "hi bob", "message": "9"})
    bob.wait_message(lambda m: m["body"] == "hi bob", timeout=60)
    wire.send(101, {"account": "1"})
    wire.send(110, {})
    wire.wait(lambda f: f.get("type") == 201 and f.get("id") == wire.next_id, 60, "the PING reply")
    wire.send(111, {}, request=False)
    status = process.wait(180)
    ours.close()
    bob.stop()
    prosody.stop()
    return status


ALLOCATORS = ("malloc", "calloc", "realloc", "g_malloc", "g_malloc0", "g_realloc", "g_strdup",
              "g_strndup", "g_slice_alloc", "g_slice_alloc0", "g_memdup2", "g_strdup_printf",
              "g_strdup_vprintf", "g_string_new", "g_string_sized_new", "g_hash_table_new_full")


def allocated_by_us(functions):
    """A leak is Lilac's when the first caller past the allocators is Lilac's code."""
    for function in functions:
        if function in ALLOCATORS or function == "?":
            continue
        return function.startswith("lilac_")
    return False


def findings(log):
    tree = ElementTree.parse(log)
    ours, theirs = [], []
    for error in tree.getroot().iter("error"):
        kind = error.findtext("kind")
        functions = [frame.findtext("fn") or "?" for frame in error.iter("frame")]
        text = "%s: %s" % (kind, " < ".join(functions[:8]))
        if kind == "Leak_DefinitelyLost":
            (ours if allocated_by_us(functions) else theirs).append(text)
        elif kind.startswith("Leak_"):
            continue
        elif any(function.startswith("lilac_") for function in functions):
            ours.append(text)
        else:
            theirs.append(text)
    return ours, theirs


def main():
    worker = sys.argv[1]
    print("1..2", flush=True)
    folder = tempfile.mkdtemp(prefix="lilac-valgrind-")
    log = os.path.join(folder, "valgrind.xml")
    try:
        status = session(worker, os.path.join(folder, "purple"), log)
        print("%s 1 - a worker session under valgrind ends with status %d" % ("ok" if status == 0 else "not ok",
                                                                           status), flush=True)
        ours, theirs = findings(log)
        for text in theirs:
            print("# not ours (libpurple or a plugin): " + text)
        print("%s 2 - no invalid access, and no definite leak through Lilac's code" % ("not ok" if ours else "ok"))
        for text in ours:
            print("# " + text)
        return 0 if status == 0 and not ours else 1
    finally:
        h.run_cleanups()


if __name__ == "__main__":
    sys.exit(main())
