#!/usr/bin/env bash
# The crash test, twice:
#   1. against BUILD_DIR/sqsemu (default build/): 100 SIGKILLs under load, every invariant
#      must hold;
#   2. against a test-only build whose commits lie (build-crash-broken, release,
#      -Dcrash_test_broken_commit=true): a shorter run that must FAIL by finding lost
#      acknowledged messages, which proves the checker can see what it checks.
# Last line: "N passed, M failed". Exit status 0 only when both checks pass.
#
#   bash tests/crash/run.sh [BUILD_DIR]
#
# Environment: CRASH_KILLS / CRASH_BUDGET (default 100 / 150) for the first run,
# CRASH_SEED to replay a seed.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${1:-$ROOT/build}"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$PWD/$BUILD_DIR" ;; esac
BROKEN_DIR="$ROOT/build-crash-broken"
TEST="$ROOT/tests/crash/crash_test.py"
SEED_ARGS=()
[ -n "${CRASH_SEED:-}" ] && SEED_ARGS=(--seed "$CRASH_SEED")

passed=0
failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

out="$(mktemp "${TMPDIR:-/tmp}/sqsemu-crash-out-XXXXXX")"
trap 'rm -f "$out"' EXIT

# ---- 1. the real build survives
echo "== crash test against $BUILD_DIR/sqsemu"
if [ ! -x "$BUILD_DIR/sqsemu" ]; then
    fail "no sqsemu in $BUILD_DIR (build it first: meson setup build && ninja -C build)"
else
    start=$SECONDS
    timeout 420 python3 "$TEST" "$BUILD_DIR/sqsemu" --kills "${CRASH_KILLS:-100}" \
        --budget "${CRASH_BUDGET:-150}" "${SEED_ARGS[@]}" >"$out" 2>&1
    rc=$?
    cat "$out"
    if [ "$rc" -eq 0 ]; then
        pass "crash test: every invariant held ($((SECONDS - start)) s)"
    else
        fail "crash test exited with status $rc: the findings and the server log are above"
    fi
fi

# ---- 2. a build that loses acknowledged work is caught
echo "== crash test against a build with a broken commit path (must fail)"
if [ -f "$BROKEN_DIR/build.ninja" ]; then
    meson configure "$BROKEN_DIR" -Dbuildtype=release -Dcrash_test_broken_commit=true >"$out" 2>&1
else
    meson setup "$BROKEN_DIR" "$ROOT" --buildtype=release -Dcrash_test_broken_commit=true >"$out" 2>&1
fi
if [ $? -ne 0 ] || ! ninja -C "$BROKEN_DIR" sqsemu >>"$out" 2>&1; then
    cat "$out"
    fail "could not build the broken-commit variant in $BROKEN_DIR"
else
    start=$SECONDS
    timeout 300 python3 "$TEST" "$BROKEN_DIR/sqsemu" --kills 25 --budget 45 --discard \
        "${SEED_ARGS[@]}" >"$out" 2>&1
    rc=$?
    lost="$(sed -n 's/^FINDINGS lost=\([0-9]*\) .*/\1/p' "$out")"
    if [ "$rc" -eq 1 ] && [ "${lost:-0}" -gt 0 ]; then
        # the summary, the counts and a few of the findings are enough here
        grep -v -e '^  [A-Z-]*: ' -e '^=== crash test: start' "$out" | sed '/^---- server log/,$d'
        grep -m 5 '^  LOST: ' "$out"
        pass "broken commit path detected: $lost acknowledged message(s) reported lost ($((SECONDS - start)) s)"
    else
        cat "$out"
        fail "the checker did not report lost messages against the broken build (status $rc)"
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
