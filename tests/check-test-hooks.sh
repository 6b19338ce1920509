#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A release build has no test hook (issue 13): the files that hold them, compiled as a release
# build compiles them (RELEASE, no -Dtest_hooks) and as a test build does (HOOKS), are looked at
# for each hook's trace. In HOOKS every one must be found (so that the check can fail: a hook
# renamed or moved shows here), in RELEASE none. The hooks: the sign-in helper's js command (the
# only caller of webkit_web_view_evaluate_javascript, and the app's mr_signin_helper_run_js_async
# that sends it), and the environment variables that re-target the helper, the catalogues, the
# sign-in page and the trace marks. TAP output.
# Usage: check-test-hooks.sh NM AR RELEASE.a HOOKS.a
set -u
nm=$1 ar=$2 release=$3 hooks=$4
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
# Whether archive $1 calls or defines symbol $2 (nm lists both, undefined ones as U).
has_symbol() { "$nm" "$1" 2>/dev/null | grep -Eq "^ *[0-9a-f]* *[TtU] $2\$"; }
# Whether archive $1 holds the text $2 (a string literal: the variable's name given to getenv).
# Meson makes thin archives, which only name their objects: each object is read.
has_text() {
  local member
  while read -r member; do
    [ -f "$member" ] || member="$(dirname "$1")/$member"
    grep -aqF "$2" "$member" && return 0
  done < <("$ar" t "$1")
  return 1
}
symbols=(webkit_web_view_evaluate_javascript mr_signin_helper_run_js_async)
texts=(MEDREFILL_HELPER_DIR MEDREFILL_LOCALEDIR MEDREFILL_TEST_SIGNIN_SCRIPT_FILE MEDREFILL_TRACE)
echo "1..$(( 2 * (${#symbols[@]} + ${#texts[@]}) ))"
for s in "${symbols[@]}"; do
  ok "a test build has $s" "has_symbol '$hooks' '$s'"
  ok "a release build has no $s" "! has_symbol '$release' '$s'"
done
for t in "${texts[@]}"; do
  ok "a test build reads \$$t" "has_text '$hooks' '$t'"
  ok "a release build never reads \$$t" "! has_text '$release' '$t'"
done
