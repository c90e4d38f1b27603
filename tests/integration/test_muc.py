#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""XMPP multi-user chat on Prosody's MUC component: a Lilac user (alice) joins a room that bob
(slixmpp) made; carol joining and leaving shows as chat.members, bob's new subject as chat.topic,
and messages go both ways."""

import lilac_harness as h
from lilac_harness import expect, expect_error

PASSWORDS = {"alice": "alice-muc-pw", "bob": "bob-muc-pw", "carol": "carol-muc-pw"}
TOPIC = "Lilac in a room"

prosody = lilac = client = bob = carol = None
account = None
room = conversation = None


def setup_module():
    global prosody, lilac, client, bob, carol, room
    prosody = h.start_prosody(**PASSWORDS)
    room = "lilac@" + prosody.muc
    bob = h.XmppPeer(prosody.jid("bob"), PASSWORDS["bob"], prosody.port).start()
    carol = h.XmppPeer(prosody.jid("carol"), PASSWORDS["carol"], prosody.port).start()
    # bob makes the room, and owns it
    bob.join_muc(room, "bob")
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")


def members_event(joined=None, left=None):
    def match(event):
        return (event.get("type") == "chat.members" and event.get("conversation") == conversation
                and (joined is None or joined in event.get("joined", []))
                and (left is None or left in event.get("left", [])))
    return match


@h.timeout(60)
def test_account_online():
    global account
    account = client.add_account(prosody.xmpp_account("alice", PASSWORDS["alice"]))
    client.wait_online(account["id"], timeout=45)


def test_join_room():
    global conversation
    status, body = client.post("chats", json={"account": account["id"], "room": room, "nick": "alice"})
    expect(status == 202, "POST /chats answered %s %r" % (status, body))
    conversation = body["conversation"]
    client.wait_event(members_event(joined="bob"), timeout=20)
    state = {entry["id"]: entry for entry in client.state()["conversations"]}
    expect(conversation in state and state[conversation]["type"] == "chat",
           "the room is not in /state: %r" % state)


def test_member_joins_and_leaves():
    carol.join_muc(room, "carol")
    client.wait_event(members_event(joined="carol"), timeout=15)
    carol.call(lambda: carol.xmpp["xep_0045"].leave_muc(room, "carol"))
    client.wait_event(members_event(left="carol"), timeout=15)


def test_topic_change():
    bob.call(lambda: bob.xmpp["xep_0045"].set_subject(room, TOPIC))
    event = client.wait_event(lambda e: e.get("type") == "chat.topic"
                              and e.get("conversation") == conversation and e.get("topic") == TOPIC,
                              timeout=15)
    expect(event["topic"] == TOPIC, "topic: %r" % event)


def test_message_from_the_room():
    text = "hello room, from bob"
    bob.send(room, text, mtype="groupchat")
    event = client.wait_event(lambda e: e.get("type") == "message" and e.get("text") == text, timeout=15)
    expect(event["conversation"] == conversation, "the message landed in %r" % event["conversation"])
    expect(event["direction"] == "in" and event.get("from") == "bob", "message: %r" % event)


def test_message_to_the_room():
    text = "hello bob, from alice in the room"
    message_id = client.send_message(text, conversation=conversation)
    received = bob.wait_message(lambda m: m["type"] == "groupchat" and m["body"] == text, timeout=15)
    expect(received["nick"] == "alice", "bob got it from %r" % received)
    event = client.wait_event(lambda e: e.get("type") == "message" and e.get("direction") == "out"
                              and e.get("text") == text, timeout=15)
    expect(event.get("id") == message_id, "out event %r, POST said %r" % (event.get("id"), message_id))


def test_room_history_holds_each_line_once():
    status, body = client.get("history?conversation=%s&limit=50" % conversation)
    expect(status == 200, "GET /history answered %s %r" % (status, body))
    lines = [(m["direction"], m["from"], m["text"]) for m in body["messages"] if not m.get("system")]
    # the room echoes alice's own line back: it is the out message, stored once
    expect(lines == [("in", "bob", "hello room, from bob"),
                     ("out", "alice", "hello bob, from alice in the room")],
           "the room's history: %r" % lines)
    status, found = client.get("history?q=hello&account=%s" % account["id"])
    expect(status == 200 and len(found["messages"]) == 2, "search in the account: %r" % (found,))
    expect_error(client.get("history?q=hello&account=999999"), 404, "not_found",
                 "a search in an unknown account")


def test_leave_room():
    status, body = client.delete("conversations/" + conversation)
    expect(status == 204, "DELETE /conversations answered %s %r" % (status, body))
    client.wait_event(lambda e: e.get("type") == "conversation.closed", timeout=15)


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
