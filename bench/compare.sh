#!/usr/bin/env bash
# bench/compare.sh — the whole comparison behind bench/RESULTS.md, in one command.
#
#   bench/compare.sh [-r RUNS] [-d SECS] [--no-moto] [--no-trigger] [--no-latency] [-o DIR]
#   bench/compare.sh --smoke        # CI: one short pass of everything but moto, no figures judged
#
# Each run measures, one after the other on the same machine (so that ratios compare like
# with like): the bare-libmicrohttpd ceiling with one epoll thread (bench/ceiling.sh, 32
# connections); sqsemu with its SQLite file and with --in-memory on phases a, b and c of the
# shared harness (32 connections); moto_server on the same phases (when installed); then,
# on the file store, phases d, e and f (long-poll wake-up, 1000 idle polls, queue depths),
# the start-up time and idle memory, and the trigger path (bench/trigger.py: BatchSize 10,
# and 100 with a 1 s window). bench/results.py then writes DIR/results.md: each figure's
# median with min–max over the runs, the target, and whether the median meets it.
#
# Options: -r RUNS (default 3), -d SECS per load phase (default 5), --no-moto,
# --no-trigger, --no-latency (skip phases d, e, f), -o DIR (default
# bench-out/compare-<time>). Everything listens on 127.0.0.1; every step has a time limit
# and each server is stopped by its PID.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/harness.sh"
find_harness "$ROOT"
RUNS=3
DUR=5
MOTO=1
TRIGGER=1
LATENCY=1
SMOKE=0
OUT=
usage() { awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"; exit "${1:-0}"; }
say() { echo "[compare] $*" >&2; }
while [ $# -gt 0 ]; do
  case $1 in
    -r) RUNS=${2:?-r needs a value}; shift ;;
    -d) DUR=${2:?-d needs a value}; shift ;;
    -o) OUT=${2:?-o needs a value}; shift ;;
    --no-moto) MOTO=0 ;;
    --no-trigger) TRIGGER=0 ;;
    --no-latency) LATENCY=0 ;;
    --smoke) SMOKE=1; RUNS=1; DUR=1; MOTO=0 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
  shift
done
case $RUNS$DUR in *[!0-9]*) echo "-r and -d take whole numbers" >&2; exit 2 ;; esac
[ -n "$HARNESS" ] || { echo "the shared load harness (bench.sh) was not found: set SQSEMU_BENCH_DIR" >&2; exit 2; }
OUT=${OUT:-$ROOT/bench-out/compare-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
if [ "$MOTO" = 1 ] && ! command -v moto_server >/dev/null; then
  say "moto_server is not installed (pip install 'moto[server]'): its column stays empty"
  MOTO=0
fi

# --- moto_server, driven by the same harness ---------------------------------------------
MOTO_PID=
stop_moto() {
  if [ -n "$MOTO_PID" ] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill -TERM "$MOTO_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$MOTO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
  MOTO_PID=
}
trap stop_moto EXIT
trap 'exit 130' INT TERM

run_moto() {  # $1 output dir
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  moto_server -H 127.0.0.1 -p "$port" > "$1.log" 2>&1 &
  MOTO_PID=$!
  for _ in $(seq 1 100); do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()' "$port" \
      2>/dev/null && break
    sleep 0.1
  done
  # moto fills a queue at a few dozen messages a second: a small prefill keeps phase c short.
  SERVER_PID=$MOTO_PID PREFILL_MAX=2000 PREFILL_BUDGET=20 timeout --kill-after=10 600 \
    bash "$HARNESS/bench.sh" -t abc -d "$DUR" -c 32 -o "$1" -l moto "http://127.0.0.1:$port" > /dev/null || \
    say "moto run failed (see $1.log)"
  stop_moto
}

# --- start-up time and idle memory of a fresh server ---------------------------------------
startup() {  # $1 output file
  python3 - "$ROOT/build-release/sqsemu" > "$1" <<'EOF'
import os, socket, subprocess, sys, tempfile, time
binary = sys.argv[1]
with tempfile.TemporaryDirectory(prefix="sqsemu-startup-") as work:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), "--data-dir", work + "/data"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        answered = None
        while time.monotonic() - t0 < 10 and answered is None:
            try:
                c = socket.create_connection(("127.0.0.1", port), timeout=1)
                c.sendall(b"GET /_sqsemu/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                if c.recv(64).startswith(b"HTTP/1.1 200"):
                    answered = time.monotonic()
                c.close()
            except OSError:
                time.sleep(0.0005)  # not listening yet: the poll interval of this bounded wait
        time.sleep(1)  # idle: what the server holds once started
        fields = {}
        with open("/proc/%d/smaps_rollup" % p.pid) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0].endswith(":"):
                    fields[parts[0][:-1]] = int(parts[1])
        if answered is not None:
            print("startup_first_answer_ms %.1f ms" % ((answered - t0) * 1000))
        print("idle_rss_mb %.1f MiB" % (fields.get("Rss", 0) / 1024))
        print("idle_pss_mb %.1f MiB" % (fields.get("Pss", 0) / 1024))
        print("idle_anonymous_mb %.1f MiB" % (fields.get("Anonymous", 0) / 1024))
    finally:
        p.terminate()
        p.wait(10)
EOF
}

for ((run = 1; run <= RUNS; run++)); do
  dir=$OUT/run$run
  mkdir -p "$dir"
  say "run $run of $RUNS: ceiling"
  SQSEMU_BENCH_DIR=$HARNESS timeout --foreground 300 bash "$ROOT/bench/ceiling.sh" -d "$DUR" -c 32 -m epoll \
    > "$dir/ceiling.txt"
  say "run $run of $RUNS: sqsemu, SQLite file"
  SQSEMU_BENCH_DIR=$HARNESS bash "$ROOT/bench/run.sh" -t abc -d "$DUR" -c 32 -o "$dir/file" -l file \
    > /dev/null
  say "run $run of $RUNS: sqsemu --in-memory"
  SQSEMU_BENCH_DIR=$HARNESS bash "$ROOT/bench/run.sh" --in-memory -t abc -d "$DUR" -c 32 -o "$dir/memory" \
    -l memory > /dev/null
  if [ "$MOTO" = 1 ]; then
    say "run $run of $RUNS: moto_server"
    run_moto "$dir/moto"
  fi
  if [ "$LATENCY" = 1 ]; then
    say "run $run of $RUNS: long polls, idle polls and depth (phases d, e, f)"
    if [ "$SMOKE" = 1 ]; then
      SQSEMU_BENCH_DIR=$HARNESS LP_ROUNDS=20 IDLE_CONNS=20 PREFILL_MAX=1000 bash "$ROOT/bench/run.sh" -t def \
        -d "$DUR" -o "$dir/latency" -l latency > /dev/null
    else
      SQSEMU_BENCH_DIR=$HARNESS bash "$ROOT/bench/run.sh" -t def -d "$DUR" -o "$dir/latency" -l latency > /dev/null
    fi
  fi
  say "run $run of $RUNS: start-up and idle memory"
  startup "$dir/startup.txt"
  if [ "$TRIGGER" = 1 ]; then
    say "run $run of $RUNS: trigger path"
    if [ "$SMOKE" = 1 ]; then
      timeout 300 python3 "$ROOT/bench/trigger.py" --tests latency_b10 --messages 20 --no-idle \
        --out "$dir/trigger.txt" > /dev/null
    else
      tests=latency_b10,burst_b10
      grep -q burst_b100 "$ROOT/bench/trigger.py" && tests=$tests,burst_b100
      timeout 900 python3 "$ROOT/bench/trigger.py" --tests "$tests" --out "$dir/trigger.txt" > /dev/null
    fi
  fi
done
python3 "$ROOT/bench/results.py" "$OUT" > "$OUT/results.md"
cat "$OUT/results.md"
say "results in $OUT/results.md"
