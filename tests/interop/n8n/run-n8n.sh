#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A real n8n for the interop suite, on 127.0.0.1 only, in a throw-away user folder, with nothing
# sent anywhere (no diagnostics, version checks, templates or banners).
#
#   run-n8n.sh install           installs package-lock.json's tree, unless it is installed
#   run-n8n.sh start STATE       imports credentials.json and workflow.json into a new user folder
#                                under STATE, publishes the workflow, starts n8n and waits until it
#                                has activated the workflow; writes STATE/n8n.env for the test
#   run-n8n.sh deactivate STATE  stops n8n, unpublishes the workflow (n8n's CLI only acts on a
#                                stopped n8n), starts it again and waits until it is ready
#   run-n8n.sh stop STATE        stops n8n (and its task runner)
#
# n8n's log is STATE/n8n.log. Each wait is bounded (N8N_READY_TIMEOUT seconds, default 120).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
workflow_id="MedRefillTestWf1"
ready_timeout="${N8N_READY_TIMEOUT:-120}"

die () { echo "run-n8n.sh: $*" >&2; exit 1; }

now () { date +%s.%N; }
since () { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Whether every package installed is in package-lock.json at the version the lock gives, the
# pinned n8n among them.
tree_is_locked () {
  [ -x node_modules/.bin/n8n ] && [ -f node_modules/.package-lock.json ] || return 1
  node -e '
    const lock = require("./package-lock.json").packages;
    const tree = require("./node_modules/.package-lock.json").packages;
    const bad = Object.keys(tree)
      .filter((k) => k && (!lock[k] || lock[k].version !== tree[k].version));
    const n8n = require("./node_modules/n8n/package.json").version;
    if (n8n !== require("./package.json").dependencies.n8n) bad.push("n8n " + n8n);
    if (bad.length) {
      console.error("not as locked: " + bad.slice(0, 10).join(", "));
      process.exit(1);
    }
  ' 2>"${1:-/dev/null}"
}

install () {
  cd "$here"
  tree_is_locked && return 0
  local t0; t0="$(now)"
  echo "run-n8n.sh: installing n8n from package-lock.json (several minutes, about 2.1 GB)" >&2
  # Not `npm ci`: the lock leaves out some other platforms' optional packages (the registry here
  # lacks those versions), which npm ci refuses. `npm install --no-save` installs what the lock
  # says and leaves it as it is; tree_is_locked then proves that the tree is the lock's.
  npm install --no-save --no-audit --no-fund --loglevel=error >&2 \
    || die "npm install failed in $here"
  tree_is_locked /dev/stderr || die "node_modules does not match package-lock.json"
  echo "run-n8n.sh: installed in $(since "$t0") s;" \
       "node_modules is $(du -sh node_modules | cut -f1)" >&2
}

free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# The environment every n8n command of this suite runs with.
n8n_env () {
  local state="$1"
  [ -f "$state/ports" ] || die "no $state/ports: run 'run-n8n.sh start $state' first"
  # shellcheck disable=SC1091
  . "$state/ports"
  export N8N_USER_FOLDER="$state/user"
  export N8N_HOST=127.0.0.1 N8N_LISTEN_ADDRESS=127.0.0.1 N8N_PORT="$port" N8N_PROTOCOL=http
  export N8N_RUNNERS_BROKER_LISTEN_ADDRESS=127.0.0.1 N8N_RUNNERS_BROKER_PORT="$broker_port"
  export N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false
  export N8N_TEMPLATES_ENABLED=false N8N_PERSONALIZATION_ENABLED=false
  export N8N_HIRING_BANNER_ENABLED=false N8N_DYNAMIC_BANNERS_ENABLED=false
  export N8N_LICENSE_AUTO_RENEW_ENABLED=false N8N_PUBLIC_API_DISABLED=true
  export N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED=false
  export N8N_PYTHON_ENABLED=false   # no Python runner: the workflow's Code nodes are JavaScript
  export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true
  export DB_TYPE=sqlite
  unset N8N_SENTRY_DSN N8N_FRONTEND_SENTRY_DSN
}

n8n_cli () {
  "$here/node_modules/.bin/n8n" "$@" >>"$STATE/cli.log" 2>&1 \
    || { tail -20 "$STATE/cli.log" >&2; die "n8n $1 failed (log: $STATE/cli.log)"; }
}

# Starts n8n and waits for @1 in its log (and for /healthz); bounded by $ready_timeout.
launch () {
  local marker="$1" t0 deadline
  t0="$(now)"
  : >"$STATE/n8n.log"
  setsid "$here/node_modules/.bin/n8n" start >>"$STATE/n8n.log" 2>&1 </dev/null &
  echo $! >"$STATE/n8n.pid"
  deadline=$(( $(date +%s) + ready_timeout ))
  until grep -q "$marker" "$STATE/n8n.log" \
        && curl -sf --noproxy '*' -o /dev/null "http://127.0.0.1:$N8N_PORT/healthz"; do
    if ! kill -0 "$(cat "$STATE/n8n.pid")" 2>/dev/null; then
      tail -30 "$STATE/n8n.log" >&2
      die "n8n exited before it was ready (log: $STATE/n8n.log)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -30 "$STATE/n8n.log" >&2
      stop
      die "n8n was not ready after $ready_timeout s (no \"$marker\" in $STATE/n8n.log)"
    fi
    sleep 0.5
  done
  echo "run-n8n.sh: n8n ready on 127.0.0.1:$N8N_PORT in $(since "$t0") s" >&2
}

# Stops n8n: SIGTERM to its process group (n8n and its task runner), SIGKILL after 20 s.
stop () {
  local pid
  [ -f "$STATE/n8n.pid" ] || return 0
  pid="$(cat "$STATE/n8n.pid")"
  rm -f "$STATE/n8n.pid"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

header_field () {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["data"][sys.argv[2]])' \
    "$here/credentials.json" "$1"
}

start () {
  [ -x "$here/node_modules/.bin/n8n" ] || install
  mkdir -p "$STATE"
  [ -d "$STATE/user" ] && die "$STATE/user exists: use a new state directory"
  mkdir -m 0700 "$STATE/user"
  printf 'port=%s\nbroker_port=%s\n' "$(free_port)" "$(free_port)" >"$STATE/ports"
  n8n_env "$STATE"
  local t0; t0="$(now)"
  n8n_cli import:credentials --input="$here/credentials.json"
  n8n_cli import:workflow --input="$here/workflow.json"
  n8n_cli publish:workflow --id="$workflow_id"
  echo "run-n8n.sh: imported and published in $(since "$t0") s" >&2
  launch "Activated workflow"
  {
    echo "MEDREFILL_N8N_URL=http://127.0.0.1:$N8N_PORT"
    echo "MEDREFILL_N8N_HEADER_NAME=$(header_field name)"
    echo "MEDREFILL_N8N_HEADER_VALUE=$(header_field value)"
  } >"$STATE/n8n.env"
}

deactivate () {
  n8n_env "$STATE"
  stop
  n8n_cli unpublish:workflow --id="$workflow_id"
  launch "Editor is now accessible"
}

command="${1:-}"
STATE="${2:-}"
case "$command" in
  install) install ;;
  start|deactivate|stop)
    [ -n "$STATE" ] || die "usage: run-n8n.sh $command STATE_DIRECTORY"
    STATE="$(mkdir -p "$STATE" && cd "$STATE" && pwd)"
    "$command" ;;
  *) die "usage: run-n8n.sh install | start STATE | deactivate STATE | stop STATE" ;;
esac
