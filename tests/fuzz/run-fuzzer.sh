#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a libFuzzer target on a throw-away copy of its seed corpus (libFuzzer writes new inputs into
# its first corpus directory, and the checked-in seeds must stay as they are).
# Usage: run-fuzzer.sh FUZZER SEED_DIR [libFuzzer options…]
# Exit status: the fuzzer's (non-zero on a crash, leak, timeout or out-of-memory). A failing input
# is kept in the artifacts directory printed below.
set -u
fuzzer=$1
seeds=$2
shift 2

tmp=${TMPDIR:-/tmp}
work=$(mktemp -d "$tmp/mr-fuzz-corpus.XXXXXX") || exit 1
artifacts=$(mktemp -d "$tmp/mr-fuzz-artifacts.XXXXXX") || { rm -rf "$work"; exit 1; }
trap 'rm -rf "$work"' EXIT
cp -R "$seeds"/. "$work"/

echo "fuzzer: $fuzzer"
echo "seed corpus: $seeds ($(ls "$seeds" | wc -l) inputs)"
echo "failing inputs go to: $artifacts/"
"$fuzzer" -artifact_prefix="$artifacts/" "$@" "$work"
status=$?
# libFuzzer reports a crash with 77, which meson would count as a skipped test.
[ "$status" -eq 77 ] && status=1

if [ "$status" -ne 0 ]; then
  echo "FUZZER FAILED (exit $status); the failing input is in $artifacts/:"
  ls -l "$artifacts"
  # The input itself (the first 4 KiB of each file), so a run on another machine can be replayed:
  # base64 -d > input, then run the fuzzer on that file.
  for f in "$artifacts"/*; do
    [ -f "$f" ] || continue
    echo "--- $(basename "$f") (base64):"
    head -c 4096 "$f" | base64
  done
  echo "reproduce with: ASAN_OPTIONS=fast_unwind_on_malloc=0 $fuzzer $artifacts/<file>"
else
  rmdir "$artifacts" 2>/dev/null
fi
exit "$status"
