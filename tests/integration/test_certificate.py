#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Certificate questions take the request path: an XMPP server with a self-signed certificate and
STARTTLS required (TLS in a worker forked from the zygote); the question is a request.opened;
rejecting it is an account error of reason certificate, accepting it signs on, and the accepted
certificate is kept in the user's own folder, so that the next sign-on asks nothing."""

import glob
import os
import subprocess

import lilac_harness as h
from lilac_harness import expect

ALICE_PASSWORD = "alice-certificate-pw"

prosody = lilac = client = None
account = None


def tls_prosody(**users):
    """A started Prosody that requires STARTTLS, with a self-signed certificate, and users
    registered (user=password)."""
    server = h.Prosody()
    certificate = os.path.join(server.dir, "localhost.crt")
    key = os.path.join(server.dir, "localhost.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", key, "-out", certificate],
                   check=True, capture_output=True)
    with open(server.config) as config_file:
        config = config_file.read()
    config = config.replace('"roster";', '"roster"; "tls";', 1)
    config = config.replace("c2s_require_encryption = false", "c2s_require_encryption = true")
    config = config.replace("VirtualHost", 'ssl = { key = "%s"; certificate = "%s" }\nVirtualHost'
                            % (key, certificate), 1)
    with open(server.config, "w") as config_file:
        config_file.write(config)
    for user, password in users.items():
        server.register(user, password)
    return server.start()


def setup_module():
    global prosody, lilac, client
    prosody = tls_prosody(alice=ALICE_PASSWORD)
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")


def certificate_question():
    event = client.wait_event(lambda e: e.get("type") == "request.opened"
                              or (e.get("type") == "account.status" and e.get("status") == "online"),
                              timeout=30)
    expect(event["type"] == "request.opened", "no question before %r" % event)
    request = event["request"]
    expect(request.get("kind") == "action", "kind: %r" % request)
    expect("Accept" in request["actions"] and "Reject" in request["actions"], "actions: %r" % request)
    expect("self-signed" in request.get("secondary", ""), "secondary: %r" % request)
    return request


def set_enabled(enabled):
    status, body = client.patch("accounts/" + account["id"], json={"enabled": enabled})
    expect(status == 200, "PATCH /accounts answered %s %r" % (status, body))


@h.timeout(60)
def test_rejected_certificate_is_an_error():
    global account
    body = prosody.xmpp_account("alice", ALICE_PASSWORD)
    body["options"]["connection_security"] = "require_tls"
    account = client.add_account(body)
    request = certificate_question()
    status, answer = client.post("requests/" + request["id"], json={"action": "Reject"})
    expect(status == 204, "POST /requests answered %s %r" % (status, answer))
    event = client.wait_event(lambda e: e.get("type") == "account.status" and e.get("status") == "error",
                              timeout=30)
    expect(event.get("reason") == "certificate", "reason: %r" % event)
    expect("retry_in" not in event, "a rejected certificate is retried: %r" % event)


@h.timeout(60)
def test_accepted_certificate_signs_on():
    set_enabled(False)
    set_enabled(True)
    request = certificate_question()
    status, answer = client.post("requests/" + request["id"], json={"action": "Accept"})
    expect(status == 204, "POST /requests answered %s %r" % (status, answer))
    client.wait_online(account["id"], timeout=30)
    kept = glob.glob(os.path.join(lilac.data, "users", "*", "purple", "certificates", "x509",
                                  "tls_peers", "*"))
    expect(kept, "the accepted certificate is not in the user's folder")


@h.timeout(60)
def test_kept_certificate_asks_nothing():
    set_enabled(False)
    set_enabled(True)
    event = client.wait_event(lambda e: e.get("type") == "request.opened"
                              or (e.get("type") == "account.status" and e.get("status") == "online"),
                              timeout=30)
    expect(event["type"] == "account.status", "asked again: %r" % event)


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
