#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""No plaintext: IM passwords (and the login password) appear in no answer, no file under the data
folder (database, WAL, the per-user purple folders) and no log line, even with --verbose."""

import os

import lilac_harness as h
from lilac_harness import expect

LOGIN_PASSWORD = "Login-pw-Q8zv-distinct"
XMPP_PASSWORD = "Xmpp-pw-7Kq2-distinct"
IRC_PASSWORD = "Irc-pw-M4wp-distinct"
SECRETS = (LOGIN_PASSWORD, XMPP_PASSWORD, IRC_PASSWORD)

prosody = ngircd = lilac = client = None
answers = []


def setup_module():
    global prosody, ngircd, lilac, client
    prosody = h.start_prosody(alice=XMPP_PASSWORD)
    ngircd = h.Ngircd(password=IRC_PASSWORD).start()
    lilac = h.start_lilac({"ann": LOGIN_PASSWORD}, extra_args=["--verbose"])
    client = h.log_in(lilac, "ann", LOGIN_PASSWORD)


def remember(answer):
    answers.append(answer)
    return answer


def found_in_files(root):
    """[(path, secret)] for every file under root that holds a secret as bytes."""
    found = []
    for folder, _subfolders, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as stream:
                    content = stream.read()
            except OSError:
                continue
            for secret in SECRETS:
                if secret.encode() in content:
                    found.append((os.path.relpath(path, root), secret))
    return found


def list_files(root):
    return sorted(os.path.relpath(os.path.join(folder, name), root)
                  for folder, _subfolders, files in os.walk(root) for name in files)


@h.timeout(90)
def test_accounts_go_online():
    xmpp = client.add_account(prosody.xmpp_account("alice", XMPP_PASSWORD))
    irc = client.add_account(ngircd.irc_account("annick"))
    answers.extend([xmpp, irc])
    client.wait_online(xmpp["id"], timeout=45)
    client.wait_online(irc["id"], timeout=45)


def test_answers_hold_no_password():
    for path in ("accounts", "state", "session"):
        remember(client.get(path))
    for answer in answers:
        for secret in SECRETS:
            expect(secret not in str(answer), "an answer holds a password: %r" % (answer,))


def test_data_folder_holds_no_password():
    found = found_in_files(lilac.data)
    h.diag("files under the data folder: %s" % ", ".join(list_files(lilac.data)))
    expect(not found, "plaintext passwords in: %r" % found)


def test_log_holds_no_password():
    text = lilac.log_text()
    expect(text.strip(), "the gateway wrote no log at all with --verbose")
    found = [secret for secret in SECRETS if secret in text]
    expect(not found, "the gateway's log holds %r" % found)


def test_nothing_after_shutdown():
    # stopping checkpoints the WAL into the database file: look again
    lilac.stop()
    found = found_in_files(lilac.data)
    expect(not found, "plaintext passwords after shutdown in: %r" % found)
    found = [secret for secret in SECRETS if secret in lilac.log_text()]
    expect(not found, "the gateway's log holds %r" % found)


def test_gateway_stopped_cleanly():
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
