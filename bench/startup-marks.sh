#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Where the time to the first frame goes: starts the app N times (default 10) on the bench display
# with MEDREFILL_TRACE and prints, for each trace mark up to "first-frame", the median time since
# exec in ms: main (the dynamic linker and libraries' constructors are done), gtk-ready (GTK and
# libadwaita are up: display, settings, theme), window-built, window-presented, first-frame.
# Usage: bench/startup-marks.sh [N] [extra arguments for medrefill]
set -euo pipefail
. "$(dirname "$0")/env.sh" "$0" "$@"
n=${1:-10}; shift || true
export MEDREFILL_TRACE=1
all=$(mktemp)
for _ in $(seq 1 "$n"); do
  home=$(mktemp -d); log=$(mktemp)
  start=$(date +%s%6N)
  HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local/share XDG_CACHE_HOME=$home/.cache \
    _build/src/medrefill "$@" 2>"$log" >/dev/null &
  pid=$!
  for _ in $(seq 1 400); do grep -q 'first-frame' "$log" && break; sleep 0.025; done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  awk -v s="$start" '/^medrefill-trace:/ { print $2, int(($3 - s) / 1000) } /first-frame/ { exit }' "$log" >>"$all"
  rm -rf "$home" "$log"
done
for mark in main gtk-ready window-built window-presented first-frame; do
  awk -v m="$mark" '$1 == m { print $2 }' "$all" | sort -n |
    awk -v m="$mark" '{ a[NR] = $1 } END { if (NR) printf "%-17s %4d ms (median of %d)\n", m, a[int((NR + 1) / 2)], NR }'
done
rm -f "$all"
