#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Bad input: each malformed request answers the documented status and error code and changes
nothing (GET /accounts and /state are the same before and after, no event, bob gets nothing)."""

import json

import lilac_harness as h
from lilac_harness import expect, expect_error

ALICE_PASSWORD = "alice-bad-pw"
BOB_PASSWORD = "bob-bad-pw"
ACCOUNT = "<account id>"
KIB = 1024

prosody = lilac = client = bob = None
account = None


def setup_module():
    global prosody, lilac, client, bob, account
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    bob = h.XmppPeer(prosody.jid("bob"), BOB_PASSWORD, prosody.port).start()
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")
    account = client.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    client.wait_online(account["id"], timeout=45)


def new_account(**changes):
    body = {"protocol": "prpl-jabber", "username": "carol@localhost/lilac", "password": "carol-pw"}
    body.update(changes)
    return body


def without(body, key):
    body = dict(body)
    del body[key]
    return body


def to_bob(**changes):
    body = {"account": ACCOUNT, "to": "bob@localhost", "text": "hello"}
    body.update(changes)
    return body


# name, method, path, body (bytes are sent as they are, anything else as JSON), status, code
CASES = [
    ("malformed_json", "POST", "accounts", b'{"protocol": "prpl-jabber", "username": ', 400, "bad_request"),
    ("json_not_an_object", "POST", "accounts", b'["prpl-jabber", "carol@localhost"]', 400, "bad_request"),
    ("empty_body", "POST", "accounts", b"", 400, "bad_request"),
    ("trailing_garbage", "POST", "accounts", json.dumps(new_account()).encode() + b" }{", 400, "bad_request"),
    ("unknown_protocol", "POST", "accounts", new_account(protocol="prpl-nonexistent"), 400, "bad_request"),
    ("missing_username", "POST", "accounts", without(new_account(), "username"), 400, "bad_request"),
    ("missing_protocol", "POST", "accounts", without(new_account(), "protocol"), 400, "bad_request"),
    ("json_body_over_64k", "POST", "accounts", new_account(alias="x" * (64 * KIB)), 413, "too_large"),
    ("invalid_utf8", "POST", "accounts",
     b'{"protocol":"prpl-jabber","username":"car\xc3\x28ol@localhost/lilac","password":"p"}', 400, "bad_request"),
    ("overlong_utf8", "POST", "accounts",
     b'{"protocol":"prpl-jabber","username":"car\xc0\xafol@localhost/lilac","password":"p"}', 400, "bad_request"),
    ("nul_byte", "POST", "accounts",
     b'{"protocol":"prpl-jabber","username":"car\x00ol@localhost/lilac","password":"p"}', 400, "bad_request"),
    ("nul_escape", "POST", "accounts",
     b'{"protocol":"prpl-jabber","username":"car\\u0000ol@localhost/lilac","password":"p"}', 400, "bad_request"),
    ("wrong_type_username", "POST", "accounts", new_account(username=42), 400, "bad_request"),
    ("wrong_type_options", "POST", "accounts", new_account(options="port=5222"), 400, "bad_request"),
    ("wrong_type_enabled", "POST", "accounts", new_account(enabled="yes"), 400, "bad_request"),
    ("unknown_field", "POST", "accounts", new_account(colour="lilac"), 400, "bad_request"),
    ("patch_unknown_field", "PATCH", "accounts/" + ACCOUNT, {"colour": "lilac"}, 400, "bad_request"),
    ("patch_wrong_type", "PATCH", "accounts/" + ACCOUNT, {"enabled": "no"}, 400, "bad_request"),
    ("patch_malformed_json", "PATCH", "accounts/" + ACCOUNT, b'{"alias": "x"', 400, "bad_request"),
    ("message_malformed_json", "POST", "messages", b'{"account": "1", "text": "hi"', 400, "bad_request"),
    ("message_missing_text", "POST", "messages", without(to_bob(), "text"), 400, "bad_request"),
    ("message_missing_to", "POST", "messages", without(to_bob(), "to"), 400, "bad_request"),
    ("message_wrong_type", "POST", "messages", to_bob(text=5), 400, "bad_request"),
    ("message_unknown_field", "POST", "messages", to_bob(html=True), 400, "bad_request"),
    ("message_invalid_utf8", "POST", "messages",
     b'{"account":"' + ACCOUNT.encode() + b'","to":"bob@localhost","text":"\xff\xfe"}', 400, "bad_request"),
    ("message_text_over_16k", "POST", "messages", to_bob(text="x" * (16 * KIB + 1)), 413, "too_large"),
    ("message_text_over_16k_in_bytes", "POST", "messages", to_bob(text="\u00e9" * (8 * KIB + 1)), 413,
     "too_large"),
    ("session_malformed_json", "POST", "session", b'{"username": "ann"', 400, "bad_request"),
    ("session_wrong_type", "POST", "session", {"username": ["ann"], "password": "ann-login-pw"}, 400,
     "bad_request"),
]


def fill(value):
    """Puts the real account id where the table says ACCOUNT."""
    if isinstance(value, bytes):
        return value.replace(ACCOUNT.encode(), account["id"].encode())
    if isinstance(value, str):
        return value.replace(ACCOUNT, account["id"])
    if isinstance(value, dict):
        return {key: fill(item) for key, item in value.items()}
    return value


def without_status(accounts):
    """Account statuses move with the network, not with a request: left out of the comparison."""
    return [{key: value for key, value in entry.items() if key not in ("status", "error")} for entry in accounts]


def snapshot():
    status, accounts = client.get("accounts")
    expect(status == 200, "GET /accounts: %s %r" % (status, accounts))
    state = client.state()
    seq = state.pop("seq")
    state["accounts"] = without_status(state["accounts"])
    return {"accounts": without_status(accounts), "state": state}, seq


def bob_got_nothing():
    try:
        message = bob.inbox.queue.get(timeout=0.5)
    except Exception:
        return
    raise AssertionError("bob received %r" % message)


def make_case(name, method, path, body, status, code):
    def check():
        before, seq = snapshot()
        if isinstance(body, bytes):
            answer = client.request(method, fill(path), raw=fill(body))
        else:
            answer = client.request(method, fill(path), json=fill(body))
        expect_error(answer, status, code, "%s %s" % (method, path))
        after, _ = snapshot()
        expect(after == before, "the request changed things:\nbefore %r\nafter  %r" % (before, after))
        events = client.poll(seq, 0, epoch=before["state"]["epoch"])["events"]
        changes = [event for event in events
                   if event.get("type") not in ("presence", "buddy.updated", "account.status")]
        expect(not changes, "the request caused events: %r" % changes)
        bob_got_nothing()
    check.__name__ = "test_" + name
    return check


for case in CASES:
    globals()["test_" + case[0]] = make_case(*case)


def test_zz_message_of_exactly_16k_is_accepted():
    text = "y" * (16 * KIB)
    client.send_message(text, account=account["id"], to=prosody.jid("bob"))
    received = bob.wait_message(lambda message: message["body"].startswith("yyyy"), timeout=15)
    expect(received["body"] == text, "bob got %d bytes of the 16 KiB text" % len(received["body"]))


def test_zz_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
