#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""HTTPS served by the gateway itself when the configuration names a certificate and key: the API
answers over TLS, plain HTTP is not spoken on that port, and the login cookie is Secure."""

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
