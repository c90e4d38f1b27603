#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""The operator's list of system libpurple plugins ([workers] plugins), through the default zygote
mode: Debian's purple-xmpp-carbons (plugin id core-riba-carbons) is loaded in the user's worker,
which says so, and does its work: with Prosody's mod_carbons, a message the same JID sends from
another client (resource) comes to Lilac as an outgoing message in the conversation with its
recipient; a Lilac without the plugin never sees it. A listed plugin that is not installed is
reported to the user as a notify event, and the worker runs on."""

import time

import lilac_harness as h
from lilac_harness import expect

CARBONS = "core-riba-carbons"
MISSING = "core-lilac-no-such-plugin"
PASSWORDS = {"alice": "alice-plugins-pw", "bob": "bob-plugins-pw", "dave": "dave-plugins-pw"}

prosody = lilac = client = None
account = None


def setup_module():
    global prosody, lilac, client
    prosody = h.start_prosody(**PASSWORDS)
    lilac = h.Lilac(config={"workers": {"plugins": "%s;%s;" % (CARBONS, MISSING)}})
    lilac.add_user("ann", "ann-plugins-pw")
    lilac.start()
    client = h.log_in(lilac, "ann", "ann-plugins-pw")


@h.timeout(60)
def test_missing_plugin_is_a_notify_and_the_worker_runs():
    global account
    account = client.add_account(prosody.xmpp_account("alice", PASSWORDS["alice"]))
    notify = client.wait_event(lambda e: e.get("type") == "notify" and MISSING in e.get("text", ""),
                               timeout=30)
    h.diag("notify: %r" % notify)
    expect(notify["level"] == "warning", "notify: %r" % notify)
    client.wait_online(account["id"], timeout=45)
    state = client.state()
    expect(state["worker"] == "running", "worker: %r" % state["worker"])
    notices = [notice for notice in state["notices"] if MISSING in notice.get("text", "")]
    expect(len(notices) == 1, "notices: %r" % state["notices"])


def test_the_worker_says_it_loaded_the_plugin():
    plugins = h.wait_until(lambda: client.state().get("worker_plugins"), timeout=15,
                           message="worker_plugins in /state")
    h.diag("the worker's plugins: %s" % ", ".join(plugins["plugins"]))
    expect(CARBONS in plugins["plugins"], "%s is not loaded: %r" % (CARBONS, plugins))
    expect(MISSING not in plugins["plugins"], "a missing plugin is listed: %r" % plugins)


def carbon_arrives(lilac_client, user, tries=5):
    """user sends to bob from another resource; returns the message event Lilac got, or None."""
    phone = h.XmppPeer(prosody.jid(user) + "/phone", PASSWORDS[user], prosody.port).start()
    try:
        for number in range(tries):
            text = "sent from %s's phone %d" % (user, number)
            phone.send(prosody.jid("bob"), text)
            try:
                return lilac_client.wait_event(lambda e: e.get("type") == "message" and e.get("text") == text,
                                               timeout=3)
            except AssertionError:
                continue
        return None
    finally:
        phone.stop()


@h.timeout(60)
def test_a_message_sent_from_another_client_comes_as_outgoing():
    event = carbon_arrives(client, "alice")
    expect(event is not None, "the carbon copy of a sent message never came")
    h.diag("carbon: %r" % event)
    expect(event["direction"] == "out" and event["account"] == account["id"], "message: %r" % event)
    conversations = {conversation["id"]: conversation for conversation in client.state()["conversations"]}
    conversation = conversations.get(event["conversation"])
    expect(conversation is not None and conversation["type"] == "im"
           and conversation["name"] == prosody.jid("bob"), "conversation: %r" % conversation)


@h.timeout(90)
def test_without_the_plugin_no_carbon_comes():
    other = h.start_lilac({"cy": "cy-plugins-pw"})
    cy = h.log_in(other, "cy", "cy-plugins-pw")
    dave = cy.add_account(prosody.xmpp_account("dave", PASSWORDS["dave"]))
    cy.wait_online(dave["id"], timeout=45)
    plugins = h.wait_until(lambda: cy.state().get("worker_plugins"), timeout=15, message="worker_plugins")
    expect(CARBONS not in plugins["plugins"], "carbons loaded without being listed: %r" % plugins)
    time.sleep(1)
    expect(carbon_arrives(cy, "dave", tries=2) is None, "a carbon came without the plugin")
    other.assert_clean_exit()


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
