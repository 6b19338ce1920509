#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# scripts/summarize-tests, the last line of scripts/run-tests, on made-up meson test logs: TAP cases
# counted, skips shown, a skipped UI or keyring test failing in CI, a stale log counted as a
# failure. TAP output. Usage: test-summarize.sh SOURCE_DIR
set -u
summarize=$1/scripts/summarize-tests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
# One testlog.json line: name, result, TAP output.
entry() { python3 -c 'import json, sys; print(json.dumps({"name": sys.argv[1], "result": sys.argv[2],
  "protocol": "tap", "stdout": sys.argv[3]}))' "$@"; }
run() { env -u CI "$@" python3 "$summarize" "${logs[@]}" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
echo "1..10"

entry core-util OK $'1..2\nok 1 /util/a\nok 2 /util/b' >"$tmp/pass.json"
entry ui-desk OK $'1..2\nok 1 /ui/desk/a\nok 2 /ui/desk/b # SKIP needs the keyring that scripts/run-tests starts' >"$tmp/ui.json"
entry secrets OK $'1..2\nok 1 /secrets/a\nok 2 /secrets/b # SKIP No Secret Service (run under scripts/run-tests)' >"$tmp/keyring.json"
entry payload OK $'1..2\nok 1 /payload/a\nok 2 /payload/b # SKIP MEDREFILL_SOURCE_DIR is not set' >"$tmp/other.json"
entry ui-app SKIP '' >"$tmp/ui-whole.json"

logs=("$tmp/pass.json"); run
ok "all passing: 'N passed, N failed' and no skip part outside CI" '[ "$(cat "$tmp/out")" = "2 passed, 0 failed" ] && [ $rc -eq 0 ]'
run CI=true
ok "in CI the skip part is always there" '[ "$(cat "$tmp/out")" = "2 passed, 0 failed, 0 skipped" ] && [ $rc -eq 0 ]'
logs=("$tmp/pass.json" "$tmp/ui.json" "$tmp/keyring.json" "$tmp/other.json"); run
ok "outside CI skips are counted and pass" '[ "$(cat "$tmp/out")" = "5 passed, 0 failed, 3 skipped" ] && [ $rc -eq 0 ]'
logs=("$tmp/ui.json"); run CI=true
ok "in CI a skipped UI test fails the run" '[ "$(cat "$tmp/out")" = "1 passed, 1 failed, 0 skipped" ] && [ $rc -eq 1 ] && grep -q ui-desk "$tmp/err"'
logs=("$tmp/keyring.json"); run CI=true
ok "in CI a test skipped for want of a keyring fails the run" '[ "$(cat "$tmp/out")" = "1 passed, 1 failed, 0 skipped" ] && [ $rc -eq 1 ]'
logs=("$tmp/pass.json" "$tmp/ui-whole.json"); run CI=true
ok "in CI a UI test skipped as a whole fails the run" '[ "$(cat "$tmp/out")" = "2 passed, 1 failed, 0 skipped" ] && [ $rc -eq 1 ]'
logs=("$tmp/pass.json" "$tmp/other.json"); run CI=true
ok "in CI another skip is only counted" '[ "$(cat "$tmp/out")" = "3 passed, 0 failed, 1 skipped" ] && [ $rc -eq 0 ]'

# scripts/run-tests passes --since a file made when it started: an older log is left over.
touch -d '1 hour ago' "$tmp/pass.json"
touch -d "1 minute ago" "$tmp/started"
logs=(--since "$tmp/started" "$tmp/other.json" "$tmp/pass.json"); run
ok "a log older than --since counts as one failure, not as its old results" \
   '[ "$(cat "$tmp/out")" = "1 passed, 1 failed, 1 skipped" ] && [ $rc -eq 1 ] && grep -q "earlier run" "$tmp/err"'
logs=(--since "$tmp/started" "$tmp/other.json" "$tmp/missing.json"); run
ok "a missing log counts as one failure" '[ "$(cat "$tmp/out")" = "1 passed, 1 failed, 1 skipped" ] && [ $rc -eq 1 ]'
logs=(); run
ok "no test at all fails" '[ "$(cat "$tmp/out")" = "0 passed, 0 failed" ] && [ $rc -eq 1 ]'
