#!/usr/bin/env bash
# Runs the console's browser tests (tests/console/*.test.js, node's built-in test runner,
# playwright-core driving Debian's chromium) against a release sqsemu this script starts on
# 127.0.0.1 with a temporary data dir, and stops by its PID when done.
# Output ends with one line "N passed, M failed" (", K skipped" added when tests were
# skipped). Without chromium nothing runs: the reason is printed and the suite counts as
# skipped, not passed. Screenshots of each page go to tests/console/artifacts/.
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$HERE" || exit 1

fail() {
  echo "console tests: $1"
  echo "0 passed, 1 failed"
  exit 1
}

CHROMIUM="$(command -v chromium || true)"
if [ -z "$CHROMIUM" ]; then
  echo "console tests skipped: chromium is not installed (apt-get install chromium, or scripts/setup.sh --test)"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
command -v node >/dev/null 2>&1 || fail "node is not installed"
command -v npm >/dev/null 2>&1 || fail "npm is not installed"
# playwright-core and @aws-sdk/client-lambda need node >= 20; --test-timeout needs >= 20.11.
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 11) ? 0 : 1)' \
  || fail "node $(node --version) is too old: need >= 20.11"

if [ ! -f node_modules/playwright-core/package.json ] || [ ! -f node_modules/@aws-sdk/client-lambda/package.json ]; then
  if ! timeout 300 npm ci --no-audit --no-fund --loglevel=error >npm-install.log 2>&1; then
    tail -n 30 npm-install.log
    rm -f npm-install.log
    fail "npm ci failed"
  fi
  rm -f npm-install.log
fi

BIN="${SQSEMU_BIN:-$ROOT/build/sqsemu}"
[ -x "$BIN" ] || fail "no sqsemu binary at $BIN (build it: meson setup build --buildtype=release && ninja -C build)"

export SQSEMU_ACCOUNT=123456789012
export SQSEMU_REGION=us-east-1
export SQSEMU_CHROMIUM="$CHROMIUM"
export SQSEMU_ARTIFACTS="$HERE/artifacts"
# This run's screenshots only.
rm -rf "$SQSEMU_ARTIFACTS"
mkdir -p "$SQSEMU_ARTIFACTS"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sqsemu-console.XXXXXX")"
PID=""
stop_server() {
  if [ -n "$PID" ]; then
    kill -TERM "$PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=""
  fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Up to three tries: another process may take the free port before sqsemu binds it.
healthy=false
for _ in 1 2 3; do
  PORT="$(free_port)"
  rm -rf "$WORK/data"
  mkdir -p "$WORK/data"
  "$BIN" --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/data" --log-level warn \
    --account-id "$SQSEMU_ACCOUNT" --region "$SQSEMU_REGION" >"$WORK/server.log" 2>&1 &
  PID=$!
  export SQSEMU_URL="http://127.0.0.1:$PORT"
  # Bounded wait (10 s) for GET /_sqsemu/health to answer 200.
  if node -e '
      const url = process.env.SQSEMU_URL + "/_sqsemu/health";
      const deadline = Date.now() + 10000;
      (async () => {
        while (Date.now() < deadline) {
          try { if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) process.exit(0); } catch {}
          await new Promise((r) => setTimeout(r, 50));
        }
        process.exit(1);
      })();' && kill -0 "$PID" 2>/dev/null; then
    healthy=true
    break
  fi
  stop_server
done
if ! $healthy; then
  tail -n 30 "$WORK/server.log"
  fail "sqsemu ($BIN) did not answer GET /_sqsemu/health"
fi

shopt -s nullglob
files=(*.test.js)
[ ${#files[@]} -gt 0 ] || fail "no *.test.js files found"

# One file at a time: they share the server and its clock. Each test is bounded by
# --test-timeout, the whole run by timeout(1).
out="$WORK/tap.txt"
timeout -k 10 900 node --test --test-reporter=tap --test-concurrency=1 --test-timeout=180000 \
  "${files[@]}" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}

stop_server
pass=$(grep -E '^# pass [0-9]+' "$out" | awk '{print $3}' | tail -1)
failed=$(grep -E '^# fail [0-9]+' "$out" | awk '{print $3}' | tail -1)
skipped=$(grep -E '^# skipped [0-9]+' "$out" | awk '{print $3}' | tail -1)
if [ -z "$failed" ]; then
  [ "$status" -eq 124 ] && fail "node --test was stopped after 900 s"
  fail "node --test ended (exit $status) without a summary"
fi
pass=${pass:-0}; skipped=${skipped:-0}
if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
  echo "---- sqsemu's log (last 40 lines) ----"
  tail -n 40 "$WORK/server.log"
fi
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
line="$pass passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
