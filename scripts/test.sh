#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite:
#   unit tests (cmocka) in a release build and in an AddressSanitizer+UBSan build,
#   integration tests (boto3 over JSON and query, aws CLI, JS SDK) against the sanitizer build,
#   the console's browser tests (headless chromium) against the release build,
#   the libFuzzer targets for a bounded time, and the kill -9 crash test.
# Ends with one line "N passed, M failed" summing all suites (a line before it counts the
# suites that could not run here, e.g. the console's without chromium); exits non-zero on any
# failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
scripts/setup.sh --test || { echo "0 passed, 1 failed"; exit 1; }

LOGS=$(mktemp -d)
total_pass=0
total_fail=0
total_skip=0
add() {  # add SUITE PASSED FAILED
  echo "== $1: $2 passed, $3 failed" >&2
  total_pass=$((total_pass + $2))
  total_fail=$((total_fail + $3))
}

# Python with boto3: the machine's python3, else Debian's.
PY=python3
python3 -c 'import boto3' >/dev/null 2>&1 || PY=/usr/bin/python3

# Sanitizer build used by the integration tests.
# On failure the tool's output is shown (it is kept aside otherwise).
asan_failed() {
  echo "test.sh: $1 failed:" >&2
  cat "$LOGS/asan-build.txt" >&2
  echo "0 passed, 1 failed"
  exit 1
}
if [ ! -f build-asan/build.ninja ]; then
  echo "test.sh: configuring build-asan/ (meson)" >&2
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug \
    >"$LOGS/asan-build.txt" 2>&1 || asan_failed "meson setup build-asan"
fi
ninja -C build-asan >"$LOGS/asan-build.txt" 2>&1 || asan_failed "ninja -C build-asan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_unit() {  # run_unit BUILD_DIR LABEL
  for t in "$1"/tests/unit/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    local name; name="$2/$(basename "$t")"
    local out="$LOGS/$(echo "$name" | tr / _).txt"
    timeout 300 "$t" >"$out" 2>&1
    local code=$?
    local p f
    p=$(grep -oE '\[  PASSED  \] [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -1)
    f=$(grep -oE '\[  FAILED  \] [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -1)
    p=${p:-0}; f=${f:-0}
    if [ $code -ne 0 ] && [ "$f" -eq 0 ]; then f=1; cat "$out" >&2; fi
    [ "$f" -gt 0 ] && cat "$out" >&2
    add "$name" "$p" "$f"
  done
}

run_unit build unit
run_unit build-asan unit-asan

# Integration suites against the sanitizer build.
export SQSEMU_BIN="$ROOT/build-asan/sqsemu"
out="$LOGS/python.txt"
timeout 2400 "$PY" tests/integration/python/run.py >"$out" 2>&1
code=$?
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
p=${p:-0}; f=${f:-0}
if [ $code -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
[ "$f" -gt 0 ] && grep -E -A40 '^(FAIL|ERROR):' "$out" >&2
add "python (boto3 json+query, aws CLI)" "$p" "$f"

out="$LOGS/runtimes.txt"
timeout 600 "$PY" -m unittest discover -s tests/runtimes -p 'test_*.py' -v >"$out" 2>&1
code=$?
ran=$(grep -oE '^Ran [0-9]+ test' "$out" | awk '{print $2}' | tail -1)
bad=$(grep -oE '(failures|errors)=[0-9]+' "$out" | awk -F= '{s+=$2} END {print s+0}')
ran=${ran:-0}; bad=${bad:-0}
if [ $code -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
[ "$bad" -gt 0 ] && tail -60 "$out" >&2
add "runtime clients (python, node)" "$((ran - bad))" "$bad"

out="$LOGS/js.txt"
timeout 900 bash tests/integration/js/run.sh >"$out" 2>&1
code=$?
p=$(grep -E '^# pass [0-9]+' "$out" | awk '{print $3}' | tail -1)
f=$(grep -E '^# fail [0-9]+' "$out" | awk '{print $3}' | tail -1)
p=${p:-0}; f=${f:-0}
if [ $code -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
[ "$f" -gt 0 ] && tail -80 "$out" >&2
add "js (@aws-sdk/client-sqs, client-lambda)" "$p" "$f"

# The console's browser tests in headless chromium, against the release build (their
# run.sh starts it); skipped, with the reason, where chromium is missing.
out="$LOGS/console.txt"
SQSEMU_BIN="$ROOT/build/sqsemu" timeout 1200 bash tests/console/run.sh >"$out" 2>&1
code=$?
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}' | tr -d ,)
s=$(echo "$line" | grep -oE '[0-9]+ skipped' | awk '{print $1}')
p=${p:-0}; f=${f:-0}; s=${s:-0}
if [ $code -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
[ "$f" -gt 0 ] && tail -120 "$out" >&2
if [ "$s" -gt 0 ]; then
  grep -E '^console tests skipped' "$out" >&2
  total_skip=$((total_skip + s))
fi
add "console (playwright-core, chromium)" "$p" "$f"

# A suite whose last line is "N passed, M failed": run_counted LABEL TIMEOUT COMMAND...
run_counted() {
  local label=$1 limit=$2
  shift 2
  local out="$LOGS/$(echo "$label" | tr ' /' '__').txt"
  timeout "$limit" "$@" >"$out" 2>&1
  local code=$?
  local line p f
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
  p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
  p=${p:-0}; f=${f:-0}
  if [ $code -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  [ "$f" -gt 0 ] && tail -120 "$out" >&2
  add "$label" "$p" "$f"
}

# libFuzzer targets (clang), each for a bounded time from its committed corpus.
run_counted "fuzz (libFuzzer, ${FUZZ_SECONDS:-20} s a target)" 900 bash tests/fuzz/run.sh

# SIGKILL under load, then a build whose commits lie, which the checker must catch.
run_counted "crash test (kill -9 under load)" 900 bash tests/crash/run.sh build

run_counted "bench smoke (harness, ceiling, trigger; no figure judged)" 900 bash bench/smoke.sh
if grep -h '^bench smoke skipped' "$LOGS"/bench_smoke* >&2; then total_skip=$((total_skip + 1)); fi

rm -rf "$LOGS"
# Skipped suites are said on their own line: the last line is always "N passed, M failed".
[ "$total_skip" -gt 0 ] && echo "($total_skip skipped: see the reasons above)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
