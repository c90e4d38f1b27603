#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Turns one catalog of the browser page (po/page/LANG.po) into the JSON the page loads.

Usage: po2json.py MSGFMT INPUT.po OUTPUT.json

msgfmt checks the catalog and compiles it (dropping fuzzy and untranslated entries); the .mo it
writes is read back here, so the JSON holds exactly what gettext itself would use:
{"language": "zh_CN", "plural": "0", "messages": {"msgid": "msgstr", "singular": ["form", ...]}}
A message with a context is keyed "context\\u0004msgid", as in a .mo file.
"""

import json
import os
import re
import struct
import subprocess
import sys
import tempfile

MO_MAGIC = 0x950412DE


def read_mo(data):
    """Yields (original, translation) pairs of a GNU .mo file."""
    for endian in ("<", ">"):
        if struct.unpack(endian + "I", data[:4])[0] == MO_MAGIC:
            break
    else:
        raise ValueError("not a GNU .mo file")
    _revision, count, originals, translations = struct.unpack(endian + "4I", data[4:20])
    for index in range(count):
        length, offset = struct.unpack_from(endian + "2I", data, originals + 8 * index)
        original = data[offset:offset + length].decode("utf-8")
        length, offset = struct.unpack_from(endian + "2I", data, translations + 8 * index)
        yield original, data[offset:offset + length].decode("utf-8")


def plural_expression(header):
    match = re.search(r"^Plural-Forms:.*?plural\s*=\s*([^;\n]+);?", header, re.MULTILINE)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else "n != 1"


def convert(msgfmt, po_path):
    with tempfile.TemporaryDirectory() as folder:
        mo_path = os.path.join(folder, "catalog.mo")
        subprocess.run([msgfmt, "--check", "-o", mo_path, po_path], check=True)
        with open(mo_path, "rb") as mo_file:
            pairs = list(read_mo(mo_file.read()))
    messages = {}
    header = ""
    for original, translation in pairs:
        if original == "":
            header = translation
            continue
        singular, _, _plural = original.partition("\0")
        forms = translation.split("\0")
        messages[singular] = forms if "\0" in original else forms[0]
    language = os.path.splitext(os.path.basename(po_path))[0]
    return {"language": language, "plural": plural_expression(header), "messages": messages}


def main(args):
    if len(args) != 3:
        sys.stderr.write("usage: po2json.py MSGFMT INPUT.po OUTPUT.json\n")
        return 2
    msgfmt, po_path, json_path = args
    catalog = convert(msgfmt, po_path)
    with open(json_path, "w", encoding="utf-8") as output:
        json.dump(catalog, output, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        output.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
