#!/usr/bin/env bash
# Browser tests: the real binary serving the built web app on a free loopback port, a fresh SQLite
# database with the Pingcheng preset and demo logins, and Debian's chromium driven by
# playwright-core (web/e2e/*.test.mjs). Screenshots land in build/screenshots/.
# Usage: tests/browser_test.sh PATH/TO/civicloop
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
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

if [ ! -f "$root/web/dist/index.html" ]; then
  echo "browser_test: web/dist is not built (make test builds it)" >&2
  exit 1
fi
export CIVICLOOP_PWHASH=min
"$bin" init --preset pingcheng --demo --db "sqlite:$work/c.db" >"$work/init.log" 2>&1
# --webhook-allow: robots may be receivers a test starts on loopback (e2e/digests.test.mjs).
"$bin" serve --db "sqlite:$work/c.db" --listen 127.0.0.1:0 --web-root "$root/web/dist" \
  --webhook-allow 127.0.0.1/32 \
  >"$work/serve.out" 2>"$work/serve.err" &
server=$!
url=
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)
  [ -n "$url" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$work/serve.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "browser_test: the server did not start" >&2
  cat "$work/serve.err" >&2
  exit 1
fi
mkdir -p "$root/build/screenshots"
cd "$root/web"
CIVICLOOP_URL=$url CIVICLOOP_SCREENSHOTS="$root/build/screenshots" node --test e2e/
# After the whole loop in the browser, every case must still be its events (ledger replay).
"$bin" ledger replay --check --db "sqlite:$work/c.db"
