#!/usr/bin/env bash
# bench/profile.sh — where sqsemu spends its time on the hot paths.
#
#   bench/profile.sh [-s "send batch drain"] [-d SECS] [--in-memory] [-o DIR]
#
# Builds a profiling binary out of the tree (release flags plus -g -fno-omit-frame-pointer,
# in $SQSEMU_PROF_BUILD, default ${TMPDIR:-/tmp}/sqsemu-prof-build), starts it on a free
# 127.0.0.1 port with a temp --data-dir, and for each scenario drives it with wrk
# (32 connections, the shared harness's Lua scripts) while
#   perf record -e cpu-clock --call-graph dwarf   samples the server for SECS (default 4),
#   strace -c                                     counts its system calls during a short
#                                                 1-connection run (syscalls per request).
# Scenarios: send = SendMessage 256 B; batch = SendMessageBatch x10; drain =
# ReceiveMessage(10) + DeleteMessageBatch on a queue pre-filled with 25000 x (SECS+2) messages.
# Writes DIR/<scenario>.txt (bench/perf_summary.py tables) and DIR/<scenario>-syscalls.txt;
# prints the top of each. Needs perf (linux-perf) and wrk; strace is optional.
# Stops the server by its PID; bounded (every step has a timeout).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/harness.sh"
find_harness "$ROOT"
[ -n "$HARNESS" ] || { echo "the shared load harness (bench.sh) was not found: set SQSEMU_BENCH_DIR" >&2; exit 2; }
PROF_BUILD=${SQSEMU_PROF_BUILD:-${TMPDIR:-/tmp}/sqsemu-prof-build}
SCENARIOS="send batch drain"
SECS=4
IN_MEMORY=0
OUT=
usage() { awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case $1 in
    -s) SCENARIOS=${2:?}; shift ;;
    -d) SECS=${2:?}; shift ;;
    -o) OUT=${2:?}; shift ;;
    --in-memory) IN_MEMORY=1 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
  shift
done
for tool in perf wrk python3 meson ninja; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool (apt-get install linux-perf wrk)" >&2; exit 2; }
done
[ -n "$OUT" ] || OUT=$ROOT/bench-out/profile-$(date +%Y%m%d-%H%M%S)$([ "$IN_MEMORY" = 1 ] && echo -inmem || true)
mkdir -p "$OUT"
say() { echo "[profile] $*" >&2; }

if [ ! -f "$PROF_BUILD/build.ninja" ]; then
  say "configuring $PROF_BUILD"
  meson setup "$PROF_BUILD" "$ROOT" --buildtype=release -Dc_args='-g -fno-omit-frame-pointer' >/dev/null
fi
timeout --foreground 900 ninja -C "$PROF_BUILD" sqsemu >/dev/null
BIN=$PROF_BUILD/sqsemu

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sqsemu-profile.XXXXXX")
PID=
WRK_PID=
cleanup() {
  [ -n "$WRK_PID" ] && kill "$WRK_PID" 2>/dev/null || true
  if [ -n "$PID" ]; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ARGS=(--host 127.0.0.1 --port 0 --data-dir "$WORK/data")
[ "$IN_MEMORY" = 1 ] && ARGS+=(--in-memory)
"$BIN" "${ARGS[@]}" > "$WORK/server.log" 2>&1 &
PID=$!
PORT=
for _ in $(seq 1 100); do
  PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$WORK/server.log" | head -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$WORK/server.log" >&2; exit 1; }
EP=http://127.0.0.1:$PORT
export BENCH_LUA_DIR=$HARNESS/lib/wrk
PY=(python3 "$HARNESS/lib/sqsbench.py")
say "profiling build pid $PID on $EP; results in $OUT"
{
  echo "binary $BIN ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  echo "server_args ${ARGS[*]}"
  echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ) cpus $(nproc) loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/meta.txt"

run_wrk() {  # run_wrk THREADS CONNS SECS SCENARIO QUEUE_URL  (output on stdout)
  local script args
  case $4 in
    send) script=send.lua; args=("$5" 256) ;;
    batch) script=batch.lua; args=("$5" 10 256) ;;
    drain) script=drain.lua; args=("$5" 84) ;;
  esac
  timeout --foreground $(($3 + 30)) wrk -t"$1" -c"$2" -d"$3"s --timeout 20s -s "$BENCH_LUA_DIR/$script" "$EP" -- "${args[@]}"
}
prepare_queue() {  # prepare_queue SCENARIO NAME -> url
  local u; u=$("${PY[@]}" create "$EP" "$2")
  if [ "$1" = drain ]; then
    timeout --foreground 150 "${PY[@]}" prefill "$EP" "$u" $(( 25000 * (SECS + 2) )) 8 120 >/dev/null
  fi
  echo "$u"
}

# warm-up (lazy initialisation, page cache)
q=$(prepare_queue send warm); wrk -t1 -c4 -d2s -s "$BENCH_LUA_DIR/send.lua" "$EP" -- "$q" 256 >/dev/null 2>&1 || true
"${PY[@]}" delete "$EP" "$q" >/dev/null 2>&1 || true

for sc in $SCENARIOS; do
  case $sc in send|batch|drain) ;; *) echo "unknown scenario $sc" >&2; exit 2 ;; esac
  # --- system calls per request, 1 connection -------------------------------------------
  if command -v strace >/dev/null; then
    q=$(prepare_queue "$sc" "sys-$sc")
    timeout 30 strace -c -p "$PID" -o "$WORK/strace.txt" 2>/dev/null &
    ST_PID=$!
    sleep 0.5
    run_wrk 1 1 2 "$sc" "$q" > "$WORK/wrk-sys.txt" 2>&1 || true
    kill -INT "$ST_PID" 2>/dev/null || true
    wait "$ST_PID" 2>/dev/null || true
    reqs=$(sed -n 's/^WRKRESULT requests=\([0-9]*\).*/\1/p' "$WORK/wrk-sys.txt")
    {
      echo "# strace -c over ${reqs:-?} requests ($sc, 1 connection); last column = calls per request"
      awk -v n="${reqs:-0}" '
        /^ *[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+/ && $NF != "total" {
          name = $NF; calls = $4
          if (n > 0) printf "%-16s %8d  %6.2f\n", name, calls, calls / n
        }
        /total$/ { if (n > 0) printf "%-16s %8d  %6.2f\n", "total", $4, $4 / n }' "$WORK/strace.txt"
    } > "$OUT/$sc-syscalls.txt"
    "${PY[@]}" delete "$EP" "$q" >/dev/null 2>&1 || true
  fi
  # --- perf profile, 32 connections ---------------------------------------------------------
  q=$(prepare_queue "$sc" "prof-$sc")
  say "$sc: wrk 32 connections, perf for ${SECS}s"
  run_wrk 2 32 $((SECS + 3)) "$sc" "$q" > "$OUT/$sc-wrk.txt" 2>&1 &
  WRK_PID=$!
  sleep 1
  timeout --foreground $((SECS + 60)) perf record -q --no-inherit -e cpu-clock -F 499 --call-graph dwarf,16384 -p "$PID" \
      -o "$WORK/perf.data" -- sleep "$SECS" >/dev/null 2>&1 || true
  wait "$WRK_PID" 2>/dev/null || true
  WRK_PID=
  timeout --foreground 600 perf script -i "$WORK/perf.data" 2>/dev/null | python3 "$ROOT/bench/perf_summary.py" --top 30 \
      > "$OUT/$sc.txt" || true
  rm -f "$WORK/perf.data"
  "${PY[@]}" delete "$EP" "$q" >/dev/null 2>&1 || true
  echo "===== $sc  ($(grep -o 'Requests/sec: *[0-9.]*' "$OUT/$sc-wrk.txt" || true) while profiled)"
  sed -n '/nearest sqsemu frame/,/^$/p' "$OUT/$sc.txt" | head -16
  [ -f "$OUT/$sc-syscalls.txt" ] && { echo "-- system calls per request (1 connection)"; sort -k3 -n -r "$OUT/$sc-syscalls.txt" | grep -v '^#' | head -10; }
done
echo "== full tables in $OUT"
