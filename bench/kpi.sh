#!/usr/bin/env bash
# KPIs and rankings (issue 8) on one SQLite database of CASES generated cases (docs/PERFORMANCE.md,
# "KPIs and rankings (issue 8)"):
#   1. init + gen_cases (which fills the KPI counters as if the projector had run along; timed);
#   2. the server; /healthz, GET /api/v1/rankings (units and grids, a quarter; units, a month) and
#      GET /api/v1/kpis (one subdistrict's month; every subdistrict's quarter) at -c1 and -c8;
#   3. the cost of the counters to creating a case: POST /api/v1/cases with the scheduler's
#      projector off (--kpi-interval-seconds 0), then on every second (--kpi-interval-seconds 1,
#      ten times the default rate), on copies of the same database, in the same run; then the
#      projector's catch-up of the reports the first run left unprojected, timed;
#   4. `civicloop kpi rebuild` is not run at this size (gen_cases writes no ledger events).
# Server on core 0 (--threads 2), wrk on core 1, loopback. Builds nothing. Bounded: every wrk run
# lasts DURATION; generation is under `timeout`.
#
# Usage: bench/kpi.sh
# Environment: BIN, GEN (default build/release of this tree), CASES (1000000), DURATION (10s),
#   NOW (end of the generated span), WORK, KEEP=1, READS_ONLY=1 (skip the write runs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/release/civicloop}
GEN=${GEN:-$root/build/release/bench/gen_cases}
CASES=${CASES:-1000000}
DURATION=${DURATION:-10s}
LIMIT=${LIMIT:-3600}
NOW=${NOW:-$(date -u +%Y-%m-%dT%H:%M:00Z)}
for f in "$BIN" "$GEN"; do
  [ -x "$f" ] || { echo "kpi.sh: $f missing" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "kpi.sh: wrk is not installed" >&2; exit 2; }

work=${WORK:-$(mktemp -d /tmp/civicloop-kpi.XXXXXX)}
mkdir -p "$work"
server=
stop_server() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" 2>/dev/null || true
  fi
  server=
}
cleanup() {
  stop_server
  if [ "${KEEP:-0}" != 1 ] && [ -z "${WORK:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
say() { echo "[$(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)] $*"; }
copy_db() { # FROM TO
  rm -f "$2" "$2-wal" "$2-shm"
  cp "$1" "$2"
  if [ -f "$1-wal" ]; then cp "$1-wal" "$2-wal"; fi
}

echo "== KPIs, SQLite, $CASES cases; machine: $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ ! -f "$work/gen.db" ]; then
  say "init + generate"
  "$BIN" init --preset pingcheng --demo --db "sqlite:$work/gen.db" >/dev/null 2>&1
  start=$(date +%s)
  timeout "$LIMIT" "$GEN" --db "sqlite:$work/gen.db" --cases "$CASES" --now "$NOW" \
    --points-out "$work/points.lua" | grep -E 'kpi counters|wrote'
  say "generation took $(($(date +%s) - start)) s; $(du -ch "$work"/gen.db* | tail -n 1 | cut -f1)"
fi
sqlite3 "$work/gen.db" "SELECT 'counter rows', count(*) FROM kpi_counters; SELECT 'rollup rows', count(*) FROM kpi_rollups;" 2>/dev/null || true

base=
cookie=
csrf=
start_server() { # DB [ARGS...]
  local db=$1
  shift
  taskset -c 0 "$BIN" serve --db "sqlite:$db" --listen 127.0.0.1:0 --threads 2 "$@" \
    >"$work/serve.out" 2>/dev/null &
  server=$!
  base=
  for _ in $(seq 1 300); do
    base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)
    [ -n "$base" ] && break
    sleep 0.1
  done
  [ -n "$base" ] || { echo "kpi.sh: the server did not start" >&2; exit 1; }
  local login
  login=$(curl -s -m 30 -i -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"Demo@2026"}' "$base/api/v1/auth/login")
  cookie=$(printf '%s\n' "$login" | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | head -n 1)
  csrf=$(printf '%s\n' "$login" | tail -n 1 | jq -r .csrf_token)
}
run() {
  local name=$1 conns=$2
  shift 2
  echo "== $name (-c$conns)"
  taskset -c 1 wrk -t1 -c"$conns" -d"$DURATION" --timeout 10s --latency "$@" |
    grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors'
}
get() { # NAME PATH
  local name=$1 path=$2 t
  t=$(curl -s -m 600 -o "$work/answer.json" -w '%{time_total}' -H "Cookie: $cookie" "$base$path")
  echo "   $name: first request ${t}s, $(jq -c '[(.items | length), (.insufficient // [] | length)]' "$work/answer.json" 2>/dev/null || head -c 200 "$work/answer.json") (ranked, apart)"
  for c in 1 8; do run "GET $name" "$c" -H "Cookie: $cookie" "$base$path"; done
}

copy_db "$work/gen.db" "$work/read.db"
start_server "$work/read.db"
quarter=$(date -u -d "$NOW -1 month" +%Y-%m-%d)
sub=$(sqlite3 "$work/read.db" "SELECT id FROM org_units WHERE code = '140213050'")
say "reads"
run "GET /healthz" 1 "$base/healthz"
run "GET /healthz" 8 "$base/healthz"
get "rankings units, quarter" "/api/v1/rankings?level=unit&period=quarter&date=$quarter"
get "rankings grids, quarter" "/api/v1/rankings?level=grid&period=quarter&date=$quarter"
get "rankings units, month" "/api/v1/rankings?level=unit&period=month&date=$quarter"
get "kpis one subdistrict, month" "/api/v1/kpis?level=subdistrict&period=month&date=$quarter&id=$sub"
# The unit with the most cases: one unit's KPIs of a month.
busiest=$(sqlite3 "$work/read.db" "SELECT assigned_unit_id FROM cases WHERE assigned_unit_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
get "kpis one unit (the busiest), month" "/api/v1/kpis?level=unit&period=month&date=$quarter&id=$busiest"
get "kpis all subdistricts, quarter" "/api/v1/kpis?level=subdistrict&period=quarter&date=$quarter"
stop_server

if [ "${READS_ONLY:-0}" = 1 ]; then
  say "done (READS_ONLY=1: no writes)"
  exit 0
fi
say "writes: POST /api/v1/cases, projector off, then every second"
for mode in 0 1; do
  copy_db "$work/gen.db" "$work/write$mode.db"
  start_server "$work/write$mode.db" --kpi-interval-seconds "$mode"
  COOKIE=$cookie CSRF=$csrf CASE_POINTS=$work/points.lua \
    run "POST /api/v1/cases, kpi-interval-seconds $mode" 8 -s "$root/bench/report_case.lua" \
    "$base/api/v1/cases"
  if [ "$mode" = 0 ]; then
    # What the projector finds after the run: every report of it, caught up by one read.
    left=$(($(sqlite3 "$work/write0.db" "SELECT seq FROM ledger_heads") - $(sqlite3 "$work/write0.db" "SELECT last_seq FROM kpi_watermarks")))
    t=$(curl -s -m 600 -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" \
      "$base/api/v1/kpis?level=subdistrict&period=day&id=$sub")
    echo "   projector catch-up: $left events behind; one read projected the first 5,000 (at most) and answered in ${t}s"
  fi
  stop_server
done
say "done"
