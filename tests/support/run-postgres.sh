#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A private PostgreSQL for the n8n suite: Debian's server binaries, a new cluster in a throw-away
# folder, listening on 127.0.0.1 only, on a free port, with two databases: "n8n" (n8n's own) and
# "medrefill" (the workflow's idempotency keys and filed requests, data/n8n/schema.sql).
#
#   run-postgres.sh start STATE   initdb, start, create the databases; writes STATE/postgres.env
#   run-postgres.sh pause STATE   stops accepting connections (SIGSTOP), for fault tests
#   run-postgres.sh resume STATE  (SIGCONT)
#   run-postgres.sh stop STATE    stops the server
#
# As root (CI) the server runs as the "postgres" user that Debian's package creates: initdb refuses
# to run as root. Each wait is bounded.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"

die () { echo "run-postgres.sh: $*" >&2; exit 1; }

bindir () {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  die "PostgreSQL's server is not installed (Debian: apt-get install postgresql)"
}

as_owner () {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start () {
  local bin; bin="$(bindir)"
  local data="$STATE/pgdata" port
  [ -d "$data" ] && die "$data exists: use a new state directory"
  port="$(free_port)"
  mkdir -p "$STATE/pgsocket"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$STATE" "$STATE/pgsocket"
    # The server must reach its folder through the parents.
    chmod o+x "$STATE"
  fi
  as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --no-instructions -E UTF8 \
    --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 || { cat "$STATE/initdb.log" >&2; die "initdb failed"; }
  as_owner "$bin/pg_ctl" -D "$data" -l "$STATE/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $STATE/pgsocket -c fsync=on" start >/dev/null \
    || { tail -n 20 "$STATE/postgres.log" >&2; die "the server did not start"; }
  local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
  "${psql[@]}" -d postgres -c 'CREATE DATABASE n8n' -c 'CREATE DATABASE medrefill' >/dev/null
  "${psql[@]}" -d medrefill -f "$top/data/n8n/schema.sql" >/dev/null
  {
    echo "PGHOST=127.0.0.1"
    echo "PGPORT=$port"
    echo "PGUSER=postgres"
    echo "MEDREFILL_PG_BIN=$bin"
  } >"$STATE/postgres.env"
  echo "run-postgres.sh: PostgreSQL on 127.0.0.1:$port" >&2
}

server_pid () {
  head -n 1 "$STATE/pgdata/postmaster.pid" 2>/dev/null
}

stop () {
  [ -f "$STATE/pgdata/postmaster.pid" ] || return 0
  local pid; pid="$(server_pid)"
  kill -CONT "$pid" 2>/dev/null || true
  as_owner "$(bindir)/pg_ctl" -D "$STATE/pgdata" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || kill -KILL "$pid" 2>/dev/null || true
}

command="${1:-}"
STATE="${2:-}"
case "$command" in
  start|stop)
    [ -n "$STATE" ] || die "usage: run-postgres.sh $command STATE_DIRECTORY"
    STATE="$(mkdir -p "$STATE" && cd "$STATE" && pwd)"
    "$command" ;;
  pause|resume)
    [ -n "$STATE" ] || die "usage: run-postgres.sh $command STATE_DIRECTORY"
    pid="$(server_pid)"; [ -n "$pid" ] || die "no server in $STATE"
    if [ "$command" = pause ]; then kill -STOP "$pid"; else kill -CONT "$pid"; fi ;;
  *) die "usage: run-postgres.sh start STATE | stop STATE | pause STATE | resume STATE" ;;
esac
