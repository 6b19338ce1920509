# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the bench scripts: the same surroundings as scripts/run-tests — a virtual display, a
# private session bus with an unlocked keyring (the outbox asks it for its key; without one
# gnome-keyring would put up a password prompt) — and the uninstalled build's paths.
# Usage, at the top of a script:  . "$(dirname "$0")/env.sh" "$0" "$@"
if [ -z "${MEDREFILL_BENCH_SESSION:-}" ]; then
  export MEDREFILL_BENCH_SESSION=1
  exec xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- bash -c '
    eval "$(printf "\n" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
    export GNOME_KEYRING_CONTROL
    exec "$@"' bash "$@"
fi
cd "$(dirname "$1")/.."
export GSETTINGS_SCHEMA_DIR=$PWD/_build/data GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
export MEDREFILL_HELPER_DIR=$PWD/_build/src/ui/signin GIO_USE_PROXY_RESOLVER=dummy
export no_proxy=127.0.0.1,localhost
# This machine has no GPU: draw in software, like Chromium's --disable-gpu (GTK's GL renderer on
# llvmpipe loads Mesa and LLVM into the process). RENDERER=gl measures GTK's default instead.
if [ "${RENDERER:-cairo}" = cairo ]; then
  export GDK_DEBUG=gl-disable WEBKIT_DISABLE_COMPOSITING_MODE=1
fi
