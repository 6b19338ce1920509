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
#                                (and, in queue mode, the webhook processor, the workers and Redis)
#
#   run-n8n.sh start-queue STATE the same n8n in QUEUE MODE (n8n's "scaling" setup): a private
#                                Redis, the same PostgreSQL, n8n main (editor, triggers, queue
#                                recovery; no production webhooks), one webhook processor
#                                (`n8n webhook`, where MEDREFILL_N8N_URL then points) and two
#                                workers (`n8n worker`), all with one N8N_ENCRYPTION_KEY
#   run-n8n.sh fault STATE KIND  one bounded fault, back to normal when it returns:
#                                worker (SIGKILL worker 1, start it again), webhook (SIGKILL the
#                                webhook processor, start it again), redis (stop Redis, start it
#                                again on its port and files), postgres (SIGSTOP the postmaster
#                                for FAULT_PAUSE seconds, default 3), main (stop n8n main, start
#                                it again; in single-process mode that is all of n8n)
#
# n8n's log is STATE/n8n.log (STATE/webhook.log, STATE/worker1.log, STATE/worker2.log and
# STATE/redis.log in queue mode). Each wait is bounded (N8N_READY_TIMEOUT seconds, default 120).
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
  # One key for every process: each decrypts the Postgres credential that the import encrypted.
  export N8N_ENCRYPTION_KEY="$encryption_key"
  if [ "$mode" = queue ]; then
    export EXECUTIONS_MODE=queue QUEUE_BULL_REDIS_HOST=127.0.0.1 QUEUE_BULL_REDIS_PORT="$redis_port"
    # Production webhooks only on the webhook processor, as n8n's scaling guide sets it up: the
    # main process keeps the editor, the triggers and the queue's recovery.
    export N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true
    # No worker health server: it would take port 5678 on every worker.
    export QUEUE_HEALTH_CHECK_ACTIVE=false
  fi
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

# Starts `n8n @3 (start, webhook, worker)` as STATE/@1.pid, logging to STATE/@1.log, with its own
# HTTP port @4 (empty: none, a worker) and task broker port @5, and waits for @2 in its log (and
# for /healthz on @4); bounded by $ready_timeout.
launch_process () {
  local name="$1" marker="$2" verb="$3" http_port="$4" broker="$5" t0 deadline
  t0="$(now)"
  # The log of the run before (a fault's restart) is kept beside, for whoever reads why.
  [ -s "$STATE/$name.log" ] && cat "$STATE/$name.log" >>"$STATE/$name.log.before"
  : >"$STATE/$name.log"
  N8N_PORT="${http_port:-$N8N_PORT}" N8N_RUNNERS_BROKER_PORT="$broker" \
    setsid "$n8n_bin" "$verb" >>"$STATE/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
  deadline=$(( $(date +%s) + ready_timeout ))
  until grep -q "$marker" "$STATE/$name.log" \
        && { [ -z "$http_port" ] || healthy "http://127.0.0.1:$http_port/healthz"; }; do
    if ! kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then
      tail -30 "$STATE/$name.log" >&2
      die "n8n $verb ($name) exited before it was ready (log: $STATE/$name.log)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -30 "$STATE/$name.log" >&2
      stop_group "$STATE/$name.pid"
      die "n8n $verb ($name) was not ready after $ready_timeout s" \
          "(no \"$marker\" in $STATE/$name.log)"
    fi
    sleep 0.5
  done
  echo "run-n8n.sh: n8n $verb ($name) ready in $(since "$t0") s" >&2
}

launch () { launch_process n8n "$1" start "$N8N_PORT" "$broker_port"; }

launch_webhook () {
  launch_process webhook "Webhook listener waiting for requests" webhook "$webhook_port" \
    "$webhook_broker_port"
}

launch_worker () {
  local i="$1" broker
  broker="worker${i}_broker_port"
  launch_process "worker$i" "n8n worker is now ready" worker "" "${!broker}"
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

# ---- queue mode ----------------------------------------------------------------------------------

redis_ping () {
  [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ]
}

# Redis on 127.0.0.1 only, its files in STATE/redis, with an append-only file so that a restart
# keeps the queue (as a clinic's Redis would); no snapshots.
start_redis () {
  command -v redis-server >/dev/null \
    || die "redis-server is not installed (Debian: apt-get install redis-server)"
  mkdir -p "$STATE/redis"
  setsid redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$STATE/redis" \
    --appendonly yes --save "" --daemonize no --protected-mode yes \
    >>"$STATE/redis.log" 2>&1 </dev/null &
  echo $! >"$STATE/redis.pid"
  local deadline=$(( $(date +%s) + 20 ))
  until redis_ping; do
    [ "$(date +%s)" -lt "$deadline" ] || die "Redis did not start (log: $STATE/redis.log)"
    sleep 0.1
  done
}

stop_queue () {
  local i
  stop_group "$STATE/webhook.pid"
  for i in 1 2; do stop_group "$STATE/worker$i.pid"; done
  stop
  stop_group "$STATE/redis.pid"
}

# One fault at a time, each back to normal (and ready) before it returns.
fault () {
  n8n_env
  local kind="${1:-}" t0; t0="$(now)"
  case "$kind" in
    worker)
      [ "$mode" = queue ] || die "no workers in single-process mode"
      kill_group "$STATE/worker1.pid"
      launch_worker 1 ;;
    webhook)
      [ "$mode" = queue ] || die "no webhook processor in single-process mode"
      kill_group "$STATE/webhook.pid"
      launch_webhook ;;
    redis)
      [ "$mode" = queue ] || die "no Redis in single-process mode"
      stop_group "$STATE/redis.pid"
      start_redis ;;
    postgres)
      "$run_postgres" pause "$STATE"
      sleep "${FAULT_PAUSE:-3}"
      "$run_postgres" resume "$STATE" ;;
    main)
      stop
      launch "Activated workflow" ;;
    *) die "usage: run-n8n.sh fault STATE worker|webhook|redis|postgres|main" ;;
  esac
  echo "run-n8n.sh: fault $kind over in $(since "$t0") s" >&2
}

# A crash, not a shutdown: SIGKILL to the process group (the process and its task runner).
kill_group () {
  local pid
  [ -f "$1" ] || return 0
  pid="$(cat "$1")"
  rm -f "$1"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
}

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
  local mode="${1:-single}"
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
  (
    umask 077
    printf 'mode=%s\nport=%s\nbroker_port=%s\nn8n_tree=%q\n' "$mode" "$(free_port)" \
      "$(free_port)" "$cache/node_modules"
    printf 'webhook_port=%s\nwebhook_broker_port=%s\n' "$(free_port)" "$(free_port)"
    printf 'worker1_broker_port=%s\nworker2_broker_port=%s\n' "$(free_port)" "$(free_port)"
    printf 'redis_port=%s\nencryption_key=%s\n' "$(free_port)" \
      "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
  ) >"$STATE/ports"
  n8n_env
  if [ "$mode" = queue ]; then start_redis; fi
  patch_workflow "$issuer" "$jwks_uri" "$audience" || die "could not patch the workflow"
  write_credential
  echo "run-n8n.sh: PostgreSQL and the JWKS server in $(since "$t0") s" >&2
  t0="$(now)"
  n8n_cli import:credentials --input="$STATE/credentials.json"
  n8n_cli import:workflow --input="$STATE/workflow.json"
  n8n_cli publish:workflow --id="$workflow_id"
  echo "run-n8n.sh: imported and published in $(since "$t0") s" >&2
  launch "Activated workflow"
  local url_port="$N8N_PORT"
  if [ "$mode" = queue ]; then
    launch_webhook
    launch_worker 1
    launch_worker 2
    url_port="$webhook_port"
  fi
  {
    echo "MEDREFILL_N8N_MODE=$mode"
    echo "MEDREFILL_N8N_URL=http://127.0.0.1:$url_port"
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
  if [ -f "$STATE/ports" ] && [ -f "$STATE/postgres.env" ]; then
    n8n_env
    stop_queue
  fi
  stop
  stop_group "$STATE/issuer.pid"
  "$run_postgres" stop "$STATE" || true
}

command="${1:-}"
STATE="${2:-}"
case "$command" in
  install) install ;;
  start|stop|restart|deactivate|teardown|start-queue|fault)
    [ -n "$STATE" ] || die "usage: run-n8n.sh $command STATE_DIRECTORY"
    STATE="$(mkdir -p "$STATE" && cd "$STATE" && pwd)"
    case "$command" in
      start-queue) start queue ;;
      fault) fault "${3:-}" ;;
      *) "$command" ;;
    esac ;;
  *) die "usage: run-n8n.sh install | start|start-queue|stop|restart|deactivate|teardown STATE" \
         "| fault STATE KIND" ;;
esac
