#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A real n8n running the SHIPPED workflow (data/n8n/medication-refill.json) for the interop suite,
# on 127.0.0.1 only, with n8n's own database and the workflow's tables in one private PostgreSQL
# (tests/support/run-postgres.sh), a token issuer the test controls (a static server for its
# JWKS), and nothing sent anywhere (no diagnostics, version checks, templates or banners).
#
#   run-n8n.sh install           installs package-lock.json's tree into the machine's cache
#                                (prints nothing when it is installed there already)
#   run-n8n.sh start STATE       starts PostgreSQL and the JWKS server, imports the Postgres
#                                credential and the shipped workflow (its Clinic settings pointed at
#                                the test's issuer), publishes it, starts n8n and waits until it
#                                has activated the workflow; writes STATE/n8n.env for the test
#   run-n8n.sh stop STATE        stops n8n only (the test's "n8n is down" case)
#   run-n8n.sh restart STATE     starts the stopped n8n again and waits for the workflow
#   run-n8n.sh deactivate STATE  stops n8n, unpublishes the workflow (n8n's CLI only acts on a
#                                stopped n8n), starts it again and waits until it is ready
#   run-n8n.sh teardown STATE    stops n8n (and its task runner), the JWKS server and PostgreSQL
#
# n8n's log is STATE/n8n.log. Each wait is bounded (N8N_READY_TIMEOUT seconds, default 120).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../../.." && pwd)"
run_postgres="$top/tests/support/run-postgres.sh"
workflow_id="MedRefillWorkflow1"          # data/n8n/build-workflow.py
credential_id="MedRefillPgCred1"          # the File once node's credential
credential_name="Medication Refill database"
audience="api://medrefill-n8n-test"
ready_timeout="${N8N_READY_TIMEOUT:-120}"

# The installed tree lives outside the clone, in a folder named after the lock, so that a machine
# (or a CI runner that keeps its cache) installs each lock once, whatever clone runs the suite.
lock_hash="$(sha256sum "$here/package-lock.json" | cut -c1-16)"
cache="${MEDREFILL_N8N_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/medrefill}/n8n-$lock_hash"
n8n_bin="$cache/node_modules/.bin/n8n"

die () { echo "run-n8n.sh: $*" >&2; exit 1; }

now () { date +%s.%N; }
since () { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Whether every package installed in the cache is in package-lock.json at the version the lock
# gives, the pinned n8n among them.
tree_is_locked () {
  [ -x "$n8n_bin" ] && [ -f "$cache/node_modules/.package-lock.json" ] || return 1
  (cd "$cache" && node -e '
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
  ') 2>"${1:-/dev/null}"
}

install () {
  mkdir -p "$cache"
  # One install at a time per cache folder: two runs on one machine wait for each other.
  exec 9>"$cache.lock"
  flock -w 1200 9 || die "another install in $cache did not finish in 20 minutes"
  cp "$here/package.json" "$here/package-lock.json" "$cache/"
  if tree_is_locked; then
    exec 9>&-
    return 0
  fi
  local t0; t0="$(now)"
  echo "run-n8n.sh: installing n8n from package-lock.json into $cache" \
       "(several minutes, about 2.1 GB)" >&2
  # Not `npm ci`: the lock leaves out some other platforms' optional packages (the registry here
  # lacks those versions), which npm ci refuses. `npm install --no-save` installs what the lock
  # says and leaves it as it is; tree_is_locked then proves that the tree is the lock's. An
  # install cut short is finished by the next one (npm keeps what it has unpacked).
  (cd "$cache" && npm install --no-save --no-audit --no-fund --loglevel=error) >&2 \
    || die "npm install failed in $cache"
  tree_is_locked /dev/stderr || die "$cache/node_modules does not match package-lock.json"
  echo "run-n8n.sh: installed in $(since "$t0") s;" \
       "node_modules is $(du -sh "$cache/node_modules" | cut -f1)" >&2
  # Unlocked here: n8n, started later by this script, would otherwise inherit the lock.
  exec 9>&-
}

free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# The environment every n8n command of this suite runs with.
n8n_env () {
  [ -f "$STATE/ports" ] || die "no $STATE/ports: run 'run-n8n.sh start $STATE' first"
  # shellcheck disable=SC1091
  . "$STATE/ports"
  # The tree that start used: the test that runs stop and restart has a HOME of its own.
  n8n_bin="$n8n_tree/.bin/n8n"
  # shellcheck disable=SC1091
  . "$STATE/postgres.env"
  export N8N_USER_FOLDER="$STATE/user"
  export N8N_HOST=127.0.0.1 N8N_LISTEN_ADDRESS=127.0.0.1 N8N_PORT="$port" N8N_PROTOCOL=http
  export N8N_RUNNERS_BROKER_LISTEN_ADDRESS=127.0.0.1 N8N_RUNNERS_BROKER_PORT="$broker_port"
  export N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false
  export N8N_TEMPLATES_ENABLED=false N8N_PERSONALIZATION_ENABLED=false
  export N8N_HIRING_BANNER_ENABLED=false N8N_DYNAMIC_BANNERS_ENABLED=false
  export N8N_LICENSE_AUTO_RENEW_ENABLED=false N8N_PUBLIC_API_DISABLED=true
  export N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED=false
  export N8N_PYTHON_ENABLED=false   # no Python runner: the workflow's Code nodes are JavaScript
  export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true
  # What README "Setting up the workflow" tells a clinic to set for the Verify the token node.
  export NODE_FUNCTION_ALLOW_EXTERNAL=jose NODE_FUNCTION_ALLOW_BUILTIN=crypto,url
  # n8n's own database on the same private server as the workflow's tables, as a clinic would
  # run it (and unlike n8n's default SQLite).
  export DB_TYPE=postgresdb DB_POSTGRESDB_HOST="$PGHOST" DB_POSTGRESDB_PORT="$PGPORT"
  export DB_POSTGRESDB_DATABASE=n8n DB_POSTGRESDB_USER="$PGUSER" DB_POSTGRESDB_PASSWORD=
  unset N8N_SENTRY_DSN N8N_FRONTEND_SENTRY_DSN
}

n8n_cli () {
  "$n8n_bin" "$@" >>"$STATE/cli.log" 2>&1 \
    || { tail -20 "$STATE/cli.log" >&2; die "n8n $1 failed (log: $STATE/cli.log)"; }
}

# Whether @1 answers 2xx, without any proxy. Python rather than curl, which a fresh Debian 12
# lacks and scripts/install-deps does not install.
healthy () {
  python3 -c 'import sys, urllib.request as u
u.build_opener(u.ProxyHandler({})).open(sys.argv[1], timeout=2)' "$1" 2>/dev/null
}

# Starts n8n and waits for @1 in its log (and for /healthz); bounded by $ready_timeout.
launch () {
  local marker="$1" t0 deadline
  t0="$(now)"
  : >"$STATE/n8n.log"
  setsid "$n8n_bin" start >>"$STATE/n8n.log" 2>&1 </dev/null &
  echo $! >"$STATE/n8n.pid"
  deadline=$(( $(date +%s) + ready_timeout ))
  until grep -q "$marker" "$STATE/n8n.log" \
        && healthy "http://127.0.0.1:$N8N_PORT/healthz"; do
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

# Stops the process group of the pid in @1: SIGTERM (n8n and its task runner), SIGKILL after 20 s.
stop_group () {
  local pid
  [ -f "$1" ] || return 0
  pid="$(cat "$1")"
  rm -f "$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

stop () { stop_group "$STATE/n8n.pid"; }

# A static server for STATE/issuer, where the test writes its JWKS (jwks.json) before its first
# request: the token issuer of the Clinic settings node. Port 0; the port is written to
# STATE/issuer.port once the socket listens.
start_issuer () {
  local deadline
  mkdir -p "$STATE/issuer"
  setsid python3 -c '
import functools, http.server, os, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(
    ("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
' "$STATE/issuer" "$STATE/issuer.port" >"$STATE/issuer.log" 2>&1 </dev/null &
  echo $! >"$STATE/issuer.pid"
  deadline=$(( $(date +%s) + 20 ))
  until [ -s "$STATE/issuer.port" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "the JWKS server did not start (log: $STATE/issuer.log)"
    sleep 0.1
  done
}

# The shipped workflow with its Clinic settings pointed at the test's issuer: the one edit README
# "Setting up the workflow" asks of a clinic (step 4), made on a copy in STATE.
patch_workflow () {
  python3 - "$top/data/n8n/medication-refill.json" "$STATE/workflow.json" "$@" <<'EOF'
import json, sys
source, target, issuer, jwks_uri, audience = sys.argv[1:]
workflow = json.load(open(source, encoding="utf-8"))
wanted = {"issuer": issuer, "jwks_uri": jwks_uri, "audience": audience}
settings = [n for n in workflow["nodes"] if n["name"] == "Clinic settings"]
if len(settings) != 1:
    sys.exit("the shipped workflow has no single Clinic settings node")
for a in settings[0]["parameters"]["assignments"]["assignments"]:
    if a["name"] in wanted:
        a["value"] = wanted.pop(a["name"])
if wanted:
    sys.exit("Clinic settings lacks " + ", ".join(sorted(wanted)))
json.dump([workflow], open(target, "w", encoding="utf-8"), indent=2)
EOF
}

# The File once node's credential, for the "medrefill" database that run-postgres.sh made with
# data/n8n/schema.sql (trust authentication on 127.0.0.1: the password is not checked).
write_credential () {
  python3 - "$STATE/credentials.json" "$credential_id" "$credential_name" "$PGHOST" "$PGPORT" \
    "$PGUSER" <<'EOF'
import json, sys
target, cid, name, host, port, user = sys.argv[1:]
json.dump([{"id": cid, "name": name, "type": "postgres",
            "data": {"host": host, "port": int(port), "database": "medrefill", "user": user,
                     "password": "unused", "ssl": "disable", "allowUnauthorizedCerts": False,
                     "sshTunnel": False}}],
          open(target, "w", encoding="utf-8"), indent=2)
EOF
}

start () {
  tree_is_locked || install
  mkdir -p "$STATE"
  [ -d "$STATE/user" ] && die "$STATE/user exists: use a new state directory"
  mkdir -m 0700 "$STATE/user"
  local t0; t0="$(now)"
  "$run_postgres" start "$STATE" || die "PostgreSQL did not start"
  start_issuer
  local issuer_port; issuer_port="$(cat "$STATE/issuer.port")"
  local issuer="http://127.0.0.1:$issuer_port/test-tenant/v2.0"
  local jwks_uri="http://127.0.0.1:$issuer_port/jwks.json"
  printf 'port=%s\nbroker_port=%s\nn8n_tree=%q\n' "$(free_port)" "$(free_port)" \
    "$cache/node_modules" >"$STATE/ports"
  n8n_env
  patch_workflow "$issuer" "$jwks_uri" "$audience" || die "could not patch the workflow"
  write_credential
  echo "run-n8n.sh: PostgreSQL and the JWKS server in $(since "$t0") s" >&2
  t0="$(now)"
  n8n_cli import:credentials --input="$STATE/credentials.json"
  n8n_cli import:workflow --input="$STATE/workflow.json"
  n8n_cli publish:workflow --id="$workflow_id"
  echo "run-n8n.sh: imported and published in $(since "$t0") s" >&2
  launch "Activated workflow"
  {
    echo "MEDREFILL_N8N_URL=http://127.0.0.1:$N8N_PORT"
    echo "MEDREFILL_N8N_ISSUER=$issuer"
    echo "MEDREFILL_N8N_AUDIENCE=$audience"
    echo "MEDREFILL_N8N_JWKS_FILE=$STATE/issuer/jwks.json"
    echo "MEDREFILL_N8N_CONTROL=$here/run-n8n.sh"
    echo "MEDREFILL_N8N_STATE=$STATE"
    cat "$STATE/postgres.env"
  } >"$STATE/n8n.env"
}

restart () {
  n8n_env
  [ -f "$STATE/n8n.pid" ] && die "n8n is running"
  launch "Activated workflow"
}

deactivate () {
  n8n_env
  stop
  n8n_cli unpublish:workflow --id="$workflow_id"
  launch "Editor is now accessible"
}

teardown () {
  stop
  stop_group "$STATE/issuer.pid"
  "$run_postgres" stop "$STATE" || true
}

command="${1:-}"
STATE="${2:-}"
case "$command" in
  install) install ;;
  start|stop|restart|deactivate|teardown)
    [ -n "$STATE" ] || die "usage: run-n8n.sh $command STATE_DIRECTORY"
    STATE="$(mkdir -p "$STATE" && cd "$STATE" && pwd)"
    "$command" ;;
  *) die "usage: run-n8n.sh install | start|stop|restart|deactivate|teardown STATE" ;;
esac
