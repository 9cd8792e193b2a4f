#!/usr/bin/env python3
"""bench/perf_summary.py — condense `perf script` output (perf record --call-graph dwarf
of one sqsemu process) into the tables the bench README talks about.

    perf script -i perf.data | python3 bench/perf_summary.py [--top N] [--binary NAME]

Prints, as percentages of all samples:
  1. where the time goes by library (leaf frame's DSO; kernel = [kernel.kallsyms]);
  2. inclusive time of sqsemu's own functions (file:function, counted once per sample);
  3. "nearest sqsemu frame": each sample charged to the sqsemu function closest to the
     leaf (looking through thin wrappers such as db_step_done, see --look-through), split
     by the DSO the leaf is in — what a change to that function can save;
  4. inclusive time of selected library entry points (sqlite3_step, sqlite3_prepare*,
     MHD_queue_response, uuid_generate*, getrandom, MD5*, cJSON_*, malloc/free, ...).
Source files come from the binary's symbol table (`nm -l`, so build it with -g), by
address, which tells apart static functions of the same name; functions that exist only
inlined are looked up by name, else given their caller's file.
Standard library only.
"""

import argparse
import collections
import os
import re
import signal
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAME = re.compile(r"^\s+([0-9a-f]+)\s+(.+?)\s+\((.*)\)\s*$")
ENTRY_POINTS = re.compile(
    r"^(sqlite3_(step|prepare\w*|reset|bind\w*|column\w*|exec|finalize)|sqlite3WalFrames|"
    r"sqlite3PagerCommitPhaseOne|MHD_queue_response|MHD_create_response\w*|MHD_add_response_header|"
    r"MHD_lookup_connection_value|uuid_\w+|getrandom|__getrandom\w*|random|srandom|MD5\w*|EVP_\w+|"
    r"cJSON_\w+|malloc|free|calloc|realloc|cfree\S*|__libc_(pwrite|write|sendmsg|recv\w*|send)\w*|"
    r"epoll_\w+|fcntl\w*|__fcntl\w*|clock_gettime\w*|__clock_gettime\w*)$")


def source_index():
    """function name -> 'src/dir/file.c' from definitions at the start of a line."""
    index = {}
    defn = re.compile(r"^(?:static\s+|inline\s+|const\s+|struct\s+|enum\s+|unsigned\s+)*[A-Za-z_][\w\s\*]*?"
                      r"\b([A-Za-z_]\w*)\s*\(")
    for top in ("src",):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for fn in files:
                if not fn.endswith(".c"):
                    continue
                path = os.path.join(dirpath, fn)
                rel = os.path.relpath(path, ROOT)
                try:
                    with open(path, encoding="utf-8", errors="replace") as f:
                        for line in f:
                            if line[:1] in (" ", "\t", "#", "/", "{", "}") or ";" in line.split("(")[0]:
                                continue
                            m = defn.match(line)
                            if m and m.group(1) not in ("if", "for", "while", "switch", "return", "sizeof"):
                                index.setdefault(m.group(1), rel)
                except OSError:
                    pass
    return index


class NmIndex:
    """Address -> (function, file) from `nm -l` of the profiled binary."""

    def __init__(self, path):
        import bisect
        import subprocess
        self.bisect = bisect
        self.addrs, self.rows = [], []
        self.by_name = collections.defaultdict(set)
        try:
            out = subprocess.run(["nm", "-l", "--defined-only", path], capture_output=True, text=True,
                                 timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        for line in out.splitlines():
            head, _, where = line.partition("\t")
            parts = head.split()
            if len(parts) != 3 or parts[1] not in "tTwW":
                continue
            f = self.relative(where.rsplit(":", 1)[0]) if where else None
            name = clean_sym(parts[2])
            self.rows.append((int(parts[0], 16), name, f))
            if f:
                self.by_name[name].add(f)
        self.rows.sort()
        self.addrs = [r[0] for r in self.rows]

    @staticmethod
    def relative(path):
        path = os.path.normpath(path)
        i = path.find("/src/")
        return path[i + 1:] if i >= 0 else path

    def file_at(self, addr):
        i = self.bisect.bisect_right(self.addrs, addr) - 1
        return self.rows[i][2] if i >= 0 else None

    def file_of(self, name):
        files = self.by_name.get(name)
        return next(iter(files)) if files and len(files) == 1 else None


def clean_sym(sym):
    sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
    sym = sym.replace(" (inlined)", "")
    sym = re.sub(r"\.(constprop|isra|part|cold)\.\d+", "", sym)
    sym = re.sub(r"\.(constprop|isra|part|cold)\.\d+", "", sym)
    return sym


def short_dso(dso):
    if dso.startswith("[kernel"):
        return "kernel"
    base = os.path.basename(dso)
    return re.sub(r"\.so[.\d]*$", "", base) or dso


def samples(stream):
    cur = []
    for line in stream:
        if not line.strip():
            if cur:
                yield cur
                cur = []
            continue
        if not line[0].isspace():   # sample header
            if cur:
                yield cur
            cur = []
            continue
        m = FRAME.match(line.rstrip("\n"))
        if m:
            cur.append((int(m.group(1), 16), m.group(2), m.group(3)))
    if cur:
        yield cur


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--binary", default="sqsemu", help="basename of the sqsemu binary's DSO")
    ap.add_argument("--look-through", default="db_step_done,db_stmt,xmalloc,xcalloc,xrealloc,xstrdup,xstrndup",
                    help="thin wrappers skipped when picking the nearest sqsemu frame")
    a = ap.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    src = source_index()
    nm = None
    wrappers = set(x for x in a.look_through.split(",") if x)
    total = 0
    by_dso = collections.Counter()
    incl = collections.Counter()
    nearest = collections.defaultdict(collections.Counter)
    lib_incl = collections.Counter()
    for frames in samples(sys.stdin):
        # frames whose DSO is "inlined" belong to the DSO of the next real frame below them
        # and, in the sqsemu binary, take their file from nm (by name) or from that frame
        resolved = []
        pending = []
        for addr, sym, dso in frames:
            if dso == "inlined" or sym.endswith("(inlined)"):
                pending.append(clean_sym(sym))
                continue
            name = clean_sym(sym)
            where = None
            if os.path.basename(dso) == a.binary:
                if nm is None:
                    nm = NmIndex(dso)
                where = nm.file_at(addr) or nm.file_of(name) or src.get(name)
            for s in pending:
                if where is None:
                    resolved.append((s, dso, None))
                elif nm.file_of(s) or s in src:
                    resolved.append((s, dso, nm.file_of(s) or src.get(s) or where))
                else:   # a library function perf shows as inlined here (e.g. __GI___snprintf)
                    resolved.append((s, "lib(inlined)", None))
            pending = []
            resolved.append((name, dso, where))
        for s in pending:
            resolved.append((s, "?", None))
        if not resolved:
            continue
        total += 1
        leaf_dso = short_dso(resolved[0][1])
        by_dso[leaf_dso] += 1
        seen, seen_lib = set(), set()
        near = None
        for name, dso, where in resolved:
            if os.path.basename(dso) == a.binary and not name.startswith("["):
                key = "%s:%s" % (where, name) if where else name
                if near is None and name not in wrappers:
                    near = key
                if key not in seen:
                    seen.add(key)
                    incl[key] += 1
            elif ENTRY_POINTS.match(name) and name not in seen_lib:
                seen_lib.add(name)
                lib_incl["%s (%s)" % (name, short_dso(dso))] += 1
        nearest[near or "(no sqsemu frame)"][leaf_dso] += 1
    if not total:
        print("no samples")
        return 1

    def pc(n):
        return 100.0 * n / total

    def where(fn):
        return fn

    print("samples %d" % total)
    print("\n== time by library of the leaf frame")
    for dso, n in by_dso.most_common(12):
        print("  %6.2f%%  %s" % (pc(n), dso))
    print("\n== sqsemu functions, inclusive (callees included)")
    for fn, n in incl.most_common(a.top):
        print("  %6.2f%%  %s" % (pc(n), where(fn)))
    print("\n== nearest sqsemu frame (self + library/kernel work it calls directly), by leaf library")
    rows = sorted(nearest.items(), key=lambda kv: -sum(kv[1].values()))
    for fn, c in rows[:a.top]:
        n = sum(c.values())
        parts = ", ".join("%s %.1f" % (d, pc(k)) for d, k in c.most_common(4))
        print("  %6.2f%%  %-55s [%s]" % (pc(n), where(fn), parts))
    print("\n== library entry points, inclusive")
    for name, n in lib_incl.most_common(a.top):
        print("  %6.2f%%  %s" % (pc(n), name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
