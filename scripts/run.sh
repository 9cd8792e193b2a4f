#!/usr/bin/env bash
# Installs what is missing, builds, and starts sqsemu in the foreground on 127.0.0.1:9324
# with its embedded SQLite store in ./.sqsemu. Extra arguments go to sqsemu (see --help).
# The set-up prints one line per step it takes (installing, configuring, compiling) and,
# when one fails, that tool's output.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! scripts/setup.sh; then
  echo "run.sh: the set-up failed (see above); sqsemu was not started" >&2
  exit 1
fi
exec build/sqsemu "$@"
