#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# exec → first painted frame of the main window, for Medication Refill and for gnome-text-editor
# (Debian 12), started the same way on the same Xvfb display in the same run, alternating, N runs
# each (default 10). Both are measured by the same LD_PRELOAD probe (bench/probe/firstpaint.c),
# which stamps the first "after-paint" of the first window presented. Reports the medians and
# their ratio. Usage: bench/first-frame.sh [N] [extra arguments for medrefill, e.g. --sandbox]
# With BEFORE=DIR (the build folder of another checkout, e.g. a worktree of an older commit:
#   git worktree add /tmp/old COMMIT && meson setup /tmp/old/_build /tmp/old -Dtest_hooks=true &&
#   ninja -C /tmp/old/_build; leave -Dtest_hooks out for a commit older than the option)
# that build's medrefill runs in the same rotation too, for before/after numbers from one run.
set -euo pipefail
. "$(dirname "$0")/env.sh" "$0" "$@"
n=${1:-10}; shift || true
export MEDREFILL_TRACE=1
command -v gnome-text-editor >/dev/null || { echo "install gnome-text-editor to compare" >&2; exit 1; }
probe=_build/bench-firstpaint.so
gcc -shared -fPIC -O2 -o "$probe" bench/probe/firstpaint.c $(pkg-config --cflags --libs gtk4) -ldl

run_one() { # prints ms from exec to first frame
  local home log start pid t
  home=$(mktemp -d); log=$(mktemp)
  start=$(date +%s%6N)
  HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local/share XDG_CACHE_HOME=$home/.cache \
    LD_PRELOAD=$PWD/$probe "$@" 2>"$log" >/dev/null &
  pid=$!
  for _ in $(seq 1 400); do grep -q 'first-frame' "$log" && break; sleep 0.025; done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  t=$(awk '/medrefill-trace: first-frame/ {print $3; exit}' "$log")
  rm -rf "$home" "$log"
  [ -n "$t" ] && echo $(( (t - start) / 1000 ))
}

ours=(); theirs=(); before=()
run_before() { GSETTINGS_SCHEMA_DIR=$BEFORE/data run_one "$BEFORE/src/medrefill" "$@"; }
run_one _build/src/medrefill "$@" >/dev/null; run_one gnome-text-editor --standalone >/dev/null  # warm caches
[ -n "${BEFORE:-}" ] && run_before "$@" >/dev/null
for i in $(seq 1 "$n"); do
  ours+=("$(run_one _build/src/medrefill "$@")")
  theirs+=("$(run_one gnome-text-editor --standalone)")
  [ -n "${BEFORE:-}" ] && before+=("$(run_before "$@")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(median "${ours[@]}"); mt=$(median "${theirs[@]}")
echo "medrefill $*: ${ours[*]} ms"
echo "gnome-text-editor: ${theirs[*]} ms"
if [ -n "${BEFORE:-}" ]; then
  mb=$(median "${before[@]}")
  echo "before ($BEFORE): ${before[*]} ms"
  echo "first frame median before: ${mb} ms, ratio $(awk -v a="$mb" -v b="$mt" 'BEGIN {printf "%.2f", a/b}')"
fi
echo "first frame median: medrefill ${mo} ms, gnome-text-editor ${mt} ms, ratio $(awk -v a="$mo" -v b="$mt" 'BEGIN {printf "%.2f", a/b}')"
