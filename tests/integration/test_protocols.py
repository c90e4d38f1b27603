#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Every protocol plugin the worker's libpurple loads (purple_plugins_get_protocols()) appears in
GET /api/v1/protocols, with its options: keys, labels, types, defaults and choices, and nothing
else does. The gateway's list is compared both ways with what a live user worker, forked from the
zygote with the operator's plugin list, says it has, and with `lilac-worker --protocols` run here.
Third-party plugins installed from Debian (purple-discord, purple-rocketchat, the latter in the
multiarch system's other plugin folder) are among them like the ones libpurple ships."""

import json
import os
import subprocess

import lilac_harness as h
from lilac_harness import expect

PLUGINS = "core-riba-carbons;core-lilac-no-such-plugin"
THIRD_PARTY = {"prpl-eionrobb-discord": "Discord", "prpl-eionrobb-rocketchat": "Rocket.Chat"}

prosody = lilac = client = None
worker_protocols = None
listed = None


def parent_of(pid):
    with open("/proc/%d/stat" % pid) as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def setup_module():
    global prosody, lilac, client, worker_protocols, listed
    worker = os.path.join(h.BUILD_ROOT, "gateway", "worker", "lilac-worker")
    result = subprocess.run([worker, "--protocols"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=60)
    expect(result.returncode == 0, "lilac-worker --protocols exited %d: %s" % (
        result.returncode, result.stderr.decode(errors="replace")))
    worker_protocols = {protocol["id"]: protocol for protocol in json.loads(result.stdout)}
    prosody = h.start_prosody(alice="alice-protocols-pw")
    lilac = h.Lilac(config={"workers": {"plugins": PLUGINS}})
    lilac.add_user("ann", "ann-login-pw")
    lilac.start()
    client = h.log_in(lilac, "ann", "ann-login-pw")
    status, listed = client.get("protocols")
    expect(status == 200 and isinstance(listed, list), "GET /protocols answered %s %r" % (status, listed))


def test_worker_lists_protocols():
    h.diag("the worker's protocols: %s" % ", ".join(sorted(worker_protocols)))
    expect("prpl-jabber" in worker_protocols and "prpl-irc" in worker_protocols,
           "XMPP or IRC missing: %r" % sorted(worker_protocols))


def test_every_protocol_is_listed_with_its_options():
    by_id = {protocol["id"]: protocol for protocol in listed}
    h.diag("GET /protocols: %s" % ", ".join(sorted(by_id)))
    missing = sorted(set(worker_protocols) - set(by_id))
    expect(not missing, "protocols the worker loads but /protocols lacks: %r" % missing)
    extra = sorted(set(by_id) - set(worker_protocols))
    expect(not extra, "protocols /protocols lists but the worker lacks: %r" % extra)
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


@h.timeout(90)
def test_a_live_worker_has_the_same_protocols():
    account = client.add_account(prosody.xmpp_account("alice", "alice-protocols-pw"))
    client.wait_online(account["id"], timeout=45)
    reported = h.wait_until(lambda: client.state().get("worker_plugins"), timeout=15,
                            message="the worker's list of plugins in /state")
    live = set(reported["protocols"])
    gateway = {protocol["id"] for protocol in listed}
    h.diag("the live worker's protocols: %s" % ", ".join(sorted(live)))
    expect(live == gateway, "the live worker has %r that /protocols lacks, /protocols has %r it lacks" % (
        sorted(live - gateway), sorted(gateway - live)))
    # the worker that said so was forked by the zygote, which got the operator's plugin list
    zygotes = [pid for pid in h.group_members(lilac.pgid)
               if "--zygote" in h.cmdline(pid) and parent_of(pid) == lilac.process.pid]
    expect(len(zygotes) == 1, "zygotes: %r" % zygotes)
    for plugin in PLUGINS.split(";"):
        expect("--load-plugin %s" % plugin in h.cmdline(zygotes[0]), "zygote: %s" % h.cmdline(zygotes[0]))


def test_third_party_protocols_with_their_options():
    by_id = {protocol["id"]: protocol for protocol in listed}
    for protocol_id, name in THIRD_PARTY.items():
        expect(protocol_id in by_id, "%s is not listed: %r" % (protocol_id, sorted(by_id)))
        protocol = by_id[protocol_id]
        expect(protocol["name"] == name, "%s: %r" % (protocol_id, protocol))
        expect(protocol["options"], "%s has no options" % protocol_id)
        for option in protocol["options"]:
            expect(option["type"] in ("string", "int", "bool", "list") and option.get("label"),
                   "%s: option %r" % (protocol_id, option))
        h.diag("%s options: %s" % (protocol_id, ", ".join(
            "%s (%s)" % (option["key"], option["type"]) for option in protocol["options"])))
    discord = {option["key"]: option for option in by_id["prpl-eionrobb-discord"]["options"]}
    expect(any(option["type"] == "bool" for option in discord.values())
           and any(option["type"] == "int" for option in discord.values()),
           "Discord's options lack a bool or an int: %r" % discord)


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
