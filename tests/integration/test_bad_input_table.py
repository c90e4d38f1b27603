#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Bad input against every endpoint of API.md: malformed JSON, wrong types, missing and extra
fields, huge numbers, negative ids, another user's ids, 1 MB strings, invalid UTF-8, NUL bytes,
header injection and path traversal in names. Each answers its documented status and error code,
and a dump of the whole database before and after shows that nothing changed."""

import json
import os
import sqlite3
import urllib.parse

import lilac_harness as h
from lilac_harness import expect, expect_error

PASSWORDS = {"alice": "alice-table-pw", "bob": "bob-table-pw", "carol": "carol-table-pw"}
MB = 1024 * 1024

prosody = lilac = ann = ben = bob = None
ids = {}

# tables and the columns that move by themselves (last use, activity) and are not compared
VOLATILE = {"sessions": {"last_seen"}, "conversations": {"updated"}}


def setup_module():
    global prosody, lilac, ann, ben, bob
    prosody = h.start_prosody(**PASSWORDS)
    bob = h.XmppPeer(prosody.jid("bob"), PASSWORDS["bob"], prosody.port).start()
    lilac = h.Lilac()
    lilac.add_user("ann", "ann-table-login", admin=True)
    lilac.add_user("ben", "ben-table-login")
    lilac.start()
    ann = h.log_in(lilac, "ann", "ann-table-login")
    ben = h.log_in(lilac, "ben", "ben-table-login")
    for client, who, key in ((ann, "alice", "mine"), (ben, "carol", "theirs")):
        account = client.add_account(prosody.xmpp_account(who, PASSWORDS[who]))
        client.wait_online(account["id"], timeout=45)
        ids[key + "_account"] = account["id"]
        bob.send(prosody.jid(who), "hello %s" % who)
        ids[key + "_conversation"] = client.wait_event(lambda e: e.get("type") == "message")["conversation"]
    ids["ben_user"] = ben.user["id"]
    _, sessions = ben.get("sessions")
    ids["ben_session"] = sessions[0]["id"]


def dump():
    database = sqlite3.connect(os.path.join(lilac.data, "lilac.db"), timeout=10)
    try:
        # the search index and its queue of messages to index are derived from messages, and
        # change by themselves as the gateway indexes in the background
        tables = [row[0] for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'messages_fts%' "
            "AND name != 'messages_unindexed' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        result = {}
        for table in tables:
            cursor = database.execute("SELECT * FROM %s ORDER BY rowid" % table)
            columns = [column[0] for column in cursor.description]
            keep = [i for i, name in enumerate(columns) if name not in VOLATILE.get(table, ())]
            result[table] = [tuple(row[i] for i in keep) for row in cursor]
        return result
    finally:
        database.close()


def fill(value):
    if isinstance(value, bytes):
        for key, item in ids.items():
            value = value.replace(("{%s}" % key).encode(), item.encode())
        return value
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: fill(item) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item) for item in value]
    return value


BIG = "x" * MB
NUL = b"\x00"
BAD_UTF8 = b"\xc3\x28"

# name, method, path, body (bytes sent as they are; None for no body), status, code
CASES = [
    # users and sessions
    ("session_missing_password", "POST", "session", {"username": "ann"}, 400, "bad_request"),
    ("session_huge_name", "POST", "session", {"username": BIG, "password": "x"}, 413, "too_large"),
    ("users_extra_field", "POST", "users", {"username": "zoe", "password": "zoe-password", "root": True},
     400, "bad_request"),
    ("users_hostile_name", "POST", "users", {"username": "../../etc", "password": "long enough"}, 400,
     "bad_request"),
    ("users_name_with_newline", "POST", "users", {"username": "zoe\r\nSet-Cookie: x=1", "password": "long enough"},
     400, "bad_request"),
    ("users_short_password", "POST", "users", {"username": "zoe", "password": "short"}, 400, "bad_request"),
    ("users_admin_not_bool", "POST", "users", {"username": "zoe", "password": "long enough", "admin": "yes"},
     400, "bad_request"),
    ("me_missing_old", "PATCH", "users/me", {"password": "a new password"}, 400, "bad_request"),
    ("me_wrong_old", "PATCH", "users/me", {"old_password": "not it", "password": "a new password"}, 403,
     "forbidden"),
    ("settings_unknown", "PATCH", "users/me/settings", {"theme": "dark"}, 400, "bad_request"),
    ("settings_bad_language", "PATCH", "users/me/settings", {"language": "../../fr"}, 400, "bad_request"),
    ("settings_bad_policy", "PATCH", "users/me/settings", {"subscription_policy": "maybe"}, 400, "bad_request"),
    ("settings_always_on_string", "PATCH", "users/me/settings", {"always_on": "true"}, 400, "bad_request"),
    ("sessions_negative", "DELETE", "sessions/-1", None, 404, "not_found"),
    ("sessions_huge", "DELETE", "sessions/99999999999999999999999", None, 404, "not_found"),
    ("sessions_of_another", "DELETE", "sessions/{ben_session}", None, 404, "not_found"),
    # admin
    ("admin_delete_huge", "DELETE", "admin/users/18446744073709551617", None, 404, "not_found"),
    ("admin_reset_short", "POST", "admin/users/{ben_user}/reset", {"password": "x"}, 400, "bad_request"),
    ("admin_reset_nul", "POST", "admin/users/{ben_user}/reset",
     b'{"password":"long enough\\u0000xx"}', 400, "bad_request"),
    ("broadcast_missing_text", "POST", "admin/broadcast", {"title": "t"}, 400, "bad_request"),
    ("broadcast_users_not_list", "POST", "admin/broadcast", {"title": "t", "text": "x", "users": "1"}, 400,
     "bad_request"),
    # accounts
    ("accounts_bad_utf8", "POST", "accounts",
     b'{"protocol":"prpl-jabber","username":"a' + BAD_UTF8 + b'@localhost"}', 400, "bad_request"),
    ("accounts_option_unknown", "POST", "accounts",
     {"protocol": "prpl-jabber", "username": "x@localhost", "options": {"rm -rf": 1}}, 400, "bad_request"),
    ("accounts_option_type", "POST", "accounts",
     {"protocol": "prpl-jabber", "username": "x@localhost", "options": {"port": "5222"}}, 400, "bad_request"),
    ("accounts_option_huge_int", "POST", "accounts",
     {"protocol": "prpl-jabber", "username": "x@localhost", "options": {"port": 2 ** 62}}, 400, "bad_request"),
    ("accounts_option_choice", "POST", "accounts",
     {"protocol": "prpl-jabber", "username": "x@localhost", "options": {"connection_security": "none"}},
     400, "bad_request"),
    ("accounts_empty_username", "POST", "accounts", {"protocol": "prpl-jabber", "username": ""}, 400,
     "bad_request"),
    ("account_get_another", "GET", "accounts/{theirs_account}", None, 404, "not_found"),
    ("account_patch_another", "PATCH", "accounts/{theirs_account}", {"alias": "mine now"}, 404, "not_found"),
    ("account_delete_another", "DELETE", "accounts/{theirs_account}", None, 404, "not_found"),
    ("account_negative", "PATCH", "accounts/-3", {"alias": "x"}, 404, "not_found"),
    ("account_traversal", "GET", "accounts/..%252F..%252Fetc%252Fpasswd", None, 404, "not_found"),
    ("dot_segments", "GET", "../../../etc/passwd", None, 404, "not_found"),
    ("account_patch_options_type", "PATCH", "accounts/{mine_account}", {"options": []}, 400, "bad_request"),
    # conversations and messages
    ("messages_to_another_conversation", "POST", "messages", {"conversation": "{theirs_conversation}",
                                                              "text": "hi"}, 404, "not_found"),
    ("messages_via_another_account", "POST", "messages", {"account": "{theirs_account}", "to": "bob@localhost",
                                                          "text": "hi"}, 404, "not_found"),
    ("messages_empty_text", "POST", "messages", {"conversation": "{mine_conversation}", "text": ""}, 400,
     "bad_request"),
    ("messages_huge_text", "POST", "messages", {"conversation": "{mine_conversation}", "text": BIG}, 413,
     "too_large"),
    ("messages_nul", "POST", "messages",
     b'{"conversation":"{mine_conversation}","text":"a' + NUL + b'b"}', 400, "bad_request"),
    ("chats_missing_room", "POST", "chats", {"account": "{mine_account}"}, 400, "bad_request"),
    ("chats_another_account", "POST", "chats", {"account": "{theirs_account}", "room": "r@conference.localhost"},
     404, "not_found"),
    ("typing_bad_state", "POST", "typing", {"conversation": "{mine_conversation}", "state": "shouting"}, 400,
     "bad_request"),
    ("typing_another", "POST", "typing", {"conversation": "{theirs_conversation}", "state": "typing"}, 404,
     "not_found"),
    ("close_another", "DELETE", "conversations/{theirs_conversation}", None, 404, "not_found"),
    ("read_negative_seq", "POST", "conversations/{mine_conversation}/read", {"seq": -5}, 400, "bad_request"),
    ("read_seq_string", "POST", "conversations/{mine_conversation}/read", {"seq": "5"}, 400, "bad_request"),
    ("read_another", "POST", "conversations/{theirs_conversation}/read", {"seq": 1}, 404, "not_found"),
    # buddies, presence, requests
    ("buddies_missing_name", "POST", "buddies", {"account": "{mine_account}"}, 400, "bad_request"),
    ("buddies_another_account", "POST", "buddies", {"account": "{theirs_account}", "name": "x@localhost"},
     404, "not_found"),
    ("buddies_delete_no_name", "DELETE", "buddies?account={mine_account}", None, 400, "bad_request"),
    ("presence_unknown", "POST", "presence", {"status": "asleep"}, 400, "bad_request"),
    ("presence_huge_message", "POST", "presence", {"status": "away", "message": BIG}, 413, "too_large"),
    ("requests_unknown", "POST", "requests/999", {"action": 0}, 404, "not_found"),
    ("requests_missing_action", "POST", "requests/1", {}, 400, "bad_request"),
    # transfers
    ("transfers_another_account", "POST", "transfers?account={theirs_account}&to=bob@localhost&filename=a.txt",
     b"bytes", 404, "not_found"),
    ("transfers_missing_to", "POST", "transfers?account={mine_account}&filename=a.txt", b"bytes", 400,
     "bad_request"),
    ("transfers_action", "POST", "transfers/1", {"action": "steal"}, 400, "bad_request"),
    ("transfers_content_unknown", "GET", "transfers/424242/content", None, 404, "not_found"),
    # history and events
    ("history_another", "GET", "history?conversation={theirs_conversation}", None, 404, "not_found"),
    ("history_negative_before", "GET", "history?conversation={mine_conversation}&before=-1", None, 400,
     "bad_request"),
    ("history_huge_limit", "GET", "history?conversation={mine_conversation}&limit=99999999999", None, 400,
     "bad_request"),
    ("history_bad_utf8_query", "GET", "history?q=%C3%28", None, 400, "bad_request"),
    ("export_bad_format", "GET", "history/export?conversation={mine_conversation}&format=../../x", None, 400,
     "bad_request"),
    ("events_negative_since", "GET", "events?since=-1", None, 400, "bad_request"),
    ("events_huge_timeout", "GET", "events?since=0&timeout=100000", None, 400, "bad_request"),
    ("unknown_endpoint", "GET", "nothing/here", None, 404, "not_found"),
]


def make_case(name, method, path, body, status, code):
    def check():
        before = dump()
        if body is None:
            answer = ann.request(method, fill(path))
        elif isinstance(body, bytes):
            headers = {"Content-Type": "application/octet-stream"} if path.startswith("transfers?") else None
            answer = ann.request(method, fill(path), raw=fill(body), headers=headers)
        else:
            answer = ann.request(method, fill(path), json=fill(body))
        expect_error(answer, status, code, "%s %s" % (method, path))
        after = dump()
        changed = [table for table in before if before[table] != after.get(table)]
        expect(not changed, "the request changed the tables %r" % changed)
    check.__name__ = "test_" + name
    return check


for case in CASES:
    globals()["test_" + case[0]] = make_case(*case)


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
