#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The reference workflow's de-duplication (data/n8n/file-once.sql on data/n8n/schema.sql) against a
# real PostgreSQL, started here on 127.0.0.1 (tests/support/run-postgres.sh): a new key is filed
# once; the same key and body answers the first reference; the same key with another body is a
# conflict and files nothing; a repeat racing the first attempt waits for it and never files a
# second row; a statement that fails half-way files nothing. TAP output.
set -uo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
state="$(mktemp -d "${TMPDIR:-/tmp}/medrefill-pg.XXXXXX")"
trap '"$top/tests/support/run-postgres.sh" stop "$state"; rm -rf "$state"' EXIT

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }
check () { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got: $3"; fi
}

if ! "$top/tests/support/run-postgres.sh" start "$state" 2>"$state/start.log"; then
  echo "1..0 # the PostgreSQL server could not start: $(tail -n 1 "$state/start.log")"
  echo "Bail out! no PostgreSQL"
  exit 1
fi
# shellcheck disable=SC1091
. "$state/postgres.env"
export PGHOST PGPORT PGUSER PGDATABASE=medrefill
psql () { "$MEDREFILL_PG_BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }

# The statement exactly as the workflow's Postgres node runs it, with its seven parameters.
prepare="PREPARE file_once (uuid, text, text, text, text, text, text) AS
$(grep -v '^--' "$top/data/n8n/file-once.sql");"
file_once () { # KEY SHA REFERENCE MODE PATIENT SUBMITTER BODY → "outcome|reference"
  local submitter="NULL"
  [ -n "$6" ] && submitter="'$6'"
  psql -c "$prepare" -c "EXECUTE file_once ('$1', '$2', '$3', '$4', '$5', $submitter, '$7')"
}
rows () { psql -c "SELECT count(*) FROM refill_requests WHERE idempotency_key = '$1'"; }

echo "1..12"
key=6d3c9f0e-5b1a-4c2e-9f47-0a1b2c3d4e5f
sha=$(printf 'body-1' | sha256sum | cut -d' ' -f1)
other=$(printf 'body-2' | sha256sum | cut -d' ' -f1)
body='{"schema":"refill-v2","request_id":"6d3c9f0e-5b1a-4c2e-9f47-0a1b2c3d4e5f","mode":"kiosk","patient":{"object_id":"oid-jack"},"patient_supplied":{"date_of_birth":"2000-08-01"}}'

check "a new key is filed with its reference" "filed|MR-FIRST" \
  "$(file_once $key "$sha" MR-FIRST kiosk oid-jack '' "$body")"
check "the same key and body answers the first reference" "repeat|MR-FIRST" \
  "$(file_once $key "$sha" MR-SECOND kiosk oid-jack '' "$body")"
check "the same key with another body is a conflict with the first reference" "conflict|MR-FIRST" \
  "$(file_once $key "$other" MR-THIRD kiosk oid-jack '' "$body")"
check "one row for the key after three attempts" 1 "$(rows $key)"
check "the filed row is the first body, with who sent it" "kiosk|oid-jack|6d3c9f0e-5b1a-4c2e-9f47-0a1b2c3d4e5f" \
  "$(psql -c "SELECT mode, patient_oid, body->>'request_id' FROM refill_requests WHERE reference = 'MR-FIRST'")"
check "the filed body keeps what was typed apart from the directory's record" "2000-08-01|" \
  "$(psql -c "SELECT body->'patient_supplied'->>'date_of_birth', body->'patient'->>'date_of_birth' FROM refill_requests WHERE reference = 'MR-FIRST'")"

desk=0f1e2d3c-4b5a-4968-8776-655443322110
check "a desk request keeps its submitter" "filed|MR-DESK" \
  "$(file_once $desk "$sha" MR-DESK desk oid-ana oid-staff \
     '{"schema":"refill-v2","mode":"desk","submitted_by":{"id":"oid-staff"},"patient":{"object_id":"oid-ana"}}')"
check "the submitter is stored" "oid-staff" \
  "$(psql -c "SELECT submitted_by_oid FROM refill_requests WHERE reference = 'MR-DESK'")"

# A failure after the claim (here: a body that is not JSON, cast in the same statement) leaves
# neither the key nor a row, so the app's next attempt files it.
broken=1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d
psql -c "$prepare" -c "EXECUTE file_once ('$broken', '$sha', 'MR-BROKEN', 'kiosk', 'oid-jack', NULL, 'not json')" \
  >/dev/null 2>&1
check "a statement that fails files nothing and claims nothing" "0|0" \
  "$(rows $broken)|$(psql -c "SELECT count(*) FROM refill_idempotency WHERE idempotency_key = '$broken'")"

# Two attempts at once: the first holds the key's row in an open transaction; the second waits on
# it. Whatever the second answers (a repeat with the first reference, or no row: the workflow's
# 409, sent again), it never files a second row.
race=9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a
fifo="$state/first.in"
mkfifo "$fifo"
psql <"$fifo" >"$state/first.out" 2>&1 &
first=$!
exec 3>"$fifo"
printf '%s\nBEGIN;\nEXECUTE file_once (%s);\n' "$prepare" \
  "'$race', '$sha', 'MR-RACE-1', 'kiosk', 'oid-jack', NULL, '{}'" >&3
for _ in $(seq 1 50); do grep -q 'filed|MR-RACE-1' "$state/first.out" && break; sleep 0.1; done
file_once $race "$sha" MR-RACE-2 kiosk oid-jack '' '{}' >"$state/second.out" 2>&1 &
second=$!
sleep 0.5
if kill -0 $second 2>/dev/null; then ok "the second attempt waits for the first"; else
  not_ok "the second attempt waits for the first" "it ended at once: $(cat "$state/second.out")"; fi
printf 'COMMIT;\n' >&3
exec 3>&-
wait $first
wait $second
case "$(cat "$state/second.out")" in
  "repeat|MR-RACE-1"|"") ok "the racing attempt answers the first reference or asks to be sent again" ;;
  *) not_ok "the racing attempt answers the first reference or asks to be sent again" \
       "got: $(cat "$state/second.out")" ;;
esac
check "one row after the race" 1 "$(rows $race)"
exit $failed
