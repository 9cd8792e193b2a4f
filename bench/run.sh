#!/usr/bin/env bash
# bench/run.sh — measure sqsemu with the project's shared load harness.
#
#   bench/run.sh [run.sh options] [bench.sh options]
#
# Builds the release binary (build-release/, only what ninja finds out of date), starts
# sqsemu on a free 127.0.0.1 port with a throw-away --data-dir, runs the shared harness
# (bench.sh) against it with SERVER_PID set (so server CPU per message and idle CPU are
# reported), stops the server by its PID and prints where the results are.
#
# run.sh options:
#   --in-memory        start sqsemu with --in-memory (no SQLite file, nothing on disk)
#   --ceiling          also measure the bare-libmicrohttpd ceiling (bench/ceiling.sh)
#                      in the same session, before the sqsemu run
#   --max-seconds S    hard limit for the whole harness run (default 300 + 900 per run)
#   --server-arg ARG   extra argument for sqsemu (repeatable), e.g. --server-arg --log-level=warn
#   -h, --help         this text
# bench.sh options, passed through unchanged (see the harness's -h):
#   -t TESTS (phases, letters of abcdef), -d SECS, -r RUNS, -c "N M", -o DIR, -l LABEL
#
# Environment: SQSEMU_BENCH_DIR (the shared harness; default ../shared/bench beside the
# repository), and everything bench.sh reads (PREFILL_MAX, IDLE_CONNS, ...).
# Results: bench-out/<label>-<time>/ in the repository (git-ignored) unless -o is given.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/harness.sh"
find_harness "$ROOT"
BUILD=$ROOT/build-release
BIN=$BUILD/sqsemu

usage() { awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"; exit "${1:-0}"; }
say() { echo "[run.sh] $*" >&2; }

IN_MEMORY=0
CEILING=0
MAX_SECONDS=
SERVER_ARGS=()
PASS=()
RUNS=${RUNS:-1}
OUT_GIVEN=
LABEL_GIVEN=
while [ $# -gt 0 ]; do
  case $1 in
    --in-memory) IN_MEMORY=1 ;;
    --ceiling) CEILING=1 ;;
    --max-seconds) MAX_SECONDS=${2:?--max-seconds needs a value}; shift ;;
    --max-seconds=*) MAX_SECONDS=${1#*=} ;;
    --server-arg) SERVER_ARGS+=("${2:?--server-arg needs a value}"); shift ;;
    --server-arg=*) SERVER_ARGS+=("${1#*=}") ;;
    -h|--help) usage 0 ;;
    -t|-d|-c) PASS+=("$1" "${2:?$1 needs a value}"); shift ;;
    -r) RUNS=${2:?-r needs a value}; PASS+=("$1" "$2"); shift ;;
    -o) OUT_GIVEN=${2:?-o needs a value}; shift ;;
    -l) LABEL_GIVEN=${2:?-l needs a value}; shift ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
  shift
done
case $RUNS in ''|*[!0-9]*) echo "-r needs a number" >&2; exit 2 ;; esac
[ -n "$MAX_SECONDS" ] || MAX_SECONDS=$((300 + 900 * RUNS))

[ -n "$HARNESS" ] || { echo "the shared load harness (bench.sh) was not found: set SQSEMU_BENCH_DIR" >&2; exit 2; }

# --- tools ---------------------------------------------------------------------------
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "need root (or sudo) to run: $*" >&2; return 1; fi; }
if ! command -v wrk >/dev/null; then
  say "installing wrk"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 2; }

# --- release build (ninja rebuilds only what changed) -----------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
  say "configuring $BUILD"
  meson setup "$BUILD" "$ROOT" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" sqsemu >/dev/null || { echo "release build failed (ninja -C $BUILD)" >&2; exit 1; }

# --- the bare-libmicrohttpd ceiling, same session ---------------------------------------
STAMP=$(date +%Y%m%d-%H%M%S)
LABEL=${LABEL_GIVEN:-sqsemu$([ "$IN_MEMORY" = 1 ] && echo -inmem || true)}
OUT=${OUT_GIVEN:-$ROOT/bench-out/$LABEL-$STAMP}
mkdir -p "$OUT"
if [ "$CEILING" = 1 ]; then
  DUR=10
  for ((i = 0; i < ${#PASS[@]}; i++)); do [ "${PASS[$i]}" = -d ] && DUR=${PASS[$((i + 1))]}; done
  say "ceiling: mhd_fixed, ${DUR}s per point"
  SQSEMU_BENCH_DIR=$HARNESS timeout --foreground 600 bash "$ROOT/bench/ceiling.sh" -d "$DUR" > "$OUT/ceiling.txt"
fi

# --- server ---------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sqsemu-bench.XXXXXX")
SERVER_PID=
HARNESS_PID=
stop_harness() {  # the timeout(1) wrapper leads its own process group: bench.sh, wrk, python
  if [ -n "$HARNESS_PID" ] && kill -0 "$HARNESS_PID" 2>/dev/null; then
    kill -TERM "$HARNESS_PID" 2>/dev/null || true
    wait "$HARNESS_PID" 2>/dev/null || true
  fi
  HARNESS_PID=
}
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      say "server $SERVER_PID did not stop within 10 s, sending SIGKILL"
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
cleanup() { stop_harness; stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port chosen here (not --port 0 and the start-up line: --server-arg may silence it);
# ready = the port accepts connections. Retried if another process took the port meanwhile.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
accepts() { python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()' "$1" 2>/dev/null; }
PORT=
for attempt in 1 2 3; do
  port=$(free_port)
  ARGS=(--host 127.0.0.1 --port "$port" --data-dir "$WORK/data")
  [ "$IN_MEMORY" = 1 ] && ARGS+=(--in-memory)
  "$BIN" "${ARGS[@]}" ${SERVER_ARGS[@]+"${SERVER_ARGS[@]}"} > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do   # up to 10 s
    kill -0 "$SERVER_PID" 2>/dev/null || break
    if accepts "$port"; then PORT=$port; break; fi
    sleep 0.1
  done
  [ -n "$PORT" ] && break
  stop_server
  say "start attempt $attempt failed: $(tail -1 "$WORK/server.log")"
done
if [ -z "$PORT" ]; then
  echo "sqsemu did not start:" >&2; cat "$WORK/server.log" >&2; exit 1
fi
ENDPOINT=http://127.0.0.1:$PORT
say "sqsemu pid $SERVER_PID on $ENDPOINT ($([ "$IN_MEMORY" = 1 ] && echo in memory || echo "data in $WORK/data"))"

{
  echo "server_binary $BIN"
  echo "server_args ${ARGS[*]} ${SERVER_ARGS[*]:-}"
  echo "server_commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- src include meson.build 2>/dev/null || echo -dirty)"
} > "$OUT/server.txt"

status=0
# in the background so that a signal to this script is handled at once (wait returns)
SERVER_PID=$SERVER_PID timeout --kill-after=10 "$MAX_SECONDS" \
  bash "$HARNESS/bench.sh" -o "$OUT" -l "$LABEL" ${PASS[@]+"${PASS[@]}"} "$ENDPOINT" &
HARNESS_PID=$!
wait "$HARNESS_PID" || status=$?
HARNESS_PID=
[ "$status" = 124 ] && say "the harness hit the ${MAX_SECONDS}s limit"

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  say "WARNING: the server exited during the run"
  [ "$status" = 0 ] && status=1
fi
echo "server_rss_end_mb $(awk '/^VmRSS:/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status" 2>/dev/null || echo nan) MiB" >> "$OUT/server.txt"
stop_server
cp "$WORK/server.log" "$OUT/server.log"
[ -f "$OUT/ceiling.txt" ] && { echo "== ceiling (mhd_fixed, same session)"; cat "$OUT/ceiling.txt"; }
echo "== results in $OUT (summary.txt, table.txt, run*.txt, raw/, server.log)"
exit "$status"
