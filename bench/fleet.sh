#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 16's benchmark: a fleet of kiosks (tests/interop/n8n/fleet.c, the app's own outbox and
# delivery code) against the shipped workflow, first in n8n's queue mode (Redis, PostgreSQL,
# main, one webhook processor, two workers: run-n8n.sh start-queue) with a worker killed, the
# webhook processor killed, Redis restarted, PostgreSQL paused, main restarted and, for 3 s, every
# answer cut after n8n filed the request (the app-side fault) while it runs; then against
# single-process n8n on the same PostgreSQL setup with the faults it has (PostgreSQL paused, n8n
# restarted, answers cut). Prints one table of both runs and queue mode's ratios to single.
# Usage: bench/fleet.sh [KIOSKS [REQUESTS [RATE]]]   (defaults 100 × 10 at 10 requests/s)
# QUEUE_FAULTS and SINGLE_FAULTS replace each mode's list (empty: no faults, for throughput and
# latency without fault windows).
# Needs n8n installed (scripts/test-n8n installs it), PostgreSQL and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
kiosks="${1:-100}" requests="${2:-10}" rate="${3:-10}"
run_n8n=tests/interop/n8n/run-n8n.sh
build=_build-n8n
"$run_n8n" install
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dn8n_tests=true -Dtest_hooks=true >/dev/null
fi
ninja -C "$build" tests/interop/n8n/fleet >/dev/null
results="$(mktemp)"
state=""
cleanup () {
  [ -z "$state" ] || { "$run_n8n" teardown "$state" >/dev/null 2>&1 || true; rm -rf "$state"; }
  rm -f "$results"
}
trap cleanup EXIT

# CPU seconds each part has used so far (from /proc: n8n's processes with their task runners,
# Redis, PostgreSQL with its backends), as a line "@2 label=@1 part=s …"; the table takes the
# fleet's run as the difference of the lines before and after it, on runs without faults (a
# part restarted by a fault would count from its restart only).
cpu_report () {
  python3 - "$1" "$state" "$2" <<'PY'
import glob, os, sys
label, state, what = sys.argv[1], sys.argv[2], sys.argv[3]
hz = os.sysconf("SC_CLK_TCK")
procs = {}
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            s = open(f"/proc/{p}/stat").read()
        except OSError:
            continue
        f = s[s.rindex(")") + 2:].split()
        # ppid, process group, utime + stime + children's (reaped task runners, backends)
        procs[int(p)] = (int(f[1]), int(f[2]), sum(int(x) for x in f[11:15]))
parts = {}
for pidfile in glob.glob(os.path.join(state, "*.pid")):
    name = os.path.basename(pidfile)[:-4]
    if name == "issuer":
        continue
    group = int(open(pidfile).read().split()[0])
    parts[name] = sum(t for (_, g, t) in procs.values() if g == group)
try:
    master = int(open(os.path.join(state, "pgdata", "postmaster.pid")).readline())
    parts["postgres"] = sum(t for pid, (pp, _, t) in procs.items() if pid == master or pp == master)
except (OSError, ValueError):
    pass
print(f"{what} label={label} " + " ".join(f"{k}={v / hz:.1f}" for k, v in sorted(parts.items())))
PY
}

run () {
  local mode="$1" faults="$2" verb=start
  [ "$mode" = queue ] && verb=start-queue
  state="$(mktemp -d "${TMPDIR:-/tmp}/medrefill-fleet.XXXXXX")"
  "$run_n8n" "$verb" "$state"
  cpu_report "$mode" cpu-before >>"$results"
  (
    set -a
    # shellcheck disable=SC1091
    . "$state/n8n.env"
    set +a
    export no_proxy=127.0.0.1,localhost GIO_USE_PROXY_RESOLVER=dummy
    "$build/tests/interop/n8n/fleet" --label "$mode" --kiosks "$kiosks" --requests "$requests" \
      --rate "$rate" --invalid 1 --faults "$faults" --drain 180
  ) | tee -a "$results"
  cpu_report "$mode" cpu | tee -a "$results"
  "$run_n8n" teardown "$state"
  rm -rf "$state"
  state=""
}

run queue "${QUEUE_FAULTS-worker@2,webhook@6,redis@10,postgres@14,main@18,cut@26}"
run single "${SINGLE_FAULTS-postgres@2,main@6,cut@26}"
python3 - "$results" <<'PY'
import sys
runs, cpu, before = {}, {}, {}
for line in open(sys.argv[1]):
    if line.startswith("label="):
        kv = dict(p.split("=", 1) for p in line.split())
        runs[kv["label"]] = kv
    elif line.startswith(("cpu label=", "cpu-before label=")):
        kv = dict(p.split("=", 1) for p in line.split()[1:])
        (cpu if line.startswith("cpu ") else before)[kv.pop("label")] = kv
rows = [("kiosks × requests", lambda r: f'{r["kiosks"]} × {r["requests"]}'),
        ("offered rate (req/s)", lambda r: r["rate"]), ("faults", lambda r: r["faults"]),
        ("sent", lambda r: r["sent"]), ("accepted", lambda r: r["accepted"]),
        ("refused (meant to be)", lambda r: f'{r["refused"]} ({r["invalid"]})'),
        ("held", lambda r: r["held"]), ("pending", lambda r: r["pending"]),
        ("lost", lambda r: r["lost"]), ("duplicated rows", lambda r: r["duplicates"]),
        ("answers cut (sent again, same key)", lambda r: r["answers_cut"]),
        ("p50 enqueue→accepted (ms)", lambda r: r["p50_ms"]),
        ("p95 (ms)", lambda r: r["p95_ms"]), ("p99 (ms)", lambda r: r["p99_ms"]),
        ("p99 outside fault windows (ms)",
         lambda r: f'{r["p99_outside_faults_ms"]} (n={r["outside_faults"]})'),
        ("accepted per second", lambda r: r["rps"]), ("run (s)", lambda r: r["seconds"])]
q, s = runs.get("queue"), runs.get("single")
print("| | queue mode | single process | queue / single |")
print("| --- | --- | --- | --- |")
def ratio(a, b):
    try:
        return f"{float(a) / float(b):.2f}" if float(b) else "-"
    except ValueError:
        return ""
for name, get in rows:
    a, b = get(q) if q else "-", get(s) if s else "-"
    r = ratio(a, b) if name in ("accepted per second", "p99 (ms)",
                                "p99 outside fault windows (ms)", "p50 enqueue→accepted (ms)",
                                "p95 (ms)") else ""
    if name == "p99 outside fault windows (ms)" and q and s:
        r = ratio(q["p99_outside_faults_ms"], s["p99_outside_faults_ms"])
    print(f"| {name} | {a} | {b} | {r} |")
# CPU per accepted request during the fleet's run, each part and the whole (the fleet driver's
# own from its line); only for a run without faults, whose processes all lived through it.
for mode in ("queue", "single"):
    if mode in runs and mode in cpu and runs[mode]["faults"] == "none":
        was = before.get(mode, {})
        parts = {k: float(v) - float(was.get(k, 0)) for k, v in cpu[mode].items()}
        parts["fleet"] = runs[mode]["cpu_s"]
        n = max(1, int(runs[mode]["accepted"]))
        total = sum(float(v) for v in parts.values())
        print(f"{mode}: CPU ms per accepted request: {total * 1000 / n:.0f} ("
              + ", ".join(f"{k} {float(v) * 1000 / n:.0f}" for k, v in sorted(parts.items()))
              + ")")
PY
