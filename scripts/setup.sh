#!/usr/bin/env bash
# Installs what sqsemu needs on Debian 12 (only what is missing) and builds it.
#   scripts/setup.sh           build dependencies + release build in build/
#   scripts/setup.sh --test    also the test dependencies (cmocka, clang and libFuzzer, boto3,
#                              aws CLI version 2, node)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=false
[ "${1:-}" = "--test" ] && want_tests=true

packages=(gcc meson ninja-build pkg-config libmicrohttpd-dev libsqlite3-dev libcjson-dev uuid-dev libssl-dev libzip-dev)
if $want_tests; then
  packages+=(libcmocka-dev curl clang libclang-rt-14-dev)
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
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release >/dev/null
fi
ninja -C build >/dev/null
echo "setup: built build/sqsemu" >&2
