#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-kiosk-wayland.sh APP HELPER_DIR SCHEMAS_DIR DRIVER created|none
# The kiosk on a real Wayland kiosk compositor: cage on its headless backend with the app as its
# only client, in a clean environment (env -i), its own runtime directory and session bus, and
# gnome-keyring with a created keyring ("created") or, as a fresh autologin kiosk has, none
# ("none"). The driver (mr-kiosk-driver.c) then works the app through AT-SPI and looks at it with
# grim. cage refuses root: as root a throw-away user runs it. Exit 0 pass, 77 skip, else fail.
# For debugging: MEDREFILL_SCREENSHOT_DIR keeps the captures and the log of a run that did not
# pass; MR_KIOSK_DUMP=1 prints the accessibility tree on a failure; MR_WAYLAND_DEBUG=1 logs the
# app's Wayland protocol.
set -uo pipefail

app=$1 helper_dir=$2 schemas_dir=$3 driver=$4 keyring=$5
tools=(cage grim Xwayland dbus-run-session gnome-keyring-daemon)
if [ "$(id -u)" -eq 0 ]; then
  PATH="$PATH:/usr/sbin:/sbin"
  tools+=(useradd userdel runuser)
fi
for tool in "${tools[@]}"; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (scripts/install-deps installs it)"
    exit 77
  fi
done

# Everything the user runs is copied out of the build tree, which may sit under root's 0700 home.
work=$(mktemp -d /tmp/mr-kiosk-wayland.XXXXXX)
user=""
cleanup () {
  # userdel refuses while the session's last processes are still on their way out.
  if [ -n "$user" ]; then
    for _ in $(seq 1 40); do
      userdel "$user" 2>/dev/null && break
      sleep 0.25
    done
    getent passwd "$user" >/dev/null && echo "warning: could not remove the user $user" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"
mkdir -p "$work/bin" "$work/schemas" "$work/home" "$work/run" "$work/shots"
cp "$app" "$work/bin/medrefill"
cp "$helper_dir/medrefill-signin" "$work/bin/"
cp "$driver" "$work/bin/mr-kiosk-driver"
cp "$schemas_dir/gschemas.compiled" "$work/schemas/"
cp "$(dirname "$0")/kiosk-session.sh" "$work/bin/"
chmod 700 "$work/run"

as_user=()
if [ "$(id -u)" -eq 0 ]; then
  user="mrkiosk$$"
  if ! useradd --system --no-create-home --home-dir "$work/home" --shell /usr/sbin/nologin \
       "$user"; then
    echo "FAIL: could not create a throw-away user for cage"
    user=""
    exit 1
  fi
  chown "$user:" "$work/home" "$work/run" "$work/shots"
  as_user=(runuser -u "$user" --)
fi

"${as_user[@]}" env -i \
  HOME="$work/home" USER="${user:-$(id -un)}" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
  XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/home/.config" \
  XDG_DATA_HOME="$work/home/.local/share" XDG_CACHE_HOME="$work/home/.cache" \
  XDG_STATE_HOME="$work/home/.local/state" ${MR_KIOSK_DUMP:+MR_KIOSK_DUMP=1} ${MR_WAYLAND_DEBUG:+MR_WAYLAND_DEBUG=1} \
  timeout -k 5 110 dbus-run-session -- bash "$work/bin/kiosk-session.sh" "$work" "$keyring"
status=$?
if [ $status -ne 0 ] && [ $status -ne 77 ]; then
  echo "--- cage and app log (last 60 lines) ---"
  grep -v 'Basic output test failed' "$work/shots/session.log" 2>/dev/null | tail -n 60
fi
# The captures (and the log), to look at: MEDREFILL_SCREENSHOT_DIR as for the UI tests.
if [ $status -ne 0 ] && [ -n "${MEDREFILL_SCREENSHOT_DIR:-}" ]; then
  mkdir -p "$MEDREFILL_SCREENSHOT_DIR/kiosk-wayland-$keyring" &&
    cp "$work"/shots/* "$MEDREFILL_SCREENSHOT_DIR/kiosk-wayland-$keyring/"
fi
exit $status
