#!/usr/bin/env bash
# Open311 figures for docs/PERFORMANCE.md (issue 10, "Performance"): a SQLite database with the
# Pingcheng preset and its demo data and CASES generated cases (bench/gen_cases.cpp), the release
# server pinned to core 0 and wrk pinned to core 1 on loopback, in one run:
#   GET /healthz                                 -c16 (the same-run reference)
#   GET /open311/v2/requests.json?page_size=100  -c16 (100 items of the default 90-day window)
#   GET /open311/v2/requests.xml?page_size=100   -c16
#   POST /open311/v2/requests.json               -c16 (form-encoded, a new request each time, with
#                                                      a key issued through the admin API)
# Builds nothing; every wrk run lasts DURATION; generation is under `timeout`.
#
# Usage: bench/open311.sh
# Environment: BIN, GEN (default build/release/civicloop and build/release/bench/gen_cases),
#   CASES (1000000), DURATION (10s), NOW (end of the generated span: now), WORK, KEEP=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/release/civicloop}
GEN=${GEN:-$root/build/release/bench/gen_cases}
CASES=${CASES:-1000000}
DURATION=${DURATION:-10s}
LIMIT=${LIMIT:-7200}
NOW=${NOW:-$(date -u +%Y-%m-%dT%H:%M:00Z)}
for f in "$BIN" "$GEN"; do
  [ -x "$f" ] || { echo "open311.sh: $f missing" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "open311.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }

work=${WORK:-$(mktemp -d /tmp/civicloop-open311.XXXXXX)}
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

echo "== Open311, SQLite, $CASES cases; machine: $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
db="sqlite:$work/open311.db"
say "init + generate"
"$BIN" init --preset pingcheng --demo --db "$db" >/dev/null 2>&1
start=$(date +%s)
timeout "$LIMIT" "$GEN" --db "$db" --cases "$CASES" --now "$NOW" --points-out "$work/points.lua"
say "generation took $(($(date +%s) - start)) s; $(du -ch "$work"/open311.db* | tail -n 1 | cut -f1)"

taskset -c 0 "$BIN" serve --db "$db" --listen 127.0.0.1:0 --threads 2 >"$work/serve.out" 2>/dev/null &
server=$!
base=
for _ in $(seq 1 300); do
  base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "open311.sh: the server did not start" >&2; exit 1; }
login=$(curl -s -m 30 -i -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Demo@2026"}' "$base/api/v1/auth/login")
cookie=$(printf '%s\n' "$login" | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | head -n 1)
csrf=$(printf '%s\n' "$login" | tail -n 1 | jq -r .csrf_token)
# A key without a practical window (the default would throttle the benchmark itself).
key=$(curl -s -m 30 -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"name":"bench","rate_per_minute":1000000}' "$base/api/v1/open311/keys" | jq -r .key.api_key)
[ -n "$key" ] && [ "$key" != null ] || { echo "open311.sh: no key issued" >&2; exit 1; }

run() {
  local name=$1
  shift
  echo "== $name (-c16)"
  taskset -c 1 wrk -t1 -c16 -d"$DURATION" --timeout 10s --latency "$@" |
    grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors'
}
list="/open311/v2/requests.json?page_size=100"
items=$(curl -s -m 60 "$base$list" | jq 'length')
echo "   GET $list: $items items"
run "GET /healthz" "$base/healthz"
run "GET $list" "$base$list"
run "GET /open311/v2/requests.xml?page_size=100" "$base/open311/v2/requests.xml?page_size=100"
API_KEY=$key CASE_POINTS=$work/points.lua run "POST /open311/v2/requests.json" \
  -s "$root/bench/open311_post.lua" "$base/open311/v2/requests.json"
run "GET /healthz (after)" "$base/healthz"
rss=$(grep VmHWM "/proc/$server/status" | awk '{print $2}')
say "server peak RSS $((rss / 1024)) MiB"
