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
entry() {
  python3 -c 'import json, sys
name, result, out = sys.argv[1:4]
print(json.dumps({"name": name, "result": result, "protocol": "tap", "stdout": out}))' "$@"
}
# Summarizes "${logs[@]}", with the environment assignments given, outside CI unless one sets it.
run() { env -u CI "$@" python3 "$summarize" "${logs[@]}" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
# The printed line and the exit status are these.
is() { [ "$(cat "$tmp/out")" = "$1" ] && [ $rc -eq "$2" ]; }
echo "1..10"

skip=' # SKIP'
entry core-util OK $'1..2\nok 1 /util/a\nok 2 /util/b' >"$tmp/pass.json"
entry ui-desk OK "1..2"$'\n'"ok 1 /ui/desk/a"$'\n'"ok 2 /ui/desk/b$skip needs the keyring" \
  >"$tmp/ui.json"
entry secrets OK "1..2"$'\n'"ok 1 /secrets/a"$'\n'"ok 2 /secrets/b$skip No Secret Service" \
  >"$tmp/keyring.json"
entry payload OK "1..2"$'\n'"ok 1 /payload/a"$'\n'"ok 2 /payload/b$skip no source dir" \
  >"$tmp/other.json"
entry ui-app SKIP '' >"$tmp/ui-whole.json"

logs=("$tmp/pass.json"); run
ok "all passing: 'N passed, N failed' and no skip part outside CI" 'is "2 passed, 0 failed" 0'
run CI=true
ok "in CI the skip part is always there" 'is "2 passed, 0 failed, 0 skipped" 0'
logs=("$tmp/pass.json" "$tmp/ui.json" "$tmp/keyring.json" "$tmp/other.json"); run
ok "outside CI skips are counted and pass" 'is "5 passed, 0 failed, 3 skipped" 0'
logs=("$tmp/ui.json"); run CI=true
ok "in CI a skipped UI test fails the run" \
   'is "1 passed, 1 failed, 0 skipped" 1 && grep -q ui-desk "$tmp/err"'
logs=("$tmp/keyring.json"); run CI=true
ok "in CI a test skipped for want of a keyring fails the run" 'is "1 passed, 1 failed, 0 skipped" 1'
logs=("$tmp/pass.json" "$tmp/ui-whole.json"); run CI=true
ok "in CI a UI test skipped as a whole fails the run" 'is "2 passed, 1 failed, 0 skipped" 1'
logs=("$tmp/pass.json" "$tmp/other.json"); run CI=true
ok "in CI another skip is only counted" 'is "3 passed, 0 failed, 1 skipped" 0'

# scripts/run-tests passes --since a file made when it started: an older log is left over.
touch -d '1 hour ago' "$tmp/pass.json"
touch -d '1 minute ago' "$tmp/started"
logs=(--since "$tmp/started" "$tmp/other.json" "$tmp/pass.json"); run
ok "a log older than --since counts as one failure, not as its old results" \
   'is "1 passed, 1 failed, 1 skipped" 1 && grep -q "earlier run" "$tmp/err"'
logs=(--since "$tmp/started" "$tmp/other.json" "$tmp/missing.json"); run
ok "a missing log counts as one failure" 'is "1 passed, 1 failed, 1 skipped" 1'
logs=(); run
ok "no test at all fails" 'is "0 passed, 0 failed" 1'
