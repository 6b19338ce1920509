#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-node-test.sh TEST.mjs: installs this folder's locked packages (jose) when they are missing,
# then runs the test, whose TAP output meson reads.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/jose ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2 || { echo "Bail out! npm ci failed"; exit 1; }
fi
exec node "$1"
