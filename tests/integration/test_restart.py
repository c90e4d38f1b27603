#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Restart: logins persist, the account comes back online by itself after the first authenticated
request, the old epoch answers resync, and what came in before is still in /state and history."""

import os
import sqlite3

import lilac_harness as h
from lilac_harness import expect

ALICE_PASSWORD = "alice-restart-pw"
BOB_PASSWORD = "bob-restart-pw"
BEFORE = ["before restart %d" % number for number in range(3)]

prosody = lilac = client = bob = None
account = conversation = None
old_epoch = old_next = None


def setup_module():
    global prosody, lilac, client, bob
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    bob = h.XmppPeer(prosody.jid("bob"), BOB_PASSWORD, prosody.port).start()
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")


def message_with(text):
    return lambda event: event.get("type") == "message" and event.get("text") == text


def find(items, item_id):
    return next((item for item in items if item.get("id") == item_id), None)


@h.timeout(60)
def test_before_restart():
    global account, conversation, old_epoch, old_next
    account = client.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    client.wait_online(account["id"], timeout=45)
    for text in BEFORE:
        bob.send(prosody.jid("alice"), text)
        conversation = client.wait_event(message_with(text), timeout=15)["conversation"]
    state = client.state()
    unread = find(state["conversations"], conversation)
    expect(unread is not None and unread.get("unread") == len(BEFORE),
           "before the restart the conversation is %r" % unread)
    old_epoch, old_next = client.epoch, client.next


@h.timeout(60)
def test_login_survives_restart():
    lilac.restart()
    status, body = client.get("session")
    expect(status == 200, "GET /session after the restart answered %s %r" % (status, body))
    expect(body["user"]["name"] == "ann", "session user: %r" % body)


def test_old_epoch_resyncs():
    body = client.poll(old_next, 0, epoch=old_epoch)
    expect([event.get("type") for event in body["events"]] == ["resync"],
           "a poll from before the restart answered %r" % body)
    expect(body["epoch"] != old_epoch, "the epoch did not change across the restart: %r" % body)


@h.timeout(60)
def test_account_comes_back_online():
    state = client.sync()
    entry = find(state["accounts"], account["id"])
    expect(entry is not None, "the account is gone after the restart: %r" % state["accounts"])
    if entry["status"] != "online":
        client.wait_online(account["id"], timeout=45)


def test_conversation_kept_in_state():
    state = client.state()
    entry = find(state["conversations"], conversation)
    expect(entry is not None, "conversation %s is not in /state after the restart: %r" % (
        conversation, state["conversations"]))
    expect(entry.get("unread") == len(BEFORE), "unread after the restart: %r" % entry)


def test_history_kept():
    status, body = client.get("history?conversation=%s&limit=50" % conversation)
    expect(status == 200, "GET /history answered %s %r" % (status, body))
    texts = [message.get("text") for message in body["messages"]]
    expect(texts[-len(BEFORE):] == BEFORE, "history after the restart: %r" % texts)


def test_messages_flow_after_restart():
    text = "after restart"
    bob.send(prosody.jid("alice"), text)
    event = client.wait_event(message_with(text), timeout=20)
    expect(event["conversation"] == conversation,
           "the same peer got a new conversation id: %r, before %r" % (event["conversation"], conversation))
    reply = "alice is back"
    client.send_message(reply, account=account["id"], to=prosody.jid("bob"))
    bob.wait_message(lambda message: message["body"] == reply, timeout=20)


@h.timeout(60)
def test_history_older_than_retention_is_purged():
    global client
    database = sqlite3.connect(os.path.join(lilac.data, "lilac.db"), timeout=10)
    with database:
        # the first message is now 91 days old; the retention is 90 days
        database.execute("UPDATE messages SET time = time - 91 * 86400000 "
                         "WHERE id = (SELECT MIN(id) FROM messages)")
    database.close()
    lilac.restart()  # the purge runs at start and then hourly
    client.sync()
    status, body = client.get("history?conversation=%s&limit=50" % conversation)
    texts = [message["text"] for message in body["messages"]]
    expect(status == 200 and BEFORE[0] not in texts and BEFORE[1] in texts,
           "history after the purge: %s %r" % (status, texts))


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
