#!/usr/bin/env bash
# Installs what sqsemu needs on Debian 12 (only what is missing) and builds it.
#   scripts/setup.sh           build dependencies + release build in build/
#   scripts/setup.sh --test    also the test dependencies (cmocka, clang and libFuzzer, boto3,
#                              aws CLI version 2, node, chromium and the console tests'
#                              npm packages)
# Prints one "setup: ..." line per step it takes and nothing else on success; when a step
# fails it prints that tool's output and what to do, and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=false
[ "${1:-}" = "--test" ] && want_tests=true

LOG=$(mktemp "${TMPDIR:-/tmp}/sqsemu-setup.XXXXXX")
trap 'rm -f "$LOG"' EXIT

# step DESCRIPTION ADVICE COMMAND...: runs COMMAND with its output kept aside; on failure
# shows that output and ADVICE.
step() {
  local what=$1 advice=$2
  shift 2
  echo "setup: $what" >&2
  if ! "$@" >"$LOG" 2>&1; then
    {
      echo "setup: failed: $what"
      echo "---- its output ----"
      cat "$LOG"
      echo "----"
      echo "setup: $advice"
    } >&2
    exit 1
  fi
}

packages=(gcc meson ninja-build pkg-config libmicrohttpd-dev libsqlite3-dev libcjson-dev uuid-dev libssl-dev libzip-dev libyaml-dev)
if $want_tests; then
  packages+=(libcmocka-dev curl clang libclang-rt-14-dev)
  # wrk drives the benchmark harness, whose short smoke run is one of the suites.
  command -v wrk >/dev/null 2>&1 || packages+=(wrk)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
  # boto3 in the machine's python3; Debian's python3-boto3 where it is missing.
  python3 -c 'import boto3' >/dev/null 2>&1 || packages+=(python3-boto3)
  # The aws CLI: Debian's awscli is version 2, which has `aws logs tail` (test_logs.py finds
  # it as /usr/bin/aws even when a version 1 comes first on PATH).
  aws_v2=false
  for cli in "$(command -v aws || true)" /usr/bin/aws; do
    if [ -n "$cli" ] && [ -x "$cli" ] && "$cli" --version 2>&1 | grep -q '^aws-cli/2'; then aws_v2=true; fi
  done
  $aws_v2 || packages+=(awscli)
  # Debian's chromium, which the console's browser tests drive headless (tests/console).
  command -v chromium >/dev/null 2>&1 || packages+=(chromium)
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: this script installs packages with apt-get (Debian 12). Elsewhere install" \
       "${packages[*]} (or your system's equivalents) yourself, then run:" \
       "meson setup build --buildtype=release && ninja -C build" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "setup: ${missing[*]} must be installed, which needs root: run this as root or install sudo" >&2
      exit 1
    }
    SUDO=(sudo)
  fi
  apt_advice="apt-get failed (output above): check the network and the sources in /etc/apt, then run this again"
  step "updating the package lists (apt-get update)" "$apt_advice" "${SUDO[@]}" apt-get update -qq
  step "installing ${missing[*]} (apt-get)" "$apt_advice" \
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if [ ! -f build/build.ninja ]; then
  step "configuring build/ (meson)" \
    "meson could not configure the build (output above): install what it reports missing, or remove build/ and run this again" \
    meson setup build --buildtype=release
fi
if ! ninja -C build -n 2>/dev/null | grep -q "no work to do"; then
  step "compiling (ninja)" \
    "the build failed (compiler output above): fix the error, or remove build/ and run this again" \
    ninja -C build
fi
echo "setup: built build/sqsemu" >&2

if $want_tests && [ ! -f tests/console/node_modules/playwright-core/package.json ]; then
  step "installing the console tests' npm packages (npm ci in tests/console)" \
    "npm ci failed (output above): check the network and npm's registry settings, then run this again" \
    npm ci --prefix tests/console --no-audit --no-fund --loglevel=error
fi
