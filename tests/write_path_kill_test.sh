#!/usr/bin/env bash
# kill -9 in the middle of group commits (issue 7): the real server on a loopback port, reports
# posted from 8 clients at once, the server killed with SIGKILL while they run. Afterwards every
# case the server acknowledged (201) is in the database with its number, no report is there twice,
# and `ledger verify` and `ledger replay --check` pass. Reports that were not acknowledged may or
# may not be there; that is allowed (their clients were told nothing). Runs on SQLite, and on
# PostgreSQL too when CIVICLOOP_TEST_PG names a server (scripts/with-pg.sh).
# Bounded: at most 400 reports per client, at most 60 s of waiting per backend.
# Usage: tests/write_path_kill_test.sh PATH/TO/civicloop
set -euo pipefail
bin=$1
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export CIVICLOOP_PWHASH=min
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL: $*"
}

# client N BASE COOKIE CSRF: posts reports until the stop file appears or the server is gone;
# writes "title case_no id" of every 201 to acked.N.
client() {
  local n=$1 base=$2 cookie=$3 csrf=$4 i code
  : >"$work/acked.$n"
  for i in $(seq 1 400); do
    [ -e "$work/stop" ] && return 0
    code=$(curl -s -m 20 -o "$work/resp.$n" -w '%{http_code}' -H "Cookie: $cookie" \
      -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
      -d "{\"category\":\"0102\",\"title\":\"kill-$n-$i\",\"description\":\"压测\",\"address\":\"平城区测试路$i号\"}" \
      "$base/api/v1/cases" || true)
    if [ "$code" = 201 ]; then
      echo "kill-$n-$i $(jq -r '.case.case_no + " " + (.case.id|tostring)' "$work/resp.$n")" >>"$work/acked.$n"
    elif [ "$code" = 000 ]; then
      return 0  # the server is gone
    fi
  done
}

start_server() {
  local url=$1
  "$bin" serve --db "$url" --listen 127.0.0.1:0 --threads 2 --media-dir "$work/media" \
    >"$work/serve.out" 2>"$work/serve.err" &
  server=$!
  base=
  for _ in $(seq 1 200); do
    base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)
    [ -n "$base" ] && return 0
    sleep 0.1
  done
  echo "the server did not start:" >&2
  cat "$work/serve.err" >&2
  return 1
}

# rows URL: "title case_no id" of every case, one a line.
rows() {
  local url=$1 sql="SELECT title || ' ' || case_no || ' ' || id FROM cases ORDER BY id"
  if [[ $url == sqlite:* ]]; then
    sqlite3 "${url#sqlite:}" "$sql"
  else
    psql -qtA "$url" -c "$sql"
  fi
}

run_backend() {
  local label=$1 url=$2
  rm -f "$work"/acked.* "$work/stop"
  "$bin" init --preset pingcheng --demo --db "$url" >/dev/null 2>&1
  start_server "$url"
  local login cookie csrf
  login=$(curl -s -i -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"Demo@2026"}' "$base/api/v1/auth/login")
  cookie=$(printf '%s\n' "$login" | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | head -n 1)
  csrf=$(printf '%s\n' "$login" | tail -n 1 | jq -r .csrf_token)
  local pids=() n
  for n in 1 2 3 4 5 6 7 8; do
    client "$n" "$base" "$cookie" "$csrf" &
    pids+=($!)
  done
  # Kill once a good number were acknowledged, while the clients keep posting.
  for _ in $(seq 1 600); do
    [ "$(cat "$work"/acked.* 2>/dev/null | wc -l)" -ge 150 ] && break
    sleep 0.1
  done
  kill -KILL "$server"
  wait "$server" 2>/dev/null || true
  server=
  touch "$work/stop"
  for n in "${pids[@]}"; do wait "$n" || true; done
  cat "$work"/acked.* | sort >"$work/acked"
  local acked
  acked=$(wc -l <"$work/acked")
  if [ "$acked" -ge 50 ]; then ok; else bad "$label: only $acked reports were acknowledged before the kill"; fi

  # After the kill: every acknowledged report is there with its number and id; none twice.
  rows "$url" | grep '^kill-' | sort >"$work/stored"
  local missing
  missing=$(comm -23 "$work/acked" "$work/stored" | wc -l)
  if [ "$missing" -eq 0 ]; then
    ok
  else
    bad "$label: $missing acknowledged reports are missing after kill -9:"
    comm -23 "$work/acked" "$work/stored" | head -n 5
  fi
  local twice
  twice=$(cut -d' ' -f1 "$work/stored" | uniq -d | wc -l)
  if [ "$twice" -eq 0 ]; then ok; else bad "$label: $twice reports are stored twice"; fi
  echo "$label: $acked acknowledged, $(wc -l <"$work/stored") stored after kill -9"

  if "$bin" ledger verify --db "$url" >"$work/out" 2>&1; then ok; else
    bad "$label: ledger verify after kill -9"
    cat "$work/out"
  fi
  if "$bin" ledger replay --check --db "$url" >"$work/out" 2>&1 &&
    grep -q "every case matches its events" "$work/out"; then ok; else
    bad "$label: ledger replay --check after kill -9"
    cat "$work/out"
  fi
  # And the server comes back on the same database and takes reports again.
  start_server "$url"
  login=$(curl -s -i -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"Demo@2026"}' "$base/api/v1/auth/login")
  cookie=$(printf '%s\n' "$login" | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | head -n 1)
  csrf=$(printf '%s\n' "$login" | tail -n 1 | jq -r .csrf_token)
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
    -H 'Content-Type: application/json' \
    -d '{"category":"0102","title":"after-restart","address":"平城区测试路1号"}' "$base/api/v1/cases")
  if [ "$code" = 201 ]; then ok; else bad "$label: a report after the restart answered $code"; fi
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  server=
  if "$bin" ledger verify --db "$url" >"$work/out" 2>&1; then ok; else
    bad "$label: ledger verify after the restart"
    cat "$work/out"
  fi
}

run_backend sqlite "sqlite:$work/kill.db"
if [ -n "${CIVICLOOP_TEST_PG:-}" ]; then
  pgdb="clt_kill_$$"
  psql -qtA "$CIVICLOOP_TEST_PG" -c "DROP DATABASE IF EXISTS $pgdb" >/dev/null
  psql -qtA "$CIVICLOOP_TEST_PG" -c "CREATE DATABASE $pgdb" >/dev/null
  run_backend postgresql "${CIVICLOOP_TEST_PG%/*}/$pgdb"
  psql -qtA "$CIVICLOOP_TEST_PG" -c "DROP DATABASE $pgdb WITH (FORCE)" >/dev/null || true
elif [ "${CIVICLOOP_REQUIRE_PG:-0}" = 1 ]; then
  bad "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
