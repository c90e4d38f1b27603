#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""The key scheme of DESIGN.md, checked from the outside: with the database and the server key but
no login password nothing opens; an always-on user's data key opens with the server key (and signs
the accounts on after a restart with nobody logged in); a password change keeps the IM passwords;
an administrator's reset destroys them and the user is told."""

import asyncio
import os
import sqlite3

import nacl.bindings
import nacl.exceptions

import lilac_harness as h
from lilac_harness import expect, expect_error

ALICE_PASSWORD = "alice-keys-xmpp-pw"
ANN_PASSWORD = "ann-keys-login-pw"
ANN_NEW_PASSWORD = "ann-keys-new-login-pw"
ANN_RESET_PASSWORD = "ann-keys-reset-pw"
BEA_PASSWORD = "bea-keys-login-pw"
CHEAP = {"security": {"argon2_ops": 1, "argon2_memory_kib": 16384}}

prosody = lilac = ann = bea = bob = None
account = None


def setup_module():
    global prosody, lilac, ann, bea, bob
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob="bob-keys-xmpp-pw")
    bob = h.XmppPeer(prosody.jid("bob"), "bob-keys-xmpp-pw", prosody.port,
                     setup=lambda xmpp: xmpp.register_plugin("xep_0199")).start()
    lilac = h.Lilac(config=CHEAP)
    lilac.add_user("ann", ANN_PASSWORD)
    lilac.add_user("bea", BEA_PASSWORD, admin=True)
    lilac.start()
    ann = h.log_in(lilac, "ann", ANN_PASSWORD)
    bea = h.log_in(lilac, "bea", BEA_PASSWORD)


def database_rows(query, *args):
    database = sqlite3.connect(os.path.join(lilac.data, "lilac.db"), timeout=10)
    try:
        return database.execute(query, args).fetchall()
    finally:
        database.close()


def server_key():
    with open(os.path.join(lilac.data, "server.key"), "rb") as key_file:
        return key_file.read()


def open_sealed(key, sealed, context):
    """nonce (24 bytes) || XChaCha20-Poly1305 ciphertext, with context as associated data."""
    return nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
        bytes(sealed[24:]), context.encode(), bytes(sealed[:24]), key)


def fails_to_open(key, sealed, context):
    try:
        open_sealed(key, sealed, context)
    except nacl.exceptions.CryptoError:
        return True
    return False


def account_context():
    return "lilac account password, v1, account %s" % account["id"]


@h.timeout(90)
def test_account_online():
    global account
    account = ann.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    ann.wait_online(account["id"], timeout=45)
    expect(alice_answers_pings(), "alice's online resource does not answer a ping")
    expect(not alice_answers_pings("nobody"), "a resource that is not online answers a ping")


def test_server_key_alone_opens_nothing():
    mode = os.stat(os.path.join(lilac.data, "server.key")).st_mode & 0o777
    expect(mode == 0o600, "server.key has mode %o" % mode)
    key = server_key()
    (wrapped, server_wrapped), = database_rows(
        "SELECT wrapped_key, server_wrapped_key FROM users WHERE name = 'ann'")
    (secret,), = database_rows("SELECT secret FROM accounts WHERE id = ?", int(account["id"]))
    expect(server_wrapped is None, "a user who is not always-on has a server-wrapped key")
    expect(fails_to_open(key, wrapped, "lilac user data key, v1"),
           "the server key opened the password-wrapped data key")
    expect(fails_to_open(key, secret, account_context()), "the server key opened the IM password")
    expect(ALICE_PASSWORD.encode() not in bytes(secret), "the IM password is stored in the clear")


def test_always_on_data_key_opens_with_the_server_key():
    status, settings = ann.patch("users/me/settings", json={"always_on": True})
    expect(status == 200 and settings.get("always_on") is True, "settings: %s %r" % (status, settings))
    (server_wrapped,), = database_rows("SELECT server_wrapped_key FROM users WHERE name = 'ann'")
    data_key = open_sealed(server_key(), server_wrapped, "lilac user data key under the server key, v1")
    (secret,), = database_rows("SELECT secret FROM accounts WHERE id = ?", int(account["id"]))
    expect(open_sealed(data_key, secret, account_context()) == ALICE_PASSWORD.encode(),
           "the always-on chain does not give back the IM password")


def metric(client, name):
    status, text = client.get("/metrics")
    expect(status == 200, "GET /metrics answered %s %r" % (status, text))
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError("no %s in /metrics" % name)


def alice_answers_pings(resource="lilac"):
    """Whether alice's Lilac resource is online on Prosody: it answers an XMPP ping."""
    ping = bob.xmpp["xep_0199"].ping("%s/%s" % (prosody.jid("alice"), resource), timeout=3)
    try:
        asyncio.run_coroutine_threadsafe(ping, bob.loop).result(5)
        return True
    except Exception:
        return False


@h.timeout(90)
def test_always_on_signs_on_after_restart_without_login():
    lilac.restart()
    admin = h.log_in(lilac, "bea", BEA_PASSWORD)
    h.wait_until(lambda: metric(admin, "lilac_workers") >= 1, timeout=30,
                 message="ann's worker started with nobody of hers logged in")
    expect(metric(admin, "lilac_sessions") >= 2, "ann's session is not running")
    # online on the IM server itself, before anyone of ann's logs in
    h.wait_until(alice_answers_pings, timeout=30, interval=0.5,
                 message="ann's XMPP account online with nobody of hers logged in")
    client = h.log_in(lilac, "ann", ANN_PASSWORD)
    h.wait_until(lambda: next(a for a in client.state()["accounts"] if a["id"] == account["id"])["status"] == "online",
                 timeout=30, message="ann's account online")


@h.timeout(120)
def test_password_change_keeps_im_passwords():
    global ann
    ann = h.log_in(lilac, "ann", ANN_PASSWORD)
    status, settings = ann.patch("users/me/settings", json={"always_on": False})
    expect(status == 200 and settings.get("always_on") is False, "settings: %s %r" % (status, settings))
    expect_error(ann.patch("users/me", json={"old_password": "not it at all", "password": ANN_NEW_PASSWORD}),
                 403, "forbidden", "a wrong old password")
    status, body = ann.patch("users/me", json={"old_password": ANN_PASSWORD, "password": ANN_NEW_PASSWORD})
    expect(status == 204, "PATCH /users/me answered %s %r" % (status, body))
    lilac.restart()  # nothing of ann's stays in memory
    expect_error(lilac.client().post("session", json={"username": "ann", "password": ANN_PASSWORD}),
                 401, "unauthorized", "the old password")
    ann = h.log_in(lilac, "ann", ANN_NEW_PASSWORD)
    ann.wait_online(account["id"], timeout=45)


@h.timeout(120)
def test_admin_reset_destroys_im_passwords_and_tells_the_user():
    global ann
    admin = h.log_in(lilac, "bea", BEA_PASSWORD)
    expect_error(ann.post("admin/users/%s/reset" % admin.user["id"], json={"password": "whatever-long"}),
                 403, "forbidden", "a user resetting an administrator")
    status, body = admin.post("admin/users/%s/reset" % ann.user["id"], json={"password": ANN_RESET_PASSWORD})
    expect(status == 204, "reset answered %s %r" % (status, body))
    expect_error(ann.get("state"), 401, "unauthorized", "ann's login after the reset")
    (secret,), = database_rows("SELECT secret FROM accounts WHERE id = ?", int(account["id"]))
    expect(secret is None, "the IM password survived the reset")
    ann = h.log_in(lilac, "ann", ANN_RESET_PASSWORD)
    notices = ann.state().get("notices", [])
    expect(any(n.get("level") == "warning" and "IM passwords" in n.get("title", "") for n in notices),
           "ann was not told: %r" % notices)
    expect(any(a["id"] == account["id"] for a in ann.state()["accounts"]), "the account itself is kept")


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
