#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""A small source checker (STYLE.md B2, B13, B17), printing TAP: every C file of the project is
checked for functions longer than 200 lines, nesting deeper than 5, goto, g_error(), sprintf(),
system(), and TODO/XXX markers."""

import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDERS = ["gateway", "accounts", "web", "plugins", "tests"]
BANNED = [(re.compile(r"\bgoto\b"), "goto"),
          (re.compile(r"\bg_error\s*\("), "g_error()"),
          (re.compile(r"(?<![a-z_])sprintf\s*\("), "sprintf()"),
          (re.compile(r"(?<![a-z_.])system\s*\("), "system()"),
          (re.compile(r"\b(TODO|XXX)\b"), "TODO/XXX markers")]
MAX_FUNCTION = 200
MAX_DEPTH = 5


def strip(text):
    """Comments and string contents out, so that braces and words in them do not count."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', text)


def check_file(path):
    problems = []
    with open(path, encoding="utf-8", errors="replace") as source:
        raw = source.read()
    for pattern, what in BANNED:
        for match in pattern.finditer(strip(raw) if what != "TODO/XXX markers" else raw):
            line = raw.count("\n", 0, match.start()) + 1
            problems.append("%s:%d: %s" % (path, line, what))
    depth = 0
    start = None
    for number, line in enumerate(strip(raw).split("\n"), 1):
        for char in line:
            if char == "{":
                depth += 1
                if depth == 1:
                    start = number
                if depth > MAX_DEPTH + 1:
                    problems.append("%s:%d: nesting deeper than 5" % (path, number))
            elif char == "}":
                depth -= 1
                if depth == 0 and start is not None and number - start > MAX_FUNCTION:
                    problems.append("%s:%d: functions over 200 lines (%d)" % (path, start, number - start))
    return sorted(set(problems))


def main():
    files = []
    for folder in FOLDERS:
        for root, dirs, names in os.walk(os.path.join(TOP, folder)):
            dirs[:] = [d for d in dirs if d not in ("node_modules", "corpus")]
            files += [os.path.join(root, name) for name in sorted(names) if name.endswith((".c", ".h"))]
    problems = []
    for path in files:
        problems += [os.path.relpath(problem, TOP) for problem in check_file(path)]
    rules = [what for _, what in BANNED] + ["nesting deeper than 5", "functions over 200 lines"]
    print("1..%d" % len(rules))
    failed = 0
    for number, rule in enumerate(rules, 1):
        found = [problem for problem in problems if rule in problem]
        if found:
            failed += 1
            print("not ok %d - no %s in %d files" % (number, rule, len(files)))
            for problem in found:
                print("# " + problem)
        else:
            print("ok %d - no %s in %d files" % (number, rule, len(files)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
