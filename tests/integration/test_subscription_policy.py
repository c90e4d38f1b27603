#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""The subscription policy (plugins/subscription-policy, set with PATCH /users/me/settings): with
accept_all an outside client's subscription request is accepted without a request event, with
reject it is refused, with accept_buddies only people in the buddy list are accepted, and with ask
the user is asked again. The policy outlives the worker: one killed and restarted by the gateway
gets it again before its account signs on."""

import os
import signal

import lilac_harness as h
from lilac_harness import expect

PASSWORDS = {name: name + "-policy-pw"
             for name in ("alice", "carol", "dave", "erin", "frank", "gina", "hana")}

prosody = lilac = client = None
account = None
peers = {}

def setup_module():
    global prosody, lilac, client
    prosody = h.start_prosody(**PASSWORDS)
    for name in PASSWORDS:
        if name != "alice":
            peers[name] = h.XmppPeer(prosody.jid(name), PASSWORDS[name], prosody.port,
                                     auto_authorize=False).start()
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")

def set_policy(policy):
    status, body = client.patch("users/me/settings", json={"subscription_policy": policy})
    expect(status == 200, "PATCH /users/me/settings answered %s %r" % (status, body))
    expect(body.get("subscription_policy") == policy, "settings: %r" % body)

def ask_alice(name):
    """name asks to see alice's presence; returns how alice answered: subscribed or unsubscribed."""
    alice = prosody.jid("alice")
    peers[name].send_presence(pto=alice, ptype="subscribe")
    answer = peers[name].wait_presence(lambda p: p["from"].startswith(alice)
                                       and p["type"] in ("subscribed", "unsubscribed"), timeout=15)
    return answer["type"]

def no_request_event():
    events = client.settle(quiet=1)
    requests = [event for event in events if event.get("type", "").startswith("request.")]
    expect(not requests, "request events: %r" % requests)

@h.timeout(60)
def test_account_online():
    global account
    account = client.add_account(prosody.xmpp_account("alice", PASSWORDS["alice"]))
    client.wait_online(account["id"], timeout=45)
    client.settle()

def test_accept_all_accepts_without_asking():
    set_policy("accept_all")
    expect(ask_alice("carol") == "subscribed", "carol was refused")
    no_request_event()

def test_reject_refuses():
    set_policy("reject")
    expect(ask_alice("dave") == "unsubscribed", "dave was accepted")
    no_request_event()

def test_accept_buddies_accepts_the_buddy_list_only():
    set_policy("accept_buddies")
    status, body = client.post("buddies", json={"account": account["id"], "name": prosody.jid("erin")})
    expect(status == 202, "POST /buddies answered %s %r" % (status, body))
    client.wait_event(lambda e: e.get("type") == "buddy.added" and e.get("name") == prosody.jid("erin"),
                      timeout=15)
    expect(ask_alice("erin") == "subscribed", "erin, a buddy, was refused")
    expect(ask_alice("frank") == "unsubscribed", "frank, a stranger, was accepted")
    no_request_event()

def test_ask_asks_again():
    set_policy("ask")
    peers["gina"].send_presence(pto=prosody.jid("alice"), ptype="subscribe")
    event = client.wait_event(lambda e: e.get("type") == "request.opened", timeout=15)
    expect(event["request"].get("kind") == "authorize", "request: %r" % event)
    status, body = client.post("requests/" + event["request"]["id"], json={"action": "Deny"})
    expect(status == 204, "POST /requests answered %s %r" % (status, body))
    answer = peers["gina"].wait_presence(lambda p: p["type"] in ("subscribed", "unsubscribed"),
                                         timeout=15)
    expect(answer["type"] == "unsubscribed", "gina was %s" % answer["type"])

def test_unknown_policy_is_refused():
    status, body = client.patch("users/me/settings", json={"subscription_policy": "sometimes"})
    expect(status == 400, "an unknown policy answered %s %r" % (status, body))

def user_worker():
    """The pid of the one user worker: a child of the zygote (the zygote is lilac's child)."""
    for pid in h.group_members(lilac.pgid):
        with open("/proc/%d/stat" % pid) as stat:
            parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        if parent != lilac.process.pid and "--zygote" in h.cmdline(pid):
            return pid
    return None

@h.timeout(60)
def test_policy_is_sent_again_to_a_restarted_worker():
    set_policy("accept_all")
    client.settle()
    pid = user_worker()
    expect(pid is not None, "no user worker among %r" % h.group_members(lilac.pgid))
    os.kill(pid, signal.SIGKILL)
    client.wait_event(lambda e: e.get("type") == "session.worker" and e.get("state") == "restarting",
                      timeout=15)
    client.wait_event(lambda e: e.get("type") == "session.worker" and e.get("state") == "running",
                      timeout=15)
    client.wait_event(lambda e: e.get("type") == "account.status" and e.get("status") == "online",
                      timeout=30)
    expect(user_worker() not in (None, pid), "the worker was not replaced")
    # a fresh worker's policy is ask: accepted without asking means the gateway sent it again
    expect(ask_alice("hana") == "subscribed", "hana was refused")
    no_request_event()

def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()

if __name__ == "__main__":
    h.run(globals())
