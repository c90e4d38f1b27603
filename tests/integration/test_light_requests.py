#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Requests answered in the lightweight view, /m/requests, with nothing but its forms: slixmpp
clients (carol, dan) ask to see the presence of ann's XMPP account alice on a real Prosody; each
request shows with its buttons and on the home page, and the answer posted through the form
reaches the asker (carol's subscription completes, dan's is refused); of four waiting requests the
page shows three and says that one more waits. A second Prosody requires STARTTLS with a
self-signed certificate: the certificate question of ann's account there is accepted through the
same form, and the account signs on. A post without the login's CSRF token, and an answer to a
request already answered, change nothing. Room invitations with 1,000-character reasons of "&" keep
the page under its byte limit."""

import re

import lilac_harness as h
from lilac_harness import expect
from light_client import LightClient, check_page, expect_page, expect_readable, log_in, sizes
from test_certificate import tls_prosody

ALICE_PASSWORD = "alice-light-requests-pw"
ERIN_PASSWORD = "erin-light-requests-pw"
ANN_PASSWORD = "ann-light-requests-pw"

prosody = secure = lilac = api = light = carol = dan = None
alice_jid = None


def setup_module():
    global prosody, lilac, api, light, carol, dan, alice_jid
    prosody = h.start_prosody(alice=ALICE_PASSWORD, carol="carol-pw", dan="dan-pw")
    alice_jid = prosody.jid("alice")
    lilac = h.start_lilac({"ann": ANN_PASSWORD})
    h._failure_hooks.append(lilac.log_news)
    api = h.log_in(lilac, "ann", ANN_PASSWORD)
    account = api.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    api.wait_online(account["id"], timeout=45)
    carol = h.XmppPeer(prosody.jid("carol"), "carol-pw", prosody.port, auto_authorize=False).start()
    dan = h.XmppPeer(prosody.jid("dan"), "dan-pw", prosody.port, auto_authorize=False).start()
    light = LightClient(lilac.base_url)
    log_in(light, "ann", ANN_PASSWORD)


def open_requests():
    return api.state()["requests"]


def wait_request(words):
    """Reloads /m/requests until a request whose text holds words shows; returns the page and the
    form's path."""
    def shown():
        page = expect_page(light.get("/m/requests"))
        for match in re.finditer(r'<form method="post" action="(/m/requests/[^"]+)".*?</form>', page.text, re.S):
            if words in match.group(0):
                return page, match.group(1)
        return None
    return h.wait_until(shown, timeout=30, interval=0.2, message="a request about %s on /m/requests" % words)


def subscription(peer):
    return peer.call(lambda: peer.xmpp.client_roster[alice_jid]["subscription"])


def test_authorization_request_shows_with_its_buttons():
    carol.send_presence(pto=alice_jid, ptype="subscribe")
    page, action = wait_request(prosody.jid("carol"))
    check_page("requests-authorize", page)
    form = page.form(action)
    expect('name="action" value="Authorize"' in form and 'name="action" value="Deny"' in form,
           "the request has no Authorize and Deny buttons:\n%s" % form)
    home = expect_page(light.get("/m/"))
    check_page("home-request", home)
    expect('<a href="/m/requests">Requests waiting: 1</a>' in home.text,
           "the home page does not tell about the request:\n%s" % home.text)
    expect_readable("requests", page, (prosody.jid("carol"), "Authorize", "Deny"))


def test_answer_without_csrf_changes_nothing():
    page, action = wait_request(prosody.jid("carol"))
    for fields in ({"action": "Authorize"}, {"csrf": "", "action": "Authorize"},
                   {"csrf": "y" * 43, "action": "Authorize"}):
        refused = light.post(action, fields)
        expect_page(refused, 403)
        check_page("requests-forbidden", refused)
    expect(len(open_requests()) == 1, "a post without the token answered the request: %r" % open_requests())
    expect(subscription(carol) in ("none", ""), "carol's subscription is %r" % subscription(carol))


@h.timeout(60)
def test_authorize_through_the_form():
    page, action = wait_request(prosody.jid("carol"))
    answered = light.post(action, {"csrf": page.field("csrf", action), "action": "Authorize"})
    expect_page(answered, 200, "/m/requests")
    expect(answered.redirects == [303], "the answer POST answered %r" % answered.redirects)
    expect("Your answer was sent." in answered.text, "no notice:\n%s" % answered.text)
    check_page("requests-answered", answered)
    carol.wait_presence(lambda presence: presence["type"] == "subscribed"
                        and presence["from"].startswith(alice_jid), timeout=15)
    h.wait_until(lambda: subscription(carol) in ("to", "both"), timeout=15,
                 message="carol's subscription to alice to complete")
    expect(not open_requests(), "the request is still open: %r" % open_requests())
    again = light.post(action, {"csrf": page.field("csrf", action), "action": "Authorize"})
    expect_page(again, 404)
    check_page("requests-gone", again)
    expect("Requests waiting" not in expect_page(light.get("/m/")).text, "the home page still counts it")


@h.timeout(60)
def test_deny_through_the_form():
    dan.send_presence(pto=alice_jid, ptype="subscribe")
    page, action = wait_request(prosody.jid("dan"))
    expect_page(light.post(action, {"csrf": page.field("csrf", action), "action": "Deny"}), 200, "/m/requests")
    dan.wait_presence(lambda presence: presence["type"] == "unsubscribed"
                      and presence["from"].startswith(alice_jid), timeout=15)
    expect(subscription(dan) in ("none", ""), "dan's subscription is %r" % subscription(dan))
    expect(not open_requests(), "the request is still open: %r" % open_requests())


@h.timeout(90)
def test_three_requests_a_page():
    askers = []
    for user in ("frank", "gina", "hank", "ivy"):
        prosody.register(user, user + "-pw")
        askers.append(h.XmppPeer(prosody.jid(user), user + "-pw", prosody.port, auto_authorize=False).start())
        askers[-1].send_presence(pto=alice_jid, ptype="subscribe")
    h.wait_until(lambda: len(open_requests()) == 4, timeout=30, message="the four requests")
    page = expect_page(light.get("/m/requests"))
    check_page("requests-four", page)
    forms = re.findall(r'<form method="post" action="(/m/requests/[^"]+)"', page.text)
    expect(len(forms) == 3, "the page shows %d requests, not 3" % len(forms))
    expect("1 more after these." in page.text, "the page does not say that one more waits:\n%s" % page.text)
    expect('<a href="/m/requests">Requests waiting: 4</a>' in expect_page(light.get("/m/")).text,
           "the home page does not count four")
    for request in open_requests():
        status, body = api.post("requests/" + request["id"], json={"action": "Deny"})
        expect(status == 204, "POST /requests answered %s %r" % (status, body))
    for asker in askers:
        asker.stop()


@h.timeout(90)
def test_accept_a_certificate_through_the_form():
    global secure
    secure = tls_prosody(erin=ERIN_PASSWORD)
    body = secure.xmpp_account("erin", ERIN_PASSWORD)
    body["options"]["connection_security"] = "require_tls"
    account = api.add_account(body)
    page, action = wait_request("self-signed")
    check_page("requests-certificate", page)
    form = page.form(action)
    expect('value="Accept"' in form and 'value="Reject"' in form, "the certificate's buttons:\n%s" % form)
    answered = light.post(action, {"csrf": page.field("csrf", action), "action": "Accept"})
    expect_page(answered, 200, "/m/requests")
    api.wait_online(account["id"], timeout=30)
    home = expect_page(light.get("/m/"))
    expect("erin@localhost/lilac (XMPP): online" in home.text, "the account is not online:\n%s" % home.text)
    h.diag("pages checked (bytes): " + sizes())


@h.timeout(90)
def test_long_texts_stay_within_the_page_budget():
    """Room invitations (XEP-0249) whose reasons are 1,000 characters of "&" (five bytes each once
    escaped): /m/requests still shows three of them, cut short, in a page under the byte limit."""
    room = "lounge@conference.%s" % prosody.domain
    for number in range(4):
        carol.call(lambda number=number: carol.xmpp.send_raw(
            "<message to='%s' id='invite%d'><x xmlns='jabber:x:conference' jid='%s' reason='%s'/></message>"
            % (alice_jid, number, room, "&amp;" * 1000)))
    h.wait_until(lambda: len(open_requests()) == 4, timeout=30, message="the four invitations")
    page = expect_page(light.get("/m/requests"))
    check_page("requests-long-texts", page)
    forms = re.findall(r'<form method="post" action="(/m/requests/[^"]+)"', page.text)
    expect(len(forms) == 3, "the page shows %d requests, not 3" % len(forms))
    shown = [len(run) // len("&amp;") for run in re.findall(r"(?:&amp;){10,}", page.text)]
    expect(len(shown) == 3 and all(100 < count < 300 for count in shown),
           "the reasons are not shown cut short: runs of %r characters" % shown)
    h.diag("/m/requests with three 1,000-character reasons: %d bytes" % len(page.body))
    for request in open_requests():
        status, body = api.post("requests/" + request["id"], json={"action": request["actions"][-1]})
        expect(status == 204, "POST /requests answered %s %r" % (status, body))
    h.wait_until(lambda: not open_requests(), timeout=15, message="the invitations answered")


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
