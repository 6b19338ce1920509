#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Tap Sign in → sign-in page painted (the helper's window on screen with the page drawn in it:
# the "signin-page-painted" trace mark, see mr-signin-main.c; at a kiosk the page was preloaded
# while Welcome was up), captured redirect → filled form (wall time) and the HTTP requests on that
# path, N runs (default 10). It drives the real window through the real WebKit page against the
# sandbox, using the end-to-end UI test, which reports how many requests the sandbox answered after
# the redirect (and asserts that they are exactly two: token + one Graph call).
set -euo pipefail
. "$(dirname "$0")/env.sh" "$0" "$@"
n=${1:-10}
export MEDREFILL_TRACE=1
for i in $(seq 1 "$n"); do
  # The trace marks come on stderr, the test's TAP messages on stdout.
  _build/tests/ui/test-ui-e2e -p /ui/e2e/sign-in-fill-submit 2>&1 | awk '
    /medrefill-trace: signin-requested/ {s=$3}
    /medrefill-trace: signin-page-painted/ && s && !p {p=$3}
    /medrefill-trace: redirect-captured/ {r=$3}
    /medrefill-trace: form-filled/ {f=$3}
    /^# requests after the redirect: / {c=$NF}
    END { if (r && f) printf "%d %d %s\n", (f-r)/1000, (p-s)/1000, c }'
done > "${TMPDIR:-/tmp}/medrefill-signin.$$"
f="${TMPDIR:-/tmp}/medrefill-signin.$$"
cut -d' ' -f1 "$f" | sort -n | awk '{a[NR]=$1} END {
  printf "redirect -> form filled (ms): runs=%d min=%d median=%d max=%d\n", NR, a[1], a[int((NR+1)/2)], a[NR] }'
cut -d' ' -f2 "$f" | sort -n | awk '{a[NR]=$1} END {
  printf "sign-in tapped -> sign-in page painted (ms): runs=%d min=%d median=%d max=%d\n", NR, a[1], a[int((NR+1)/2)], a[NR] }'
cut -d' ' -f3 "$f" | sort -n | awk '{a[NR]=$1} END {
  printf "HTTP requests after the redirect (token + Graph /me = 2): runs=%d min=%d max=%d\n",
         NR, a[1], a[NR] }'
rm -f "$f"
