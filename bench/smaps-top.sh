#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Where a process's memory is: sums the PSS of /proc/PID/smaps (or a saved copy) by mapping —
# each library, the heap, anonymous memory — and prints the largest, in MiB.
# Usage: bench/smaps-top.sh SMAPS_FILE_OR_PID [N]     (bench/memory.sh --detail saves the files)
set -euo pipefail
src=$1; n=${2:-25}
[ -f "$src" ] || src=/proc/$src/smaps
awk -v n="$n" '
  /^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6) ? $6 : "[anonymous]"; sub(/.*\//, "", name); next }
  /^Pss:/ { pss[name] += $2; total += $2 }
  END {
    for (k in pss) printf "%8.1f %s\n", pss[k] / 1024, k | "sort -rn | head -n " n
    close("sort -rn | head -n " n)
    printf "%8.1f total PSS (MiB)\n", total / 1024
  }' "$src"
