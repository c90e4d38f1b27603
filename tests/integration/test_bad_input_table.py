#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Bad input against every endpoint of API.md and docs/API-extensions.md: malformed JSON, wrong
types, missing and extra fields, huge numbers, negative ids, another user's ids, 1 MB strings,
invalid UTF-8, NUL bytes, header injection and path traversal in names. Each answers its
documented status and error code, and a dump of the whole database before and after shows that
nothing changed.

The table is the hand-written CASES below plus cases generated from the endpoints' descriptions
(BODY_ENDPOINTS, ID_PATHS, ID_QUERIES, ROUTES): every JSON body endpoint gets the same malformed
bodies, every field every wrong type, every id every bad id, every route a request without a
login (and without the CSRF header when it changes state). What the API does with an unknown
field is refuse it: 400 bad_request, like any other malformed body."""

import collections
import copy
import json
import os
import re
import sqlite3

import lilac_harness as h
from lilac_harness import expect, expect_error

PASSWORDS = {"alice": "alice-table-pw", "bob": "bob-table-pw", "carol": "carol-table-pw"}
MB = 1024 * 1024

prosody = lilac = ann = ben = bob = stranger = None
ids = {}

# tables and the columns that move by themselves (last use, activity) and are not compared
VOLATILE = {"sessions": {"last_seen"}, "conversations": {"updated"}}


def setup_module():
    global prosody, lilac, ann, ben, bob, stranger
    prosody = h.start_prosody(**PASSWORDS)
    bob = h.XmppPeer(prosody.jid("bob"), PASSWORDS["bob"], prosody.port).start()
    lilac = h.Lilac()
    lilac.add_user("ann", "ann-table-login", admin=True)
    lilac.add_user("ben", "ben-table-login")
    lilac.start()
    ann = h.log_in(lilac, "ann", "ann-table-login")
    ben = h.log_in(lilac, "ben", "ben-table-login")
    stranger = lilac.client()
    for client, who, key in ((ann, "alice", "mine"), (ben, "carol", "theirs")):
        account = client.add_account(prosody.xmpp_account(who, PASSWORDS[who]))
        client.wait_online(account["id"], timeout=45)
        ids[key + "_account"] = account["id"]
        bob.send(prosody.jid(who), "hello %s" % who)
        ids[key + "_conversation"] = client.wait_event(lambda e: e.get("type") == "message")["conversation"]
        ids[key + "_transfer"] = finished_upload(client, account["id"])
    ids["ben_user"] = ben.user["id"]
    ids["ann_user"] = ann.user["id"]
    for client, key in ((ann, "ann_session"), (ben, "ben_session")):
        _, sessions = client.get("sessions")
        ids[key] = next(entry["id"] for entry in sessions if entry["current"])
    # a request that stays open all along: bob asks to see alice's presence
    bob.send_presence(pto=prosody.jid("alice"), ptype="subscribe")
    request = ann.wait_event(lambda e: e.get("type") == "request.opened")["request"]
    ids["mine_request"] = request["id"]
    h.diag("ann's open request: %r" % request)
    settle_database()


def finished_upload(client, account):
    """An upload to bob, cancelled at once: a transfer of the user's that moves no more."""
    status, transfer = client.request(
        "POST", "transfers?account=%s&to=%s&filename=table.txt" % (account, prosody.jid("bob")),
        raw=b"table bytes", headers={"Content-Type": "application/octet-stream"})
    expect(status == 202, "the upload answered %s %r" % (status, transfer))
    status, body = client.post("transfers/%s" % transfer["id"], json={"action": "cancel"})
    expect(status in (204, 404), "cancelling the upload answered %s %r" % (status, body))
    h.wait_until(lambda: next((entry["state"] for entry in client.state()["transfers"]
                               if entry["id"] == transfer["id"]), None) in ("cancelled", "failed", "done"),
                 timeout=20, message="the upload to end")
    return transfer["id"]


def settle_database():
    """Waits until the database stops moving by itself (rosters, presences, transfers, the system
    lines they leave in conversations): three seconds without a change."""
    previous, still_for = dump(), 0

    def still():
        nonlocal previous, still_for
        current = dump()
        still_for = still_for + 1 if current == previous else 0
        previous = current
        return still_for >= 3
    h.wait_until(still, timeout=45, interval=1.0, message="the database to stop changing")


def differences(before, after):
    """What changed, table by table: the rows that went and the rows that came (a few of each)."""
    changed = {}
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, []), after.get(table, [])
        if old != new:
            changed[table] = {"gone": [row for row in old if row not in new][:3],
                              "new": [row for row in new if row not in old][:3]}
    return changed


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
    """Puts the ids of setup_module() where the table says {name}."""
    if isinstance(value, bytes):
        for key, item in ids.items():
            value = value.replace(("{%s}" % key).encode(), item.encode())
        return value
    if isinstance(value, str):
        for key, item in ids.items():
            value = value.replace("{%s}" % key, item)
        return value
    if isinstance(value, dict):
        return {fill(key): fill(item) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item) for item in value]
    return value


BIG = "x" * MB
NUL = b"\x00"
BAD_UTF8 = b"\xc3\x28"

# how a case is sent: by ann (an administrator, cookie and CSRF header) unless "how" says
# "no_login" (no cookie, no token), "bearer_junk" (a token that is no login), "no_csrf" (ann's
# cookie without the header), "not_admin" (ben) or "text_plain" (ann, the JSON body labelled
# text/plain). code None: only the status is checked (an answer libsoup gives by itself, or a 200)
Case = collections.namedtuple("Case", "name method path body status code how", defaults=(None,))

# name, method, path, body (bytes sent as they are; None for no body), status, code
CASES = [Case(*case) for case in [
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
    ("admin_delete_self", "DELETE", "admin/users/{ann_user}", None, 409, "conflict"),
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
    ("accounts_option_wraps_around", "POST", "accounts",
     {"protocol": "prpl-jabber", "username": "x@localhost", "options": {"port": 2 ** 64 + 5222}}, 400, "bad_request"),
    ("accounts_alias_lone_surrogate", "POST", "accounts",
     b'{"protocol":"prpl-jabber","username":"x@localhost","alias":"\\ud800"}', 400, "bad_request"),
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
]]


# ---------------------------------------------------------------------------- Generated cases

# the kinds of field a body has
TEXT, ID, BOOL, INT, OBJECT, USER_IDS, ACTION = "text", "id", "bool", "int", "object", "user ids", "action"

# label, method, path, a body the endpoint takes (each generated case breaks it one way), the
# kind of each field it knows, the fields it requires
BODY_ENDPOINTS = [
    ("session", "POST", "session", {"username": "ann", "password": "ann-table-login"},
     {"username": TEXT, "password": TEXT}, ("username", "password")),
    ("users", "POST", "users", {"username": "zoe", "password": "zoe-table-login", "admin": False},
     {"username": TEXT, "password": TEXT, "admin": BOOL}, ("username", "password")),
    ("me", "PATCH", "users/me", {"old_password": "ann-table-login", "password": "ann-new-table-login"},
     {"old_password": TEXT, "password": TEXT}, ("old_password", "password")),
    ("settings", "PATCH", "users/me/settings", {"subscription_policy": "reject", "language": "fr"},
     {"subscription_policy": TEXT, "language": TEXT, "always_on": BOOL}, ()),
    ("reset", "POST", "admin/users/{ben_user}/reset", {"password": "a new password for ben"},
     {"password": TEXT}, ("password",)),
    ("broadcast", "POST", "admin/broadcast", {"title": "Hello", "text": "to ben", "users": ["{ben_user}"]},
     {"title": TEXT, "text": TEXT, "users": USER_IDS}, ("title", "text")),
    ("accounts", "POST", "accounts",
     {"protocol": "prpl-jabber", "username": "zed@localhost/lilac", "password": "zed-pw", "alias": "Zed",
      "options": {"port": 5222}, "enabled": False},
     {"protocol": TEXT, "username": TEXT, "password": TEXT, "alias": TEXT, "options": OBJECT, "enabled": BOOL},
     ("protocol", "username")),
    ("account", "PATCH", "accounts/{mine_account}", {"alias": "renamed", "options": {}, "enabled": True},
     {"password": TEXT, "alias": TEXT, "options": OBJECT, "enabled": BOOL}, ()),
    ("message", "POST", "messages", {"conversation": "{mine_conversation}", "text": "hello"},
     {"conversation": ID, "text": TEXT}, ("conversation", "text")),
    ("message_to", "POST", "messages", {"account": "{mine_account}", "to": "bob@localhost", "text": "hello"},
     {"account": ID, "to": TEXT, "text": TEXT}, ("account", "to", "text")),
    ("chats", "POST", "chats",
     {"account": "{mine_account}", "room": "lounge@conference.localhost", "nick": "ann", "password": "pw"},
     {"account": ID, "room": TEXT, "nick": TEXT, "password": TEXT}, ("account", "room")),
    ("typing", "POST", "typing", {"conversation": "{mine_conversation}", "state": "typing"},
     {"conversation": ID, "state": TEXT}, ("conversation", "state")),
    ("read", "POST", "conversations/{mine_conversation}/read", {"seq": 1}, {"seq": INT}, ()),
    ("buddies", "POST", "buddies", {"account": "{mine_account}", "name": "zed@localhost", "alias": "Zed",
                                    "group": "Friends"},
     {"account": ID, "name": TEXT, "alias": TEXT, "group": TEXT}, ("account", "name")),
    ("buddy_info", "POST", "buddies/info", {"account": "{mine_account}", "name": "bob@localhost"},
     {"account": ID, "name": TEXT}, ("account", "name")),
    ("presence", "POST", "presence", {"status": "away", "message": "back soon"},
     {"status": TEXT, "message": TEXT}, ("status",)),
    ("request", "POST", "requests/{mine_request}", {"action": 1, "fields": {}},
     {"action": ACTION, "fields": OBJECT}, ("action",)),
    ("transfer", "POST", "transfers/{mine_transfer}", {"action": "cancel"}, {"action": TEXT}, ("action",)),
]

# values of the wrong type for each kind of field: 400 bad_request
WRONG_TYPES = {
    TEXT: {"number": 5, "bool": True, "list": ["x"], "object": {"x": 1}},
    ID: {"number": 5, "bool": True, "list": ["1"], "object": {"id": "1"}},
    BOOL: {"string": "true", "number": 1, "list": [True]},
    INT: {"string": "1", "fraction": 1.5, "bool": True, "list": [1], "negative": -1},
    OBJECT: {"list": [], "string": "port=5222", "number": 1},
    USER_IDS: {"string": "{ben_user}", "object": {}, "numbers": [1], "not_ids": ["ben"], "negative": ["-1"],
               "over_1000": ["{ben_user}"] * 1001},
    ACTION: {"list": [0], "object": {}, "bool": True, "fraction": 0.5, "out_of_range": 99, "negative": -1,
             "unknown_name": "Nope"},
}

# numbers outside the 64-bit integers, which a JSON parser might wrap around: 400 bad_request
HUGE_NUMBERS = {"2_63": 2 ** 63, "10_30": 10 ** 30, "2_64_plus_1": 2 ** 64 + 1, "minus_2_63_minus_1": -2 ** 63 - 1}

# ids that are no id of the user's: 404 not_found (another user's are added where there is one)
BAD_IDS = {"negative": "-1", "zero": "0", "2_63": "9223372036854775808", "10_30": "1" + "0" * 30,
           "not_a_number": "abc", "fraction": "1.5", "traversal": "../../etc/passwd"}
# the same in a path (escaped where needed): 404 not_found
BAD_PATH_IDS = dict(BAD_IDS, traversal="..%252F..%252Fetc%252Fpasswd", space="%201", bad_utf8="%C3%28")
# in a path, what libsoup itself refuses before any handler (a "/" or a NUL in a segment, a ".."
# segment): a bare 400, without Lilac's JSON body
LIBSOUP_PATH_IDS = {"encoded_slash": "..%2F..%2Fetc", "nul": "%00", "dot_dot": "x%2F..%2F..%2Fetc"}

# label, method, path with {id}, body, the key of another user's object in ids (or None)
ID_PATHS = [
    ("account_get", "GET", "accounts/{id}", None, "theirs_account"),
    ("account_patch", "PATCH", "accounts/{id}", {"alias": "taken"}, "theirs_account"),
    ("account_delete", "DELETE", "accounts/{id}", None, "theirs_account"),
    ("conversation_close", "DELETE", "conversations/{id}", None, "theirs_conversation"),
    ("conversation_read", "POST", "conversations/{id}/read", {"seq": 1}, "theirs_conversation"),
    ("request_answer", "POST", "requests/{id}", {"action": 0}, None),
    ("transfer_act", "POST", "transfers/{id}", {"action": "cancel"}, "theirs_transfer"),
    ("transfer_content", "GET", "transfers/{id}/content", None, "theirs_transfer"),
    ("session_delete", "DELETE", "sessions/{id}", None, "ben_session"),
    ("admin_user_delete", "DELETE", "admin/users/{id}", None, None),
    ("admin_user_reset", "POST", "admin/users/{id}/reset", {"password": "a long enough password"}, None),
]

# label, method, path with {id} in the query, body, the key of another user's object
ID_QUERIES = [
    ("history", "GET", "history?conversation={id}", None, "theirs_conversation"),
    ("export", "GET", "history/export?conversation={id}&format=json", None, "theirs_conversation"),
    ("search", "GET", "history?q=hello&account={id}", None, "theirs_account"),
    ("buddy_remove", "DELETE", "buddies?account={id}&name=bob%40localhost", None, "theirs_account"),
    ("upload", "POST", "transfers?account={id}&to=bob%40localhost&filename=a%0D%0ASet-Cookie%3A%20x%3D1",
     b"file bytes", "theirs_account"),
]

# query parameters out of their range or no number: 400 bad_request
BAD_PARAMETERS = [
    ("events", "events?since={value}&timeout=0", "since", ["-1", "abc", "1.5", "", "%00", "9223372036854775808",
                                                           "1" + "0" * 30, "%C3%28"]),
    ("events", "events?since=0&timeout={value}", "timeout", ["-1", "61", "abc", "1" + "0" * 30, ""]),
    ("history", "history?conversation={mine_conversation}&before={value}", "before",
     ["-1", "abc", "9223372036854775808", ""]),
    ("history", "history?conversation={mine_conversation}&limit={value}", "limit", ["-1", "501", "abc", "1" + "0" * 30]),
    ("history", "history?q={value}", "q", ["%C3%28", "%FF%FE", "x" * 1025]),
    ("export", "history/export?conversation={mine_conversation}&format={value}", "format",
     ["..%2F..%2Fx", "html", "%00", ""]),
]

# every route, with a body it takes: asked without a login it answers 401, with ann's cookie but
# no CSRF header (when it changes something) 403, by ben when only administrators may 403 (but
# POST /session, the login itself)
ROUTES = [
    ("POST", "session", {"username": "ann", "password": "ann-table-login"}),
    ("GET", "session", None), ("DELETE", "session", None),
    ("POST", "users", {"username": "zoe", "password": "zoe-table-login"}),
    ("PATCH", "users/me", {"old_password": "ann-table-login", "password": "ann-new-table-login"}),
    ("GET", "users/me/settings", None), ("PATCH", "users/me/settings", {"subscription_policy": "reject"}),
    ("GET", "sessions", None), ("DELETE", "sessions/{ann_session}", None),
    ("GET", "admin/users", None), ("DELETE", "admin/users/{ben_user}", None),
    ("POST", "admin/users/{ben_user}/reset", {"password": "a new password for ben"}),
    ("POST", "admin/broadcast", {"title": "Hello", "text": "everyone"}),
    ("GET", "/metrics", None),
    ("GET", "protocols", None), ("GET", "accounts", None),
    ("POST", "accounts", {"protocol": "prpl-jabber", "username": "zed@localhost/lilac", "password": "zed-pw"}),
    ("GET", "accounts/{mine_account}", None), ("PATCH", "accounts/{mine_account}", {"alias": "renamed"}),
    ("DELETE", "accounts/{mine_account}", None),
    ("GET", "state", None), ("GET", "events?since=0&timeout=0", None),
    ("GET", "history?conversation={mine_conversation}", None), ("GET", "history?q=hello", None),
    ("GET", "history/export?conversation={mine_conversation}", None),
    ("POST", "presence", {"status": "away"}),
    ("POST", "messages", {"conversation": "{mine_conversation}", "text": "hello"}),
    ("POST", "typing", {"conversation": "{mine_conversation}", "state": "typing"}),
    ("POST", "chats", {"account": "{mine_account}", "room": "lounge@conference.localhost"}),
    ("DELETE", "conversations/{mine_conversation}", None),
    ("POST", "conversations/{mine_conversation}/read", {"seq": 1}),
    ("POST", "buddies", {"account": "{mine_account}", "name": "zed@localhost"}),
    ("DELETE", "buddies?account={mine_account}&name=bob%40localhost", None),
    ("POST", "buddies/info", {"account": "{mine_account}", "name": "bob@localhost"}),
    ("POST", "requests/{mine_request}", {"action": 1}),
    ("POST", "transfers?account={mine_account}&to=bob%40localhost&filename=a.txt", b"file bytes"),
    ("POST", "transfers/{mine_transfer}", {"action": "cancel"}),
    ("GET", "transfers/{mine_transfer}/content", None),
]
ADMIN_ONLY = ("admin/", "/metrics")

# a query no GET endpoint without parameters reads: ignored, 200
JUNK_QUERY = "?since=-1&id=..%2F..%2Fetc&x=%C3%28&y=%00&z=" + "9" * 40


def slug(method, path):
    path = re.sub(r"\{[a-z_]+\}", "id", path.split("?")[0])
    return re.sub(r"[^a-z0-9]+", "_", (method + "_" + path).lower()).strip("_")


def route_name(method, path):
    """slug() and the names of the query's parameters"""
    query = path.partition("?")[2]
    return slug(method, path) + "".join("_" + item.split("=")[0] for item in query.split("&") if item)


def json_bytes(body):
    return json.dumps(body).encode()


def malformed_bodies(body, fields):
    """The same breakage for every JSON body endpoint, whatever its fields."""
    text = json_bytes(body)
    name = next((key for key, kind in fields.items() if kind == TEXT), None)

    def with_text(raw):
        """body with raw bytes as the value of its first text field (or of an extra field)"""
        marked = dict(body, **{name or "x": "MARK"})
        return json_bytes(marked).replace(b'"MARK"', b'"' + raw + b'"')
    return [
        ("truncated", text[:-1], 400, "bad_request"),
        ("array", b"[" + text + b"]", 400, "bad_request"),
        ("number", b"42", 400, "bad_request"),
        ("string", b'"text"', 400, "bad_request"),
        ("null", b"null", 400, "bad_request"),
        ("empty", b"", 400, "bad_request"),
        ("trailing_garbage", text + b" }{", 400, "bad_request"),
        ("single_quotes", text.replace(b'"', b"'"), 400, "bad_request"),
        ("invalid_utf8", with_text(b"a" + BAD_UTF8 + b"b"), 400, "bad_request"),
        ("overlong_utf8", with_text(b"a\xc0\xafb"), 400, "bad_request"),
        ("utf16_surrogate_bytes", with_text(b"a\xed\xa0\x80b"), 400, "bad_request"),
        ("lone_surrogate_escape", with_text(b"a\\ud800b"), 400, "bad_request"),
        ("nul_byte", with_text(b"a" + NUL + b"b"), 400, "bad_request"),
        ("nul_escape", with_text(b"a\\u0000b"), 400, "bad_request"),
        ("deep_nesting", with_text(b"x").replace(b'"x"', b"[" * 20000 + b"]" * 20000, 1), 400, "bad_request"),
        ("megabyte_string", json_bytes(dict(body, **{name or "x": BIG})), 413, "too_large"),
        ("unknown_field", json_bytes(dict(body, unknown_field="x")), 400, "bad_request"),
    ]


def body_cases():
    cases = []
    for label, method, path, body, fields, required in BODY_ENDPOINTS:
        prefix = "body_%s_" % label
        for what, raw, status, code in malformed_bodies(body, fields):
            cases.append(Case(prefix + what, method, path, raw, status, code))
        cases.append(Case(prefix + "as_text_plain", method, path, body, 400, "bad_request", "text_plain"))
        for field, kind in fields.items():
            for what, value in WRONG_TYPES[kind].items():
                cases.append(Case("%s%s_%s" % (prefix, field, what), method, path, dict(body, **{field: value}),
                                  400, "bad_request"))
            if kind in (TEXT, ID):
                cases.append(Case("%s%s_60k" % (prefix, field), method, path, dict(body, **{field: "y" * 60000}),
                                  413, "too_large"))
            if kind in (INT, ACTION):
                for what, value in HUGE_NUMBERS.items():
                    cases.append(Case("%s%s_huge_%s" % (prefix, field, what), method, path,
                                      dict(body, **{field: value}), 400, "bad_request"))
            if kind == ID:
                for what, value in BAD_IDS.items():
                    cases.append(Case("%s%s_id_%s" % (prefix, field, what), method, path,
                                      dict(body, **{field: value}), 404, "not_found"))
                theirs = "{theirs_%s}" % field
                cases.append(Case("%s%s_of_another_user" % (prefix, field), method, path,
                                  dict(body, **{field: theirs}), 404, "not_found"))
        for field in required:
            rest = {key: value for key, value in body.items() if key != field}
            cases.append(Case("%smissing_%s" % (prefix, field), method, path, rest, 400, "bad_request"))
            cases.append(Case("%snull_%s" % (prefix, field), method, path, dict(body, **{field: None}), 400,
                              "bad_request"))
    return cases


def id_cases():
    cases = []
    for label, method, template, body, theirs in ID_PATHS:
        for what, value in BAD_PATH_IDS.items():
            cases.append(Case("id_%s_%s" % (label, what), method, template.replace("{id}", value), body, 404,
                              "not_found"))
        for what, value in LIBSOUP_PATH_IDS.items():
            cases.append(Case("id_%s_%s" % (label, what), method, template.replace("{id}", value), body, 400,
                              None))
        if theirs:
            cases.append(Case("id_%s_of_another_user" % label, method, template.replace("{id}", "{%s}" % theirs),
                              body, 404, "not_found"))
    for label, method, template, body, theirs in ID_QUERIES:
        for what, value in BAD_IDS.items():
            value = value.replace("/", "%2F")
            cases.append(Case("query_%s_%s" % (label, what), method, template.replace("{id}", value), body, 404,
                              "not_found"))
        cases.append(Case("query_%s_of_another_user" % label, method, template.replace("{id}", "{%s}" % theirs),
                          body, 404, "not_found"))
    return cases


def parameter_cases():
    cases = []
    for label, template, name, values in BAD_PARAMETERS:
        for number, value in enumerate(values):
            cases.append(Case("parameter_%s_%s_%d" % (label, name, number), "GET", template.replace("{value}", value),
                              None, 400, "bad_request"))
    for number, epoch in enumerate(("%C3%28", "..%2F..%2Fx", "%00", "x" * 1000)):
        # an epoch that is not the server's: a resync, not an error
        cases.append(Case("parameter_events_epoch_%d" % number, "GET", "events?since=0&timeout=0&epoch=" + epoch,
                          None, 200, None))
    for method, path, body in ROUTES:
        if method == "GET" and "?" not in path and "{" not in path:
            cases.append(Case("ignored_query_%s" % slug(method, path), method, path + JUNK_QUERY, None, 200, None))
    return cases


def auth_cases():
    cases = []
    for method, path, body in ROUTES[1:]:
        name = route_name(method, path)
        cases.append(Case("auth_no_login_" + name, method, path, body, 401, "unauthorized", "no_login"))
        cases.append(Case("auth_bearer_junk_" + name, method, path, body, 401, "unauthorized", "bearer_junk"))
        if method != "GET":
            cases.append(Case("auth_no_csrf_" + name, method, path, body, 403, "forbidden", "no_csrf"))
        if path.startswith(ADMIN_ONLY):
            cases.append(Case("auth_not_admin_" + name, method, path, body, 403, "forbidden", "not_admin"))
    return cases


TABLE = CASES + body_cases() + id_cases() + parameter_cases() + auth_cases()


def send(case):
    # a copy: a cookie that a wrongly accepted request sets must not change the next case
    client = copy.copy({"no_login": stranger, "bearer_junk": stranger, "not_admin": ben}.get(case.how, ann))
    client.cookies = dict(client.cookies)
    headers = {}
    if case.how == "no_csrf":
        headers["X-Lilac-Csrf"] = None
    elif case.how == "bearer_junk":
        headers["Authorization"] = "Bearer " + "0" * 43
    elif case.how == "text_plain":
        headers["Content-Type"] = "text/plain"
    if isinstance(case.body, bytes) and case.path.startswith("transfers?"):
        headers["Content-Type"] = "application/octet-stream"
    path = fill(case.path)
    if isinstance(case.body, bytes):
        return client.request(case.method, path, raw=fill(case.body), headers=headers)
    if case.body is not None and case.how == "text_plain":
        return client.request(case.method, path, raw=json_bytes(fill(case.body)), headers=headers)
    return client.request(case.method, path, json=fill(case.body), headers=headers)


def make_case(case):
    def check():
        before = dump()
        answer = send(case)
        what = "%s %s" % (case.method, case.path[:200])
        if case.code is not None:
            expect_error(answer, case.status, case.code, what)
        else:
            expect(answer[0] == case.status, "%s: expected %d, got %s %r" % (what, case.status, answer[0],
                                                                             str(answer[1])[:300]))
        changed = differences(before, dump())
        expect(not changed, "the request changed the tables: %r" % changed)
    check.__name__ = "test_" + case.name
    return check


for case in TABLE:
    expect("test_" + case.name not in globals(), "two cases are named %s" % case.name)
    globals()["test_" + case.name] = make_case(case)


def test_the_table_is_whole():
    """Every route of the gateway is in ROUTES, and every route with a JSON body in BODY_ENDPOINTS."""
    h.diag("%d bad-input cases" % len(TABLE))
    bodies = {(method, slug(method, path)) for _label, method, path, _body, _fields, _required in BODY_ENDPOINTS}
    routes = {(method, slug(method, path)) for method, path, _body in ROUTES}
    with_body = {(method, slug(method, path)) for method, path, body in ROUTES if isinstance(body, dict)}
    expect(with_body <= bodies, "routes with a JSON body but no generated cases: %r" % (with_body - bodies))
    served = set()
    for name in os.listdir(SOURCE_WEB):
        if name.startswith("lilac-web-route-") and name.endswith(".c"):
            with open(os.path.join(SOURCE_WEB, name)) as source:
                for method, path in re.findall(r'\{ "([A-Z]+)", "(/[^"]*)", lilac_web_route', source.read()):
                    served.add((method, slug(method, path.replace("{}", "{id}"))))
    expect(served - routes == set(), "routes the table does not try: %r" % (served - routes))


SOURCE_WEB = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "web")


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
