#!/usr/bin/env bash
# Runs the @aws-sdk/client-sqs and @aws-sdk/client-lambda integration tests against the
# real sqsemu binary ($SQSEMU_BIN or <repo>/build/sqsemu) with node's built-in test runner.
# Output always ends with node's TAP summary ("# pass N" / "# fail M").
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE" || exit 1

summary_fail() {
  echo "# $1"
  echo "# tests 1"
  echo "# pass 0"
  echo "# fail 1"
  exit 1
}

command -v node >/dev/null 2>&1 || summary_fail "node is not installed"
command -v npm >/dev/null 2>&1 || summary_fail "npm is not installed"
# @aws-sdk/client-sqs and client-lambda need node >= 20; --test-timeout needs >= 20.11.
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 11) ? 0 : 1)' \
  || summary_fail "node $(node --version) is too old: need >= 20.11"

if [ ! -f node_modules/@aws-sdk/client-sqs/package.json ] || [ ! -f node_modules/@aws-sdk/client-lambda/package.json ]; then
  if [ -f package-lock.json ]; then
    timeout 300 npm ci --no-audit --no-fund --loglevel=error >npm-install.log 2>&1
  else
    timeout 300 npm install --no-audit --no-fund --loglevel=error >npm-install.log 2>&1
  fi
  status=$?
  if [ $status -ne 0 ]; then
    tail -n 30 npm-install.log
    rm -f npm-install.log
    summary_fail "npm dependency install failed (exit $status)"
  fi
  rm -f npm-install.log
fi

shopt -s nullglob
files=(*.test.js)
[ ${#files[@]} -gt 0 ] || summary_fail "no *.test.js files found"

out="$(mktemp "${TMPDIR:-/tmp}/sqsemu-js-tests.XXXXXX")"
trap 'rm -f "$out"' EXIT

# TAP reporter: it prints the "# pass N" / "# fail M" summary. Each test is bounded by
# --test-timeout and the whole run by timeout(1).
timeout -k 10 600 node --test --test-reporter=tap --test-timeout=180000 "${files[@]}" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}

if ! grep -qE '^# fail [0-9]+' "$out"; then
  if [ "$status" -eq 124 ]; then
    summary_fail "node --test was stopped after 600 s"
  fi
  summary_fail "node --test ended (exit $status) without a summary"
fi
exit "$status"
