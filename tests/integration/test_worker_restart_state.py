#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""/state while the worker restarts: the gateway keeps a mirror of the user's accounts, buddies
and conversations, so after a kill -9 of the worker GET /state answers at once, many times over,
with everything the user had and `worker` "restarting"; commands meanwhile answer 503
unavailable and change nothing; once the worker runs again the account is back online and /state
is what it was."""

import os
import signal
import time

import lilac_harness as h
from lilac_harness import expect, expect_error

PASSWORDS = {"alice": "alice-restart-state-pw", "bob": "bob-restart-state-pw"}
LOGIN = "ann-restart-state-login"

prosody = lilac = ann = bob = account = None


def setup_module():
    global prosody, lilac, ann, bob
    prosody = h.start_prosody(**PASSWORDS)
    bob = h.XmppPeer(prosody.jid("bob"), PASSWORDS["bob"], prosody.port).start()
    lilac = h.Lilac()
    lilac.add_user("ann", LOGIN, admin=True)
    lilac.start()
    ann = h.log_in(lilac, "ann", LOGIN)


def worker_pid():
    status, users = ann.get("admin/users")
    expect(status == 200, "GET /admin/users answered %s %r" % (status, users))
    return next(user for user in users if user["name"] == "ann")["worker_pid"]


def summary(state):
    """What must outlive the worker: the accounts, buddies and conversations, without what moves
    with the network (statuses, presences, unread counts)."""
    return {
        "accounts": sorted((entry["id"], entry["protocol"], entry["username"], entry["alias"], entry["enabled"])
                           for entry in state["accounts"]),
        "buddies": sorted((entry["account"], entry["name"], entry["alias"], entry["group"])
                          for entry in state["buddies"]),
        "conversations": sorted((entry["id"], entry["account"], entry["type"], entry["name"], entry["title"])
                                for entry in state["conversations"]),
    }


@h.timeout(120)
def test_the_user_has_an_account_a_buddy_and_a_conversation():
    global account
    account = ann.add_account(prosody.xmpp_account("alice", PASSWORDS["alice"]))
    ann.wait_online(account["id"], timeout=45)
    status, body = ann.post("buddies", json={"account": account["id"], "name": prosody.jid("bob"),
                                             "alias": "Bob", "group": "Friends"})
    expect(status == 202, "POST /buddies answered %s %r" % (status, body))
    ann.wait_event(lambda e: e.get("type") == "buddy.added" and e.get("name") == prosody.jid("bob"))
    bob.send(prosody.jid("alice"), "before the crash")
    ann.wait_event(lambda e: e.get("type") == "message" and e.get("text") == "before the crash")
    ann.settle()
    state = ann.state()
    expect(state["worker"] == "running", "the worker is %r" % state["worker"])
    contents = summary(state)
    expect(all(contents.values()), "something is missing from /state: %r" % contents)


@h.timeout(60)
def test_state_answers_while_the_worker_restarts():
    before = summary(ann.state())
    conversation = before["conversations"][0][0]
    pid = worker_pid()
    expect(pid > 0, "ann has no worker")
    os.kill(pid, signal.SIGKILL)
    answers, slowest, refused = [], 0.0, None
    deadline = time.monotonic() + 20
    # ask over and over from the moment of the kill, while the gateway notices and restarts the
    # worker, until the new one runs
    while time.monotonic() < deadline and not (answers and answers[-1]["worker"] == "running"
                                               and "restarting" in (a["worker"] for a in answers)):
        started = time.monotonic()
        status, state = ann.get("state")
        slowest = max(slowest, time.monotonic() - started)
        expect(status == 200, "GET /state answered %s %r while the worker restarted" % (status, state))
        answers.append(state)
        expect(summary(state) == before, "/state changed while the worker restarted:\nbefore %r\nafter  %r"
               % (before, summary(state)))
        if state["worker"] == "restarting" and refused is None:
            refused = ann.post("messages", json={"conversation": conversation, "text": "while it restarts"})
        time.sleep(0.02)
    states = [answer["worker"] for answer in answers]
    h.diag("%d answers, the slowest in %.0f ms; worker states: %s"
           % (len(answers), slowest * 1000, " ".join(sorted(set(states), key=states.index))))
    expect(states.count("restarting") >= 5, "GET /state never showed the worker restarting: %r" % states)
    expect(slowest < 1.0, "GET /state took %.2f s while the worker restarted" % slowest)
    expect(refused is not None, "no message was tried while the worker restarted")
    expect_error(refused, 503, "unavailable", "POST /messages while the worker restarts")
    expect(not bob.inbox.queue.qsize(), "bob got something while the worker restarted")


@h.timeout(60)
def test_the_worker_comes_back_with_the_same_state():
    before = summary(ann.state())
    ann.wait_event(lambda e: e.get("type") == "session.worker" and e.get("state") == "running", timeout=30)
    ann.wait_online(account["id"], timeout=30)
    state = ann.state()
    expect(state["worker"] == "running", "the worker is %r" % state["worker"])
    expect(summary(state) == before, "/state after the restart:\nbefore %r\nafter  %r" % (before, summary(state)))
    ann.send_message("after the restart", conversation=state["conversations"][0]["id"])
    received = bob.wait_message(timeout=20)
    expect(received["body"] == "after the restart", "bob got %r" % received)


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
