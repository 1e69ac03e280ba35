#!/usr/bin/env bash
# HTTP figures for docs/PERFORMANCE.md: the release binary on a fresh SQLite database with the
# Pingcheng preset and demo data, wrk on loopback against /healthz (the ceiling) and the signed-in
# org endpoints. Then the Google Benchmark programs. Bounded: every wrk run lasts DURATION.
# Usage: bench/run.sh            (make bench builds first)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/release/civicloop
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" init --preset pingcheng --demo --db "sqlite:$work/c.db" >/dev/null 2>&1
# The server on core 0, wrk on core 1, so that they do not take turns on one core.
taskset -c 0 "$bin" serve --db "sqlite:$work/c.db" --listen 127.0.0.1:0 --threads 2 \
  >"$work/serve.out" 2>/dev/null &
server=$!
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)
  [ -n "${url:-}" ] && break
  sleep 0.1
done
cookie=$(curl -s -i -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Demo@2026"}' "$url/api/v1/auth/login" |
  grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/')
hq=$(curl -s -H "Cookie: $cookie" "$url/api/v1/org/units?kind=hq" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)

run() {
  local name=$1
  shift
  echo "== $name"
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" | grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx'
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "server: 2 threads on core 0; wrk: 1 thread, $CONNECTIONS connections on core 1, $DURATION each"
run "GET /healthz" "$url/healthz"
run "GET /api/v1/org/units (signed in, first page of 50)" -H "Cookie: $cookie" "$url/api/v1/org/units"
run "GET /api/v1/org/units?kind=supervision_group (signed in)" -H "Cookie: $cookie" "$url/api/v1/org/units?kind=supervision_group"
run "GET /api/v1/org/units?parent_id=HQ (signed in, 44 children)" -H "Cookie: $cookie" "$url/api/v1/org/units?parent_id=$hq"
run "GET /api/v1/org/structure (signed in, 1+11+7 with members)" -H "Cookie: $cookie" "$url/api/v1/org/structure"
rss=$(grep VmHWM "/proc/$server/status" | awk '{print $2}')
echo "server peak RSS: $((rss / 1024)) MiB"

for b in "$root"/build/release/bench/*_benchmark; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.2
done
