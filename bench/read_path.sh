#!/usr/bin/env bash
# The case core's read path (issue 7, part 7), before beside after, on one SQLite database of
# CASES generated cases (docs/PERFORMANCE.md, "Case core read path (issue 7)"):
#   1. init + generate with the BEFORE binaries (timed); two copies of the file;
#   2. before: the sweep on a copy (gen_cases --sweep), then the server with the lists this work
#      changed, /healthz in the same run, and reports at a crowded point against spread points;
#   3. after: `civicloop migrate` on the other copy (migration 0006 back-fills the cells and the
#      counts; timed), the sweep on a copy of that, the same server runs.
# Server on core 0 (--threads 2), wrk on core 1, loopback. Builds nothing. Bounded: every wrk run
# lasts DURATION; generation, migration and sweeps are under `timeout`.
#
# Usage: bench/read_path.sh
# Environment: BEFORE_BIN, BEFORE_GEN (civicloop and gen_cases of the commit before),
#   AFTER_BIN, AFTER_GEN (default build/release of this tree), CASES (1000000), DURATION (10s),
#   CROWD (2000: reports put at one spot first, with curl), NOW (end of the generated span), WORK, KEEP=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
AFTER_BIN=${AFTER_BIN:-$root/build/release/civicloop}
AFTER_GEN=${AFTER_GEN:-$root/build/release/bench/gen_cases}
BEFORE_BIN=${BEFORE_BIN:?the civicloop binary of the commit before}
BEFORE_GEN=${BEFORE_GEN:?the gen_cases binary of the commit before}
CASES=${CASES:-1000000}
DURATION=${DURATION:-10s}
CROWD=${CROWD:-2000}
LIMIT=${LIMIT:-7200}
NOW=${NOW:-$(date -u +%Y-%m-%dT%H:%M:00Z)}
for f in "$AFTER_BIN" "$AFTER_GEN" "$BEFORE_BIN" "$BEFORE_GEN"; do
  [ -x "$f" ] || { echo "read_path.sh: $f missing" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "read_path.sh: wrk is not installed" >&2; exit 2; }

work=${WORK:-$(mktemp -d /tmp/civicloop-readpath.XXXXXX)}
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

echo "== read path, SQLite, $CASES cases; machine: $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
say "init + generate (before binaries)"
"$BEFORE_BIN" init --preset pingcheng --demo --db "sqlite:$work/gen.db" >/dev/null 2>&1
start=$(date +%s)
timeout "$LIMIT" "$BEFORE_GEN" --db "sqlite:$work/gen.db" --cases "$CASES" --now "$NOW" \
  --points-out "$work/points.lua"
say "generation took $(($(date +%s) - start)) s; $(du -ch "$work"/gen.db* | tail -n 1 | cut -f1)"
# One spot for the crowded reports: the first generated report point.
{
  echo "return {"
  sed -n '3p' "$work/points.lua"
  echo "}"
} >"$work/crowd.lua"
mv "$work/gen.db" "$work/before.db"
[ -f "$work/gen.db-wal" ] && mv "$work/gen.db-wal" "$work/before.db-wal"
copy_db "$work/before.db" "$work/after.db"

measure() { # LABEL BIN DB
  local label=$1 bin=$2 db=$3
  taskset -c 0 "$bin" serve --db "sqlite:$db" --listen 127.0.0.1:0 --threads 2 \
    >"$work/serve.out" 2>/dev/null &
  server=$!
  local base=
  for _ in $(seq 1 300); do
    base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)
    [ -n "$base" ] && break
    sleep 0.1
  done
  [ -n "$base" ] || { echo "read_path.sh: the server did not start" >&2; exit 1; }
  local login cookie csrf
  login=$(curl -s -m 30 -i -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"Demo@2026"}' "$base/api/v1/auth/login")
  cookie=$(printf '%s\n' "$login" | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | head -n 1)
  csrf=$(printf '%s\n' "$login" | tail -n 1 | jq -r .csrf_token)
  local month month_end day
  month=$(date -u -d "$(date -u -d "$NOW" +%Y-%m-01) -12 months" +%Y-%m-%d)
  month_end=$(date -u -d "$month +1 month -1 day" +%Y-%m-%d)
  day=$(date -u -d "$month +14 days" +%Y-%m-%d)
  run() {
    local name=$1 conns=$2
    shift 2
    echo "== $label: $name (-c$conns)"
    taskset -c 1 wrk -t1 -c"$conns" -d"$DURATION" --timeout 10s --latency "$@" |
      grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors'
  }
  list() {
    local name=$1 path=$2 t items
    t=$(curl -s -m 600 -o "$work/page.json" -w '%{time_total}' -H "Cookie: $cookie" "$base$path")
    items=$(jq '.items | length' "$work/page.json" 2>/dev/null || echo "?")
    echo "   $label $name: first request ${t}s, $items items"
    run "GET $name" 1 -H "Cookie: $cookie" "$base$path"
  }
  say "$label: lists"
  run "GET /healthz" 1 "$base/healthz"
  list "/api/v1/cases" "/api/v1/cases"
  list "one day ?from=$day&to=$day" "/api/v1/cases?from=$day&to=$day"
  list "one month ?from=$month&to=$month_end" "/api/v1/cases?from=$month&to=$month_end"
  list "/api/v1/responsibility" "/api/v1/responsibility"
  say "$label: $CROWD reports at one spot"
  local p lat lng cat i ok=0
  p=$(sed -n '2p' "$work/crowd.lua" | tr -d '{}"')
  IFS=, read -r lat lng cat _ <<<"$p"
  for i in $(seq 1 "$CROWD"); do
    # Within a few metres of the spot, as report_case.lua does.
    code=$(taskset -c 1 curl -s -m 30 -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" \
      -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
      -d "{\"category\":\"$cat\",\"title\":\"同一地点 $i\",\"description\":\"压测上报\",\"lat\":$(awk "BEGIN{printf \"%.6f\", $lat + (($i * 7919) % 101 - 50) * 0.000002}"),\"lng\":$(awk "BEGIN{printf \"%.6f\", $lng + (($i * 104729) % 101 - 50) * 0.000002}")}" \
      "$base/api/v1/cases")
    [ "$code" = 201 ] && ok=$((ok + 1))
  done
  say "$label: $ok of $CROWD reports at the spot answered 201"
  for c in 1 8; do
    COOKIE=$cookie CSRF=$csrf CASE_POINTS=$work/crowd.lua \
      run "POST /api/v1/cases at the crowded spot" "$c" -s "$root/bench/report_case.lua" \
      "$base/api/v1/cases"
    COOKIE=$cookie CSRF=$csrf CASE_POINTS=$work/points.lua \
      run "POST /api/v1/cases at spread points" "$c" -s "$root/bench/report_case.lua" \
      "$base/api/v1/cases"
  done
  local rss
  rss=$(grep VmHWM "/proc/$server/status" | awk '{print $2}')
  say "$label: server peak RSS $((rss / 1024)) MiB"
  stop_server
}

sweep() { # LABEL GEN DB
  say "$1: sweep on a copy"
  copy_db "$3" "$work/sweep.db"
  taskset -c 0 timeout "$LIMIT" "$2" --db "sqlite:$work/sweep.db" --sweep
  rm -f "$work"/sweep.db*
}

sweep before "$BEFORE_GEN" "$work/before.db"
measure before "$BEFORE_BIN" "$work/before.db"
rm -f "$work"/before.db*

say "after: civicloop migrate (0006: cells and counts back-filled)"
start=$(date +%s%N)
timeout "$LIMIT" "$AFTER_BIN" migrate --db "sqlite:$work/after.db"
say "migration took $((($(date +%s%N) - start) / 1000000)) ms"
sweep after "$AFTER_GEN" "$work/after.db"
measure after "$AFTER_BIN" "$work/after.db"
echo "== list queries in the database, after (bench/explain_lists.sh)"
month=$(date -u -d "$(date -u -d "$NOW" +%Y-%m-01) -12 months" +%Y-%m-%d)
month_end=$(date -u -d "$month +1 month -1 day" +%Y-%m-%d)
mid_id=$(sqlite3 "$work/after.db" "SELECT max(id) / 2 FROM cases WHERE tenant_id = 1")
bash "$root/bench/explain_lists.sh" "sqlite:$work/after.db" 21 "$month" "$month_end" "$mid_id" \
  none month month_next day responsibility near
