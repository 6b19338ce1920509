#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every translation complete and well formed. The template is extracted here from the sources
# listed in POTFILES.in beside each FILE.po (a catalogue's own statistics say nothing about a
# string added to the code since): msgcmp must find every msgid in the catalogue; msgfmt --check
# (format specifiers, plural forms, header) must pass and show no fuzzy and no untranslated
# message. Also, every C file under src/ that marks a string (src/sandbox aside) is in POTFILES.in.
# Usage: check-po.sh FILE.po...
set -u
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What i18n.gettext (preset: 'glib', plus po/meson.build's NP_) gives xgettext. The .ui,
# .desktop.in, .metainfo.xml.in and .gschema.xml files go by their extension and gettext's ITS
# rules.
extract() {
  local podir=$1 top=$1/..
  xgettext --from-code=UTF-8 --add-comments --directory="$top" --files-from="$podir/POTFILES.in" \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
    --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 --keyword=NP_:1,2 \
    --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
    --flag=g_dngettext:2:pass-c-format --flag=NP_:1:pass-c-format --flag=NP_:2:pass-c-format \
    --flag=g_strdup_printf:1:c-format --flag=g_string_printf:2:c-format \
    --flag=g_string_append_printf:2:c-format --flag=g_error_new:3:c-format \
    --flag=g_set_error:4:c-format --flag=g_printerr:1:c-format --flag=g_print:1:c-format \
    --output="$tmp/template.pot"
}

for po in "$@"; do
  podir=$(cd "$(dirname "$po")" && pwd)
  marked='(^|[^A-Za-z0-9_])(N|C|NC|NP)?_ ?\('
  unlisted=$(cd "$podir/.." && comm -23 \
    <(grep -rlE "$marked" src --include='*.c' | grep -v '^src/sandbox/' | sort) \
    <(grep -v '^#' po/POTFILES.in | sort))
  if [ -n "$unlisted" ]; then
    echo "$po: files with translatable strings missing from POTFILES.in:" $unlisted
    status=1
  fi
  if ! extract "$podir" 2>"$tmp/err"; then
    echo "$po: xgettext failed:"
    cat "$tmp/err"
    status=1
    continue
  fi
  echo "$po: template of $(grep -c '^msgid ' "$tmp/template.pot") messages from the sources"
  if ! LC_ALL=C msgcmp -N "$po" "$tmp/template.pot" 2>"$tmp/err"; then
    echo "$po: messages of the sources that the catalogue lacks:"
    undefined='s/^.*template\.pot:\([0-9]*\): this message is used but not defined.*/\1/p'
    for line in $(sed -n "$undefined" "$tmp/err"); do
      # msgcmp names the msgstr line: show the msgid above it.
      awk -v end="$line" 'NR < end && /^msgid / {start = NR} NR < end {l[NR] = $0}
        END {for (i = start; i < end; i++) print l[i]}' "$tmp/template.pot"
    done
    grep -v 'this message is used but not defined' "$tmp/err"
    status=1
  fi
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
