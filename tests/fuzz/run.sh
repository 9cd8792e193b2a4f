#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/, ASan + UBSan), replays every saved
# regression input, then fuzzes each target for FUZZ_SECONDS seconds from a temporary copy
# of its seed corpus (the committed corpus never grows). Prints one line per target with
# its number of executions and ends with "N passed, M failed".
#
#   FUZZ_SECONDS=20        seconds of fuzzing per target
#   FUZZ_TARGETS="a b"     only these targets (default: all of tests/fuzz/meson.build)
#   FUZZ_BUILD_DIR=dir     build directory (default: build-fuzz)
#   FUZZ_KEEP=1            keep the temporary directory (corpora, logs) even on success
#
# A target passes when its regressions replay without a crash and fuzzing finds no crash,
# leak, timeout or out-of-memory. Failing inputs are kept (path and first bytes printed).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
RSS_LIMIT_MB=2048
ALL_TARGETS="fuzz_sqs_json fuzz_sqs_query fuzz_receipt fuzz_queue_ref fuzz_filter fuzz_batch_response
fuzz_runtime_api fuzz_zip fuzz_cfn_yaml"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}

fail() {
    echo "tests/fuzz/run.sh: $*" >&2
    exit 1
}

command -v clang >/dev/null || fail "clang is not installed (apt-get install clang libclang-rt-14-dev)"
command -v meson >/dev/null || fail "meson is not installed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sqsemu-fuzz-XXXXXX") || fail "cannot create a temporary directory"

# ---- build ------------------------------------------------------------------------------
log="$WORK/build.log"
if [ -f "$BUILD/build.ninja" ]; then
    meson setup --reconfigure "$BUILD" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
        >"$log" 2>&1
else
    CC=clang meson setup "$BUILD" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbuildtype=debugoptimized >"$log" 2>&1
fi
status=$?
if [ $status -eq 0 ]; then
    # shellcheck disable=SC2086
    ninja -C "$BUILD" $(for t in $TARGETS; do printf 'tests/fuzz/%s ' "$t"; done) >>"$log" 2>&1
    status=$?
fi
if [ $status -ne 0 ]; then
    cat "$log" >&2
    echo "tests/fuzz/run.sh: BUILD FAILED (output above; temporary files in $WORK)" >&2
    exit 1
fi

# ---- run ----------------------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
mkdir -p "$WORK/tmp"
export TMPDIR="$WORK/tmp" # scratch directories of the targets

show_input() {
    echo "    input: $1 ($(wc -c <"$1") bytes), first bytes:"
    od -A x -t x1z -N 64 -v "$1" | sed 's/^/      /'
}

passed=0
failed=0
summary=()
for t in $TARGETS; do
    exe="$BUILD/tests/fuzz/$t"
    [ -x "$exe" ] || fail "no fuzz target $exe"
    timeout_s=10
    [ "$t" = fuzz_runtime_api ] && timeout_s=30
    ok=1
    notes=""

    # Saved crashes must stay fixed.
    regressions=("$ROOT/tests/fuzz/regressions/$t"/*)
    replayed=0
    if [ -e "${regressions[0]}" ]; then
        for input in "${regressions[@]}"; do
            if ! "$exe" -rss_limit_mb=$RSS_LIMIT_MB -timeout=$timeout_s "$input" >"$WORK/$t.replay.log" 2>&1; then
                ok=0
                echo "$t: REGRESSION $(basename "$input") crashes again:" >&2
                tail -n 40 "$WORK/$t.replay.log" | sed 's/^/    /' >&2
                show_input "$input" >&2
            fi
            replayed=$((replayed + 1))
        done
    fi

    corpus="$WORK/corpus/$t"
    artifacts="$WORK/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    cp -r "$ROOT/tests/fuzz/corpus/$t/." "$corpus/" 2>/dev/null
    runlog="$WORK/$t.log"
    "$exe" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=$RSS_LIMIT_MB -timeout=$timeout_s \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$runlog" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$runlog" | tail -n 1)
    found=("$artifacts"/*)
    if [ $rc -ne 0 ] || [ -e "${found[0]}" ]; then
        ok=0
        echo "$t: FUZZING FOUND A PROBLEM (exit $rc):" >&2
        first=$(grep -n -m 1 -E 'INVARIANT VIOLATED|==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer' "$runlog" |
            cut -d: -f1)
        if [ -n "$first" ]; then
            sed -n "${first},$((first + 60))p" "$runlog"
        else
            tail -n 30 "$runlog"
        fi | sed 's/^/    /' >&2
        for input in "${found[@]}"; do
            [ -e "$input" ] && show_input "$input" >&2
        done
        notes=" (log: $runlog)"
    fi
    if [ $ok -eq 1 ]; then
        passed=$((passed + 1))
        verdict=passed
    else
        failed=$((failed + 1))
        verdict=FAILED
    fi
    line=$(printf '%-20s %10s executions in %ss, %d regressions replayed: %s%s' \
        "$t" "${execs:-?}" "$SECONDS_PER_TARGET" "$replayed" "$verdict" "$notes")
    echo "$line"
    summary+=("$line")
done

if [ $failed -eq 0 ] && [ "${FUZZ_KEEP:-0}" != 1 ]; then
    rm -rf "$WORK"
else
    echo "temporary files (corpora, logs, failing inputs): $WORK"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
