#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Buddies, subscriptions, presence and typing between a Lilac user's XMPP account (alice) and an
outside slixmpp client (bob) that answers nothing by itself: a buddy added from Lilac asks bob for
a subscription; bob's own request reaches the user as a request of kind authorize, and accepting
it through the API completes the subscription; bob's presence and chat states arrive as presence
and typing events, and the user's typing reaches bob. Asking for someone's info (POST
/buddies/info) brings the vCard dora published as a notify event of the account. A request still
open when the account signs off is closed, and one nobody answers closes by itself after [workers]
request_seconds."""

import time

import lilac_harness as h
from lilac_harness import expect

ALICE_PASSWORD = "alice-buddies-pw"
BOB_PASSWORD = "bob-buddies-pw"
CAROL_PASSWORD = "carol-buddies-pw"
DORA_PASSWORD = "dora-buddies-pw"
DORA_NAME = "Dora Vcard-Explorer"

prosody = lilac = client = bob = None
account = None
alice_jid = bob_jid = None


def setup_module():
    global prosody, lilac, client, bob, alice_jid, bob_jid
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD, carol=CAROL_PASSWORD,
                              dora=DORA_PASSWORD)
    alice_jid, bob_jid = prosody.jid("alice"), prosody.jid("bob")
    bob = h.XmppPeer(bob_jid, BOB_PASSWORD, prosody.port, auto_authorize=False).start()
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")


def from_alice(kind):
    return lambda presence: presence["type"] == kind and presence["from"].startswith(alice_jid)


@h.timeout(60)
def test_account_online():
    global account
    account = client.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    client.wait_online(account["id"], timeout=45)


def test_buddy_add_asks_for_a_subscription():
    status, body = client.post("buddies", json={"account": account["id"], "name": bob_jid,
                                                "alias": "Bob", "group": "Friends"})
    expect(status == 202, "POST /buddies answered %s %r" % (status, body))
    bob.wait_presence(from_alice("subscribe"), timeout=15)
    event = client.wait_event(lambda e: e.get("type") == "buddy.added" and e.get("name") == bob_jid,
                              timeout=15)
    expect(event.get("group") == "Friends" and event.get("alias") == "Bob", "buddy.added: %r" % event)


def test_subscription_request_is_asked_and_accepted():
    # bob lets alice see him, then asks to see her
    bob.send_presence(pto=alice_jid, ptype="subscribed")
    bob.send_presence(pto=alice_jid, ptype="subscribe")
    event = client.wait_event(lambda e: e.get("type") == "request.opened", timeout=15)
    request = event["request"]
    expect(request.get("kind") == "authorize", "kind: %r" % request)
    expect(request.get("account") == account["id"], "account: %r" % request)
    expect(request.get("actions") == ["Authorize", "Deny"], "actions: %r" % request)
    expect(bob_jid in request.get("primary", ""), "primary: %r" % request)
    state = client.state()
    expect(any(r.get("id") == request["id"] for r in state["requests"]),
           "the request is not in /state: %r" % state["requests"])
    status, body = client.post("requests/" + request["id"], json={"action": 0})
    expect(status == 204, "POST /requests/%s answered %s %r" % (request["id"], status, body))
    client.wait_event(lambda e: e.get("type") == "request.closed" and e.get("id") == request["id"],
                      timeout=15)
    bob.wait_presence(from_alice("subscribed"), timeout=15)
    status, body = client.post("requests/" + request["id"], json={"action": 0})
    expect(status == 404, "answering twice answered %s %r" % (status, body))


def test_presence_away_with_message():
    bob.send_presence(pshow="away", pstatus="out for lunch")
    event = client.wait_event(lambda e: e.get("type") == "presence" and e.get("name") == bob_jid
                              and e.get("status") == "away", timeout=15)
    expect(event.get("message") == "out for lunch", "presence: %r" % event)
    expect(event.get("account") == account["id"], "presence: %r" % event)
    bob.send_presence(pstatus="back")
    client.wait_event(lambda e: e.get("type") == "presence" and e.get("name") == bob_jid
                      and e.get("status") == "available" and e.get("message") == "back", timeout=15)


def test_typing_from_bob():
    # typing belongs to a conversation: bob opens one first
    bob.send(alice_jid, "hello alice")
    message = client.wait_event(lambda e: e.get("type") == "message" and e.get("text") == "hello alice",
                                timeout=15)
    bob.send_chatstate(alice_jid, "composing")
    event = client.wait_event(lambda e: e.get("type") == "typing", timeout=15)
    expect(event.get("state") == "typing", "typing: %r" % event)
    expect(str(event.get("from", "")).startswith(bob_jid), "typing from: %r" % event)
    expect(event.get("conversation") == message["conversation"],
           "typing in %r, the message in %r" % (event.get("conversation"), message["conversation"]))
    bob.send_chatstate(alice_jid, "paused")
    client.wait_event(lambda e: e.get("type") == "typing" and e.get("state") == "paused", timeout=15)


def test_typing_to_bob():
    client.send_message("are you there?", account=account["id"], to=bob_jid)
    message = client.wait_event(lambda e: e.get("type") == "message" and e.get("direction") == "out",
                                timeout=15)
    bob.wait_message(lambda m: m["body"] == "are you there?", timeout=15)
    while not bob.chatstates.queue.empty():
        bob.chatstates.queue.get()
    status, body = client.post("typing", json={"conversation": message["conversation"],
                                               "state": "typing"})
    expect(status == 204, "POST /typing answered %s %r" % (status, body))
    state = bob.chatstates.wait(lambda s: s["state"] == "composing", 15, bob_jid)
    expect(state["from"].startswith(alice_jid), "chat state from %r" % state)


@h.timeout(60)
def test_buddy_info_from_the_vcard():
    dora_jid = prosody.jid("dora")
    dora = h.XmppPeer(dora_jid, DORA_PASSWORD, prosody.port,
                      setup=lambda xmpp: xmpp.register_plugin("xep_0054")).start()

    def publish():
        vcard = dora.xmpp["xep_0054"].make_vcard()
        vcard["FN"] = DORA_NAME
        vcard["NICKNAME"] = "dora"
        return dora.xmpp["xep_0054"].publish_vcard(vcard)
    dora.call(publish)
    dora.stop()
    status, body = client.post("buddies/info", json={"account": account["id"], "name": dora_jid})
    expect(status == 202, "POST /buddies/info answered %s %r" % (status, body))
    event = client.wait_event(lambda e: e.get("type") == "notify" and DORA_NAME in e.get("text", ""),
                              timeout=15)
    h.diag("user info: %r" % event)
    expect(event.get("account") == account["id"], "the notify names no account: %r" % event)
    expect(dora_jid in event["title"], "title: %r" % event)
    expect(any(line.endswith(": " + DORA_NAME) for line in event["text"].splitlines()),
           "no 'Label: value' line for the full name: %r" % event["text"])
    for body in ({"account": account["id"]}, {"account": account["id"], "name": ""},
                 {"account": "999", "name": dora_jid}, {"account": account["id"], "name": dora_jid, "x": 1}):
        status, answer = client.post("buddies/info", json=body)
        expect(status in (400, 404), "POST /buddies/info %r answered %s %r" % (body, status, answer))


def test_buddy_remove():
    status, body = client.delete("buddies?account=%s&name=%s" % (account["id"], bob_jid))
    expect(status == 204, "DELETE /buddies answered %s %r" % (status, body))
    client.wait_event(lambda e: e.get("type") == "buddy.removed" and e.get("name") == bob_jid,
                      timeout=15)
    # the server drops the subscription both ways once the roster item is gone; until then a
    # new request from bob would be answered by the server itself
    bob.wait_presence(from_alice("unsubscribed"), timeout=15)
    status, body = client.delete("buddies?account=%s&name=%s" % (account["id"], bob_jid))
    expect(status == 404, "removing again answered %s %r" % (status, body))


def test_invisible_where_the_network_has_none_is_told():
    # libpurple's XMPP has no invisible status: the account stays visible, and the user is told
    status, body = client.post("presence", json={"status": "invisible"})
    expect(status == 204, "POST /presence answered %s %r" % (status, body))
    event = client.wait_event(lambda e: e.get("type") == "notify" and e.get("account") == account["id"],
                              timeout=15)
    expect(event["level"] == "warning" and '"invisible"' in event["text"], "the notice: %r" % event)
    status, body = client.post("presence", json={"status": "available"})
    expect(status == 204, "POST /presence answered %s %r" % (status, body))


def test_request_closed_when_account_signs_off():
    bob.send_presence(pto=alice_jid, ptype="subscribe")
    request = client.wait_event(lambda e: e.get("type") == "request.opened", timeout=15)["request"]
    status, body = client.patch("accounts/" + account["id"], json={"enabled": False})
    expect(status == 200, "PATCH /accounts answered %s %r" % (status, body))
    client.wait_event(lambda e: e.get("type") == "request.closed" and e.get("id") == request["id"],
                      timeout=15)
    expect(not client.state()["requests"], "requests left open: %r" % client.state()["requests"])


@h.timeout(90)
def test_unanswered_request_is_cancelled_after_its_lifetime():
    quick = h.start_lilac({"cid": "cid-login-pw"}, config={"workers": {"request_seconds": 2}})
    other = h.log_in(quick, "cid", "cid-login-pw")
    carol = other.add_account(prosody.xmpp_account("carol", CAROL_PASSWORD))
    other.wait_online(carol["id"], timeout=45)
    bob.send_presence(pto=prosody.jid("carol"), ptype="subscribe")
    request = other.wait_event(lambda e: e.get("type") == "request.opened", timeout=15)["request"]
    opened = time.monotonic()
    expect(any(r.get("id") == request["id"] for r in other.state()["requests"]), "the request is not in /state")
    other.wait_event(lambda e: e.get("type") == "request.closed" and e.get("id") == request["id"], timeout=20)
    waited = time.monotonic() - opened
    h.diag("the unanswered request closed %.1f s after it was seen (lifetime 2 s)" % waited)
    expect(waited >= 1.0, "the request closed after %.1f s, before its lifetime" % waited)
    expect(not other.state()["requests"], "requests left open: %r" % other.state()["requests"])
    status, body = other.post("requests/" + request["id"], json={"action": 0})
    expect(status == 404, "answering an expired request answered %s %r" % (status, body))
    quick.assert_clean_exit()


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
