#!/usr/bin/env python3
"""embed_runtimes: turns every file under a directory into C arrays for the binary.

Run by meson at build time (meson itself runs on python3, so this adds no build
dependency):

    embed_runtimes.py DIR OUT.c DEPFILE [NAME]

NAME (default "runtime") picks the table: "runtime" defines the one declared in
include/sqsemu/runtimes.h from runtimes/, "console" the one in include/sqsemu/console.h
from console/. Either is one entry per file (its path relative to DIR, its bytes, its
size) and a SHA-256 of all of them (for the runtimes, it names the directory the server
writes them to). DEPFILE lists every file and directory
read, so ninja regenerates OUT.c when a file is edited, added or removed. Only the
standard library is used; the output is the same for the same input.
"""
import hashlib
import os
import struct
import sys

MAX_FILE_BYTES = 1 << 20   # a runtime client is a few KB; anything this big is a mistake
MAX_TOTAL_BYTES = 8 << 20
SKIPPED_DIRS = {"__pycache__", "node_modules"}


def collect(root):
    """[(relative path, absolute path)] sorted by path, and the directories walked."""
    files, dirs = [], []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
        dirs.append(dirpath)
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(".pyc"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            files.append((rel, path))
    files.sort()
    return files, dirs


def c_string(text):
    out = []
    for ch in text.encode("utf-8"):
        if ch in (0x22, 0x5C) or ch < 0x20 or ch > 0x7E:
            out.append("\\%03o" % ch)
        else:
            out.append(chr(ch))
    return '"' + "".join(out) + '"'


def c_bytes(data):
    lines = []
    for i in range(0, len(data), 16):
        lines.append("    " + ", ".join("0x%02x" % b for b in data[i:i + 16]) + ",")
    return "\n".join(lines) if lines else "    0x00,"


HEADERS = {"runtime": "sqsemu/runtimes.h", "console": "sqsemu/console.h"}


def generate(files, table="runtime"):
    digest = hashlib.sha256()
    parts = ["/* Generated at build time by scripts/embed_runtimes.py; do not edit. */",
             '#include "%s"' % HEADERS[table], ""]
    entries = []
    total = 0
    for index, (rel, path) in enumerate(files):
        if rel.startswith("/") or ".." in rel.split("/"):
            raise SystemExit("embed_runtimes: refusing the path %r" % rel)
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise SystemExit("embed_runtimes: %s is larger than %d bytes" % (path, MAX_FILE_BYTES))
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise SystemExit("embed_runtimes: the files hold more than %d bytes" % MAX_TOTAL_BYTES)
        name = rel.encode("utf-8")
        digest.update(struct.pack(">I", len(name)) + name + struct.pack(">Q", len(data)) + data)
        parts.append("static const unsigned char file_%d[] = {\n%s\n};" % (index, c_bytes(data)))
        entries.append("    {%s, file_%d, %d}," % (c_string(rel), index, len(data)))
    parts.append("")
    parts.append("const %s_file %s_files[] = {" % (table, table))
    parts.extend(entries)
    parts.append("    {0, 0, 0},")
    parts.append("};")
    parts.append("const size_t %s_file_count = %d;" % (table, len(files)))
    parts.append('const char %s_files_hash[] = "%s";' % (table, digest.hexdigest()))
    return "\n".join(parts) + "\n"


def depfile_path(path):
    return path.replace("\\", "\\\\").replace(" ", "\\ ").replace("$", "$$").replace("#", "\\#")


def main(argv):
    if len(argv) not in (4, 5) or (len(argv) == 5 and argv[4] not in HEADERS):
        raise SystemExit("usage: embed_runtimes.py DIR OUT.c DEPFILE [runtime|console]")
    root, out_path, dep_path = argv[1:4]
    name = argv[4] if len(argv) == 5 else "runtime"
    files, dirs = collect(root)
    if not files:
        raise SystemExit("embed_runtimes: no files under %s" % root)
    text = generate(files, name)
    with open(out_path, "w", encoding="ascii") as f:
        f.write(text)
    deps = [p for _, p in files] + dirs
    with open(dep_path, "w", encoding="utf-8") as f:
        f.write("%s: %s\n" % (depfile_path(out_path), " ".join(depfile_path(p) for p in deps)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
