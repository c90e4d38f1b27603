#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""History: 200 messages both ways survive a restart and page back in order with no duplicates;
search finds an English word and a Chinese substring (好世 in 你好世界); export as JSON and text;
purged messages leave the search index too."""

import json
import os
import re
import sqlite3

import lilac_harness as h
from lilac_harness import expect, expect_error

ALICE_PASSWORD = "alice-history-pw"
BOB_PASSWORD = "bob-history-pw"

prosody = lilac = client = bob = None
account = conversation = None
sent = []


def setup_module():
    global prosody, lilac, client, bob
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    bob = h.XmppPeer(prosody.jid("bob"), BOB_PASSWORD, prosody.port).start()
    lilac = h.start_lilac({"ann": "ann-history-pw"})
    client = h.log_in(lilac, "ann", "ann-history-pw")


def text_of(number):
    if number == 17:
        return "the unicorn number %d" % number
    if number == 42:
        return "你好世界 %d" % number
    return "history line %d" % number


@h.timeout(240)
def test_two_hundred_messages_both_ways():
    global account, conversation
    account = client.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    client.wait_online(account["id"], timeout=45)
    for number in range(200):
        text = text_of(number)
        sent.append(text)
        if number % 2 == 0:
            bob.send(prosody.jid("alice"), text)
            event = client.wait_event(lambda e, t=text: e.get("type") == "message" and e.get("text") == t)
            conversation = event["conversation"]
        else:
            status, body = client.post("messages", json={"account": account["id"], "to": prosody.jid("bob"),
                                                         "text": text})
            expect(status == 202, "POST /messages answered %s %r" % (status, body))
            client.wait_event(lambda e, t=text: e.get("type") == "message" and e.get("text") == t
                              and e.get("direction") == "out")


def page_all():
    messages, before = [], None
    while True:
        path = "history?conversation=%s&limit=50" % conversation
        if before:
            path += "&before=%s" % before
        status, body = client.get(path)
        expect(status == 200, "GET /history answered %s %r" % (status, body))
        messages = body["messages"] + messages
        if not body["more"]:
            return messages
        before = body["messages"][0]["id"]


@h.timeout(60)
def test_paging_after_restart_returns_all_in_order():
    lilac.restart()
    client.sync()
    messages = page_all()
    texts = [message["text"] for message in messages]
    ids = [int(message["id"]) for message in messages]
    expect(texts == sent, "history differs from what was sent: %d vs %d" % (len(texts), len(sent)))
    expect(ids == sorted(set(ids)), "ids are not strictly increasing")
    expect(all(m["direction"] == ("in" if n % 2 == 0 else "out") for n, m in enumerate(messages)),
           "directions are wrong")


def search(query):
    status, body = client.get("history?q=%s&limit=50" % h.urllib.parse.quote(query))
    expect(status == 200, "search %r answered %s %r" % (query, status, body))
    return [message["text"] for message in body["messages"]]


def test_search_english_word_and_chinese_substring():
    expect(search("unicorn") == ["the unicorn number 17"], "unicorn: %r" % search("unicorn"))
    expect(search("好世") == ["你好世界 42"], "好世: %r" % search("好世"))
    expect(search("世界") == ["你好世界 42"], "世界: %r" % search("世界"))
    expect(search("UNICORN number") == ["the unicorn number 17"], "case and two words")
    expect(search("unicorn 你好") == [], "two words that are never together")
    expect_error(client.get("history?q=%20"), 400, "bad_request", "an empty search")
    other = h.start_lilac({"zed": "zed-history-pw"})
    stranger = h.log_in(other, "zed", "zed-history-pw")
    expect(stranger.get("history?q=unicorn")[1]["messages"] == [], "another gateway's user found it")


def test_export_json_and_text():
    status, body = client.get("history/export?conversation=%s&format=json" % conversation)
    expect(status == 200, "export answered %s" % status)
    expect("attachment" in client.last_headers.get("Content-Disposition", ""), "not an attachment")

    exported = body if isinstance(body, dict) else json.loads(body)
    expect([m["text"] for m in exported["messages"]] == sent, "the JSON export differs")
    # streamed a page of messages at a time, never whole in the gateway's memory
    expect(client.last_headers.get("Transfer-Encoding") == "chunked", "the export is not streamed")
    status, text = client.get("history/export?conversation=%s&format=text" % conversation)
    expect(status == 200, "the text export answered %s" % status)
    lines = text.split("\n")
    expect(lines[0].endswith("(%s)" % prosody.jid("bob")) and lines[1] == "",
           "the text export's heading: %r" % lines[:2])
    pattern = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] ([^:]+): (.*)$")
    found = [pattern.match(line) for line in lines[2:-1]]
    expect(all(found) and [m.group(2) for m in found] == sent and lines[-1] == "",
           "the text export's lines differ: %r" % lines[2:6])
    expect({m.group(1).split("/")[0] for m in found[0::2]} == {prosody.jid("bob")},
           "bob's lines: %r" % found[0].group(0))
    expect_error(client.get("history/export?conversation=%s&format=pdf" % conversation), 400,
                 "bad_request", "an unknown format")


def index_count(word):
    database = sqlite3.connect(os.path.join(lilac.data, "lilac.db"), timeout=10)
    try:
        return database.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?",
                                ('"%s"' % word,)).fetchone()[0]
    finally:
        database.close()


@h.timeout(60)
def test_purge_removes_old_messages_and_their_index_entries():
    # the index takes new messages in batches, a moment later: the purge must take it out again
    h.wait_until(lambda: index_count("unicorn") == 1, timeout=10, message="unicorn in the index")
    database = sqlite3.connect(os.path.join(lilac.data, "lilac.db"), timeout=10)
    with database:
        database.execute("UPDATE messages SET time = time - 100 * 86400000 WHERE text LIKE '%unicorn%'")
    database.close()
    lilac.restart()
    client.sync()
    expect(search("unicorn") == [], "a purged message is still found")
    expect(index_count("unicorn") == 0, "the index still holds the purged message")
    expect(len(page_all()) == 199, "the other messages went too")


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
