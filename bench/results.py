#!/usr/bin/env python3
"""bench/results.py DIR — the table of bench/RESULTS.md from one bench/compare.sh output.

DIR holds run1/, run2/, ... each with ceiling.txt, file/summary.txt, memory/summary.txt,
moto/summary.txt, latency/summary.txt, startup.txt and trigger.txt (`metric value unit`
lines; any of them may be missing). Every figure is computed per run (ratios from the
numbers of the same run), then reported as the median with min–max over the runs,
beside its target and whether the median meets it. Prints Markdown on stdout.
"""
import math
import os
import statistics
import sys

SOURCES = {
    "ceiling": "ceiling.txt",
    "file": os.path.join("file", "summary.txt"),
    "memory": os.path.join("memory", "summary.txt"),
    "moto": os.path.join("moto", "summary.txt"),
    "latency": os.path.join("latency", "summary.txt"),
    "startup": "startup.txt",
    "trigger": "trigger.txt",
}


def read_metrics(path):
    values = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2:
                    try:
                        values[parts[0]] = float(parts[1])
                    except ValueError:
                        pass
    except OSError:
        pass
    return values


def ratio(a, b):
    """a / b; infinite when b is 0 and a is not (moto_server drains nothing at 32 connections)."""
    if a is None or b is None or math.isnan(a) or math.isnan(b):
        return None
    if b == 0:
        return math.inf if a > 0 else None
    return a / b


# (label, function of one run's metrics -> value, unit, target text, predicate on the median)
def figures():
    def m(source, name):
        return lambda r: r[source].get(name)

    def rel(source_a, name_a, source_b, name_b):
        return lambda r: ratio(r[source_a].get(name_a), r[source_b].get(name_b))

    def depth_ratio(r):
        worst = None
        for op in ("send", "recv10"):
            v = ratio(r["latency"].get("depth100k_%s_p50_ms" % op), r["latency"].get("depth0_%s_p50_ms" % op))
            if v is not None:
                worst = v if worst is None else max(worst, v)
        return worst

    at_least = lambda x: (lambda v: v >= x)
    at_most = lambda x: (lambda v: v <= x)
    return [
        ("SendMessage, 32 conns, file store", m("file", "send_c32_rps"), "req/s", "", None),
        ("  vs one-thread libmicrohttpd ceiling (mhd_epoll_c32)", rel("file", "send_c32_rps", "ceiling", "mhd_epoll_c32_rps"),
         "×", "≥ 0.5", at_least(0.5)),
        ("  server CPU per message", m("file", "send_c32_server_cpu_us_per_msg"), "µs", "≤ 30", at_most(30)),
        ("SendMessage, 32 conns, file vs --in-memory", rel("file", "send_c32_rps", "memory", "send_c32_rps"), "×",
         "≥ 0.8", at_least(0.8)),
        ("SendMessageBatch(10), 32 conns, file store", m("file", "batch_c32_msgs_per_s"), "msgs/s", "≥ 80,000",
         at_least(80000)),
        ("  file vs --in-memory", rel("file", "batch_c32_msgs_per_s", "memory", "batch_c32_msgs_per_s"), "×", "≥ 0.8",
         at_least(0.8)),
        ("Receive(10)+DeleteBatch drain, 32 conns, file store", m("file", "drain_c32_msgs_per_s"), "msgs/s",
         "≥ 40,000", at_least(40000)),
        ("  file vs --in-memory", rel("file", "drain_c32_msgs_per_s", "memory", "drain_c32_msgs_per_s"), "×", "≥ 0.8",
         at_least(0.8)),
        ("SendMessage vs moto_server", rel("file", "send_c32_rps", "moto", "send_c32_rps"), "×", "≥ 500",
         at_least(500)),
        ("SendMessageBatch vs moto_server", rel("file", "batch_c32_msgs_per_s", "moto", "batch_c32_msgs_per_s"), "×",
         "≥ 500", at_least(500)),
        ("drain vs moto_server", rel("file", "drain_c32_msgs_per_s", "moto", "drain_c32_msgs_per_s"), "×", "≥ 500",
         at_least(500)),
        ("long-poll wake-up p50 (send response → receive response)", m("latency", "longpoll_wake_p50_ms"), "ms",
         "≤ 0.3", at_most(0.3)),
        ("latency p50 at depth 100k vs depth 0 (worse of send, receive)", depth_ratio, "×", "≤ 1.5", at_most(1.5)),
        ("server CPU with 1000 idle long polls", m("latency", "idle_server_cpu_pct"), "%", "0", at_most(0.5)),
        ("trigger BatchSize 10: server CPU per message", m("trigger", "trigger_burst_b10_server_cpu_us_per_msg"), "µs",
         "≤ 20", at_most(20)),
        ("trigger BatchSize 10: the python runtime client's own CPU per invocation",
         m("trigger", "trigger_burst_b10_runtime_client_cpu_us_per_invocation"), "µs", "≤ 500", at_most(500)),
        ("trigger BatchSize 10: runtime client + bench handler (writes 10 files) per invocation",
         m("trigger", "trigger_burst_b10_runtime_cpu_us_per_invocation"), "µs", "", None),
        ("trigger BatchSize 10: steady throughput", m("trigger", "trigger_burst_b10_steady_msgs_per_s"), "msgs/s",
         "≥ 12,000", at_least(12000)),
        ("trigger BatchSize 10: pick-up p50", m("trigger", "trigger_latency_b10_pickup_p50_ms"), "ms", "≤ 1",
         at_most(1)),
        ("trigger BatchSize 100, 1 s window: steady throughput", m("trigger", "trigger_burst_b100_steady_msgs_per_s"),
         "msgs/s", "≥ 25,000", at_least(25000)),
        ("start-up to first answer", m("startup", "startup_first_answer_ms"), "ms", "≤ 20", at_most(20)),
        ("idle RSS (shared libraries included)", m("startup", "idle_rss_mb"), "MiB", "≤ 10", at_most(10)),
        ("idle memory of its own (anonymous: heap, stacks, SQLite's cache)", m("startup", "idle_anonymous_mb"), "MiB",
         "", None),
        ("moto_server SendMessage, 32 conns", m("moto", "send_c32_rps"), "req/s", "", None),
        ("moto_server SendMessageBatch(10), 32 conns", m("moto", "batch_c32_msgs_per_s"), "msgs/s", "", None),
        ("moto_server drain, 32 conns", m("moto", "drain_c32_msgs_per_s"), "msgs/s", "", None),
        ("ceiling: mhd_fixed, one epoll thread, 32 conns", m("ceiling", "mhd_epoll_c32_rps"), "req/s", "", None),
        ("sqsemu --in-memory SendMessage, 32 conns", m("memory", "send_c32_rps"), "req/s", "", None),
    ]


def fmt(v):
    if v is None:
        return "—"
    if math.isinf(v):
        return "∞"
    if abs(v) >= 1000:
        return "{:,.0f}".format(v)
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    base = argv[1]
    runs = sorted(d for d in os.listdir(base) if d.startswith("run") and os.path.isdir(os.path.join(base, d)))
    data = [{k: read_metrics(os.path.join(base, d, v)) for k, v in SOURCES.items()} for d in runs]
    print("| figure | median (min–max) over %d run%s | target | met |" % (len(runs), "" if len(runs) == 1 else "s"))
    print("|---|---|---|---|")
    for label, get, unit, target, ok in figures():
        values = [v for v in (get(r) for r in data) if v is not None and not math.isnan(v)]
        if not values:
            print("| %s | not measured | %s | |" % (label, target))
            continue
        med = statistics.median(values)
        spread = " (%s–%s)" % (fmt(min(values)), fmt(max(values))) if len(values) > 1 else ""
        met = "" if ok is None else ("yes" if ok(med) else "**no**")
        print("| %s | %s %s%s | %s | %s |" % (label, fmt(med), unit, spread, target, met))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
