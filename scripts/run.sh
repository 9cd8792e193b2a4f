#!/usr/bin/env bash
# Installs what is missing, builds, and starts sqsemu in the foreground on 127.0.0.1:9324
# with its embedded SQLite store in ./.sqsemu. Extra arguments go to sqsemu (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/sqsemu "$@"
