#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""PATCH /accounts/{id} with a new password, and the configuration options poll_timeout and
log_level. An account added with a wrong password fails to sign on; PATCH with the right one
signs it on, and after a restart of the gateway the stored (encrypted) new password still does.
With poll_timeout=2 a GET /events without a timeout is held about 2 s and answers empty. With
log_level=debug the gateway and the worker log debug lines, yet no password, token or message
text appears in the log (the issue's rule: never at any level)."""

import secrets
import time

import lilac_harness as h
from lilac_harness import expect

WRONG = "alice-wrong-" + secrets.token_hex(6)
RIGHT = "alice-right-" + secrets.token_hex(6)
BOB = "bob-options-" + secrets.token_hex(6)
LOGIN = "ann-options-" + secrets.token_hex(6)
TO_ANN = "a message text for ann " + secrets.token_hex(6)
TO_BOB = "a message text for bob " + secrets.token_hex(6)

prosody = lilac = ann = bob = account = None
tokens = []


def setup_module():
    global prosody, lilac, ann, bob
    prosody = h.start_prosody(alice=RIGHT, bob=BOB)
    bob = h.XmppPeer(prosody.jid("bob"), BOB, prosody.port).start()
    lilac = h.start_lilac({"ann": LOGIN}, config={"gateway": {"poll_timeout": 2, "log_level": "debug"}})
    ann = h.log_in(lilac, "ann", LOGIN)
    tokens.extend([ann.token, ann.csrf])


def account_status(event):
    return event.get("type") == "account.status" and event.get("account") == account["id"]


@h.timeout(120)
def test_a_wrong_password_fails_to_sign_on():
    global account
    body = prosody.xmpp_account("alice", WRONG)
    account = ann.add_account(body)
    failed = ann.wait_event(lambda e: account_status(e) and e.get("status") == "error", timeout=45)
    h.diag("with the wrong password: %r" % failed)
    expect(failed.get("reason") == "auth", "the account failed for another reason: %r" % failed)


@h.timeout(120)
def test_patching_the_password_signs_on():
    status, body = ann.patch("accounts/%s" % account["id"], json={"password": RIGHT})
    expect(status == 200, "PATCH /accounts answered %s %r" % (status, body))
    expect("password" not in body and RIGHT not in str(body), "the answer shows the password: %r" % body)
    ann.wait_event(lambda e: account_status(e) and e.get("status") == "online", timeout=45)
    bob.send(prosody.jid("alice"), TO_ANN)
    message = ann.wait_event(lambda e: e.get("type") == "message" and e.get("text") == TO_ANN)
    ann.send_message(TO_BOB, conversation=message["conversation"])
    bob.wait_message(lambda m: m["body"] == TO_BOB, timeout=20)


@h.timeout(30)
def test_poll_timeout_caps_a_poll_without_a_timeout():
    ann.settle()
    started = time.monotonic()
    status, body = ann.get("events?since=%d&epoch=%s" % (ann.next, ann.epoch), timeout=30)
    held = time.monotonic() - started
    h.diag("a poll without a timeout was held %.2f s (poll_timeout 2)" % held)
    expect(status == 200 and body["events"] == [], "GET /events answered %s %r" % (status, body))
    expect(1.8 <= held <= 4.5, "the poll was held %.2f s" % held)
    started = time.monotonic()
    status, body = ann.get("events?since=%d&epoch=%s&timeout=1" % (ann.next, ann.epoch), timeout=30)
    held = time.monotonic() - started
    expect(status == 200 and body["events"] == [] and 0.8 <= held <= 3, "timeout=1: %s %r after %.2f s"
           % (status, body, held))


@h.timeout(120)
def test_the_new_password_is_kept_across_a_restart():
    global ann
    lilac.stop()
    # on another free port: the old one may have gone to a client's connection meanwhile
    lilac.port = h.free_port()
    lilac.start()
    ann = h.log_in(lilac, "ann", LOGIN)
    tokens.extend([ann.token, ann.csrf])
    ann.wait_online(account["id"], timeout=45)


def test_debug_logs_no_secret_and_no_message():
    text = lilac.log_text()
    lines = text.splitlines()
    debug = [line for line in lines if "-DEBUG" in line]
    worker = [line for line in debug if line.startswith("purple-DEBUG") or "lilac-worker" in line]
    h.diag("%d log lines, %d debug lines, %d of them the worker's" % (len(lines), len(debug), len(worker)))
    expect(len(debug) >= 10 and worker, "log_level=debug gave %d debug lines, %d of the worker" %
           (len(debug), len(worker)))
    for secret, what in ((WRONG, "the wrong IM password"), (RIGHT, "the IM password"), (BOB, "bob's password"),
                         (LOGIN, "the login password"), (TO_ANN, "a message text"), (TO_BOB, "a message text")):
        # the random part alone too: a text logged escaped or cut still shows it
        found = [line for line in lines if secret.split()[-1].split("-")[-1] in line]
        expect(not found, "the log holds %s: %r" % (what, found[:3]))
    for token in tokens:
        found = [line for line in lines if token in line]
        expect(not found, "the log holds a session token or CSRF value: %r" % found[:3])


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
