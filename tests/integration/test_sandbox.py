#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""The workers' sandbox in the real gateway: two users' workers, forked from the zygote, run with
no_new_privs and in their own folders; the Landlock rule set of a worker (lilac-worker
--sandbox-check, with the zygote's own arguments) refuses the gateway's database and key and the
other user's folder, and allows the worker's own folder, where libpurple keeps writing its files.
Skipped where the kernel has no Landlock."""

import os
import subprocess
import time

import lilac_harness as h
from lilac_harness import expect

prosody = lilac = None
clients = {}
accounts = {}
USERS = {"ann": "ann-sandbox-pw", "ben": "ben-sandbox-pw"}
IM = {"ann": ("alice", "alice-sandbox-pw"), "ben": ("bert", "bert-sandbox-pw")}


def setup_module():
    global prosody, lilac
    prosody = h.start_prosody(**dict(IM.values()))
    lilac = h.start_lilac(USERS)
    h._failure_hooks.append(lilac.log_news)
    for name, password in USERS.items():
        clients[name] = h.log_in(lilac, name, password)


def processes():
    """(pid, ppid, argv) of lilac's process group."""
    found = []
    for pid in h.group_members(lilac.pgid):
        try:
            with open("/proc/%d/stat" % pid) as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open("/proc/%d/cmdline" % pid, "rb") as cmdline:
                argv = [part.decode() for part in cmdline.read().split(b"\0") if part]
        except OSError:
            continue
        found.append((pid, ppid, argv))
    return found


def zygote():
    return next((entry for entry in processes()
                 if entry[1] == lilac.process.pid and "--zygote" in entry[2]), None)


def workers():
    """{user folder: pid} of the workers forked from the zygote."""
    zygote_pid = zygote()[0]
    return {os.readlink("/proc/%d/cwd" % pid): pid for pid, ppid, _ in processes() if ppid == zygote_pid}


def status_field(pid, name):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    return None


def folder(name):
    return os.path.join(lilac.data, "users", clients[name].user["id"], "purple")


def sandbox_check(name, path):
    """lilac-worker --sandbox-check path, for name's folder, with the zygote's plugin arguments."""
    argv = zygote()[2]
    plugin_args = []
    for index, arg in enumerate(argv):
        if arg in ("--plugin-dir", "--load-plugin"):
            plugin_args += [arg, argv[index + 1]]
    result = subprocess.run([argv[0], "--sandbox-check", path, "--dir", folder(name)] + plugin_args,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    if result.returncode == 77:
        raise h.Skip("the kernel has no Landlock")
    h.diag("%s's worker, %s: %s" % (name, os.path.relpath(path, lilac.dir) if path.startswith(lilac.dir)
                                    else path, result.stdout.decode(errors="replace").strip()))
    return result.returncode


@h.timeout(90)
def test_workers_run_sandboxed():
    for name, (im_user, password) in IM.items():
        accounts[name] = clients[name].add_account(prosody.xmpp_account(im_user, password))
    for name in IM:
        clients[name].wait_online(accounts[name]["id"], timeout=45)
    running = workers()
    for name in IM:
        pid = running.get(os.path.realpath(folder(name)))
        expect(pid is not None, "no worker in %s's folder: %r" % (name, running))
        expect(status_field(pid, "NoNewPrivs") == "1", "%s's worker may gain privileges" % name)


def test_database_and_key_are_refused():
    for path in ("lilac.db", "server.key", "lilac.db-wal", "a-new-file"):
        full = os.path.join(lilac.data, path)
        if path != "a-new-file" and not os.path.exists(full):
            continue
        expect(sandbox_check("ann", full) == 0, "ann's worker may open %s" % path)
    expect(not os.path.exists(os.path.join(lilac.data, "a-new-file")), "the sandbox let a file be made")


def test_other_users_folder_is_refused():
    other = folder("ben")
    for path in [other, os.path.dirname(other), os.path.join(other, "planted.xml")] + \
            [os.path.join(other, entry) for entry in sorted(os.listdir(other))]:
        expect(sandbox_check("ann", path) == 0, "ann's worker may open %s" % path)
    expect(not os.path.exists(os.path.join(other, "planted.xml")), "a file was planted in ben's folder")


def test_own_folder_works():
    own = folder("ann")
    for path in (own, os.path.join(own, "new-file.xml")):
        expect(sandbox_check("ann", path) == 1, "ann's worker may not open %s" % path)
    expect(sandbox_check("ann", "/etc/ssl/certs") == 1, "the certificates are out of reach")


@h.timeout(60)
def test_libpurple_writes_its_files():
    started = time.time()
    for name in IM:
        status, body = clients[name].delete("accounts/%s" % accounts[name]["id"])
        expect(status == 204, "DELETE /accounts answered %s %r" % (status, body))
    lilac.stop()
    for name in IM:
        saved = [entry for entry in os.listdir(folder(name))
                 if entry.endswith(".xml") and os.stat(os.path.join(folder(name), entry)).st_mtime >= started - 1]
        expect("accounts.xml" in saved, "%s's worker saved only %r in its folder" % (name, saved))
        h.diag("%s's worker saved %s" % (name, ", ".join(sorted(saved))))
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
