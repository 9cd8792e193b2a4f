#!/usr/bin/env bash
# bench/ceiling.sh — the bare-libmicrohttpd ceiling, measured the way the shared harness
# measures phase a (SendMessage, same request bytes, same wrk settings).
#
#   bench/ceiling.sh [-d SECS] [-c "1 32"] [-m "epoll pool:2"]
#
# Builds the harness's reference/mhd_fixed.c into a temp directory (never into the
# repository), starts it on a free 127.0.0.1 port in each MODE, drives it with wrk and
# prints `metric value unit` lines:
#   mhd_<mode>_c<N>_rps, _p50_ms, _p99_ms, _errors, _server_cpu_us_per_req
# MODE epoll is one thread (like sqsemu's single event loop); pool:2 is the harness
# README's reference (two threads on this 2-core machine). Stops each server by its PID.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/harness.sh"
find_harness "$ROOT"
[ -n "$HARNESS" ] || { echo "the shared load harness (bench.sh) was not found: set SQSEMU_BENCH_DIR" >&2; exit 2; }
DURATION=${DURATION:-10}
CONNS=${CONNS:-"1 32"}
MODES=${MODES:-"epoll pool:2"}
usage() { awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"; exit "${1:-0}"; }
while getopts "d:c:m:h" opt; do
  case $opt in
    d) DURATION=$OPTARG ;; c) CONNS=$OPTARG ;; m) MODES=$OPTARG ;; h) usage 0 ;; *) usage 2 ;;
  esac
done
for tool in wrk python3 cc; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done

SRC=$HARNESS/reference/mhd_fixed.c
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sqsemu-ceiling.XXXXXX")
PID=
stop() {
  if [ -n "$PID" ]; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  PID=
}
trap 'stop; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

cc -O2 -o "$TMP/mhd_fixed" "$SRC" -lmicrohttpd -lpthread
export BENCH_LUA_DIR=$HARNESS/lib/wrk
PY=(python3 "$HARNESS/lib/sqsbench.py")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "mhd_loadavg_start $(cut -d' ' -f1 /proc/loadavg) load"
for mode in $MODES; do
  tag=${mode/:/}
  port=$(free_port)
  lifetime=$(( DURATION * 4 + 60 ))
  "$TMP/mhd_fixed" "$mode" "$port" "$lifetime" > "$TMP/mhd.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 50); do grep -q '^ready' "$TMP/mhd.log" && break; sleep 0.1; done
  grep -q '^ready' "$TMP/mhd.log" || { echo "mhd_fixed $mode did not start:" >&2; cat "$TMP/mhd.log" >&2; exit 1; }
  url=http://127.0.0.1:$port
  # warm-up, as the harness does
  wrk -t1 -c4 -d2s -s "$BENCH_LUA_DIR/send.lua" "$url/" -- "$url/000000000000/q" 256 >/dev/null 2>&1 || true
  for c in $CONNS; do
    t=2; [ "$c" -le 1 ] && t=1
    raw=$TMP/wrk-$tag-c$c.txt
    cpu0=$("${PY[@]}" cpu "$PID")
    wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 20s -s "$BENCH_LUA_DIR/send.lua" "$url/" \
        -- "$url/000000000000/q" 256 > "$raw" 2>&1
    cpu1=$("${PY[@]}" cpu "$PID")
    "${PY[@]}" wrk "mhd_${tag}_c$c" 1 "$c" < "$raw" | grep -v '_ok_requests ' > "$TMP/m.txt"
    cat "$TMP/m.txt"
    rps=$(awk -v m="mhd_${tag}_c${c}_rps" '$1 == m {print $2}' "$TMP/m.txt")
    awk -v a="$cpu0" -v b="$cpu1" -v s="$DURATION" -v r="$rps" -v p="mhd_${tag}_c$c" 'BEGIN {
      printf "%s_server_cpu_pct %.1f %%\n", p, 100 * (b - a) / s
      if (r > 0) printf "%s_server_cpu_us_per_req %.1f us\n", p, 1e6 * (b - a) / (r * s) }'
  done
  stop
done
