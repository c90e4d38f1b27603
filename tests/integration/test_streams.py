#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Streams that never lose an event: three pollers of one user follow 5,000 messages sent in bursts
by a real XMPP client and each sees every seq exactly once, in order; a poller that falls behind a
small ring gets resync, reloads /state, and its view equals the server's."""

import threading
import time

import lilac_harness as h
from lilac_harness import expect

ALICE_PASSWORD = "alice-streams-pw"
BOB_PASSWORD = "bob-streams-pw"
# more messages than the event ring holds (4096, or 512 under AddressSanitizer, where every
# allocation records a whole stack and a fifth of the messages takes as long)
MESSAGES = 1000 if h.sanitized() else 5000
RING = 512 if h.sanitized() else 4096
BURST = 250

prosody = lilac = bob = None


def setup_module():
    global prosody, lilac, bob
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    bob = h.XmppPeer(prosody.jid("bob"), BOB_PASSWORD, prosody.port).start()
    lilac = h.start_lilac({"ann": "ann-streams-pw"}, config={"gateway": {"event_ring": RING}})


class Poller(threading.Thread):
    """Follows the stream with since=next, as a browser tab does, and records every event."""

    def __init__(self, client, stop):
        super().__init__(daemon=True)
        self.client = client
        self.stop = stop
        self.seqs = []
        self.texts = []
        self.resyncs = 0
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                body = self.client.poll(self.client.next, 5, epoch=self.client.epoch)
                for event in body["events"]:
                    if event["type"] == "resync":
                        self.resyncs += 1
                    self.seqs.append(event["seq"])
                    if event["type"] == "message":
                        self.texts.append(event["text"])
                self.client.next = body["next"]
        except BaseException as error:  # reported by the test
            self.error = error


@h.timeout(600)
def test_three_pollers_see_every_event_once():
    clients = [h.log_in(lilac, "ann", "ann-streams-pw") for _ in range(3)]
    account = clients[0].add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    clients[0].wait_online(account["id"], timeout=45)
    for client in clients:
        client.sync()
    start = clients[0].next
    stop = threading.Event()
    pollers = [Poller(client, stop) for client in clients]
    for poller in pollers:
        poller.start()
    started = time.monotonic()
    for first in range(0, MESSAGES, BURST):
        for number in range(first, first + BURST):
            bob.send(prosody.jid("alice"), "burst message %d" % number)
        h.wait_until(lambda: all(len(p.texts) >= first + BURST or p.error for p in pollers), timeout=120,
                     message="the pollers caught up with burst %d" % (first // BURST))
    elapsed = time.monotonic() - started
    stop.set()
    for poller in pollers:
        poller.join(10)
    h.diag("%d messages through 3 pollers in %.1f s (%.0f messages/s)" % (MESSAGES, elapsed, MESSAGES / elapsed))
    for number, poller in enumerate(pollers):
        expect(poller.error is None, "poller %d failed: %r" % (number, poller.error))
        expect(poller.resyncs == 0, "poller %d was told to resync" % number)
        expected = list(range(start + 1, start + 1 + len(poller.seqs)))
        expect(poller.seqs == expected, "poller %d saw a gap or a duplicate" % number)
        wanted = ["burst message %d" % n for n in range(MESSAGES)]
        expect(poller.texts[:MESSAGES] == wanted, "poller %d: messages missing or out of order" % number)


@h.timeout(120)
def test_poller_behind_the_ring_resyncs_to_the_same_view():
    global lilac
    lilac.stop()
    lilac.assert_clean_exit()
    lilac = h.start_lilac({"ann": "ann-streams-pw"}, config={"gateway": {"event_ring": 64}})
    client = h.log_in(lilac, "ann", "ann-streams-pw")
    account = client.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    client.wait_online(account["id"], timeout=45)
    client.sync()
    behind = client.next
    for number in range(100):  # more than the ring of 64 holds
        bob.send(prosody.jid("alice"), "overflow %d" % number)
    h.wait_until(lambda: any(c.get("unread", 0) >= 100 for c in client.state()["conversations"]),
                 timeout=60, message="the overflow arrived")
    body = client.poll(behind, 0, epoch=client.epoch)
    expect([event["type"] for event in body["events"]] == ["resync"], "expected resync, got %r" % body)
    mine = client.sync()
    # the client's view: the snapshot, then every event after its seq, applied once
    view = {c["id"]: c["unread"] for c in mine["conversations"]}
    for number in range(10):
        bob.send(prosody.jid("alice"), "after the resync %d" % number)
    seen = 0
    while seen < 10:
        event = client.wait_event(lambda e: True, timeout=30)
        seen += apply_event(view, event)
    again = client.state()
    expect(view == {c["id"]: c["unread"] for c in again["conversations"]},
           "the view built from the snapshot and the stream differs from the server's: %r vs %r"
           % (view, again["conversations"]))
    expect(max(view.values()) >= 110, "the unread counts lost messages: %r" % view)
    expect(again["seq"] == client.next, "the snapshot's seq is not where the stream is")


def apply_event(view, event):
    """Applies one event to a view {conversation id: unread}; returns 1 for a message event."""
    kind = event.get("type")
    if kind == "conversation.opened":
        view[event["conversation"]["id"]] = event["conversation"]["unread"]
    elif kind == "conversation.closed":
        view.pop(event["conversation"]["id"], None)
    elif kind == "conversation.read":
        view[event["conversation"]] = event["unread"]
    elif kind == "message":
        view[event["conversation"]] = event["unread"]
        return 1
    return 0


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
