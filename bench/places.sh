#!/usr/bin/env bash
# A leader's places (我的联系点, issue 8 part 5) on one SQLite database of CASES generated cases
# (docs/PERFORMANCE.md, "A leader's places"): init + gen_cases, the query plan of the counts (the
# open-case indexes of migration 0013, covering: no table access), then GET /api/v1/places/mine as
# the demo leader (three subdistricts) and as the demo unit operator (one community) at -c1 and
# -c8. Server on core 0 (--threads 2), wrk on core 1, loopback. Builds nothing.
#
# Usage: bench/places.sh
# Environment: BIN, GEN (default build/release of this tree), CASES (1000000), DURATION (10s),
#   NOW (end of the generated span), WORK (reuse a database generated before), KEEP=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/release/civicloop}
GEN=${GEN:-$root/build/release/bench/gen_cases}
CASES=${CASES:-1000000}
DURATION=${DURATION:-10s}
LIMIT=${LIMIT:-3600}
NOW=${NOW:-$(date -u +%Y-%m-%dT%H:%M:00Z)}
for f in "$BIN" "$GEN"; do
  [ -x "$f" ] || { echo "places.sh: $f missing" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "places.sh: wrk is not installed" >&2; exit 2; }

work=${WORK:-$(mktemp -d /tmp/civicloop-places.XXXXXX)}
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

echo "== places, SQLite, $CASES cases; machine: $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ ! -f "$work/gen.db" ]; then
  say "init + generate"
  "$BIN" init --preset pingcheng --demo --db "sqlite:$work/gen.db" >/dev/null 2>&1
  start=$(date +%s)
  timeout "$LIMIT" "$GEN" --db "sqlite:$work/gen.db" --cases "$CASES" --now "$NOW" | grep -E 'wrote' || true
  say "generation took $(($(date +%s) - start)) s; $(du -ch "$work"/gen.db* | tail -n 1 | cut -f1)"
fi
db=$work/gen.db
sub=$(sqlite3 "$db" "SELECT id FROM org_units WHERE code = '140213050'")
sqlite3 "$db" "SELECT 'cases', count(*) FROM cases; SELECT 'open in 永泰街道', count(*) FROM cases WHERE tenant_id = 1 AND subdistrict_id = $sub AND state NOT IN ('closed', 'voided', 'duplicate');"
echo "== query plan of one level's counts"
sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT subdistrict_id, count(*), sum(CASE WHEN overdue <> 0 THEN 1 ELSE 0 END), sum(CASE WHEN escalation_level > 0 THEN 1 ELSE 0 END) FROM cases WHERE tenant_id = 1 AND subdistrict_id IN ($sub, $sub + 1, $sub + 2) AND state NOT IN ('closed', 'voided', 'duplicate') GROUP BY subdistrict_id"

taskset -c 0 "$BIN" serve --db "sqlite:$db" --listen 127.0.0.1:0 --threads 2 >"$work/serve.out" 2>/dev/null &
server=$!
base=
for _ in $(seq 1 300); do
  base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "places.sh: the server did not start" >&2; exit 1; }
for user in leader unit; do
  cookie=$(curl -s -m 30 -i -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"Demo@2026\"}" "$base/api/v1/auth/login" |
    grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | head -n 1)
  t=$(curl -s -m 60 -o "$work/answer.json" -w '%{time_total}' -H "Cookie: $cookie" "$base/api/v1/places/mine")
  echo "   $user: first request ${t}s, $(jq -c '[.items[] | [.name, .open, .overdue, .escalated]]' "$work/answer.json")"
  for c in 1 8; do
    echo "== GET /api/v1/places/mine as $user (-c$c)"
    taskset -c 1 wrk -t1 -c"$c" -d"$DURATION" --timeout 10s --latency -H "Cookie: $cookie" "$base/api/v1/places/mine" |
      grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors'
  done
done
say "done"
