#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# kiosk-session.sh WORK created|none: inside the test's own session bus, as the kiosk user, what
# an autologin kiosk session does (keyring, compositor, the app as its only client), then the
# driver. Started by run-kiosk-wayland.sh.
set -uo pipefail
work=$1 keyring=$2
log="$work/shots/session.log"

if [ "$keyring" = created ]; then
  # An unlocked login keyring with an empty password, as a signed-in desktop session has.
  eval "$(printf '\n' | gnome-keyring-daemon --unlock --components=secrets 2>>"$log")"
else
  # The daemon is there but no keyring has been created yet: a fresh autologin kiosk.
  eval "$(gnome-keyring-daemon --start --components=secrets 2>>"$log")"
fi
export GNOME_KEYRING_CONTROL

# A real session puts the display into the bus's activation environment, so that a service the
# app wakes (gcr's prompter, say) could show a window on the kiosk's screen: the test must see it.
export WAYLAND_DISPLAY=wayland-0
dbus-update-activation-environment WAYLAND_DISPLAY XDG_RUNTIME_DIR 2>>"$log"

# The kiosk's settings as an administrator would set them, in GSettings' keyfile backend: the
# shortest idle timeout (15 s, then a 7.5 s warning), so that the visit ends with the idle wipe.
mkdir -p "$XDG_CONFIG_HOME/glib-2.0/settings"
printf '[io/github/medrefill/MedRefill]\nidle-timeout=uint32 15\n' \
  >"$XDG_CONFIG_HOME/glib-2.0/settings/keyfile"

# -r -r: the output turned by 180° (grim turns the capture back). cage 0.1.4 tries to scan a
# full-output client buffer out directly; on the headless backend that test fails ("Basic output
# test failed for HEADLESS-1") and the output keeps its last frame, so that nothing the
# fullscreen kiosk draws after its first frame would ever be captured. A turned output is always
# composited.
env ${MR_WAYLAND_DEBUG:+WAYLAND_DEBUG=client} \
  WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
  GTK_A11Y=atspi GSETTINGS_BACKEND=keyfile GSETTINGS_SCHEMA_DIR="$work/schemas" \
  MEDREFILL_HELPER_DIR="$work/bin" MEDREFILL_TEST_SIGNIN_SCRIPT_FILE="$work/shots/signin.js" \
  cage -d -r -r -- "$work/bin/medrefill" --sandbox --kiosk >>"$log" 2>&1 &
cage_pid=$!

"$work/bin/mr-kiosk-driver" "$work/shots" "$keyring"
status=$?
kill "$cage_pid" 2>/dev/null
wait "$cage_pid" 2>/dev/null
exit $status
