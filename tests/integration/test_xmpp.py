#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""XMPP end to end: a Lilac user's XMPP account on a private Prosody talks with bob (slixmpp)."""

import time

import lilac_harness as h
from lilac_harness import expect

ALICE_PASSWORD = "alice-xmpp-pw"
BOB_PASSWORD = "bob-xmpp-pw"
MARKUP = '<b>html</b> & "quotes"'

prosody = lilac = client = bob = None
account = None
incoming_conversation = None


def setup_module():
    global prosody, lilac, client, bob
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    bob = h.XmppPeer(prosody.jid("bob"), BOB_PASSWORD, prosody.port).start()
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")


def is_message(direction, text):
    return lambda event: (event.get("type") == "message" and event.get("direction") == direction
                          and event.get("text") == text)


@h.timeout(60)
def test_account_goes_online():
    global account
    started = time.monotonic()
    account = client.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    expect(account["protocol"] == "prpl-jabber", "protocol: %r" % account)
    expect(account["username"] == "alice@localhost/lilac", "username: %r" % account)
    expect(account.get("status") in ("offline", "connecting", "online"), "status: %r" % account)
    expect("password" not in account, "the account answer holds the password: %r" % account)
    client.wait_online(account["id"], timeout=45)
    h.diag("time add->online: %.0f ms" % ((time.monotonic() - started) * 1000))


def test_state_lists_account_online():
    accounts = {entry["id"]: entry for entry in client.state()["accounts"]}
    expect(account["id"] in accounts, "account %s missing from /state: %r" % (account["id"], accounts))
    expect(accounts[account["id"]]["status"] == "online", "not online in /state: %r" % accounts[account["id"]])


def test_incoming_message_arrives_as_event():
    global incoming_conversation
    text = "hello alice, this is bob"
    bob.send(prosody.jid("alice"), text)
    event = client.wait_event(is_message("in", text), timeout=15)
    expect(event["account"] == account["id"], "account: %r" % event)
    expect(str(event.get("from", "")).startswith("bob@localhost"), "from: %r" % event)
    expect(isinstance(event.get("conversation"), str), "conversation id is not a string: %r" % event)
    expect(isinstance(event.get("id"), str), "message id is not a string: %r" % event)
    incoming_conversation = event["conversation"]


def test_incoming_latency():
    samples = []
    for number in range(20):
        text = "latency probe %d" % number
        started = time.monotonic()
        bob.send(prosody.jid("alice"), text)
        client.wait_event(is_message("in", text), timeout=10)
        samples.append(time.monotonic() - started)
    h.diag("time send->poll: median %.1f ms, max %.1f ms over %d messages" % (
        h.median_ms(samples), max(samples) * 1000, len(samples)))
    expect(h.median_ms(samples) < 1000, "median delivery over a second: %r" % samples)


def test_outgoing_message_reaches_bob():
    text = "hello bob, this is alice through lilac"
    message_id = client.send_message(text, account=account["id"], to=prosody.jid("bob"))
    received = bob.wait_message(lambda message: message["body"] == text, timeout=15)
    expect(received["from"].startswith("alice@localhost"), "bob got it from %r" % received)
    event = client.wait_event(is_message("out", text), timeout=15)
    expect(event.get("id") == message_id, "the out event has id %r, POST answered %r" % (event.get("id"), message_id))
    expect(event["account"] == account["id"], "account: %r" % event)


def test_markup_arrives_verbatim_from_bob():
    bob.send(prosody.jid("alice"), MARKUP)
    event = client.wait_event(lambda event: event.get("type") == "message" and event.get("direction") == "in"
                              and "html" in str(event.get("text")), timeout=15)
    expect(event["text"] == MARKUP, "bob sent %r, the event says %r" % (MARKUP, event["text"]))


def test_markup_arrives_verbatim_at_bob():
    client.send_message(MARKUP, account=account["id"], to=prosody.jid("bob"))
    received = bob.wait_message(lambda message: "html" in message["body"], timeout=15)
    expect(received["body"] == MARKUP, "lilac sent %r, bob got %r" % (MARKUP, received["body"]))
    event = client.wait_event(lambda event: event.get("type") == "message" and event.get("direction") == "out"
                              and "html" in str(event.get("text")), timeout=15)
    expect(event["text"] == MARKUP, "the out event says %r" % event["text"])


def test_state_lists_conversation():
    expect(incoming_conversation is not None, "no incoming message was seen")
    conversations = {entry["id"]: entry for entry in client.state()["conversations"]}
    expect(incoming_conversation in conversations,
           "conversation %s missing from /state: %r" % (incoming_conversation, conversations))
    conversation = conversations[incoming_conversation]
    expect(conversation["account"] == account["id"], "account: %r" % conversation)
    expect(conversation["type"] == "im", "type: %r" % conversation)
    expect(str(conversation.get("name", "")).startswith("bob@localhost"), "name: %r" % conversation)
    expect(isinstance(conversation.get("unread"), int) and conversation["unread"] >= 1,
           "unread after %d incoming messages: %r" % (22, conversation))


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
