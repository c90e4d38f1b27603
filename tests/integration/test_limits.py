#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Worker resource limits from the configuration file ([workers] memory_mib, cpu_seconds, files):
the real worker process of a user, forked from the zygote (the default) or exec'ed on its own
([workers] zygote = false), runs with them, as /proc/PID/limits shows. Under AddressSanitizer, which
reserves terabytes of address space, the address-space limit is left off on purpose."""

import lilac_harness as h
from lilac_harness import expect

MEMORY_MIB = 900
CPU_SECONDS = 3600
FILES = 200
PASSWORDS = {"alice": "alice-limits-pw", "bob": "bob-limits-pw"}

prosody = None


def setup_module():
    global prosody
    prosody = h.start_prosody(**PASSWORDS)


def read_limits(pid):
    """{name: (soft, hard)} from /proc/PID/limits, numbers as ints, "unlimited" as None."""
    limits = {}
    with open("/proc/%d/limits" % pid) as source:
        next(source)
        for line in source:
            name, soft, hard = line[:26].strip(), line[26:47].split(), line[47:68].split()
            limits[name] = tuple(None if value[0] == "unlimited" else int(value[0])
                                 for value in (soft, hard))
    return limits


def parent_of(pid):
    with open("/proc/%d/stat" % pid) as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def start_worker(zygote, jid):
    config = {"workers": {"memory_mib": MEMORY_MIB, "cpu_seconds": CPU_SECONDS, "files": FILES,
                          "zygote": "true" if zygote else "false"}}
    lilac = h.Lilac(config=config)
    lilac.add_user("root", "root-limits-pw", admin=True)
    lilac.start()
    client = h.log_in(lilac, "root", "root-limits-pw")
    account = client.add_account(prosody.xmpp_account(jid, PASSWORDS[jid]))
    client.wait_online(account["id"], timeout=45)
    status, users = client.get("admin/users")
    expect(status == 200, "GET /admin/users answered %s" % status)
    pid = users[0]["worker_pid"]
    expect(pid > 0 and h.pid_alive(pid), "no worker: %r" % users)
    return lilac, pid


def check_limits(pid):
    limits = read_limits(pid)
    h.diag("worker %d (%s): address space %r, cpu %r, open files %r" % (
        pid, h.cmdline(pid), limits["Max address space"], limits["Max cpu time"],
        limits["Max open files"]))
    expect(limits["Max open files"] == (FILES, FILES), "open files: %r" % (limits["Max open files"],))
    expect(limits["Max cpu time"] == (CPU_SECONDS, CPU_SECONDS), "cpu: %r" % (limits["Max cpu time"],))
    expect(limits["Max core file size"][0] == 0, "core files: %r" % (limits["Max core file size"],))
    if h.sanitized():
        return
    space = MEMORY_MIB * 1024 * 1024
    expect(limits["Max address space"] == (space, space),
           "address space: %r, not %d" % (limits["Max address space"], space))


@h.timeout(90)
def test_forked_worker_has_the_limits():
    lilac, pid = start_worker(True, "alice")
    expect(b"--zygote" in h.cmdline(parent_of(pid)).encode(), "worker %d was not forked by the zygote: "
           "its parent is %s" % (pid, h.cmdline(parent_of(pid))))
    check_limits(pid)
    lilac.assert_clean_exit()


@h.timeout(90)
def test_execed_worker_has_the_limits():
    lilac, pid = start_worker(False, "bob")
    expect(parent_of(pid) == lilac.process.pid, "worker %d is not lilac's own child" % pid)
    expect("--dir" in h.cmdline(pid) and "--zygote" not in h.cmdline(pid), "worker: %s" % h.cmdline(pid))
    check_limits(pid)
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
