#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Auto-reconnect: the XMPP server goes away while an account is online; account.status says error
(a network error, with the delay before the next try: within 5 s the first time, twice as long
the next) and the worker tries again when it said; when the server is back the account comes online by itself. A wrong password, though, is not retried; a changed
password or options sign the account on again."""

import time

import lilac_harness as h
from lilac_harness import expect

ALICE_PASSWORD = "alice-reconnect-pw"
BOB_PASSWORD = "bob-reconnect-pw"

prosody = lilac = client = None
account = None


def setup_module():
    global prosody, lilac, client
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")


def status_of(account_id, *statuses):
    return lambda e: (e.get("type") == "account.status" and e.get("account") == account_id
                      and e.get("status") in statuses)


@h.timeout(60)
def test_account_online():
    global account
    account = client.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    client.wait_online(account["id"], timeout=45)


@h.timeout(120)
def test_server_gone_and_back():
    prosody.stop()
    started = time.monotonic()
    event = client.wait_event(status_of(account["id"], "error", "connecting"), timeout=30)
    h.diag("after the server went: %r" % event)
    error = event if event["status"] == "error" else client.wait_event(
        status_of(account["id"], "error"), timeout=30)
    expect(error.get("reason") == "network", "reason: %r" % error)
    expect(isinstance(error.get("retry_in"), int) and 2500 <= error["retry_in"] <= 5000,
           "the first retry is not within 5 s (half of it at least): %r" % error)
    # the next try comes when the error said, timed on the gateway's clock (the events' times)
    retry = client.wait_event(status_of(account["id"], "connecting"), timeout=30)
    gap = retry["time"] - error["time"]
    h.diag("first try %d ms after the error (retry_in %d)" % (gap, error["retry_in"]))
    expect(gap <= 5000 + 1000, "the first try came %d ms after the error" % gap)
    expect(gap >= error["retry_in"] - 250, "the first try came %d ms after the error, not after %d ms"
           % (gap, error["retry_in"]))
    # it fails too while the server is away, and the delay doubles: 5 to 10 s this time
    later = client.wait_event(status_of(account["id"], "error"), timeout=30)
    expect(5000 <= later.get("retry_in", 0) <= 10000, "the second delay did not double: %r" % later)
    again = client.wait_event(status_of(account["id"], "connecting"), timeout=30)
    gap = again["time"] - later["time"]
    h.diag("second try %d ms after the error (retry_in %d)" % (gap, later["retry_in"]))
    expect(later["retry_in"] - 250 <= gap <= later["retry_in"] + 1000,
           "the second try came %d ms after the error, not after %d ms" % (gap, later["retry_in"]))
    prosody.start()
    client.wait_event(status_of(account["id"], "online"), timeout=60)
    h.diag("back online %.1f s after the server went away" % (time.monotonic() - started))


@h.timeout(60)
def test_wrong_password_is_not_retried():
    wrong = prosody.xmpp_account("bob", "not-bobs-password")
    other = client.add_account(wrong)
    event = client.wait_event(status_of(other["id"], "error"), timeout=30)
    expect(event.get("reason") == "auth", "reason: %r" % event)
    expect("retry_in" not in event, "a wrong password is retried: %r" % event)
    events = client.settle(quiet=8, timeout=30)
    retried = [e for e in events if e.get("type") == "account.status" and e.get("account") == other["id"]]
    expect(not retried, "the account tried again: %r" % retried)


@h.timeout(60)
def test_password_change_signs_on_again():
    status, body = client.patch("accounts/" + account["id"], json={"password": "a-wrong-password"})
    expect(status == 200, "PATCH /accounts answered %s %r" % (status, body))
    event = client.wait_event(status_of(account["id"], "error"), timeout=30)
    expect(event.get("reason") == "auth" and "retry_in" not in event, "status: %r" % event)
    status, body = client.patch("accounts/" + account["id"], json={"password": ALICE_PASSWORD})
    expect(status == 200, "PATCH /accounts answered %s %r" % (status, body))
    client.wait_event(status_of(account["id"], "online"), timeout=30)


@h.timeout(60)
def test_options_change_signs_on_again():
    options = dict(prosody.xmpp_account("alice", ALICE_PASSWORD)["options"], port=1)
    status, body = client.patch("accounts/" + account["id"], json={"options": options})
    expect(status == 200, "PATCH /accounts answered %s %r" % (status, body))
    event = client.wait_event(status_of(account["id"], "error"), timeout=30)
    expect(event.get("reason") == "network" and event.get("retry_in", 0) > 0, "status: %r" % event)
    options["port"] = prosody.port
    status, body = client.patch("accounts/" + account["id"], json={"options": options})
    expect(status == 200, "PATCH /accounts answered %s %r" % (status, body))
    client.wait_event(status_of(account["id"], "online"), timeout=30)


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
