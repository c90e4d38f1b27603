#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""A long paced run of the latency benchmark's Lilac side only, for profiling:

  bench/run latency          (once, so that bench/build exists)
  /usr/bin/python3 bench/latency-probe.py [COUNT] [RATE]

starts a private Prosody and Lilac like bench/run, prints "PIDS GATEWAY WORKER..." once the
account is online and warm, then sends COUNT messages (default 15,000) at RATE a second (500) and
prints their p50/p99 and the CPU seconds Lilac used. Attach a profiler to the printed pids, e.g.
perf record -F 1500 --call-graph dwarf,16384 -p GATEWAY -- sleep 6."""

import os
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import benchlib as bl  # noqa: E402


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 15000
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 500.0
    here = os.path.dirname(os.path.abspath(__file__))
    args = types.SimpleNamespace(build=os.path.join(here, "build"), pollers=None, quick=True, repeat=1,
                                 lilac_config=None, footprint_max=None, footprint_seconds=None,
                                 poll_sizes=None, footprint_sizes=None)
    ctx = bench.Context(args)
    clients = []
    lilac = None
    try:
        prosody = ctx.prosody = bl.Prosody(ctx.root).start()
        for name in ("latsender", "latlilac"):
            prosody.add_account(name, bench.PASSWORD)
        prosody.set_roster("latsender", ["latlilac@localhost"])
        prosody.set_roster("latlilac", ["latsender@localhost"])
        lilac = ctx.lilac("probe")
        lilac.add_user("latlilac", bench.PASSWORD)
        lilac.start()
        token, _ = bl.lilac_login(lilac.port, "latlilac", bench.PASSWORD)

        async def add_account():
            http = bl.AsyncHttp(lilac.port, token)
            await http.expect("POST", "accounts", prosody.xmpp_account("latlilac", bench.PASSWORD))
            await bench.lilac_wait_online(http)
            await http.close()
        bench.run_async(add_account())
        sender = bench.ClientProcess("send", prosody.port, "latsender", bench.PASSWORD)
        receiver = bench.ClientProcess("lilac", lilac.port, token)
        clients = [sender, receiver]
        for client in clients:
            client.expect("READY", 60)
        bench.latency_phase(sender, receiver, "latlilac@localhost", "warm", 50, 100.0, lilac.processes)
        print("PIDS", " ".join(str(pid) for pid in lilac.processes()), flush=True)
        result = bench.latency_phase(sender, receiver, "latlilac@localhost", "probe", count, rate, lilac.processes)
        print("p50 %.3f ms, p99 %.3f ms, lost %d, Lilac CPU %.2f s" % (result["p50_ms"], result["p99_ms"],
                                                                     result["lost"], result["cpu_s"]), flush=True)
    finally:
        for client in clients:
            client.stop()
        if lilac is not None:
            lilac.stop()
        bl.stop_all()
        bl.remove_root(ctx.root)


if __name__ == "__main__":
    main()
