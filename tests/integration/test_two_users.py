#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Two gateway users: neither sees nor touches the other's things; logins and CSRF are enforced.

ann has alice's XMPP account and a conversation with bob; ben has nothing."""

import time

import lilac_harness as h
from lilac_harness import expect, expect_error

ALICE_PASSWORD = "alice-two-pw"
BOB_PASSWORD = "bob-two-pw"
MISSING_ID = "999999"

prosody = lilac = ann = ben = bob = None
account = conversation = None


def setup_module():
    global prosody, lilac, ann, ben, bob
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    bob = h.XmppPeer(prosody.jid("bob"), BOB_PASSWORD, prosody.port).start()
    lilac = h.start_lilac({"ann": "ann-login-pw", "ben": "ben-login-pw"})
    ann = h.log_in(lilac, "ann", "ann-login-pw")
    ben = h.log_in(lilac, "ben", "ben-login-pw")


def message_with(text):
    return lambda event: event.get("type") == "message" and event.get("text") == text


def bob_got_nothing(within=1.5):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            message = bob.inbox.queue.get(timeout=0.1)
        except Exception:
            continue
        raise AssertionError("bob received %r" % message)


def ann_snapshot():
    status, accounts = ann.get("accounts")
    expect(status == 200, "GET /accounts: %s %r" % (status, accounts))
    state = ann.state()
    return accounts, state["accounts"], state["conversations"]


@h.timeout(60)
def test_ann_account_and_conversation():
    global account, conversation
    account = ann.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    ann.wait_online(account["id"], timeout=45)
    bob.send(prosody.jid("alice"), "hi ann")
    conversation = ann.wait_event(message_with("hi ann"), timeout=15)["conversation"]


def test_ben_sees_none_of_ann():
    status, accounts = ben.get("accounts")
    expect(status == 200 and accounts == [], "ben's GET /accounts: %s %r" % (status, accounts))
    state = ben.state()
    expect(state["accounts"] == [], "ben's /state has accounts: %r" % state["accounts"])
    expect(state["conversations"] == [], "ben's /state has conversations: %r" % state["conversations"])


def test_ben_gets_none_of_ann_events():
    ben.settle()
    bob.send(prosody.jid("alice"), "only for ann")
    ann.wait_event(message_with("only for ann"), timeout=15)
    body = ben.poll(ben.next, 2, epoch=ben.epoch)
    leaked = [event for event in body["events"]
              if event.get("account") == account["id"] or event.get("conversation") == conversation
              or "only for ann" in str(event)]
    expect(not leaked, "ben received ann's events: %r" % leaked)


def test_ben_cannot_touch_ann_things():
    before = ann_snapshot()
    attempts = [
        ("GET", "accounts/%s", None),
        ("PATCH", "accounts/%s", {"alias": "taken over"}),
        ("DELETE", "accounts/%s", None),
        ("POST", "messages", {"account": "%s", "to": prosody.jid("bob"), "text": "from ben"}),
        ("POST", "chats", {"account": "%s", "room": "room@" + prosody.muc}),
        ("POST", "buddies", {"account": "%s", "name": "carol@localhost"}),
        ("DELETE", "buddies?account=%s&name=bob%%40localhost", None),
        ("GET", "history?conversation=%s", "conversation"),
        ("POST", "messages", {"conversation": "%s", "text": "from ben"}),
        ("POST", "conversations/%s/read", {"seq": 1}),
        ("DELETE", "conversations/%s", "conversation"),
    ]
    problems = []
    for method, path, body in attempts:
        uses_conversation = body == "conversation" or (isinstance(body, dict) and "conversation" in body) \
            or path.startswith("conversations")
        victim = conversation if uses_conversation else account["id"]
        for target, label in ((victim, "ann's"), (MISSING_ID, "a missing")):
            if isinstance(body, dict):
                filled = {key: (value % target if value == "%s" else value) for key, value in body.items()}
            else:
                filled = None
            filled_path = path % target if "%s" in path else path
            answer = ben.request(method, filled_path, json=filled)
            try:
                expect_error(answer, 404, "not_found", "%s %s %r with %s id" % (method, filled_path, filled, label))
            except AssertionError as error:
                problems.append(str(error))
    bob_got_nothing()
    expect(ann_snapshot() == before, "ann's accounts or conversations changed")
    expect(not problems, "\n".join(problems))


def collect(problems, answer, status, code, what):
    try:
        expect_error(answer, status, code, what)
    except AssertionError as error:
        problems.append(str(error))


def test_requests_without_login_are_refused():
    before = ann_snapshot()
    problems = []
    stranger = lilac.client()
    for method, path, body in (("GET", "state", None), ("GET", "accounts", None), ("GET", "session", None),
                               ("GET", "events?since=0&timeout=0", None),
                               ("POST", "accounts", prosody.xmpp_account("bob", BOB_PASSWORD)),
                               ("POST", "messages", {"account": account["id"], "to": "bob@localhost",
                                                     "text": "anonymous"}),
                               ("PATCH", "accounts/%s" % account["id"], {"alias": "anonymous"}),
                               ("DELETE", "accounts/%s" % account["id"], None)):
        collect(problems, stranger.request(method, path, json=body), 401, "unauthorized", "%s %s" % (method, path))
    forged = lilac.client()
    forged.cookies["lilac_session"] = "forged-session-value"
    collect(problems, forged.get("state"), 401, "unauthorized", "a forged cookie")
    bearer = lilac.client()
    bearer.token, bearer.bearer = "forged-token-value", True
    collect(problems, bearer.get("state"), 401, "unauthorized", "a forged bearer token")
    bob_got_nothing()
    expect(ann_snapshot() == before, "ann's accounts or conversations changed")
    expect(not problems, "\n".join(problems))


def test_cookie_requests_without_csrf_are_refused():
    before = ann_snapshot()
    problems = []
    no_csrf = {"X-Lilac-Csrf": None}
    wrong_csrf = {"X-Lilac-Csrf": "not-the-token"}
    for headers, label in ((no_csrf, "no X-Lilac-Csrf"), (wrong_csrf, "a wrong X-Lilac-Csrf")):
        for method, path, body in (
                ("POST", "accounts", prosody.xmpp_account("bob", BOB_PASSWORD, resource="csrf")),
                ("PATCH", "accounts/%s" % account["id"], {"alias": "csrf victim"}),
                ("DELETE", "accounts/%s" % account["id"], None),
                ("POST", "messages", {"account": account["id"], "to": prosody.jid("bob"), "text": "forged"}),
                ("POST", "messages", {"conversation": conversation, "text": "forged"}),
                ("DELETE", "session", None)):
            collect(problems, ann.request(method, path, json=body, headers=headers), 403, "forbidden",
                    "%s %s with %s" % (method, path, label))
    bob_got_nothing()
    expect(ann_snapshot() == before, "ann's accounts or conversations changed")
    status, _ = ann.get("session")
    expect(status == 200, "ann's login ended after a DELETE /session without CSRF (%s)" % status)
    expect(not problems, "\n".join(problems))


def test_bearer_token_needs_no_csrf():
    bot = lilac.client()
    bot.token, bot.bearer = ann.token, True
    status, accounts = bot.get("accounts")
    expect(status == 200 and [entry["id"] for entry in accounts] == [account["id"]],
           "GET /accounts with the token: %s %r" % (status, accounts))
    text = "from ann's bot"
    bot.send_message(text, account=account["id"], to=prosody.jid("bob"))
    bob.wait_message(lambda message: message["body"] == text, timeout=15)


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
