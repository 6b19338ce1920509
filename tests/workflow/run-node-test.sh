#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-node-test.sh SCRIPT.mjs [ARGUMENTS…]: installs this folder's locked packages (jose) when they
# are missing, then runs the script in this folder (a test, whose TAP output meson reads, or
# verify-cases.mjs for test-sink-parity; paths in ARGUMENTS must be absolute).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/jose ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2 || { echo "Bail out! npm ci failed"; exit 1; }
fi
exec node "$@"
