#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Every protocol plugin the worker's libpurple loads (purple_plugins_get_protocols(), as
`lilac-worker --protocols` prints it) appears in GET /api/v1/protocols, with its options: keys,
labels, types, defaults and choices. Third-party plugins installed for libpurple are among them
like the ones libpurple ships."""

import json
import os
import subprocess

import lilac_harness as h
from lilac_harness import expect

lilac = client = None
worker_protocols = None


def setup_module():
    global lilac, client, worker_protocols
    worker = os.path.join(h.BUILD_ROOT, "gateway", "worker", "lilac-worker")
    result = subprocess.run([worker, "--protocols"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=60)
    expect(result.returncode == 0, "lilac-worker --protocols exited %d: %s" % (
        result.returncode, result.stderr.decode(errors="replace")))
    worker_protocols = {protocol["id"]: protocol for protocol in json.loads(result.stdout)}
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")


def test_worker_lists_protocols():
    h.diag("the worker's protocols: %s" % ", ".join(sorted(worker_protocols)))
    expect("prpl-jabber" in worker_protocols and "prpl-irc" in worker_protocols,
           "XMPP or IRC missing: %r" % sorted(worker_protocols))


def test_every_protocol_is_listed_with_its_options():
    status, listed = client.get("protocols")
    expect(status == 200 and isinstance(listed, list), "GET /protocols answered %s %r" % (status, listed))
    by_id = {protocol["id"]: protocol for protocol in listed}
    missing = sorted(set(worker_protocols) - set(by_id))
    expect(not missing, "protocols the worker loads but /protocols lacks: %r" % missing)
    for protocol_id, expected in worker_protocols.items():
        got = by_id[protocol_id]
        expect(got.get("name") == expected["name"], "%s: name %r, the worker says %r" % (
            protocol_id, got.get("name"), expected["name"]))
        expected_options = {option["key"]: option for option in expected["options"]}
        got_options = {option["key"]: option for option in got.get("options", [])}
        expect(set(got_options) == set(expected_options), "%s: options %r, the worker has %r" % (
            protocol_id, sorted(got_options), sorted(expected_options)))
        for key, option in expected_options.items():
            for field in ("label", "type", "default", "choices"):
                expect(got_options[key].get(field) == option.get(field), "%s %s: %s is %r, the worker says %r" % (
                    protocol_id, key, field, got_options[key].get(field), option.get(field)))


def test_xmpp_options_have_their_types():
    options = {option["key"]: option for option in worker_protocols["prpl-jabber"]["options"]}
    expect(options["port"]["type"] == "int", "port: %r" % options["port"])
    expect(options["auth_plain_in_clear"]["type"] == "bool", "auth_plain_in_clear: %r" % options)
    expect(options["connection_security"]["type"] == "list" and options["connection_security"].get("choices"),
           "connection_security: %r" % options["connection_security"])


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
