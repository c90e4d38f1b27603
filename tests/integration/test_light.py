#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""The lightweight view, /m/, end to end, as a browser without JavaScript uses it.

ann logs in through the /m/ form (a cookie jar, redirects followed); her XMPP account alice is on a
private Prosody where alice and bob (slixmpp) have subscribed to each other, so bob is an online
buddy. Pages are checked as HTML (html5lib, strict), by size, in w3m and lynx, in English and
Chinese; form posts without the CSRF token (the login form's own token included), or with bad
input, change nothing. An IM started
through /m/new with carol, whom no buddy list holds, reaches her, and her answer shows."""

import json
import os
import re
import subprocess
import tempfile
import time
import urllib.parse

import lilac_harness as h
from lilac_harness import expect
from light_client import LightClient, check_page, checked_pages, dump, expect_page

ALICE_PASSWORD = "alice-light-pw"
BOB_PASSWORD = "bob-light-pw"
CAROL_PASSWORD = "carol-light-pw"
ANN_PASSWORD = "ann-light-pw"
MARKUP = '<b>bold</b> <script>alert(1)</script> & "quoted"'

prosody = lilac = api = bob = carol = light = None
account = None
conversation = None


# ------------------------------------------------------------------------------------------------
# Set-up: Prosody with alice and bob subscribed to each other, lilac with ann and alice's account
# ------------------------------------------------------------------------------------------------

def subscribe_each_other(alice_jid, bob_peer):
    """alice (a short-lived slixmpp client) and bob subscribe to each other; Prosody keeps the rosters."""
    alice = h.XmppPeer(alice_jid, ALICE_PASSWORD, prosody.port).start()
    bob_peer.call(lambda: bob_peer.xmpp.send_presence(pto=alice_jid, ptype="subscribe"))
    alice.call(lambda: alice.xmpp.send_presence(pto=bob_peer.jid, ptype="subscribe"))

    def both():
        return (bob_peer.call(lambda: bob_peer.xmpp.client_roster[alice_jid]["subscription"]) == "both"
                and alice.call(lambda: alice.xmpp.client_roster[bob_peer.jid]["subscription"]) == "both")
    h.wait_until(both, timeout=15, interval=0.2, message="alice and bob to subscribe to each other")
    alice.stop()


def setup_module():
    global prosody, lilac, api, bob, carol, light, account
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD, carol=CAROL_PASSWORD)
    bob = h.XmppPeer(prosody.jid("bob"), BOB_PASSWORD, prosody.port).start()
    # carol is on no one's buddy list
    carol = h.XmppPeer(prosody.jid("carol"), CAROL_PASSWORD, prosody.port, auto_authorize=False).start()
    subscribe_each_other(prosody.jid("alice"), bob)
    lilac = h.start_lilac({"ann": ANN_PASSWORD})
    # the light view adds no IM accounts: the API does, as the full page would
    api = h.log_in(lilac, "ann", ANN_PASSWORD)
    account = api.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    api.wait_online(account["id"], timeout=45)
    light = LightClient(lilac.base_url)


def bob_got_nothing(within=1.5, peer=None):
    peer = peer or bob
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            message = peer.inbox.queue.get(timeout=0.1)
        except Exception:
            continue
        raise AssertionError("%s got a message he should not have: %r" % (peer.jid, message))


def history_texts(conversation_id):
    status, body = api.get("history?conversation=%s&limit=500" % conversation_id)
    expect(status == 200, "GET /history answered %s %r" % (status, body))
    return [message["text"] for message in body["messages"]]


def conversation_path():
    return "/m/c/%s" % conversation


# ------------------------------------------------------------------------------------------------
# The tests
# ------------------------------------------------------------------------------------------------

def test_login_form():
    page = expect_page(light.get("/m/"), 200, "/m/login")
    expect(303 in page.redirects, "/m/ did not redirect to the login page: %r" % page.redirects)
    check_page("login", page)
    expect(light.cookie("lilac_session") is None, "a session cookie before logging in")
    wrong = light.post("/m/login", {"login_csrf": page.field("login_csrf"), "username": "ann",
                                    "password": "not-the-password"})
    expect_page(wrong, 401, "/m/login")
    expect("Wrong user name or password" in wrong.text, "no error shown:\n%s" % wrong.text)
    check_page("login-failed", wrong)
    home = light.post("/m/login", {"login_csrf": wrong.field("login_csrf"), "username": "ann",
                                   "password": ANN_PASSWORD})
    expect_page(home, 200, "/m/")
    expect(home.redirects == [303], "the login POST answered %r, not 303" % home.redirects)
    expect(light.cookie("lilac_session"), "no lilac_session cookie after logging in")
    cookie = [c for c in light.jar if c.name == "lilac_session"][0]
    expect(cookie.has_nonstandard_attr("HttpOnly"), "the session cookie is not HttpOnly")
    expect("Log out" in home.text, "the home page has no log out button:\n%s" % home.text)


def test_home_shows_account_online():
    home = expect_page(light.get("/m/"))
    check_page("home", home)
    expect("alice@localhost/lilac (XMPP): online" in home.text,
           "the account is not shown online:\n%s" % home.text)
    # the light view's login is a login like the API's: GET /api/v1/session tells its CSRF token
    session = light.get("/api/v1/session")
    expect(session.status == 200, "GET /api/v1/session with the light view's cookie: %d" % session.status)
    csrf = json.loads(session.text)["csrf"]
    tokens = re.findall(r'name="csrf" value="([^"]*)"', home.text)
    expect(len(tokens) == 2 and set(tokens) == {csrf}, "the forms carry %r, the login's token is %r" % (tokens, csrf))


@h.timeout(60)
def test_buddy_online():
    def buddies_page():
        page = expect_page(light.get("/m/buddies"))
        return page if re.search(r"Online: .*?bob@localhost</a> - Available", page.text, re.S) else None
    page = h.wait_until(buddies_page, timeout=30, interval=0.5, message="bob online in /m/buddies")
    check_page("buddies", page)
    expect(page.text.index("<h2>Online") < page.text.index("bob@localhost"), "bob is not under Online")


def test_send_message_through_form():
    global conversation
    buddies = expect_page(light.get("/m/buddies"))
    link = re.search(r'<a href="([^"]*)">bob@localhost</a>', buddies.text).group(1)
    expect(re.fullmatch(r"/m/b/%s/[0-9a-f]{16}" % account["id"], link), "the buddy links to %s" % link)
    form = expect_page(light.get(link), 200, "/m/im")
    check_page("im", form)
    expect(form.field("to") == "bob@localhost", "the form is not for bob: %r" % form.field("to"))
    text = "hello bob, from the light view"
    sent = light.post("/m/im", {"csrf": form.field("csrf", "/m/im"), "account": account["id"],
                                "to": "bob@localhost", "text": text})
    expect_page(sent)
    expect(sent.redirects and sent.redirects[0] == 303, "the send POST answered %r" % sent.redirects)
    received = bob.wait_message(lambda message: message["body"] == text, timeout=15)
    expect(received["from"].startswith("alice@localhost"), "bob got it from %r" % received)
    conversations = [c for c in api.state()["conversations"] if c["name"] == "bob@localhost"]
    expect(len(conversations) == 1, "no conversation with bob in /state: %r" % api.state()["conversations"])
    conversation = conversations[0]["id"]


@h.timeout(60)
def test_start_an_im_with_someone_not_a_buddy():
    carol_jid = prosody.jid("carol")
    expect(all(buddy["name"] != carol_jid for buddy in api.state()["buddies"]), "carol is a buddy")
    form = expect_page(light.get("/m/new"))
    expect(form.field("to", "/m/im") == "", "the form is filled in: %r" % form.field("to", "/m/im"))
    text = "hello carol, whom I found in no buddy list"
    sent = light.post("/m/im", {"csrf": form.field("csrf", "/m/im"), "account": account["id"], "to": carol_jid,
                                "text": text})
    expect_page(sent)
    expect(re.fullmatch(r"/m/c/\d+", sent.path) and sent.query == "sent=1",
           "sending did not open the conversation: %s" % sent.url)
    expect("Message sent." in sent.text and text in sent.text, "the conversation page:\n%s" % sent.text)
    check_page("conversation-not-a-buddy", sent)
    received = carol.wait_message(lambda message: message["body"] == text, timeout=15)
    expect(received["from"].startswith(prosody.jid("alice")), "carol got it from %r" % received)
    carol.send(prosody.jid("alice"), "hello to you, whoever you are")
    h.wait_until(lambda: "hello to you, whoever you are" in expect_page(light.get(sent.path)).text, timeout=15,
                 interval=0.3, message="carol's answer on the conversation page")


def test_conversation_page_and_send_form():
    page = expect_page(light.get(conversation_path()))
    check_page("conversation", page)
    expect("hello bob, from the light view" in page.text, "the sent message is not shown:\n%s" % page.text)
    expect('<meta http-equiv="refresh"' in page.text, "no automatic refresh")
    text = "second message, through the conversation's form"
    sent = light.post(conversation_path() + "/send", {"csrf": page.field("csrf"), "text": text})
    expect_page(sent, 200, conversation_path())
    expect(sent.query == "sent=1", "did not come back to the conversation: %s" % sent.url)
    bob.wait_message(lambda message: message["body"] == text, timeout=15)


def test_received_message_shows_on_refresh():
    text = "bob answers, seen on refresh"
    bob.send(prosody.jid("alice"), text)
    unread = 'href="%s">bob@localhost</a> <strong>1 unread</strong>' % conversation_path()

    def home_unread():
        page = expect_page(light.get("/m/"))
        return page if unread in page.text else None
    h.wait_until(home_unread, timeout=15, interval=0.3, message="the home page to count bob's message unread")
    page = expect_page(light.get(conversation_path()))
    expect(text in page.text, "bob's message is not on the refreshed page:\n%s" % page.text)
    expect(page.text.index("second message") < page.text.index(text), "the newest message is not at the bottom")
    home = expect_page(light.get("/m/"))
    expect('href="%s">bob@localhost</a>' % conversation_path() in home.text and "unread" not in home.text,
           "reading the conversation did not clear its unread count:\n%s" % home.text)


def test_markup_shows_as_text():
    bob.send(prosody.jid("alice"), MARKUP)

    def shown():
        page = expect_page(light.get(conversation_path()))
        return page if "bold" in page.text else None
    page = h.wait_until(shown, timeout=15, interval=0.3, message="the markup message")
    expect("&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;" in page.text,
           "the message is not escaped:\n%s" % page.text)
    expect("<b>bold</b>" not in page.text and "<script" not in page.text, "markup reached the page")
    check_page("conversation-markup", page)
    expect(MARKUP in dump("w3m", page.text), "w3m does not show the markup as text")


def test_text_browsers():
    home = expect_page(light.get("/m/"))
    talk = expect_page(light.get(conversation_path()))
    for program in ("w3m", "lynx"):
        text = dump(program, home.text)
        for expected in ("Home", "Buddies", "Conversations", "bob@localhost", "Accounts",
                         "alice@localhost/lilac (XMPP): online", "Status", "Log out", "简体中文"):
            expect(expected in text, "%s's home page lacks %r:\n%s" % (program, expected, text))
        text = dump(program, talk.text)
        for expected in ("bob@localhost", "hello bob, from the light view", "bob answers, seen on refresh",
                         "me", "Message", "Send", "Refresh", "Turn automatic refresh off"):
            expect(expected in text, "%s's conversation page lacks %r:\n%s" % (program, expected, text))
        expect("<" not in text.replace(MARKUP, ""), "%s shows markup:\n%s" % (program, text))
        h.diag("%s, conversation page:\n%s" % (program, text[:1200]))


def test_post_without_csrf_changes_nothing():
    before = history_texts(conversation)
    state_before = api.state()["presence"]
    for fields in ({"text": "no token at all"}, {"csrf": "", "text": "empty token"},
                   {"csrf": "x" * 43, "text": "wrong token"}):
        page = light.post(conversation_path() + "/send", fields)
        expect_page(page, 403)
        check_page("forbidden", page)
    for fields in ({"status": "away", "message": "gone"}, {"csrf": "nope", "status": "away"}):
        expect_page(light.post("/m/presence", fields), 403)
    expect_page(light.post("/m/join", {"account": account["id"], "room": "x@conference.localhost"}), 403)
    for fields in ({"account": account["id"], "to": prosody.jid("carol"), "text": "no token"},
                   {"csrf": "z" * 43, "account": account["id"], "to": prosody.jid("bob"), "text": "wrong token"}):
        expect_page(light.post("/m/im", fields), 403)
    expect_page(light.post("/m/logout", {}), 403)
    bob_got_nothing()
    bob_got_nothing(0.1, carol)
    expect(history_texts(conversation) == before, "a post without the token changed the history")
    expect(api.state()["presence"] == state_before, "a post without the token changed the presence")
    expect_page(light.get("/m/"), 200, "/m/")  # still logged in


def test_login_without_its_token_is_refused():
    """The login form's token is both in a cookie and in the form: a form posted from another site
    (without either, or with another value) logs nobody in."""
    stranger = LightClient(lilac.base_url)
    page = expect_page(stranger.get("/m/login"))
    token = page.field("login_csrf")
    for fields in ({"username": "ann", "password": ANN_PASSWORD},
                   {"login_csrf": "", "username": "ann", "password": ANN_PASSWORD},
                   {"login_csrf": token[:-1] + ("A" if token[-1] != "A" else "B"), "username": "ann",
                    "password": ANN_PASSWORD}):
        refused = stranger.post("/m/login", fields)
        expect_page(refused, 403, "/m/login")
        check_page("login-forbidden", refused)
        expect("out of date or comes from another site" in refused.text, "no reason given:\n%s" % refused.text)
        expect(stranger.cookie("lilac_session") is None, "a post without the token logged in")
    # the token in the form, but not the cookie that holds it: another site cannot read the cookie
    cookieless = LightClient(lilac.base_url)
    refused = cookieless.post("/m/login", {"login_csrf": token, "username": "ann", "password": ANN_PASSWORD})
    expect_page(refused, 403, "/m/login")
    expect(cookieless.cookie("lilac_session") is None, "a post with another browser's token logged in")
    expect_page(stranger.get("/m/buddies"), 200, "/m/login")
    home = stranger.post("/m/login", {"login_csrf": stranger.cookie("lilac_login_csrf"), "username": "ann",
                                      "password": ANN_PASSWORD})
    expect_page(home, 200, "/m/")


def test_bad_form_input_changes_nothing():
    page = expect_page(light.get(conversation_path()))
    csrf = urllib.parse.quote(page.field("csrf"))
    before = history_texts(conversation)
    cases = [
        ("csrf=%s&text=%%FF%%FEnot-utf8" % csrf, 400, "not valid UTF-8"),
        ("csrf=%s&text=nul%%00byte" % csrf, 400, "NUL"),
        ("csrf=%s&text=%s" % (csrf, "x" * (16 * 1024 + 1)), 413, "too long"),
        ("csrf=%s&text=a&text=b" % csrf, 400, "twice"),
        ("csrf=%s&text=a&extra=1" % csrf, 400, "field"),
        ("csrf=%s&text=%%ZZ" % csrf, 400, "encoded"),
        ("csrf=%s&text=" % csrf, 400, "fill in"),
    ]
    for body, status, words in cases:
        answer = light.post(conversation_path() + "/send", raw=body.encode("ascii"))
        expect_page(answer, status)
        expect(words in answer.text, "the error page does not say %r:\n%s" % (words, answer.text))
        check_page("bad-form-%d" % status, answer)
    answer = light.request("POST", conversation_path() + "/send", raw=b"x",
                           headers={"Content-Type": "multipart/form-data; boundary=x"})
    expect_page(answer, 400)
    bob_got_nothing()
    expect(history_texts(conversation) == before, "a bad form changed the history")


@h.timeout(90)
def test_pages_valid_and_small_with_twenty_long_messages():
    texts = ["%02d " % number + ("long message text " * 12)[:197] for number in range(20)]
    for text in texts:
        expect(len(text) == 200, "a test message is %d characters" % len(text))
        bob.send(prosody.jid("alice"), text)
    h.wait_until(lambda: texts[-1] in history_texts(conversation), timeout=20, message="the 20 messages")
    page = expect_page(light.get(conversation_path()))
    for text in texts:
        expect(text in page.text, "message %r is not on the page" % text[:10])
    check_page("conversation-20x200", page)
    h.diag("the conversation page with 20 messages of 200 characters: %d bytes" % len(page.body))
    older = re.search(r'<a href="([^"]*)">« Older messages</a>', page.text)
    expect(older is not None, "no link to older messages")
    older_page = expect_page(light.get(older.group(1).replace("&amp;", "&")))
    check_page("conversation-older", older_page)
    expect("hello bob, from the light view" in older_page.text, "the older page lacks the first message")
    expect("Newest messages" in older_page.text, "the older page has no way back")
    for name, path in (("home-again", "/m/"), ("new", "/m/new"), ("requests", "/m/requests"),
                       ("files", "/m/files"), ("buddies-page-2", "/m/buddies?page=2"),
                       ("not-found", "/m/no/such/page"), ("no-conversation", "/m/c/999999"),
                       ("bad-older", conversation_path() + "?before=abc")):
        answer = light.get(path)
        expect(answer.status in (200, 404), "%s answered %d" % (path, answer.status))
        check_page(name, answer)
    h.diag("page sizes: " + ", ".join("%s %d" % item for item in sorted(checked_pages.items())))


def test_long_message_is_cut_and_readable_in_parts():
    text = "".join("word%04d " % number for number in range(600))  # 5400 characters
    bob.send(prosody.jid("alice"), text)
    h.wait_until(lambda: text.strip() in [t.strip() for t in history_texts(conversation)], timeout=15,
                 message="the long message")
    page = expect_page(light.get(conversation_path()))
    check_page("conversation-long", page)
    more = re.search(r'<a href="(/m/c/\d+/m/\d+)">read all</a>', page.text)
    expect(more is not None, "the long message has no link to read it all")
    shown = ""
    path = more.group(1)
    for _ in range(20):
        part = expect_page(light.get(path))
        check_page("message-part", part)
        shown += re.search(r"<p>([^<]*)</p>", part.text.split("</small></p>", 1)[1]).group(1)
        following = re.search(r'<a href="([^"]*)">Next »</a>', part.text)
        if following is None:
            break
        path = following.group(1).replace("&amp;", "&")
    expect(shown.strip() == text.strip(), "the parts do not make the message (%d of %d characters)"
           % (len(shown), len(text)))


def test_page_stays_small_with_wide_characters():
    # 200 Chinese characters are 600 bytes: the page shows fewer messages and links to the others
    texts = ["%02d" % number + ("简体中文消息" * 40)[:198] for number in range(20)]
    for text in texts:
        bob.send(prosody.jid("alice"), text)
    h.wait_until(lambda: texts[-1] in history_texts(conversation), timeout=20, message="the 20 messages")
    page = expect_page(light.get(conversation_path()))
    check_page("conversation-20x200-chinese", page)
    expect(texts[-1] in page.text, "the newest message is not shown")
    expect("« Older messages" in page.text, "no link to the messages that did not fit")


def test_chinese_labels():
    chinese = LightClient(lilac.base_url, accept_language="zh-CN,zh;q=0.9,en;q=0.5")
    chinese.jar = light.jar
    home = expect_page(chinese.get("/m/"))
    check_page("home-zh", home)
    for label in ("首页", "好友", "对话", "账户", "退出登录", "在线", 'lang="zh-CN"'):
        expect(label in home.text, "the Chinese home page lacks %r:\n%s" % (label, home.text))
    expect(home.headers.get("Content-Language") == "zh-CN", "Content-Language %r" % home.headers.get("Content-Language"))
    expect("首页" in dump("lynx", home.text), "lynx does not show the Chinese labels")
    login = expect_page(LightClient(lilac.base_url, accept_language="zh-CN").get("/m/login"))
    expect("登录" in login.text and "用户名" in login.text, "the Chinese login page:\n%s" % login.text)
    english = expect_page(LightClient(lilac.base_url, accept_language="zh-TW, en").get("/m/login"))
    expect("Log in" in english.text, "zh-TW should fall back to English:\n%s" % english.text)


def test_language_switch_link_is_remembered():
    switcher = LightClient(lilac.base_url, accept_language="en")
    page = expect_page(switcher.get("/m/login"))
    link = re.search(r'<a href="([^"]*)" hreflang="zh-CN"', page.text).group(1).replace("&amp;", "&")
    switched = expect_page(switcher.get(link), 200, "/m/login")
    expect("用户名" in switched.text, "the switch link did not switch:\n%s" % switched.text)
    expect(switcher.cookie("lilac_lang") == "zh_CN", "the choice is not in a cookie")
    expect("用户名" in expect_page(switcher.get("/m/login")).text, "the choice is not remembered")
    outside = switcher.get("/m/set?lang=en&back=//evil.example/")
    expect(outside.path == "/m/login", "the switch link redirected outside: %s" % outside.url)


def test_automatic_refresh_can_be_turned_off():
    page = expect_page(light.get(conversation_path()))
    link = re.search(r'<a href="([^"]*)">Turn automatic refresh off</a>', page.text).group(1).replace("&amp;", "&")
    page = expect_page(light.get(link), 200, conversation_path())
    expect('http-equiv="refresh"' not in page.text, "the page still refreshes itself")
    expect("Turn automatic refresh on" in page.text, "no way to turn it on again")


def test_presence_form():
    home = expect_page(light.get("/m/"))
    answer = light.post("/m/presence", {"csrf": home.field("csrf", "/m/presence"), "status": "away",
                                        "message": "at lunch <b>"})
    expect_page(answer, 200, "/m/")
    presence = api.state()["presence"]
    expect(presence == {"status": "away", "message": "at lunch <b>"}, "presence: %r" % presence)
    expect('<option value="away" selected>' in answer.text and 'value="at lunch &lt;b&gt;"' in answer.text,
           "the form does not show the new presence:\n%s" % answer.text)
    bad = light.post("/m/presence", {"csrf": home.field("csrf", "/m/presence"), "status": "sleeping"})
    expect_page(bad, 400)
    expect(api.state()["presence"]["status"] == "away", "a bad status changed the presence")


@h.timeout(60)
def test_join_chat():
    page = expect_page(light.get("/m/new"))
    check_page("new", page)
    room = "lightroom@" + prosody.muc
    joined = light.post("/m/join", {"csrf": page.field("csrf", "/m/join"), "account": account["id"],
                                    "room": room, "nick": "ann", "password": ""})
    expect_page(joined)
    expect(re.fullmatch(r"/m/c/\d+", joined.path), "joining did not open the room: %s" % joined.url)
    check_page("chat", joined)
    chats = [c for c in api.state()["conversations"] if c["type"] == "chat"]
    expect(any(c["name"].startswith("lightroom@") for c in chats), "no chat in /state: %r" % chats)


def test_logout():
    home = expect_page(light.get("/m/"))
    page = light.post("/m/logout", {"csrf": home.field("csrf", "/m/logout")})
    expect_page(page, 200, "/m/login")
    expect(light.cookie("lilac_session") is None, "the session cookie is still there")
    expect_page(light.get("/m/buddies"), 200, "/m/login")
    h.diag("pages checked (bytes): " + ", ".join("%s %d" % item for item in sorted(checked_pages.items())))


def test_translations_complete():
    """Every string of the light view is in po/zh_CN.po, translated, and every file of the light
    view that marks strings is listed in po/POTFILES.in."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(top, "po", "POTFILES.in")) as potfiles:
        listed = [line.strip() for line in potfiles if line.strip() and not line.startswith("#")]
    for name in sorted(os.listdir(os.path.join(top, "web"))):
        if name.startswith("lilac-web-light") and name.endswith(".c"):
            with open(os.path.join(top, "web", name), encoding="utf-8") as source:
                marks = re.search(r"\b(?:_|N_)\s*\(\s*\"", source.read())
            expect(not marks or "web/" + name in listed, "web/%s marks strings but is not in po/POTFILES.in" % name)
    with tempfile.TemporaryDirectory() as folder:
        pot = os.path.join(folder, "light.pot")
        subprocess.run(["xgettext", "--language=C", "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
                        "--directory=" + top, "-o", pot] + [path for path in listed if path.startswith("web/")],
                       check=True, timeout=60)
        merged = os.path.join(folder, "merged.po")
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                        os.path.join(top, "po", "zh_CN.po"), pot], check=True, timeout=60)
        statistics = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, merged],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60, text=True)
    expect(statistics.returncode == 0, "msgfmt: %s" % statistics.stdout)
    expect("untranslated" not in statistics.stdout and "fuzzy" not in statistics.stdout,
           "po/zh_CN.po is behind the light view: %s" % statistics.stdout.strip())


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
