#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""IRC end to end: a Lilac user's IRC account on a private ngircd, in #lilac with an outside client."""

import time

import lilac_harness as h
from lilac_harness import expect

NICK = "lilacnick"
CHANNEL = "#lilac"

ngircd = lilac = client = outsider = None
account = None
channel_conversation = None


def setup_module():
    global ngircd, lilac, client, outsider
    ngircd = h.Ngircd().start()
    outsider = h.IrcPeer("outsider", ngircd.port).start()
    outsider.join(CHANNEL)
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")


@h.timeout(60)
def test_account_goes_online():
    global account
    started = time.monotonic()
    account = client.add_account(ngircd.irc_account(NICK))
    expect(account["protocol"] == "prpl-irc", "protocol: %r" % account)
    client.wait_online(account["id"], timeout=45)
    h.diag("time add->online: %.0f ms" % ((time.monotonic() - started) * 1000))


def test_join_channel():
    global channel_conversation
    status, body = client.post("chats", json={"account": account["id"], "room": CHANNEL})
    expect(status == 202, "POST /chats answered %s %r" % (status, body))
    expect(isinstance(body.get("conversation"), str), "no conversation id: %r" % body)
    channel_conversation = body["conversation"]
    outsider.wait_join(NICK, CHANNEL, timeout=20)


def outsider_says_in_channel(text):
    """The outsider's line in the channel, as the event in the channel's conversation."""
    outsider.say(CHANNEL, text)
    event = client.wait_event(lambda event: event.get("type") == "message" and event.get("text") == text,
                              timeout=20)
    expect(event["conversation"] == channel_conversation,
           "line arrived in conversation %r, POST /chats said %r" % (event["conversation"], channel_conversation))
    return event


def test_channel_line_arrives_in_conversation():
    event = outsider_says_in_channel("hello from the outside, é")
    expect(event["direction"] == "in", "direction: %r" % event)
    expect(event["account"] == account["id"], "account: %r" % event)
    expect(event.get("from") == "outsider", "from: %r" % event)


def test_state_lists_channel():
    conversations = {entry["id"]: entry for entry in client.state()["conversations"]}
    expect(channel_conversation in conversations, "channel missing from /state: %r" % conversations)
    conversation = conversations[channel_conversation]
    expect(conversation["type"] == "chat", "type: %r" % conversation)
    expect(conversation["name"].lower() == CHANNEL, "name: %r" % conversation)


def test_reply_reaches_channel():
    text = "a reply from lilac"
    message_id = client.send_message(text, conversation=channel_conversation)
    # ngircd holds back a client's lines for a while after it sent several commands (the join)
    received = outsider.wait_message(lambda message: message["text"] == text, timeout=20)
    expect(received["type"] == "pubmsg" and received["target"].lower() == CHANNEL, "got %r" % received)
    expect(received["from"] == NICK, "from: %r" % received)
    event = client.wait_event(lambda event: event.get("type") == "message" and event.get("direction") == "out"
                              and event.get("text") == text, timeout=15)
    expect(event.get("id") == message_id, "out event id %r, POST answered %r" % (event.get("id"), message_id))
    expect(event["conversation"] == channel_conversation, "conversation: %r" % event)


def test_private_message_both_ways():
    text = "psst, just you"
    outsider.say(NICK, text)
    event = client.wait_event(lambda event: event.get("type") == "message" and event.get("text") == text,
                              timeout=20)
    expect(event["direction"] == "in" and event.get("from") == "outsider", "event: %r" % event)
    expect(event["conversation"] != channel_conversation, "a private line landed in the channel: %r" % event)
    reply = "psst back"
    client.send_message(reply, account=account["id"], to="outsider")
    received = outsider.wait_message(lambda message: message["text"] == reply, timeout=20)
    expect(received["type"] == "privmsg", "got %r" % received)


@h.timeout(90)
def test_rooms_joined_again_after_a_restart():
    """The channel the user had open is joined again when the account comes back, and its lines
    land in the same conversation as before."""
    global client
    lilac.restart()
    client = h.log_in(lilac, "ann", "ann-login-pw")
    client.wait_online(account["id"], timeout=45)
    outsider.wait_join(NICK, CHANNEL, timeout=30)
    outsider_says_in_channel("welcome back")


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
