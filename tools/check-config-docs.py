#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Every option gateway/core/lilac-config.c reads is in README's configuration table and in
dist/lilac.conf.example (set or commented out), and neither names an option the code does not
read. TAP output, one case a file."""

import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(path):
    with open(os.path.join(TOP, path), encoding="utf-8") as text:
        return text.read()


def code_options():
    # lilac_config_read_* (file, "group", "key", ...) and g_key_file_* (file, "group", "key", ...)
    found = re.findall(r'\(file,\s*"(\w+)",\s*"(\w+)"', read("gateway/core/lilac-config.c"))
    return {"%s.%s" % pair for pair in found}


def readme_options():
    options = set()
    for line in read("README.md").splitlines():
        match = re.match(r"^\| `\[(\w+)\] ([^|]+?)` \|", line)
        if match:
            for key in re.findall(r"`?(\w+)`?", match.group(2)):
                options.add("%s.%s" % (match.group(1), key))
    return options


def example_options():
    options, group = set(), None
    for line in read("dist/lilac.conf.example").splitlines():
        header = re.match(r"^\[(\w+)\]$", line)
        if header:
            group = header.group(1)
            continue
        setting = re.match(r"^#?(\w+)=", line)
        if setting and group:
            options.add("%s.%s" % (group, setting.group(1)))
    return options


def main():
    code = code_options()
    failed = 0
    print("1..2")
    for number, (name, documented) in enumerate((("README.md", readme_options()),
                                                  ("dist/lilac.conf.example", example_options())), 1):
        missing, unknown = sorted(code - documented), sorted(documented - code)
        if missing or unknown:
            failed += 1
            print("not ok %d - %s" % (number, name))
            for option in missing:
                print("# %s is read by lilac-config.c but not documented" % option)
            for option in unknown:
                print("# %s is documented but lilac-config.c does not read it" % option)
        else:
            print("ok %d - %s documents the %d options" % (number, name, len(code)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
