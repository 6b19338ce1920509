#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Memory (RSS and PSS, KiB) on the Welcome page, on the sign-in page, and on the filled form after
# the web view is gone, N runs (default 3), two ways:
#  - the real binary, as a person runs it: _build/src/medrefill --kiosk with accessibility on,
#    its settings (a keyfile) pointing at the standalone sandbox _build/src/sandbox/medrefill-sandbox
#    in its own process (not counted). bench/drive.c takes it from page to page through the
#    accessibility bus (no test hook); the sign-in page, which is web content in the helper, is
#    typed into with xdotool. Counted: medrefill, the sign-in helper and every WebKit child.
#    Next to it, in the same session, an empty libadwaita window (bench/empty-window.c): the floor
#    any GTK 4 + libadwaita application pays.
#  - the old way, kept so that earlier numbers stay comparable: the end-to-end UI test's window
#    with MEDREFILL_MEMORY_REPORT, the sandbox inside the test's process (so counted).
# With --chromium it also measures Chromium in kiosk mode showing bench/form.html, an equivalent
# web form (every Chromium process, same Xvfb), for the "a quarter of Chromium" goal.
# Where the memory is (old way): MEDREFILL_MEMORY_SMAPS=DIR bench/memory.sh 1 saves every process's
# smaps at each stage as DIR/<stage>-<pid>.smaps; bench/smaps-top.sh DIR/form-<pid>.smaps sums them.
set -euo pipefail
. "$(dirname "$0")/env.sh" "$0" "$@"
n=${1:-3}; chromium=${2:-}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cc -O2 -o "$work/empty-window" bench/empty-window.c $(pkg-config --cflags --libs libadwaita-1)
cc -O2 -o "$work/drive" bench/drive.c -Wno-strict-prototypes \
  $(pkg-config --cflags --libs atspi-2 gobject-2.0)

# The pids of $1 and all of its descendants.
tree() {
  local pid=$1 child
  echo "$pid"
  for child in $(pgrep -P "$pid" || true); do tree "$child"; done
}

# "rss_kib pss_kib processes" of the given pids.
measure() {
  local rss=0 pss=0 count=0 pid r p
  for pid in "$@"; do
    r=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
    p=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
    [ -n "$r" ] || continue
    rss=$((rss + r)); pss=$((pss + p)); count=$((count + 1))
  done
  echo "$rss $pss $count"
}

# Prints "STAGE rss pss processes app_pss" for the real binary's tree.
report() {
  local stage=$1 pid=$2 rss pss count own
  read -r rss pss count < <(measure $(tree "$pid"))
  read -r _ own _ < <(measure "$pid")
  echo "$stage $rss $pss $count $own"
}

helper_of() {
  local pid
  for pid in $(pgrep -P "$1" || true); do
    [ "$(cat /proc/$pid/comm)" = medrefill-signi ] && { echo "$pid"; return; }
  done
}

real_run() {
  local home=$work/home-$1
  mkdir -p "$home"
  (
    export HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data
    export XDG_CACHE_HOME=$home/cache XDG_STATE_HOME=$home/state
    export GSETTINGS_BACKEND=keyfile GTK_A11Y=atspi
    unset NO_AT_BRIDGE
    : >"$home/sandbox.out"
    _build/src/sandbox/medrefill-sandbox >"$home/sandbox.out" 2>/dev/null &
    sandbox=$!
    app=
    trap 'kill $app $sandbox 2>/dev/null || true' EXIT
    for _ in $(seq 100); do [ "$(wc -l <"$home/sandbox.out")" -ge 6 ] && break; sleep 0.1; done
    grep -q '^authority=' "$home/sandbox.out" || { echo "the sandbox did not start" >&2; exit 1; }
    tail -n +2 "$home/sandbox.out" | while IFS='=' read -r key value; do
      [ -n "$key" ] && gsettings set io.github.medrefill.MedRefill "$key" "'$value'"
    done
    _build/src/medrefill --kiosk >/dev/null 2>&1 &
    app=$!
    "$work/drive" $app wait "Sign in" || exit 1
    # The spare sign-in helper's web and network processes start with the window.
    for _ in $(seq 150); do [ "$(tree $app | wc -l)" -ge 4 ] && break; sleep 0.2; done
    sleep 2
    report welcome $app
    "$work/drive" $app press "Sign in"
    helper=$(helper_of $app)
    # The helper's window is new on the bus only once it is on screen: ask after that.
    window=$(xdotool search --sync --name "Sign In — Medication Refill" | head -1)
    "$work/drive" "$helper" wait "Cancel" || exit 1
    sleep 3   # the page (the email field has autofocus)
    report signin $app
    # The keyboard starts on Cancel: Tab takes it into the page, to the email field.
    xdotool windowfocus --sync "$window"
    sleep 0.5
    xdotool key Tab
    sleep 0.5
    xdotool type --delay 20 "jack.smith@example.org"
    xdotool key Tab
    xdotool type --delay 20 "sandbox"
    xdotool key Return
    # "Stay signed in?" (the sandbox asks it as Entra does): Tab to No, and press it.
    sleep 2
    xdotool key Tab Tab Return
    "$work/drive" $app wait "Medicine 1, name" || exit 1
    "$work/drive" $app type "Medicine 1, name" "Metformin"
    "$work/drive" $app type "Medicine 1, strength (for example 500 mg)" "500 mg"
    "$work/drive" $app type "Medicine 1, quantity" "60"
    # (The consent check box stays unticked: GTK 4.8 gives check boxes no AT-SPI action.)
    # The helper and its WebKit processes end once the redirect is captured.
    for _ in $(seq 100); do [ "$(tree $app | wc -l)" -eq 1 ] && break; sleep 0.2; done
    sleep 2
    report form $app
  )
}

empty_run() {
  "$work/empty-window" >/dev/null 2>&1 &
  local pid=$!
  GTK_A11Y=atspi "$work/drive" $pid wait "Empty" >/dev/null 2>&1 || true
  sleep 2
  local rss pss count
  read -r rss pss count < <(measure "$pid")
  echo "empty $rss $pss $count $pss"
  kill $pid; wait $pid 2>/dev/null || true
}

mean() {
  awk -v what="$1" '{ rss[$1] += $2; pss[$1] += $3; procs[$1] = $4; app[$1] += $5; c[$1]++ }
    END { split("welcome signin form empty", order, " ");
          for (i = 1; i <= 4; i++) { s = order[i]; if (!(s in c)) continue;
            printf "%s %-8s mean of %d: RSS %6.1f MiB  PSS %6.1f MiB  (%d processes; app alone PSS %5.1f MiB)\n",
                   what, s, c[s], rss[s]/c[s]/1024, pss[s]/c[s]/1024, procs[s], app[s]/c[s]/1024 } }'
}

echo "The real binary (medrefill --kiosk, accessibility on, sandbox in its own process):"
# The empty window last: a run's last AT-SPI client gone is not waited for by the next one.
{ for i in $(seq 1 "$n"); do real_run "$i"; done
  for i in $(seq 1 "$n"); do GTK_A11Y=atspi empty_run; done; } | mean "  medrefill"
[ -z "${MEMORY_SKIP_OLD:-}" ] || exit 0
echo "Old way (the e2e test's window, the sandbox inside its process):"
export MEDREFILL_MEMORY_REPORT=1
for i in $(seq 1 "$n"); do
  _build/tests/ui/test-ui-e2e -p /ui/e2e/sign-in-fill-submit 2>&1 >/dev/null | grep '^medrefill-memory:'
done | awk '{ split($3, r, "="); split($4, p, "="); rss[$2] += r[2]; pss[$2] += p[2]; c[$2]++; line[$2] = $0 }
  END { for (s in c) printf "  medrefill %-8s mean of %d: RSS %6.1f MiB  PSS %6.1f MiB  (%s)\n", s, c[s],
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
