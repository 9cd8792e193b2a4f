# bench/harness.sh — sourced by the bench scripts: sets HARNESS to the directory of the
# shared load harness (the one holding bench.sh), or leaves it empty when none is found.
# Looked for in order: $SQSEMU_BENCH_DIR; ../shared/bench beside the repository; the first
# shared/bench/bench.sh found at most five directory levels below / (a checkout elsewhere,
# e.g. a CI clone in a temporary directory), searched for at most 20 seconds.
find_harness() {
  local root=$1 found
  if [ -n "${SQSEMU_BENCH_DIR:-}" ]; then
    HARNESS=$SQSEMU_BENCH_DIR
  elif [ -x "$root/../shared/bench/bench.sh" ]; then
    HARNESS=$root/../shared/bench
  else
    found=$(timeout 20 find / -maxdepth 5 -path /proc -prune -o -path /sys -prune -o -type f \
              -path '*/shared/bench/bench.sh' -print 2>/dev/null | head -1 || true)
    HARNESS=${found%/bench.sh}
  fi
  if [ -n "$HARNESS" ] && [ -x "$HARNESS/bench.sh" ]; then
    HARNESS=$(cd "$HARNESS" && pwd)
  else
    HARNESS=
  fi
}
