#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
# Counts individual test cases in meson's testlog.json files (one JSON object a line): the TAP
# "ok"/"not ok" lines of each test's stdout. A test program that failed without saying which
# case failed (no TAP, a crash after the last "ok", a timeout) counts as one failure.
# Usage: count-tests.py LABEL=PATH...  Prints the failures, one line per tree, and last the totals.

import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")
SKIP_DIRECTIVE = re.compile(r"#\s*(skip|todo)\b", re.IGNORECASE)
GOOD_RESULTS = {"OK", "SKIP", "EXPECTEDFAIL"}


def count_test(record):
    """Returns (passed, failed, skipped, failure descriptions) for one test program."""
    passed = failed = skipped = 0
    failures = []
    for line in (record.get("stdout") or "").splitlines():
        match = TAP_LINE.match(line)
        if match is None:
            continue
        verdict, rest = match.groups()
        if SKIP_DIRECTIVE.search(rest):
            skipped += 1
        elif verdict == "ok":
            passed += 1
        else:
            failed += 1
            failures.append(line.strip())
    result = record.get("result", "ERROR")
    if result not in GOOD_RESULTS and failed == 0:
        failed += 1
        failures.append("%s (exit status %s, no failing TAP line)" % (result, record.get("returncode")))
    return passed, failed, skipped, failures


def main(args):
    totals = [0, 0, 0]
    for arg in args:
        label, _, path = arg.partition("=")
        tree = [0, 0, 0]
        try:
            with open(path, encoding="utf-8", errors="replace") as log:
                records = [json.loads(line) for line in log if line.strip()]
        except (OSError, ValueError) as error:
            print("%s: no test log (%s)" % (label, error))
            records = []
            tree[1] += 1
        for record in records:
            passed, failed, skipped, failures = count_test(record)
            tree[0] += passed
            tree[1] += failed
            tree[2] += skipped
            for failure in failures:
                print("FAILED %s %s: %s" % (label, record.get("name", "?"), failure))
        print("%s: %d passed, %d failed, %d skipped" % (label, tree[0], tree[1], tree[2]))
        totals = [a + b for a, b in zip(totals, tree)]
    print("%d passed, %d failed" % (totals[0], totals[1]))
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
