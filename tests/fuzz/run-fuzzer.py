#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Runs one libFuzzer target for a while on a copy of its seed corpus and reports in TAP:
run-fuzzer.py TARGET SEEDS SECONDS [DICT]. A crash, leak or timeout is a failure; the input that
caused it is printed (base64) so it can be added to the seeds."""

import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    target, seeds, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    dictionary = sys.argv[4] if len(sys.argv) > 4 else None
    name = os.path.basename(target)
    work = tempfile.mkdtemp(prefix="lilac-fuzz-")
    try:
        corpus = os.path.join(work, "corpus")
        shutil.copytree(seeds, corpus)
        artifacts = os.path.join(work, "artifacts") + os.sep
        os.mkdir(artifacts)
        args = [target, "-max_total_time=%d" % seconds, "-timeout=10", "-rss_limit_mb=2048",
                "-print_final_stats=1", "-artifact_prefix=" + artifacts, corpus]
        if dictionary:
            args.insert(1, "-dict=" + dictionary)
        # intercept_tls_get_addr=0: the leak tracer of Debian's sanitizer runtimes can die reading
        # a dynamic TLS block it mistakes for an old glibc header (see ./test)
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:intercept_tls_get_addr=0",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        result = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                timeout=seconds + 120)
        output = result.stdout.decode(errors="replace")
        runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
        coverage = re.findall(r"cov: (\d+)", output)
        summary = "%s executions, coverage %s edges, corpus %d files" % (
            runs.group(1) if runs else "?", coverage[-1] if coverage else "?", len(os.listdir(corpus)))
        print("1..1")
        if result.returncode == 0:
            print("ok 1 - %s: %s" % (name, summary))
            return 0
        print("not ok 1 - %s: exit %d; %s" % (name, result.returncode, summary))
        for line in output.splitlines()[-60:]:
            print("# " + line)
        for artifact in os.listdir(artifacts):
            with open(os.path.join(artifacts, artifact), "rb") as crash:
                print("# %s: %s" % (artifact, base64.b64encode(crash.read()).decode()))
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
