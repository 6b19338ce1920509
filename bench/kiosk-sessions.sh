#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Memory over consecutive kiosk visits: N (default 200) visits against the sandbox, each signing
# in, filling, submitting and being wiped; RSS/PSS of the app, the sign-in helper and every WebKit
# child after each wipe (with the next person's spare sign-in view up), and the app process alone:
# its PSS, heap in use and open file descriptors (the sandbox tenant runs in the same process and
# forgets each visit's records, as a tenant's expiry would). The total swings by tens of MiB with
# the previous visit's helper still exiting; the app-alone numbers are the ones that show a leak.
# Reports the first, the tenth and the last visit and the growth between the last two.
# Usage: bench/kiosk-sessions.sh [N]
set -euo pipefail
. "$(dirname "$0")/env.sh" "$0" "$@"
n=${1:-200}
export no_proxy=127.0.0.1,localhost MEDREFILL_MEMORY_REPORT=1 MEDREFILL_KIOSK_SESSIONS=$n
export MEDREFILL_TRACE=1
# The kiosk tests write their settings through GSettings' keyfile backend (their disk scan
# looks there), as the ui-kiosk test runs them.
export GSETTINGS_BACKEND=keyfile
log=$(mktemp)
start=$(date +%s)
_build/tests/ui/test-ui-kiosk -p /ui/kiosk/sessions 2>"$log" >/dev/null
grep '^medrefill-memory:' "$log" > "$log.mem"
echo "visits: $(wc -l < "$log.mem") in $(( $(date +%s) - start )) s"
awk '{ for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1], NR] = kv[2] } }
  function line(label, k) {
    printf "%-16s RSS %7.1f MiB  PSS %7.1f MiB | app alone: PSS %6.1f MiB, heap %6.1f MiB, %d fds\n",
           label, v["rss_kib", k]/1024, v["pss_kib", k]/1024, v["app_pss_kib", k]/1024,
           v["heap_kib", k]/1024, v["fds", k] }
  END {
    m = (NR >= 10) ? 10 : NR;
    line("after visit 1:", 1); line("after visit " m ":", m); line("after visit " NR ":", NR);
    d = (NR > m) ? NR - m : 1;
    printf "growth from visit %d to %d: PSS %+.1f MiB (%+.1f KiB per visit); app alone: PSS %+.1f KiB, heap %+.1f KiB per visit; fds %+d\n",
           m, NR, (v["pss_kib", NR] - v["pss_kib", m])/1024, (v["pss_kib", NR] - v["pss_kib", m])/d,
           (v["app_pss_kib", NR] - v["app_pss_kib", m])/d, (v["heap_kib", NR] - v["heap_kib", m])/d,
           v["fds", NR] - v["fds", m] }' "$log.mem"
# The wipe: from its start (Done's own return to Welcome) to Welcome on screen, and to the next
# person's sign-in page ready: their page loaded, hidden, in a fresh helper, so that Sign in only
# shows it (the window's "signin-spare-ready" mark).
awk '/medrefill-trace: wipe / {w=$3} /medrefill-trace: welcome-shown/ && w {s[++n]=($3-w)/1000}
     /medrefill-trace: signin-spare-ready/ && w && n {r[n]=($3-w)/1000; w=0}
     END { asorti_n=n; for (i=1;i<=n;i++) { a[i]=s[i]; b[i]=r[i] }
           # medians by insertion sort (mawk has no asort)
           for (i=2;i<=n;i++) { x=a[i]; j=i-1; while (j>0 && a[j]>x) { a[j+1]=a[j]; j-- } a[j+1]=x }
           for (i=2;i<=n;i++) { x=b[i]; j=i-1; while (j>0 && b[j]>x) { b[j+1]=b[j]; j-- } b[j+1]=x }
           if (n) printf "wipe -> Welcome shown (ms): median %.1f; -> next sign-in page ready: median %.0f (%d wipes)\n", a[int((n+1)/2)], b[int((n+1)/2)], n }' "$log"
# Tap Sign in on a Welcome whose page was preloaded (every visit after the first) → that page
# painted (the helper's "signin-page-painted" mark). bench/signin.sh measures the cold case: a tap
# before any page was preloaded, as at a desk or right after the app starts.
awk '/medrefill-trace: signin-spare-ready/ {ready=1}
     /medrefill-trace: signin-requested/ && ready {t=$3; ready=0}
     /medrefill-trace: signin-page-painted/ && t {p[++n]=($3-t)/1000; t=0}
     END { for (i=2;i<=n;i++) { x=p[i]; j=i-1; while (j>0 && p[j]>x) { p[j+1]=p[j]; j-- } p[j+1]=x }
           if (n) printf "tap Sign in (page preloaded) -> page painted (ms): min %.0f, median %.0f, max %.0f (%d taps)\n", p[1], p[int((n+1)/2)], p[n], n }' "$log"
rm -f "$log" "$log.mem"
