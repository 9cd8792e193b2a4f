#!/usr/bin/env bash
# bench/smoke.sh — the benchmark tools still work: one short pass of bench/compare.sh
# (--smoke: 1 s phases, small long-poll, idle and depth counts, a 20-message trigger run, no
# moto), then checks that every figure the results table needs was produced. No figure is
# judged: benchmarks are not tests. Ends with "N passed, M failed" (one check per figure).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/sqsemu-bench-smoke.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
. "$ROOT/bench/harness.sh"
find_harness "$ROOT"
if [ -z "$HARNESS" ]; then
  echo "bench smoke skipped: the shared load harness (bench.sh) was not found; set SQSEMU_BENCH_DIR"
  echo "0 passed, 0 failed"
  exit 0
fi
export SQSEMU_BENCH_DIR=$HARNESS
if ! timeout 900 bash "$ROOT/bench/compare.sh" --smoke -o "$OUT" > "$OUT/compare.log" 2>&1; then
  tail -40 "$OUT/compare.log"
  echo "0 passed, 1 failed"
  exit 1
fi
passed=0 failed=0
for figure in "SendMessage, 32 conns, file store" "SendMessageBatch(10), 32 conns, file store" \
              "Receive(10)+DeleteBatch drain, 32 conns, file store" "sqsemu --in-memory SendMessage, 32 conns" \
              "ceiling: mhd_fixed, one epoll thread, 32 conns" "long-poll wake-up p50" \
              "server CPU with 1000 idle long polls" "trigger BatchSize 10: pick-up p50" \
              "start-up to first answer" "idle RSS"; do
  line=$(grep -F "| $figure" "$OUT/results.md" | head -1)
  if [ -n "$line" ] && ! echo "$line" | grep -q "not measured"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "bench smoke: no figure for '$figure': ${line:-(no row)}"
  fi
done
[ "$failed" -gt 0 ] && { cat "$OUT/results.md"; tail -40 "$OUT/compare.log"; }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
