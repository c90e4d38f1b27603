#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""HTTPS served by the gateway itself when the configuration names a certificate and key: the API
answers over TLS, plain HTTP is not spoken on that port, the login cookie is Secure, and answers
given before a request's body is read (a body too large, an upload refused) come over TLS too."""

import http.client
import json
import os
import ssl
import subprocess

import lilac_harness as h
from lilac_harness import expect

lilac = None


def setup_module():
    global lilac
    folder = h.make_temp_dir("lilac-tls-")
    certificate = os.path.join(folder, "cert.pem")
    key = os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", certificate],
                   check=True, capture_output=True)
    lilac = h.Lilac(config={"gateway": {"tls_certificate": certificate, "tls_key": key}})
    lilac.add_user("ann", "ann-tls-login-pw")
    lilac._wait_healthy = lambda timeout: h.wait_port(lilac.port, timeout)
    lilac.start()


def https():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection("127.0.0.1", lilac.port, context=context, timeout=10)


def test_healthz_over_tls():
    connection = https()
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    expect(response.status == 200 and response.read() == b"ok", "GET /healthz over TLS failed")


def test_login_cookie_is_secure():
    connection = https()
    connection.request("POST", "/api/v1/session",
                       body=json.dumps({"username": "ann", "password": "ann-tls-login-pw"}),
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    body = json.loads(response.read())
    cookie = response.getheader("Set-Cookie", "")
    expect(response.status == 200 and "token" in body, "login over TLS: %s %r" % (response.status, body))
    expect("; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie,
           "cookie: %r" % cookie)


def expect_early_refusal(response, status, code, what):
    body = response.read()
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    expect(response.status == status and isinstance(answer, dict) and answer["error"]["code"] == code,
           "%s over TLS answered %s %r" % (what, response.status, body[:200]))
    for name, value in (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")):
        expect(response.getheader(name) == value, "%s: %s is %r" % (what, name, response.getheader(name)))
    expect("frame-ancestors 'none'" in response.getheader("Content-Security-Policy", ""),
           "%s: Content-Security-Policy %r" % (what, response.getheader("Content-Security-Policy")))


def test_oversized_body_is_refused_over_tls():
    """A body over the limit is refused from its headers, before it is read: the answer goes
    through TLS like any other (not as plain text onto the encrypted connection)."""
    connection = https()
    connection.putrequest("POST", "/api/v1/session")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(1024 * 1024))
    connection.endheaders()
    expect_early_refusal(connection.getresponse(), 413, "too_large", "headers of a 1 MiB body")
    connection = https()
    body = b'{"username":"ann","password":"' + b"x" * (200 * 1024) + b'"}'
    connection.request("POST", "/api/v1/session", body=body, headers={"Content-Type": "application/json"})
    expect_early_refusal(connection.getresponse(), 413, "too_large", "a 200 KiB body sent whole")


def test_upload_refused_over_tls():
    connection = https()
    connection.request("POST", "/api/v1/transfers?account=1&to=bea", body=b"x" * 4096,
                       headers={"Content-Type": "application/octet-stream"})
    expect_early_refusal(connection.getresponse(), 401, "unauthorized", "an upload without a login")


def test_plain_http_is_not_served():
    connection = http.client.HTTPConnection("127.0.0.1", lilac.port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        status = connection.getresponse().status
    except (http.client.HTTPException, OSError):
        status = None
    expect(status != 200, "plain HTTP answered 200 on the TLS port")


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
