#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Administration: creating users (administrators only, unless registration is open), listing and
deleting them, a broadcast that reaches every user's stream, and /metrics in Prometheus text that a
real parser reads."""

from prometheus_client.parser import text_string_to_metric_families

import lilac_harness as h
from lilac_harness import expect, expect_error

CHEAP = {"security": {"argon2_ops": 1, "argon2_memory_kib": 16384}}

lilac = admin = None


def setup_module():
    global lilac, admin
    lilac = h.Lilac(config=CHEAP)
    lilac.add_user("root", "root-admin-pw", admin=True)
    lilac.add_user("dora", "dora-login-pw")
    lilac.start()
    admin = h.log_in(lilac, "root", "root-admin-pw")


def test_admin_creates_users():
    status, body = admin.post("users", json={"username": "eve", "password": "eve-login-pw"})
    expect(status == 201 and body["user"]["name"] == "eve" and body["user"]["admin"] is False,
           "POST /users answered %s %r" % (status, body))
    expect_error(admin.post("users", json={"username": "EVE", "password": "eve-login-pw"}),
                 409, "conflict", "a taken name")
    expect_error(admin.post("users", json={"username": "../x", "password": "long enough"}),
                 400, "bad_request", "a hostile name")
    h.log_in(lilac, "eve", "eve-login-pw")


def test_others_cannot_create_users():
    dora = h.log_in(lilac, "dora", "dora-login-pw")
    expect_error(dora.post("users", json={"username": "mallory", "password": "mallory-pw"}),
                 403, "forbidden", "a user creating a user")
    expect_error(lilac.client().post("users", json={"username": "mallory", "password": "mallory-pw"}),
                 401, "unauthorized", "nobody creating a user")
    expect_error(dora.get("admin/users"), 403, "forbidden", "a user listing users")
    expect_error(dora.get("/metrics"), 403, "forbidden", "a user reading metrics")


def test_broadcast_reaches_every_stream():
    dora = h.log_in(lilac, "dora", "dora-login-pw")
    status, body = admin.post("admin/broadcast", json={"title": "Maintenance", "text": "at 22:00 UTC"})
    expect(status == 202 and body.get("users", 0) >= 2, "broadcast answered %s %r" % (status, body))
    for client in (dora, admin):
        event = client.wait_event(lambda e: e.get("type") == "notify" and e.get("title") == "Maintenance")
        expect(event["text"] == "at 22:00 UTC" and event["level"] == "info", "notify event: %r" % event)


def test_broadcast_to_chosen_users():
    dora = h.log_in(lilac, "dora", "dora-login-pw")
    status, body = admin.post("admin/broadcast", json={"title": "For Dora", "text": "only you",
                                                       "users": [dora.user["id"]]})
    expect(status == 202 and body.get("users") == 1, "targeted broadcast answered %s %r" % (status, body))
    dora.wait_event(lambda e: e.get("type") == "notify" and e.get("title") == "For Dora")
    events = admin.poll(admin.next, 1, epoch=admin.epoch)["events"]
    expect(not any(e.get("title") == "For Dora" for e in events), "the notice reached root too")
    expect_error(admin.post("admin/broadcast", json={"title": "x", "text": "y", "users": [1]}),
                 400, "bad_request", "a user id that is not a string")


def test_admin_lists_and_deletes_users():
    eve = h.log_in(lilac, "eve", "eve-login-pw")
    status, users = admin.get("admin/users")
    expect(status == 200, "GET /admin/users answered %s" % status)
    names = {user["name"]: user for user in users}
    expect(set(names) == {"root", "dora", "eve"}, "users: %r" % users)
    expect(names["root"]["admin"] is True and names["dora"]["admin"] is False, "flags: %r" % users)
    expect_error(admin.delete("admin/users/%s" % admin.user["id"]), 409, "conflict", "deleting oneself")
    status, _ = admin.delete("admin/users/%s" % names["eve"]["id"])
    expect(status == 204, "DELETE /admin/users/{id} answered %s" % status)
    expect_error(eve.get("state"), 401, "unauthorized", "a deleted user's login")
    expect_error(admin.delete("admin/users/%s" % names["eve"]["id"]), 404, "not_found", "deleting twice")
    expect_error(lilac.client().post("session", json={"username": "eve", "password": "eve-login-pw"}),
                 401, "unauthorized", "a deleted user logging in")


def test_metrics_parse_as_prometheus_text():
    status, text = admin.get("/metrics")
    expect(status == 200, "GET /metrics answered %s" % status)
    expect(admin.last_headers.get("Content-Type", "").startswith("text/plain"), "content type")
    families = {family.name: family for family in text_string_to_metric_families(text)}
    for name in ("lilac_users", "lilac_sessions", "lilac_workers", "lilac_polls_held",
                 "lilac_worker_restarts", "lilac_events", "lilac_messages", "lilac_http_requests",
                 "lilac_http_errors"):
        expect(name in families, "no %s in /metrics: %s" % (name, sorted(families)))
    users = families["lilac_users"].samples[0].value
    expect(users == 2, "lilac_users is %r" % users)
    expect(families["lilac_events"].samples[0].value >= 1, "no events counted")


def test_open_registration():
    global lilac
    lilac.stop()
    lilac.assert_clean_exit()
    config = dict(CHEAP)
    config["gateway"] = {"registration": "true"}
    lilac = h.Lilac(config=config)
    lilac.start()
    stranger = lilac.client()
    status, body = stranger.post("users", json={"username": "fay", "password": "fay-login-pw"})
    expect(status == 201, "open registration answered %s %r" % (status, body))
    expect_error(stranger.post("users", json={"username": "gus", "password": "gus-login-pw", "admin": True}),
                 403, "forbidden", "registering an administrator")
    h.log_in(lilac, "fay", "fay-login-pw")


def test_gateway_stops_cleanly():
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
