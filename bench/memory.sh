#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Memory (RSS and PSS, KiB) of the app and every WebKit child on the Welcome page, on the sign-in
# page, and on the filled form after the web view is gone, N runs (default 3), against the
# sandbox. It drives the real window through the end-to-end UI test with MEDREFILL_MEMORY_REPORT.
# With --chromium it also measures Chromium in kiosk mode showing bench/form.html, an equivalent
# web form (every Chromium process, same Xvfb), for the "a quarter of Chromium" goal.
# Where the memory is: MEDREFILL_MEMORY_SMAPS=DIR bench/memory.sh 1 saves every process's smaps at
# each stage as DIR/<stage>-<pid>.smaps; bench/smaps-top.sh DIR/form-<pid>.smaps sums them by library.
set -euo pipefail
. "$(dirname "$0")/env.sh" "$0" "$@"
n=${1:-3}; chromium=${2:-}
export no_proxy=127.0.0.1,localhost MEDREFILL_MEMORY_REPORT=1
for i in $(seq 1 "$n"); do
  _build/tests/ui/test-ui-e2e -p /ui/e2e/sign-in-fill-submit 2>&1 >/dev/null | grep '^medrefill-memory:'
done | awk '{ split($3, r, "="); split($4, p, "="); rss[$2] += r[2]; pss[$2] += p[2]; c[$2]++; line[$2] = $0 }
  END { for (s in c) printf "medrefill %-8s mean of %d: RSS %6.1f MiB  PSS %6.1f MiB  (%s)\n", s, c[s],
        rss[s]/c[s]/1024, pss[s]/c[s]/1024, line[s] }'

if [ "$chromium" = "--chromium" ]; then
  browser=$(command -v chromium || true)
  [ -n "$browser" ] || { echo "install chromium to compare" >&2; exit 1; }
  dir=$(mktemp -d)
  python3 -m http.server --bind 127.0.0.1 0 --directory bench >"$dir/http.log" 2>&1 &
  http=$!
  sleep 1
  port=$(grep -o 'port [0-9]*' "$dir/http.log" | head -1 | cut -d' ' -f2)
  "$browser" --kiosk --no-first-run --no-sandbox --disable-gpu --disable-quic \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$dir/profile" "http://127.0.0.1:$port/form.html" >/dev/null 2>&1 &
  pid=$!
  sleep 12
  pids=$(pgrep -f -- "--user-data-dir=$dir/profile" | tr '\n' ' ')
  total_rss=0; total_pss=0
  for p in $pids; do
    r=$(awk '/^Rss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null || echo 0)
    s=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null || echo 0)
    total_rss=$((total_rss + r)); total_pss=$((total_pss + s))
  done
  awk -v r="$total_rss" -v s="$total_pss" -v n="$(echo $pids | wc -w)" 'BEGIN {
    printf "chromium --kiosk form.html: RSS %6.1f MiB  PSS %6.1f MiB  (%d processes)\n", r/1024, s/1024, n }'
  kill $pid $http 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
fi
