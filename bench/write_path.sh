#!/usr/bin/env bash
# The case write path (issue 7, docs/PERFORMANCE.md "Case core write path"): POST /api/v1/cases
# beside /healthz of the same server in the same run, for one or more civicloop binaries side by
# side (a "before" and an "after"), each on its own copy of the same starting database.
#
# Per binary: the release server pinned to core 0 (`taskset -c 0 ... --threads 2`), wrk pinned to
# core 1 on loopback; /healthz at CONNECTIONS, POST /api/v1/cases (bench/report_case.lua) at
# CONNECTIONS, /healthz again; then the number of cases the server holds against the 201s wrk saw.
# Optionally (PROFILE=1, SQLite) a `perf record` of the server during a second POST run.
#
# Usage: bench/write_path.sh [sqlite|pg|pg-durable]
#   sqlite      a SQLite file (WAL, synchronous=FULL: durable commits)
#   pg          PostgreSQL under scripts/with-pg.sh (the test cluster: fsync=off, NOT durable)
#   pg-durable  PostgreSQL under scripts/with-pg.sh with WITH_PG_DURABLE=1: a throwaway cluster
#               with fsync=on, synchronous_commit=on, full_page_writes=on (durable commits)
# Environment: BINS ("label=path ..."; default "current=build/release/civicloop"), GEN_CASES_BIN,
#   CASES (0: a fresh database with the demo data only; N: gen_cases N first), DURATION (10s),
#   CONNECTIONS (32), TEMPLATE (SQLite: a database file to copy instead of init + gen_cases; it is
#   never written) and TEMPLATE_POINTS (its gen_cases --points-out file), NOW (for gen_cases), PROFILE (0; PERF_CALLGRAPH, default dwarf), WORK (a directory; default a fresh one,
#   removed at the end unless KEEP=1).
# Builds nothing. Bounded: every wrk run lasts DURATION; generation runs under `timeout`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-sqlite}
BINS=${BINS:-current=$root/build/release/civicloop}
gen=${GEN_CASES_BIN:-$root/build/release/bench/gen_cases}
CASES=${CASES:-0}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
NOW=${NOW:-$(date -u +%Y-%m-%dT%H:%M:00Z)}
PROFILE=${PROFILE:-0}
export NOW

case "$mode" in
  pg) exec bash "$root/scripts/with-pg.sh" "$0" pg-inner ;;
  pg-durable) WITH_PG_DURABLE=1 exec bash "$root/scripts/with-pg.sh" "$0" pg-inner ;;
  sqlite | pg-inner) ;;
  *)
    echo "usage: $0 [sqlite|pg|pg-durable]" >&2
    exit 2
    ;;
esac
command -v wrk >/dev/null || { echo "write_path.sh: wrk is not installed" >&2; exit 2; }

work=${WORK:-$(mktemp -d /tmp/civicloop-write.XXXXXX)}
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

first_bin=${BINS%% *}
first_bin=${first_bin#*=}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ "$mode" = sqlite ] && [ -n "${TEMPLATE:-}" ]; then
  # A database made before (e.g. 1 M generated cases, kept for repeated runs) and its points.
  template=$TEMPLATE
  [ -f "$template" ] || { echo "write_path.sh: $template missing" >&2; exit 2; }
  if [ -f "${TEMPLATE_POINTS:-}" ]; then cp "$TEMPLATE_POINTS" "$work/points.lua"; fi
elif [ "$mode" = sqlite ]; then
  template="$work/template.db"
  rm -f "$template"*
  "$first_bin" init --preset pingcheng --demo --db "sqlite:$template" >/dev/null 2>&1
  if [ "$CASES" -gt 0 ]; then
    say "generating $CASES cases"
    timeout 3600 "$gen" --db "sqlite:$template" --cases "$CASES" --now "$NOW" \
      --points-out "$work/points.lua" >/dev/null
  fi
  # One file, no WAL beside it: copies start equal.
  sqlite3 "$template" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null 2>&1 || true
else
  url=${CIVICLOOP_TEST_PG:?pg-inner runs under scripts/with-pg.sh}
  psql -qtA "$url" -c "SHOW fsync" | sed 's/^/postgresql fsync=/'
  psql -qtA "$url" -c "SHOW synchronous_commit" | sed 's/^/postgresql synchronous_commit=/'
  psql -qtA "$url" -c "CREATE DATABASE civicloop_template" >/dev/null
  template=${url%/*}/civicloop_template
  "$first_bin" init --preset pingcheng --demo --db "$template" >/dev/null 2>&1
  if [ "$CASES" -gt 0 ]; then
    say "generating $CASES cases"
    timeout 3600 "$gen" --db "$template" --cases "$CASES" --now "$NOW" \
      --points-out "$work/points.lua" >/dev/null
    psql -qtA "$template" -c "VACUUM ANALYZE cases" >/dev/null
  fi
fi
if [ ! -f "$work/points.lua" ]; then
  # Points inside the demo grids, without generating cases (--cases 0 writes nothing else).
  if [ "$mode" = sqlite ]; then gen_url="sqlite:$template"; else gen_url=$template; fi
  "$gen" --db "$gen_url" --cases 0 --now "$NOW" --points-out "$work/points.lua" >/dev/null
fi

run() {
  local name=$1
  shift
  echo "== $name (-c$CONNECTIONS, $DURATION)"
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency "$@" \
    >"$work/wrk.out" 2>&1 || true
  grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors|requests in' "$work/wrk.out"
}

n=0
for pair in $BINS; do
  n=$((n + 1))
  label=${pair%%=*}
  bin=${pair#*=}
  [ -x "$bin" ] || { echo "write_path.sh: $bin missing" >&2; exit 2; }
  if [ "$mode" = sqlite ]; then
    db="$work/run$n.db"
    rm -f "$db"*
    cp "$template" "$db"
    url_run="sqlite:$db"
  else
    psql -qtA "$url" -c "CREATE DATABASE civicloop_run$n TEMPLATE civicloop_template" >/dev/null
    url_run=${url%/*}/civicloop_run$n
  fi
  echo
  echo "######## $label: $bin ($mode, ${TEMPLATE:-$CASES generated cases})"
  taskset -c 0 "$bin" serve --db "$url_run" --listen 127.0.0.1:0 --threads 2 \
    >"$work/serve$n.out" 2>"$work/serve$n.err" &
  server=$!
  base=
  for _ in $(seq 1 300); do
    base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve$n.out" 2>/dev/null | head -n 1 || true)
    [ -n "$base" ] && break
    sleep 0.1
  done
  [ -n "$base" ] || { echo "write_path.sh: the server did not start" >&2; cat "$work/serve$n.err" >&2; exit 1; }
  login=$(curl -s -m 30 -i -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"Demo@2026"}' "$base/api/v1/auth/login")
  cookie=$(printf '%s\n' "$login" | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | head -n 1)
  csrf=$(printf '%s\n' "$login" | tail -n 1 | jq -r .csrf_token)
  before=$(curl -s -m 30 -H "Cookie: $cookie" "$base/api/v1/cases?limit=1" | jq -r '.items[0].id // 0')
  say "ceiling"
  run "GET /healthz" "$base/healthz"
  say "create rate"
  COOKIE=$cookie CSRF=$csrf CASE_POINTS=$work/points.lua \
    run "POST /api/v1/cases" -s "$root/bench/report_case.lua" "$base/api/v1/cases"
  total=$(grep -Eo '^ *[0-9]+ requests in' "$work/wrk.out" | grep -Eo '[0-9]+' | head -n 1)
  non2xx=$(grep -Eo 'Non-2xx or 3xx responses: [0-9]+' "$work/wrk.out" | grep -Eo '[0-9]+$' || echo 0)
  if [ "$PROFILE" = 1 ] && command -v perf >/dev/null; then
    say "profile (perf record -e cpu-clock -g on the server during another POST run)"
    perf record -e cpu-clock -F 499 --call-graph "${PERF_CALLGRAPH:-dwarf,16384}" -p "$server" \
      -o "$work/perf$n.data" -- sleep 5 >/dev/null 2>&1 &
    perf_pid=$!
    COOKIE=$cookie CSRF=$csrf CASE_POINTS=$work/points.lua \
      run "POST /api/v1/cases (profiled)" -s "$root/bench/report_case.lua" "$base/api/v1/cases"
    wait "$perf_pid" || true
    perf report -i "$work/perf$n.data" --no-children --sort symbol --stdio 2>/dev/null |
      grep -E '^ +[0-9]' | head -n 40 >"$work/perf$n.txt" || true
    cp "$work/perf$n.data" "/tmp/write_path_perf_$label.data" 2>/dev/null || true
    cat "$work/perf$n.txt"
  fi
  curl -s -m 10 "$base/metrics" | grep -E '^civicloop_(db_write|log_dropped)' || true
  say "ceiling again"
  run "GET /healthz" "$base/healthz"
  after=$(curl -s -m 30 -H "Cookie: $cookie" "$base/api/v1/cases?limit=1" | jq -r '.items[0].id // 0')
  echo "cases created during the run: $((after - before)); wrk counted $total requests, $non2xx non-2xx"
  rss=$(grep VmHWM "/proc/$server/status" | awk '{print $2}')
  echo "server peak RSS (VmHWM): $((rss / 1024)) MiB"
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  server=
  if [ "$mode" = sqlite ]; then
    say "database: $(du -ch "$db"* | tail -n 1 | cut -f1); ledger verify: $("$bin" ledger verify --db "$url_run" 2>&1 | tail -n 1)"
    rm -f "$db"*
  else
    say "ledger verify: $("$bin" ledger verify --db "$url_run" 2>&1 | tail -n 1)"
  fi
done
