#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every translation complete and well formed: msgfmt --check (format specifiers, plural forms,
# header) must pass and its statistics must show no fuzzy and no untranslated message.
# Usage: check-po.sh FILE.po...
set -u
status=0
for po in "$@"; do
  if ! stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
    echo "$po: msgfmt --check failed:"
    echo "$stats"
    status=1
    continue
  fi
  echo "$po: $stats"
  translated=$(sed -n 's/^\([0-9][0-9]*\) translated message.*/\1/p' <<<"$stats")
  if [ -z "$translated" ] || [ "$translated" -eq 0 ]; then
    echo "$po: no translated message"
    status=1
  fi
  if grep -Eq '[0-9]+ (fuzzy translation|untranslated message)' <<<"$stats"; then
    echo "$po: fuzzy or untranslated messages left"
    status=1
  fi
done
exit $status
