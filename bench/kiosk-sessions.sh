#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Memory over consecutive kiosk visits: N (default 200) visits against the sandbox, each signing
# in, filling, submitting and being wiped; RSS/PSS of the app and every WebKit child after each
# wipe (with the next person's spare sign-in view up). Reports the first, the last and the growth.
# Usage: bench/kiosk-sessions.sh [N]
set -euo pipefail
. "$(dirname "$0")/env.sh" "$0" "$@"
n=${1:-200}
export no_proxy=127.0.0.1,localhost MEDREFILL_MEMORY_REPORT=1 MEDREFILL_KIOSK_SESSIONS=$n
export MEDREFILL_TRACE=1
log=$(mktemp)
start=$(date +%s)
_build/tests/ui/test-ui-kiosk -p /ui/kiosk/sessions 2>"$log" >/dev/null
grep '^medrefill-memory:' "$log" > "$log.mem"
echo "visits: $(wc -l < "$log.mem") in $(( $(date +%s) - start )) s"
awk '{ split($3, r, "="); split($4, p, "="); rss[NR] = r[2]; pss[NR] = p[2] }
  END {
    printf "after visit 1:   RSS %7.1f MiB  PSS %7.1f MiB\n", rss[1]/1024, pss[1]/1024;
    m = (NR >= 10) ? 10 : NR;
    printf "after visit %d:  RSS %7.1f MiB  PSS %7.1f MiB\n", m, rss[m]/1024, pss[m]/1024;
    printf "after visit %d: RSS %7.1f MiB  PSS %7.1f MiB\n", NR, rss[NR]/1024, pss[NR]/1024;
    printf "growth from visit %d to %d: PSS %+.1f MiB (%+.1f KiB per visit)\n", m, NR,
           (pss[NR]-pss[m])/1024, (NR > m) ? (pss[NR]-pss[m])/(NR-m) : 0 }' "$log.mem"
# The wipe: from its start (Done's own return to Welcome) to Welcome on screen, and to the next
# person's sign-in page ready (the fresh spare view has loaded).
awk '/medrefill-trace: wipe / {w=$3} /medrefill-trace: welcome-shown/ && w {s[++n]=($3-w)/1000}
     /medrefill-trace: signin-page-loaded/ && w && n {r[n]=($3-w)/1000; w=0}
     END { asorti_n=n; for (i=1;i<=n;i++) { a[i]=s[i]; b[i]=r[i] }
           # medians by insertion sort (mawk has no asort)
           for (i=2;i<=n;i++) { x=a[i]; j=i-1; while (j>0 && a[j]>x) { a[j+1]=a[j]; j-- } a[j+1]=x }
           for (i=2;i<=n;i++) { x=b[i]; j=i-1; while (j>0 && b[j]>x) { b[j+1]=b[j]; j-- } b[j+1]=x }
           if (n) printf "wipe -> Welcome shown (ms): median %.1f; -> next sign-in page ready: median %.0f (%d wipes)\n", a[int((n+1)/2)], b[int((n+1)/2)], n }' "$log"
rm -f "$log" "$log.mem"
