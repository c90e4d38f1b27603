#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""The memory a worker costs: N gateway users, each with one XMPP account online on a private
Prosody, and the PSS (proportional set size, /proc/PID/smaps_rollup) of each worker, with workers
forked from the zygote and with workers exec'ed ([workers] zygote = false).

    LILAC_BUILD_ROOT=BUILD /usr/bin/python3 bench/worker-pss.py [USERS]

Uses tests/integration/lilac_harness.py; run it with Debian's python3 (slixmpp is not needed).
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))

import lilac_harness as h  # noqa: E402

USERS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
# cheap login hashing: the bench measures workers, not Argon2
FAST_LOGINS = {"security": {"argon2_ops": 1, "argon2_memory_kib": 8}}


def rollup(pid):
    """(Pss, Private_Dirty) of a process, in KiB."""
    fields = {}
    with open("/proc/%d/smaps_rollup" % pid) as smaps:
        for line in smaps:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1])
    return fields.get("Pss", 0), fields.get("Private_Dirty", 0)


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                pass
    return found


def measure(prosody, zygote):
    config = dict(FAST_LOGINS, workers={"zygote": "true" if zygote else "false"})
    lilac = h.Lilac(config=config)
    lilac.add_user("root", "root-bench-pw", admin=True)
    for number in range(USERS):
        lilac.add_user("user%d" % number, "user-bench-pw")
    lilac.start()
    admin = h.log_in(lilac, "root", "root-bench-pw")
    clients = []
    for number in range(USERS):
        client = h.log_in(lilac, "user%d" % number, "user-bench-pw")
        account = client.add_account(prosody.xmpp_account("xmpp%d" % number, "xmpp-bench-pw"))
        clients.append((client, account))
    for client, account in clients:
        client.wait_online(account["id"], timeout=60)
    time.sleep(3)
    status, users = admin.get("admin/users")
    pids = [user["worker_pid"] for user in users if user["name"] != "root" and user["worker_pid"]]
    sizes = [rollup(pid) for pid in pids]
    zygotes = [pid for pid in children(lilac.process.pid)
               if "--zygote" in open("/proc/%d/cmdline" % pid).read().replace("\0", " ")]
    zygote_pss = sum(rollup(pid)[0] for pid in zygotes)
    lilac.stop()
    return pids, sizes, zygote_pss


def report(name, pids, sizes, zygote_pss):
    pss = sum(size[0] for size in sizes) / len(sizes) / 1024
    dirty = sum(size[1] for size in sizes) / len(sizes) / 1024
    line = "%-8s %2d workers: PSS %.2f MiB per worker (private dirty %.2f MiB)" % (name, len(pids), pss, dirty)
    if zygote_pss:
        line += "; zygote %.2f MiB; with the zygote's share %.2f MiB per worker" % (
            zygote_pss / 1024, pss + zygote_pss / 1024 / len(sizes))
    print(line, flush=True)


def main():
    prosody = h.Prosody()
    for number in range(USERS):
        prosody.register("xmpp%d" % number, "xmpp-bench-pw")
    prosody.start()
    try:
        for name, zygote in (("zygote", True), ("exec", False)):
            report(name, *measure(prosody, zygote))
    finally:
        h.run_cleanups()


if __name__ == "__main__":
    main()
