#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""An IRC channel on ngircd: a Lilac user's IRC account joins #lilac, which the outsider made; a
visitor joining, changing nick and leaving shows as chat.members (renamed for the nick), the
outsider's topic as chat.topic, and lines go both ways."""

import lilac_harness as h
from lilac_harness import expect

NICK = "lilacuser"
CHANNEL = "#lilac"
TOPIC = "Lilac on IRC"

ngircd = lilac = client = outsider = visitor = None
account = conversation = None


def setup_module():
    global ngircd, lilac, client, outsider
    ngircd = h.Ngircd().start()
    outsider = h.IrcPeer("outsider", ngircd.port).start()
    outsider.join(CHANNEL)
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")


def members(joined=None, left=None, renamed=None):
    def match(event):
        return (event.get("type") == "chat.members" and event.get("conversation") == conversation
                and (joined is None or joined in event.get("joined", []))
                and (left is None or left in event.get("left", []))
                and (renamed is None or renamed in event.get("renamed", [])))
    return match


@h.timeout(60)
def test_account_online():
    global account
    account = client.add_account(ngircd.irc_account(NICK))
    client.wait_online(account["id"], timeout=45)


def test_join_channel():
    global conversation
    status, body = client.post("chats", json={"account": account["id"], "room": CHANNEL})
    expect(status == 202, "POST /chats answered %s %r" % (status, body))
    conversation = body["conversation"]
    outsider.wait_join(NICK, CHANNEL, timeout=20)
    client.wait_event(members(joined="outsider"), timeout=20)


def test_visitor_joins_renames_and_leaves():
    global visitor
    visitor = h.IrcPeer("visitor", ngircd.port).start()
    visitor.join(CHANNEL)
    client.wait_event(members(joined="visitor"), timeout=20)
    visitor._do(lambda: visitor.connection.nick("visitor2"))
    client.wait_event(members(renamed={"from": "visitor", "to": "visitor2"}), timeout=20)
    visitor._do(lambda: visitor.connection.part(CHANNEL))
    client.wait_event(members(left="visitor2"), timeout=20)


def test_topic_change():
    outsider._do(lambda: outsider.connection.topic(CHANNEL, TOPIC))
    event = client.wait_event(lambda e: e.get("type") == "chat.topic"
                              and e.get("conversation") == conversation, timeout=20)
    expect(event.get("topic") == TOPIC, "topic: %r" % event)


def test_line_from_the_channel():
    text = "hello channel, from the outsider"
    outsider.say(CHANNEL, text)
    event = client.wait_event(lambda e: e.get("type") == "message" and e.get("text") == text, timeout=20)
    expect(event["conversation"] == conversation and event.get("from") == "outsider", "event: %r" % event)


def test_line_to_the_channel():
    text = "hello outsider, from lilac"
    client.send_message(text, conversation=conversation)
    received = outsider.wait_message(lambda m: m["text"] == text, timeout=20)
    expect(received["type"] == "pubmsg" and received["from"] == NICK, "got %r" % received)


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
