#!/usr/bin/env bash
# Sign-in timing: does the time of a wrong answer tell whether the account exists? Starts a server
# with production password hashing (argon2id interactive) on a fresh database, then times wrong
# passwords for real accounts and for names of no account, alternating, each from its own
# forwarded address (the server trusts loopback as a proxy here) so that the throttle never
# answers first. Prints min / median / p90 in milliseconds for each.
# Usage: bench/login_timing.sh [BIN] [N]   (default build/release/civicloop, N = 20)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/release/civicloop}
n=${2:-20}
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
unset CIVICLOOP_PWHASH
"$bin" init --preset pingcheng --demo --db "sqlite:$work/c.db" >/dev/null 2>&1
"$bin" serve --db "sqlite:$work/c.db" --listen 127.0.0.1:0 --trusted-proxies 127.0.0.1 \
  >"$work/serve.out" 2>/dev/null &
server=$!
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)
  [ -n "${url:-}" ] && break
  sleep 0.1
done
known=(admin office grid unit leader supervisor)
: >"$work/known"
: >"$work/unknown"
attempt() {  # name, address, file
  curl -s -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' \
    -H "X-Forwarded-For: $2" -d "{\"username\":\"$1\",\"password\":\"wrong-password\"}" \
    "$url/api/v1/auth/login" >>"$3"
}
for i in $(seq 1 "$n"); do
  attempt "${known[$((i % ${#known[@]}))]}" "198.51.100.$i" "$work/known"
  attempt "nobody-$i-$RANDOM" "203.0.113.$i" "$work/unknown"
done
summary() {
  sort -n "$1" | awk '{v[NR]=$1*1000} END {printf "min %.1f  median %.1f  p90 %.1f ms (n=%d)\n",
    v[1], v[int((NR+1)/2)], v[int(NR*0.9+0.5)], NR}'
}
echo "known account, wrong password: $(summary "$work/known")"
echo "no such account:               $(summary "$work/unknown")"
