#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Validates every payload the C tests produce:
#   run.sh BUILD_DIR [PRODUCER...]
# Each PRODUCER (a test executable; test-refill-model from BUILD_DIR is added when it exists) runs with
# MEDREFILL_PAYLOAD_DIR set to a new temporary directory; then validate-payloads.mjs checks every
# refill-v2 payload against data/refill-v2.schema.json (ajv, draft 2020-12) and every FHIR
# payload against FHIR R4 (the npm package "fhir"), and checks that the known-bad samples in
# invalid/ are refused. The validators are installed from package-lock.json with `npm ci` when
# node_modules is missing (CI reaches the npm registry only).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run.sh BUILD_DIR [PRODUCER...]}
shift

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "Bail out! $tool is not installed: the payload validators need Node.js 18 or later and npm" \
         "(Debian: apt-get install nodejs npm)." >&2
    exit 1
  fi
done

if [ ! -d "$here/node_modules/ajv" ] || [ ! -d "$here/node_modules/fhir" ] \
   || [ ! -d "$here/node_modules/ajv-formats" ]; then
  echo "# installing the validators with npm ci in $here" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2 || {
    echo "Bail out! npm ci failed in $here: the npm registry must be reachable." >&2
    exit 1
  }
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/medrefill-payloads-XXXXXX")
trap 'rm -rf "$out"' EXIT INT TERM

producers="$*"
if [ -x "$build/tests/test-refill-model" ]; then
  producers="$producers $build/tests/test-refill-model"
fi
for exe in $producers; do
  if ! MEDREFILL_PAYLOAD_DIR="$out" "$exe" >"$out.log" 2>&1; then
    cat "$out.log" >&2
    rm -f "$out.log"
    echo "Bail out! $(basename "$exe") failed; its payloads were not validated." >&2
    exit 1
  fi
  rm -f "$out.log"
done

count=$(find "$out" -name '*.json' | wc -l)
if [ "$count" -lt 10 ]; then
  echo "Bail out! only $count payloads were produced; expected the tests to write many." >&2
  exit 1
fi

node "$here/validate-payloads.mjs" "$out"
node "$here/validate-payloads.mjs" --expect-invalid "$here/invalid"
