#!/usr/bin/env bash
# Case figures for docs/PERFORMANCE.md at district scale: a database with the Pingcheng preset and
# demo data, CASES generated cases (bench/gen_cases.cpp), the release server pinned to core 0 and
# wrk pinned to core 1 on loopback. Per backend:
#   1. init + generate (timed), 2. the deadline sweep over all open cases on a copy (gen_cases
#   --sweep), 3. /healthz at CONNECTIONS (the ceiling), 4. /healthz and the filtered lists at each
#   of LIST_CONNECTIONS (1: the time of one request; 4: under concurrency, where queueing on the
#   server's one core adds), 5. the plans and database-side times of the list queries
#   (bench/explain_lists.sh), 6. POST /api/v1/cases (bench/report_case.lua) at CONNECTIONS, last
#   because it adds cases, 7. the server's peak RSS.
# Builds nothing: `make bench` (or ninja -C build/release civicloop gen_cases) builds first.
# Bounded: every wrk run lasts DURATION, generation and the sweep are under `timeout`.
#
# Usage: bench/cases.sh [sqlite|pg|all]         (default all; pg runs under scripts/with-pg.sh)
# Environment: CASES (1000000), PG_CASES (default CASES), DURATION (10s), CONNECTIONS (32),
#   LIST_CONNECTIONS ("1 4"), NOW (end of the generated span, default this minute), WORK (a directory for the databases; default a fresh one under /tmp,
#   removed at the end unless KEEP=1), CIVICLOOP_BIN and GEN_CASES_BIN (copies of the binaries, so
#   that a rebuild during the run does not change them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CIVICLOOP_BIN:-$root/build/release/civicloop}
gen=${GEN_CASES_BIN:-$root/build/release/bench/gen_cases}
CASES=${CASES:-1000000}
PG_CASES=${PG_CASES:-$CASES}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
LIST_CONNECTIONS=${LIST_CONNECTIONS:-1 4}
GEN_TIMEOUT=${GEN_TIMEOUT:-7200}
mode=${1:-all}
# The instant the generated span ends: the same for both backends of one run (same rows).
NOW=${NOW:-$(date -u +%Y-%m-%dT%H:%M:00Z)}
export NOW

for f in "$bin" "$gen"; do
  [ -x "$f" ] || { echo "cases.sh: $f missing: run make bench first" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "cases.sh: wrk is not installed" >&2; exit 2; }

if [ "$mode" = all ]; then
  "$0" sqlite
  exec bash "$root/scripts/with-pg.sh" "$0" pg-inner
fi
if [ "$mode" = pg ]; then
  exec bash "$root/scripts/with-pg.sh" "$0" pg-inner
fi

work=${WORK:-$(mktemp -d /tmp/civicloop-cases.XXXXXX)}
mkdir -p "$work"
server=
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" != 1 ] && [ -z "${WORK:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

say() { echo "[$(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)] $*"; }

case "$mode" in
  sqlite)
    backend=sqlite
    n=$CASES
    rm -f "$work/cases.db" "$work/cases.db-wal" "$work/cases.db-shm"
    url="sqlite:$work/cases.db"
    ;;
  pg-inner)
    backend=postgresql
    n=$PG_CASES
    url=${CIVICLOOP_TEST_PG:?pg-inner runs under scripts/with-pg.sh}
    ;;
  *)
    echo "usage: $0 [sqlite|pg|all]" >&2
    exit 2
    ;;
esac

echo "== $backend, $n cases"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(free -g | awk '/Mem:/{print $2}') GiB RAM"
say "init"
"$bin" init --preset pingcheng --demo --db "$url" >/dev/null 2>&1
say "generating $n cases"
start=$(date +%s)
timeout "$GEN_TIMEOUT" "$gen" --db "$url" --cases "$n" --now "$NOW" --points-out "$work/points.lua"
say "generation took $(($(date +%s) - start)) s wall"
if [ "$backend" = sqlite ]; then
  say "database size: $(du -ch "$work"/cases.db* | tail -n 1 | cut -f1)"
else
  # A table that grew over three years has been vacuumed and analysed by autovacuum many times;
  # one that was just bulk-loaded has not: do what autovacuum would have done.
  start=$(date +%s)
  psql -qtA "$url" -c "VACUUM ANALYZE cases" >/dev/null
  say "VACUUM ANALYZE cases took $(($(date +%s) - start)) s"
  say "database size: $(psql -qtA "$url" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
fi

# The deadline sweep over every running timer, on a copy (it rewrites the open cases).
say "sweep on a copy"
if [ "$backend" = sqlite ]; then
  cp "$work/cases.db" "$work/sweep.db"
  if [ -f "$work/cases.db-wal" ]; then cp "$work/cases.db-wal" "$work/sweep.db-wal"; fi
  taskset -c 0 timeout "$GEN_TIMEOUT" "$gen" --db "sqlite:$work/sweep.db" --sweep
  rm -f "$work"/sweep.db*
else
  psql -qtA "$url" -c "CREATE DATABASE civicloop_sweep TEMPLATE postgres" >/dev/null
  sweep_url=${url%/*}/civicloop_sweep
  taskset -c 0 timeout "$GEN_TIMEOUT" "$gen" --db "$sweep_url" --sweep
  psql -qtA "$url" -c "DROP DATABASE civicloop_sweep" >/dev/null
fi

# The server on core 0, wrk on core 1, so that they do not take turns on one core.
taskset -c 0 "$bin" serve --db "$url" --listen 127.0.0.1:0 --threads 2 \
  >"$work/serve.out" 2>/dev/null &
server=$!
base=
for _ in $(seq 1 300); do
  base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "cases.sh: the server did not start" >&2; exit 1; }
login=$(curl -s -m 30 -i -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Demo@2026"}' "$base/api/v1/auth/login")
cookie=$(printf '%s\n' "$login" | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | head -n 1)
csrf=$(printf '%s\n' "$login" | tail -n 1 | jq -r .csrf_token)
get() { curl -s -m 30 -H "Cookie: $cookie" "$base$1"; }

# Parameters of the typical filters, from the data itself.
subdistrict=$(get "/api/v1/org/units?kind=subdistrict&limit=1" | jq -r '.items[0].id')
newest=$(get "/api/v1/cases?limit=1" | jq -r '.items[0].id')
middle=$((newest / 2))
month=$(date -u -d "$(date -u +%Y-%m-01) -12 months" +%Y-%m-%d)
month_end=$(date -u -d "$month +1 month -1 day" +%Y-%m-%d)
q=$(printf '垃圾' | jq -sRr @uri)

run() {
  local name=$1 conns=$2
  shift 2
  echo "== $name (-c$conns)"
  taskset -c 1 wrk -t1 -c"$conns" -d"$DURATION" --timeout 10s --latency "$@" |
    grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors'
}
list() {
  local name=$1 path=$2
  local t items c
  t=$(curl -s -m 30 -o "$work/page.json" -w '%{time_total}' -H "Cookie: $cookie" "$base$path")
  items=$(jq '.items | length' "$work/page.json" 2>/dev/null || echo "?")
  echo "   first request: ${t}s, $items items"
  for c in $LIST_CONNECTIONS; do
    run "GET $name" "$c" -H "Cookie: $cookie" "$base$path"
  done
}

echo "server: 2 threads on core 0; wrk: 1 thread on core 1, $DURATION each; $backend, $n cases"
say "ceiling"
run "GET /healthz" "$CONNECTIONS" "$base/healthz"
say "lists"
for c in $LIST_CONNECTIONS; do run "GET /healthz" "$c" "$base/healthz"; done
list "/api/v1/cases (no filter, first page of 50)" "/api/v1/cases"
list "/api/v1/cases?state=acknowledged" "/api/v1/cases?state=acknowledged"
list "/api/v1/cases?subdistrict_id=$subdistrict" "/api/v1/cases?subdistrict_id=$subdistrict"
list "/api/v1/cases?category=0102" "/api/v1/cases?category=0102"
list "/api/v1/cases?overdue=true" "/api/v1/cases?overdue=true"
list "/api/v1/cases?q=垃圾" "/api/v1/cases?q=$q"
list "/api/v1/cases?from=$month&to=$month_end" "/api/v1/cases?from=$month&to=$month_end"
list "/api/v1/cases?cursor=$middle (deep keyset page)" "/api/v1/cases?cursor=$middle"
# Before the create run, which puts its cases on top of the generated ones.
echo "== list queries in the database (bench/explain_lists.sh; tenant 1, LIMIT 51)"
bash "$root/bench/explain_lists.sh" "$url" "$subdistrict" "$month" "$month_end" "$middle"
say "create rate"
COOKIE=$cookie CSRF=$csrf CASE_POINTS=$work/points.lua \
  run "POST /api/v1/cases" "$CONNECTIONS" -s "$root/bench/report_case.lua" "$base/api/v1/cases"
rss=$(grep VmHWM "/proc/$server/status" | awk '{print $2}')
say "server peak RSS (VmHWM): $((rss / 1024)) MiB"
