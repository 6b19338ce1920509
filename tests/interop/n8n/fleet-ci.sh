#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The short fleet run of the n8n suite (issue 16): n8n in queue mode (run-n8n.sh start-queue, in
# a state directory of its own), 5 kiosks × 4 requests through the app's outbox, the first of
# each kiosk with another patient's token (to be refused), and one of each fault while they are
# sent, the app-side one second (answers cut after n8n filed the request, for 3 s); fails unless
# every valid request is accepted and filed exactly once and every refused one is held with a
# reason. @1 is the fleet program. Stops everything it started, whatever happens.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fleet="${1:?usage: fleet-ci.sh FLEET_PROGRAM}"
state="$(mktemp -d "${TMPDIR:-/tmp}/medrefill-fleet.XXXXXX")"
cleanup () {
  "$here/run-n8n.sh" teardown "$state" >/dev/null 2>&1 || true
  if [ -n "${KEEP_N8N_STATE:-}" ]; then
    echo "fleet: n8n's files and logs: $state" >&2
  else
    rm -rf "$state"
  fi
}
trap cleanup EXIT
"$here/run-n8n.sh" start-queue "$state" || { echo "fleet: n8n did not start in queue mode" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
. "$state/n8n.env"
set +a
"$fleet" --label ci --kiosks 5 --requests 4 --invalid 1 --rate 0.5 \
  --faults worker@2,cut@4,webhook@6,redis@8,postgres@10,main@12 --drain 90 --check --max-held 5
