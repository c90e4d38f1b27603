#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""libpurple's form requests, with a real trigger: a Lilac user creates a new MUC room on a Prosody
that keeps new rooms locked until their owner configures them. libpurple asks whether to configure
the room (a request of kind action); choosing to configure brings the room's configuration form
(kind fields, from the server's data form), answered through POST /requests/{id} with fields
(strings and a choice). The answer reaches the server: the room is unlocked, so another client
(slixmpp) can join it, and that client sees the name, description and whois setting given in the
form."""

import lilac_harness as h
from lilac_harness import expect

PASSWORDS = {"alice": "alice-room-pw", "bob": "bob-room-pw"}
ROOM_NAME = "Lilac configured room"
ROOM_DESCRIPTION = "set through POST /requests with fields"

prosody = lilac = client = bob = None
account = room = None


def setup_module():
    global prosody, lilac, client, bob, room
    prosody = h.Prosody(muc_locking=True)
    for user, password in PASSWORDS.items():
        prosody.register(user, password)
    prosody.start()
    room = "fresh@" + prosody.muc
    bob = h.XmppPeer(prosody.jid("bob"), PASSWORDS["bob"], prosody.port,
                     setup=lambda xmpp: xmpp.register_plugin("xep_0030")).start()
    lilac = h.start_lilac({"ann": "ann-login-pw"})
    client = h.log_in(lilac, "ann", "ann-login-pw")


def opened(kind):
    return lambda e: e.get("type") == "request.opened" and e["request"].get("kind") == kind


def bob_can_join():
    try:
        bob.join_muc(room, "bob", timeout=3)
        return True
    except TimeoutError:
        return False


@h.timeout(60)
def test_account_online():
    global account
    account = client.add_account(prosody.xmpp_account("alice", PASSWORDS["alice"]))
    client.wait_online(account["id"], timeout=45)


@h.timeout(60)
def test_new_room_asks_to_configure():
    status, body = client.post("chats", json={"account": account["id"], "room": room, "nick": "alice"})
    expect(status == 202, "POST /chats answered %s %r" % (status, body))
    request = client.wait_event(opened("action"), timeout=20)["request"]
    h.diag("asked: %r" % request)
    expect(request.get("account") == account["id"] and len(request["actions"]) == 2, "request: %r" % request)
    configure = next(index for index, action in enumerate(request["actions"]) if "onfigure" in action)
    # locked: nobody else gets in before the owner has configured the room
    expect(not bob_can_join(), "bob joined a room that is still locked")
    status, body = client.post("requests/" + request["id"], json={"action": configure})
    expect(status == 204, "POST /requests answered %s %r" % (status, body))


@h.timeout(60)
def test_configuration_form_answered_with_fields():
    request = client.wait_event(opened("fields"), timeout=20)["request"]
    fields = {field["id"]: field for field in request.get("fields", [])}
    h.diag("form fields: %s" % ", ".join("%s (%s)" % (key, field["type"]) for key, field in fields.items()))
    expect("muc#roomconfig_roomname" in fields and fields["muc#roomconfig_roomname"]["type"] == "string",
           "no room name field: %r" % sorted(fields))
    expect("muc#roomconfig_roomdesc" in fields, "no description field: %r" % sorted(fields))
    whois = fields.get("muc#roomconfig_whois", {})
    expect(whois.get("type") == "choice" and any("nyone" in choice for choice in whois.get("choices", [])),
           "whois: %r" % whois)
    anyone = next(choice for choice in whois["choices"] if "nyone" in choice)
    # a string field, another string field and a choice given by its label
    answer = {"muc#roomconfig_roomname": ROOM_NAME, "muc#roomconfig_roomdesc": ROOM_DESCRIPTION,
              "muc#roomconfig_whois": anyone}
    booleans = [key for key, field in fields.items() if field["type"] == "bool"]
    expect(booleans, "the form has no bool field: %r" % sorted(fields))
    status, body = client.post("requests/" + request["id"], json={"action": "No such action", "fields": answer})
    expect(status in (400, 404), "an unknown action answered %s %r" % (status, body))
    status, body = client.post("requests/" + request["id"], json={"action": 0, "fields": {booleans[0]: "yes"}})
    expect(status == 400, "a string for a bool field answered %s %r" % (status, body))
    accept = 0
    status, body = client.post("requests/" + request["id"], json={"action": accept, "fields": answer})
    expect(status == 204, "POST /requests with fields answered %s %r" % (status, body))
    client.wait_event(lambda e: e.get("type") == "request.closed" and e.get("id") == request["id"],
                      timeout=15)


@h.timeout(60)
def test_the_server_applied_the_form():
    h.wait_until(bob_can_join, timeout=15, message="bob to be let into the configured room")
    info = bob.call(lambda: bob.xmpp["xep_0030"].get_info(jid=room, timeout=10))
    identities = info["disco_info"]["identities"]
    h.diag("the room's identities: %r" % (identities,))
    expect(any(identity[3] == ROOM_NAME for identity in identities), "room name: %r" % (identities,))
    # the room info form (XEP-0128) read from the stanza itself
    form = {field.get("var"): [value.text for value in field.iter("{jabber:x:data}value")]
            for field in info.xml.iter("{jabber:x:data}field")}
    h.diag("the room's info form: %r" % (form,))
    expect(form.get("muc#roominfo_description") == [ROOM_DESCRIPTION], "description: %r" % (form,))
    # whois anyone: a non-anonymous room
    features = info["disco_info"]["features"]
    expect("muc_nonanonymous" in features, "the room is not non-anonymous: %r" % (features,))


def test_gateway_stops_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
