#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Long lists in the lightweight view, at their worst: the XMPP account alice has 25 buddies on a
real Prosody, in two groups, with long Chinese names; four of them are online (slixmpp clients)
with long Chinese status messages. /m/buddies shows twenty a page, the online ones first, under
headings of their group, and the second page the other five. The user has ten IM accounts with
long names, seventeen conversations with long Chinese names and a status message of 1 KB: the
home page shows five accounts with a link to /m/accounts, which lists them all, and fifteen
conversations with a link to the others. Every page stays under 8 KB and valid."""

import re

import lilac_harness as h
from lilac_harness import expect
from light_client import LightClient, check_page, expect_page, expect_readable, link, log_in, sizes

ALICE_PASSWORD = "alice-light-lists-pw"
ANN_PASSWORD = "ann-light-lists-pw"
GROUPS = ("Friends", "同事们")
ONLINE = ("olga", "pablo", "quinn", "rosa")
LONG_NAME = "一个很长很长的中文好友名字，长得超过了页面可以显示的长度，所以应当缩短；再加上一些字也没关系"  # 46 characters
LONG_STATUS = "今天在开一整天的会议，晚上才能回复消息；如果有急事请打电话给我，谢谢你的理解和耐心！" * 2

prosody = lilac = api = light = None
account = None
buddies = {}        # the first word of a buddy's name -> (jid, group)


def roster_entries():
    """25 buddies: the four online ones, and 21 that never sign on, with long Chinese addresses
    (9 bytes a character in a URL)."""
    entries = []
    for number, user in enumerate(ONLINE):
        entries.append((prosody.jid(user), "%s %s" % (user, LONG_NAME), GROUPS[number % 2]))
    for number in range(21):
        jid = "离线好友%02d的一个很长很长的中文地址长得超过了页面可以显示的长度@%s" % (number, prosody.domain)
        entries.append((jid, "%02d %s" % (number, LONG_NAME), GROUPS[number % 2]))
    return entries


def setup_module():
    global prosody, lilac, api, light, account
    prosody = h.start_prosody(alice=ALICE_PASSWORD, **{user: user + "-pw" for user in ONLINE})
    alice = h.XmppPeer(prosody.jid("alice"), ALICE_PASSWORD, prosody.port).start()
    for jid, name, group in roster_entries():
        buddies[name.split()[0]] = (jid, group)
        alice.call(lambda jid=jid, name=name, group=group: alice.xmpp.update_roster(jid, name=name, groups=[group]))
    peers = [h.XmppPeer(prosody.jid(user), user + "-pw", prosody.port).start() for user in ONLINE]
    for peer in peers:
        alice.send_presence(pto=peer.jid, ptype="subscribe")
        peer.send_presence(pstatus="%s %s" % (peer.jid, LONG_STATUS))

    def subscribed():
        return all(alice.call(lambda peer=peer: alice.xmpp.client_roster[peer.jid]["subscription"]) in ("to", "both")
                   for peer in peers)
    h.wait_until(subscribed, timeout=20, interval=0.2, message="alice's subscriptions to the online buddies")
    alice.stop()
    lilac = h.start_lilac({"ann": ANN_PASSWORD})
    api = h.log_in(lilac, "ann", ANN_PASSWORD)
    account = api.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    api.wait_online(account["id"], timeout=45)

    def all_buddies():
        state = api.state()["buddies"]
        online = [buddy for buddy in state if buddy["presence"]["status"] != "offline"]
        return len(state) == 25 and len(online) == 4 and all(buddy["presence"]["message"] for buddy in online)
    h.wait_until(all_buddies, timeout=30, interval=0.3, message="25 buddies, 4 online with a message")
    light = LightClient(lilac.base_url)
    log_in(light, "ann", ANN_PASSWORD)


def listed(html):
    """The buddies' addresses in the order of the page (from the first word of their names)."""
    return [buddies[word][0] for word in re.findall(r'<li><a href="/m/b/\d+/[0-9a-f]+">(\S+) ', html)]


def test_buddies_paged_online_first_by_group():
    first = expect_page(light.get("/m/buddies"))
    check_page("buddies-25-worst", first)
    h.diag("the buddies page with 20 long Chinese names and 4 long status messages: %d bytes" % len(first.body))
    shown = listed(first.text)
    expect(len(shown) == 20, "page 1 lists %d buddies, not 20" % len(shown))
    online = [prosody.jid(user) for user in ONLINE]
    expect(sorted(shown[:4]) == sorted(online), "the online buddies are not first: %r" % shown[:4])
    headings = re.findall(r"<h2>([^<]*)</h2>", first.text)
    expect(headings == ["Online: Friends", "Online: 同事们", "Offline: Friends", "Offline: 同事们"],
           "the headings of page 1: %r" % headings)
    for heading in headings:
        section = first.text.split("<h2>%s</h2>" % heading, 1)[1].split("</ul>", 1)[0]
        group = heading.split(": ", 1)[1]
        for address in listed(section):
            expect(next(g for jid, g in buddies.values() if jid == address) == group,
                   "%s is under %r" % (address, heading))
    expect("Available: " in first.text and LONG_STATUS[:8] in first.text, "no status message shown")
    expect("olga " + LONG_NAME[:6] in first.text and "\u2026" in first.text, "the names are not shortened")
    second = expect_page(light.get(link(first, "Next »")))
    check_page("buddies-25-page-2", second)
    rest = listed(second.text)
    expect(len(rest) == 5 and not set(rest) & set(shown) and set(rest) | set(shown) == {jid for jid, _ in buddies.values()},
           "page 2 lists %r" % rest)
    expect("« Previous" in second.text and "Next »" not in second.text, "the pager of page 2")
    target = re.search(r'<li><a href="(/m/b/\d+/[0-9a-f]+)">00 ', first.text).group(1)
    form = expect_page(light.get(target), 200, "/m/im")
    check_page("im-long-address", form)
    expect(form.field("to") == buddies["00"][0], "the buddy's link starts an IM to %r" % form.field("to"))
    check_page("no-buddy", expect_page(light.get(target[:-4] + "0000"), 404))
    expect_readable("buddies", first, ("Online: Friends", "Offline: 同事们", "olga", "Available", "Next »"))


def test_home_bounded():
    for number in range(9):
        body = prosody.xmpp_account("account-%d-%s" % (number, "长" * 60), "pw")
        body["enabled"] = False
        api.add_account(body)
    for number in range(17):
        status, body = api.post("messages", json={"account": account["id"], "text": "hello",
                                                  "to": "%02d%s@%s" % (number, "很长的中文对话名字" * 6, prosody.domain)})
        expect(status == 202, "POST /messages answered %s %r" % (status, body))
    h.wait_until(lambda: len(api.state()["conversations"]) == 17, timeout=20, message="17 conversations")
    status, _ = api.post("presence", json={"status": "away", "message": "出去吃饭了" * 68})
    expect(status == 204, "POST /presence answered %s" % status)
    home = expect_page(light.get("/m/"))
    check_page("home-worst", home)
    h.diag("the home page with 10 accounts, 17 conversations and a 1 KB status message: %d bytes" % len(home.body))
    accounts = re.findall(r"<li>[^<]* \(XMPP\): ", home.text)
    expect(len(accounts) == 5, "the home page lists %d accounts, not 5" % len(accounts))
    conversations = re.findall(r'<li><a href="/m/c/\d+">', home.text)
    expect(len(conversations) == 15, "the home page lists %d conversations, not 15" % len(conversations))
    expect("Next »" in home.text, "no link to the other conversations")
    every = expect_page(light.get(link(home, "All accounts (10)")))
    check_page("accounts", every)
    names = re.findall(r"<li>([^<]*) \(XMPP\): ", every.text)
    expect(len(names) == 10, "/m/accounts lists %d accounts, not 10:\n%s" % (len(names), every.text))
    expect("alice@localhost/lilac (XMPP): online" in every.text and "account-8-" in every.text,
           "/m/accounts:\n%s" % every.text)
    expect_readable("accounts", every, ("alice@localhost/lilac", "online", "offline"))
    chinese = LightClient(lilac.base_url, accept_language="zh-CN")
    chinese.jar = light.jar
    check_page("home-worst-zh", expect_page(chinese.get("/m/")))
    check_page("accounts-zh", expect_page(chinese.get("/m/accounts")))
    h.diag("pages checked (bytes): " + sizes())


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
