#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""A worker session under valgrind: HELLO, an XMPP account put and signed on against a private
Prosody, messages received and sent, typing, presence, a buddy added and removed, a subscription
request answered, a buddy's info, a MUC room joined, spoken in and left, bad requests, the account
removed, PING and SHUTDOWN. Passes when
valgrind finds no invalid memory use with a frame of Lilac's code on its stacks and no definite leak
that Lilac's code made, itself or through a library it called (GLib, json-glib, SQLite ...); leaks
that libpurple and its plugins made are reported as diagnostics only, even when they were made
under one of Lilac's callbacks (the event loop, the UI operations). Prints TAP.
Usage: valgrind-worker.py WORKER"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "integration"))
import lilac_harness as h  # noqa: E402
from lilac_harness import expect  # noqa: E402


class Wire:
    """The gateway's end of the wire protocol, just enough to drive a worker. Frames read while
    waiting for another stay pending for a later wait."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""
        self.next_id = 0
        self.pending = []

    def send(self, frame_type, body=None, request=True):
        frame = {"type": frame_type, "body": body or {}}
        if request:
            self.next_id += 1
            frame["id"] = self.next_id
        self.send_line(json.dumps(frame).encode())
        return frame.get("id")

    def send_line(self, line):
        self.sock.sendall(line + b"\n")

    def read(self, timeout):
        """Reads what the worker sent within timeout seconds into pending; False at its end."""
        self.sock.settimeout(max(0.05, timeout))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return True
        if not data:
            return False
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if line:
                self.pending.append(json.loads(line))
        return True

    def wait(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            for frame in self.pending:
                if predicate(frame):
                    self.pending.remove(frame)
                    return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.read(remaining):
                raise AssertionError("no %s within %d s" % (what, timeout))

    def call(self, frame_type, body, timeout=60, error=False):
        """A request and its REPLY (or, with error=True, its ERROR)."""
        number = self.send(frame_type, body)
        answer = self.wait(lambda f: f.get("id") == number and f.get("type") in (201, 300), timeout,
                           "the answer to request %d" % frame_type)
        expect((answer["type"] == 300) == error, "request %d answered %r" % (frame_type, answer))
        return answer.get("body", {})


def event_is(kind, **fields):
    def check(frame):
        event = frame.get("body", {}).get("event", {})
        return frame.get("type") == 200 and event.get("type") == kind and all(
            event.get(key) == value for key, value in fields.items())
    return check


def start_worker(worker, folder, log):
    ours, theirs = socket.socketpair()
    process = subprocess.Popen(["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite",
                                "--num-callers=30",
                                "--xml=yes", "--xml-file=" + log, "--child-silent-after-fork=yes",
                                worker, "--fd", str(theirs.fileno()), "--dir", folder],
                               pass_fds=[theirs.fileno()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    theirs.close()
    wire = Wire(ours)
    wire.send(1, {"version": 1, "role": "gateway", "pid": os.getpid()}, request=False)
    wire.wait(lambda f: f.get("type") == 1, 120, "HELLO")
    return process, wire


def chat_in_a_room(wire, prosody, bob):
    """A MUC room joined, a message said in it and seen by bob there, the room left."""
    room = "valgrind@" + prosody.muc
    bob.join_muc(room, "bob")
    reference = wire.call(103, {"account": "1", "room": room, "nick": "alice"})["conversation"]
    wire.wait(event_is("chat.members"), 60, "the room's members")
    wire.call(102, {"account": "1", "type": "chat", "name": reference["name"], "text": "hi room", "message": "10"})
    bob.wait_message(lambda m: m["body"] == "hi room", timeout=60)
    bob.send(room, "hello alice", mtype="groupchat")
    wire.wait(event_is("message", text="hello alice"), 60, "bob's message in the room")
    wire.call(104, {"conversation": reference})


def session(worker, folder, log):
    """Every request of the wire protocol that needs no file descriptor, and some bad ones."""
    prosody = h.start_prosody(alice="alice-valgrind-pw", bob="bob-valgrind-pw")
    bob = h.XmppPeer(prosody.jid("bob"), "bob-valgrind-pw", prosody.port).start()
    process, wire = start_worker(worker, folder, log)
    account = prosody.xmpp_account("alice", "alice-valgrind-pw")
    wire.call(100, {"account": {"id": "1", "protocol": account["protocol"], "username": account["username"],
                                "password": account["password"], "options": account["options"],
                                "enabled": True}})
    wire.wait(event_is("account.status", account="1", status="online"), 120, "the account online")
    wire.call(112, {"subscription_policy": "ask"})
    bob.send(prosody.jid("alice"), "hello valgrind")
    im = wire.wait(event_is("message", text="hello valgrind"), 60, "bob's message")["body"]["event"]["conversation"]
    wire.call(102, {"account": "1", "type": "im", "name": prosody.jid("bob"), "text": "hi bob", "message": "9"})
    bob.wait_message(lambda m: m["body"] == "hi bob", timeout=60)
    wire.call(106, {"conversation": im, "state": "typing"})
    wire.call(105, {"status": "away", "message": "under valgrind"})
    wire.call(107, {"account": "1", "name": prosody.jid("bob"), "alias": "Bob", "group": "Friends"})
    wire.wait(event_is("buddy.added", account="1"), 60, "bob in the buddy list")
    bob.send_presence(pto=prosody.jid("alice"), ptype="subscribe")
    request = wire.wait(event_is("request.opened"), 60, "bob's request")["body"]["event"]["request"]
    wire.call(109, {"request": request["id"], "action": 0})
    wire.call(117, {"account": "1", "name": prosody.jid("bob")})
    wire.wait(event_is("notify", account="1"), 60, "bob's info")
    chat_in_a_room(wire, prosody, bob)
    wire.call(104, {"conversation": im})
    wire.call(108, {"account": "1", "name": prosody.jid("bob")})
    # what a confused gateway might send: each answered with an error, nothing leaked
    wire.call(199, {}, error=True)
    wire.call(102, {"account": "1", "text": 5}, error=True)
    wire.call(109, {"request": "no such request", "action": 0}, error=True)
    wire.call(100, {"account": {"id": "2", "protocol": "prpl-nonexistent", "username": "x"}}, error=True)
    wire.send_line(b'{"type": 110, "id": 99999, "body": ')
    wire.send_line(b"not json at all")
    wire.call(101, {"account": "1"})
    wire.call(110, {})
    wire.send(111, {}, request=False)
    status = process.wait(180)
    wire.sock.close()
    bob.stop()
    prosody.stop()
    return status


# libraries that allocate, copy or dispatch for their caller: a leak belongs to the first frame
# past them (json_object_new, g_object_new, g_strsplit, g_strdup ... called by Lilac leak in Lilac)
LIBRARIES = ("libc.so", "libc-", "ld-linux", "vgpreload", "libglib-2.0", "libgobject-2.0", "libgio-2.0",
             "libgmodule-2.0", "libjson-glib-1.0", "libsqlite3", "libsodium", "libxml2")
SOURCE_TREE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def frames_of(stack):
    return [(frame.findtext("fn") or "?", frame.findtext("obj") or "", frame.findtext("dir") or "")
            for frame in stack.iter("frame")]


def in_lilac(frame, worker):
    function, obj, folder = frame
    return (function.startswith("lilac_") or folder.startswith(SOURCE_TREE + os.sep)
            or os.path.realpath(obj) == worker)


def leaked_by_lilac(frames, worker):
    """The first frame past the libraries, going out from the allocation, is Lilac's code."""
    for frame in frames:
        if not any(library in os.path.basename(frame[1]) for library in LIBRARIES):
            return in_lilac(frame, worker)
    return False


def findings(log, worker):
    """(ours, theirs): a definite leak that Lilac's code made (itself or through a library), and
    any invalid memory use with a frame of Lilac's code on its stack, are ours; the rest is
    libpurple's or a plugin's."""
    tree = ElementTree.parse(log)
    ours, theirs = [], []
    for error in tree.getroot().iter("error"):
        kind = error.findtext("kind")
        if kind.startswith("Leak_") and kind != "Leak_DefinitelyLost":
            continue
        # the stack where it happened; an invalid access also has where the block was freed
        frames = frames_of(error.find("stack"))
        text = "%s: %s" % (kind, " < ".join(frame[0] for frame in frames))
        if kind == "Leak_DefinitelyLost":
            mine = leaked_by_lilac(frames, worker)
        else:
            mine = any(in_lilac(frame, worker) for frame in frames_of(error))
        (ours if mine else theirs).append(text)
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
        ours, theirs = findings(log, os.path.realpath(worker))
        for text in theirs:
            print("# not ours (libpurple or a plugin): " + text)
        print("%s 2 - no invalid access, and no definite leak through Lilac's code" % ("not ok" if ours else "ok"))
        for text in ours:
            print("# " + text)
        return 0 if status == 0 and not ours else 1
    finally:
        h.run_cleanups()
        if not h.keep_temp():
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
