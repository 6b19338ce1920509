#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Where the main thread's time to the first frame goes, by function (inclusive), from perf's
# software clock at 10 kHz with DWARF call graphs (works without debug packages; GTK's own static
# functions show as [unknown]). Starts the app N times (default 3), stops each once it has drawn,
# and prints the functions with the most samples of the first run plus the path of every
# recording for `perf report -i`. perf adds its own overhead, so read the shares, not the ms.
# Needs linux-perf (Debian package). Usage: bench/profile-startup.sh [N] [TOP]
set -euo pipefail
. "$(dirname "$0")/env.sh" "$0" "$@"
n=${1:-3}; top=${2:-60}
command -v perf >/dev/null || { echo "install linux-perf" >&2; exit 1; }
export MEDREFILL_TRACE=1
out=$(mktemp -d)
for i in $(seq 1 "$n"); do
  home=$(mktemp -d); log=$(mktemp)
  HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local/share XDG_CACHE_HOME=$home/.cache \
    perf record -q -e cpu-clock -F 10000 --call-graph dwarf,16384 -o "$out/run$i.data" \
    _build/src/medrefill 2>"$log" >/dev/null &
  pid=$!
  for _ in $(seq 1 800); do grep -q 'first-frame' "$log" && break; sleep 0.005; done
  pkill -INT -f '^_build/src/medrefill' || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$home" "$log"
done
perf script -i "$out/run1.data" -F comm,ip,sym 2>/dev/null | python3 -c '
import collections, sys
top = int(sys.argv[1]); counts = collections.Counter(); total = 0; stack = None; comm = None
def flush():
    global total
    if stack is not None and comm == "medrefill":
        total += 1
        for name in set(stack): counts[name] += 1
for line in sys.stdin:
    if not line.strip():
        flush(); stack = None; continue
    if not line[0].isspace():
        comm = line.split()[0]; stack = []; continue
    parts = line.split(None, 1)
    if len(parts) == 2:
        name = parts[1].split("+0x")[0].split(" (")[0].strip()
        if name != "[unknown]" and not name.startswith("0x"): stack.append(name)
flush()
print(f"main thread: {total} samples (0.1 ms each, perf overhead included)")
for name, c in counts.most_common(top):
    print(f"{100 * c / max(total, 1):5.1f}%  {name}")
' "$top"
echo "recordings: $out/run*.data"
