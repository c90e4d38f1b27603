#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Long polling: held polls, prompt answers, several polls at once, resync, contiguous numbers.

The gateway keeps a small ring here ([gateway] event_ring = 32) so that a since older than the
ring is quick to reach. Events come from bob (slixmpp) writing to alice's XMPP account."""

import threading
import time

import lilac_harness as h
from lilac_harness import expect

ALICE_PASSWORD = "alice-poll-pw"
BOB_PASSWORD = "bob-poll-pw"
RING = 32

prosody = lilac = client = bob = None
account = None


def setup_module():
    global prosody, lilac, client, bob
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    bob = h.XmppPeer(prosody.jid("bob"), BOB_PASSWORD, prosody.port).start()
    lilac = h.start_lilac({"ann": "ann-login-pw"}, config={"gateway": {"event_ring": RING}})
    client = h.log_in(lilac, "ann", "ann-login-pw")


def bob_says(text):
    bob.send(prosody.jid("alice"), text)


def has_text(events, text):
    return any(event.get("type") == "message" and event.get("text") == text for event in events)


class HeldPoll(threading.Thread):
    """One poll in a thread: body (or error) and the monotonic time it was answered."""

    def __init__(self, poller, since, timeout, epoch):
        super().__init__(daemon=True)
        self.poller, self.since, self.timeout, self.epoch = poller, since, timeout, epoch
        self.body = self.error = self.answered = None

    def run(self):
        try:
            self.body = self.poller.poll(self.since, self.timeout, epoch=self.epoch)
        except Exception as error:  # reported by the test thread
            self.error = error
        self.answered = time.monotonic()

    def result(self, timeout):
        self.join(timeout)
        expect(not self.is_alive(), "the poll was not answered within %.0f s" % timeout)
        if self.error is not None:
            raise self.error
        return self.body


@h.timeout(60)
def test_adding_an_account_wakes_a_held_poll():
    global account
    client.settle()
    poll = HeldPoll(client, client.next, 20, client.epoch)
    poll.start()
    time.sleep(0.5)
    expect(poll.is_alive(), "a poll with nothing new was answered at once: %r" % poll.body)
    started = time.monotonic()
    account = client.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    body = poll.result(25)
    expect(body["events"], "the poll answered with no event: %r" % body)
    expect(poll.answered - started < 1.0, "the poll took %.2f s to answer after the account was added"
           % (poll.answered - started))
    client.wait_online(account["id"], timeout=45)


def test_idle_poll_is_held_until_its_timeout():
    for attempt in range(3):
        client.settle()
        since = client.next
        started = time.monotonic()
        body = client.poll(since, 2, epoch=client.epoch)
        elapsed = time.monotonic() - started
        if body["events"]:
            h.diag("attempt %d: an event came during the hold: %r" % (attempt, body["events"]))
            continue
        expect(1.8 <= elapsed <= 4.0, "a 2 s poll with nothing new answered after %.2f s" % elapsed)
        expect(body["next"] == since, "next moved from %r to %r with no events" % (since, body["next"]))
        expect(body["epoch"] == client.epoch, "epoch changed: %r" % body)
        return
    raise AssertionError("events kept coming; the hold could not be measured")


def test_held_poll_answers_promptly_on_a_message():
    client.settle()
    poll = HeldPoll(client, client.next, 20, client.epoch)
    poll.start()
    time.sleep(0.5)
    expect(poll.is_alive(), "the poll was answered before anything happened: %r" % poll.body)
    text = "wake up"
    sent = time.monotonic()
    bob_says(text)
    body = poll.result(25)
    # the first event may be another one that the message causes (conversation.opened)
    expect(body["events"], "the poll answered without events: %r" % body)
    h.diag("time send->held poll answered: %.1f ms" % ((poll.answered - sent) * 1000))
    expect(poll.answered - sent < 1.0, "answered %.2f s after bob sent" % (poll.answered - sent))
    client.next = body["next"]
    client.pending.extend(body["events"])
    client.wait_event(lambda event: event.get("type") == "message" and event.get("text") == text, timeout=5)


def test_two_held_polls_both_get_the_event():
    second_tab = h.log_in(lilac, "ann", "ann-login-pw")
    client.settle()
    polls = [HeldPoll(client, client.next, 20, client.epoch),
             HeldPoll(second_tab, client.next, 20, client.epoch)]
    for poll in polls:
        poll.start()
    time.sleep(0.5)
    text = "for every tab"
    bob_says(text)
    bodies = [poll.result(25) for poll in polls]
    found = []
    for body in bodies:
        matching = [event for event in body["events"] if event.get("text") == text]
        expect(matching, "a poll answered without the message: %r" % body)
        found.append(matching[0]["seq"])
    expect(found[0] == found[1], "the two polls saw the message with different seq: %r" % found)
    client.next = bodies[0]["next"]


def test_wrong_epoch_resyncs():
    body = client.poll(client.next, 0, epoch="bogus")
    expect([event.get("type") for event in body["events"]] == ["resync"],
           "epoch=bogus answered %r" % body)


def test_future_since_resyncs():
    seq = client.state()["seq"]
    body = client.poll(seq + 1000, 0, epoch=client.epoch)
    expect([event.get("type") for event in body["events"]] == ["resync"],
           "since=%d with seq %d answered %r" % (seq + 1000, seq, body))


def test_sequence_numbers_are_contiguous():
    client.settle()
    first = client.next
    texts = ["numbered %d" % number for number in range(10)]
    for text in texts:
        bob_says(text)
    client.wait_event(lambda event: event.get("text") == texts[-1], timeout=20)
    seqs = [event["seq"] for event in client.history if event["seq"] > first]
    expect(seqs == list(range(first + 1, first + 1 + len(seqs))),
           "sequence numbers after %d are not contiguous: %r" % (first, seqs))
    # read the same stretch again, one small poll at a time
    since, again = first, []
    while since < client.next:
        body = client.poll(since, 0, epoch=client.epoch)
        expect(body["events"], "no events after %d though next is %d" % (since, client.next))
        again.extend(event["seq"] for event in body["events"])
        since = body["next"]
        expect(since == again[-1], "next %r is not the last seq %r" % (since, again[-1]))
    expect(again == list(range(first + 1, client.next + 1)), "re-read numbers: %r" % again)


def test_since_older_than_the_ring_resyncs():
    client.settle()
    first = client.next
    texts = ["flood %d" % number for number in range(RING + 10)]
    for text in texts:
        bob_says(text)
    h.wait_until(lambda: client.state()["seq"] >= first + RING + 10, timeout=30,
                 message="%d more events" % (RING + 10))
    body = client.poll(first, 0, epoch=client.epoch)
    expect([event.get("type") for event in body["events"]] == ["resync"],
           "since=%d with the ring %d events past it answered %r" % (first, RING + 10, body))
    body = client.poll(0, 0, epoch=client.epoch)
    expect([event.get("type") for event in body["events"]] == ["resync"], "since=0 answered %r" % body)
    client.sync()


def test_unauthenticated_poll_is_refused():
    stranger = lilac.client()
    h.expect_error(stranger.poll_raw(0, 0), 401, "unauthorized")


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
