#!/usr/bin/env bash
# The command-centre dashboard (issue 8 part 6) on one SQLite database of CASES generated cases
# (docs/PERFORMANCE.md, "Dashboard"): init + gen_cases (the cases, whose insert triggers fill
# case_open_counts, and the KPI counters), then the server and GET /api/v1/dashboard as the admin
# (the whole district) and as 永泰街道's unit operator (a scoped reader), and GET /api/v1/hotspots,
# at -c1 and -c8. Server on core 0 (--threads 2), wrk on core 1, loopback. Builds nothing.
# Note: gen_cases writes no ledger events, so the dashboard's day counters (dashboard_activity*)
# stay empty at this size; the district's read of them is one row per day (30 rows), a scoped
# reader's one row per unit × grid with activity per day.
#
# Usage: bench/dashboard.sh
# Environment: BIN, GEN (default build/release of this tree), CASES (1000000), DURATION (10s),
#   NOW (end of the generated span), WORK, KEEP=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/release/civicloop}
GEN=${GEN:-$root/build/release/bench/gen_cases}
CASES=${CASES:-1000000}
DURATION=${DURATION:-10s}
LIMIT=${LIMIT:-3600}
NOW=${NOW:-$(date -u +%Y-%m-%dT%H:%M:00Z)}
for f in "$BIN" "$GEN"; do
  [ -x "$f" ] || { echo "dashboard.sh: $f missing" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "dashboard.sh: wrk is not installed" >&2; exit 2; }

work=${WORK:-$(mktemp -d /tmp/civicloop-dash.XXXXXX)}
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

echo "== Dashboard, SQLite, $CASES cases; machine: $(nproc) cores," \
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
  [ -n "$base" ] || { echo "dashboard.sh: the server did not start" >&2; exit 1; }
  local login
  login=$(curl -s -m 30 -i -H 'Content-Type: application/json' \
    -d "{\"username\":\"${USER_NAME:-admin}\",\"password\":\"Demo@2026\"}" "$base/api/v1/auth/login")
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
  echo "   $name: first request ${t}s, $(jq -c '{open: .open.total.value, grids: (.grids // [] | length), hotspots: (.hotspots.items // .items // [] | length)}' "$work/answer.json" 2>/dev/null || head -c 200 "$work/answer.json")"
  for c in 1 8; do run "GET $name" "$c" -H "Cookie: $cookie" "$base$path"; done
}

copy_db "$work/gen.db" "$work/read.db"
start_server "$work/read.db"
say "reads as the admin (the district)"
run "GET /healthz" 1 "$base/healthz"
get "dashboard, district" "/api/v1/dashboard"
get "hotspots, month" "/api/v1/hotspots?period=month"
stop_server
USER_NAME=unit start_server "$work/read.db"
say "reads as 永泰街道's unit operator"
get "dashboard, one subdistrict's operator" "/api/v1/dashboard"
stop_server
say "done"
