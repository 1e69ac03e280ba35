#!/usr/bin/env bash
# Backups under load (issue 12): the real server on a loopback port, four clients posting reports
# with a photo each while `civicloop backup` runs. The backup restored into an empty place holds
# every case and every photo acknowledged before the backup began (the photo's file byte for
# byte), its events are exactly the source's first events (same seq, same hash), `ledger verify`
# passes (with the restored anchors and their key too) and so does `ledger replay --check`; a
# second restore into the same place is refused. Then the district moves from SQLite to
# PostgreSQL with `civicloop migrate-db`: every table's count matches, the ledger verifies and
# replays, and the server on PostgreSQL takes a new report. Runs on SQLite, and the backup part on
# PostgreSQL too, when CIVICLOOP_TEST_PG names a server (scripts/with-pg.sh).
# Bounded: at most 300 reports per client, at most 60 s of waiting per backend.
# Usage: tests/backup_restore_test.sh PATH/TO/civicloop
set -euo pipefail
bin=$1
work=$(mktemp -d)
server=
pgdbs=()
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server" 2>/dev/null || true; fi
  for d in "${pgdbs[@]}"; do
    psql -qtA "$CIVICLOOP_TEST_PG" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
  done
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

# Distinct small PNGs, one per report (a photo's file is named by its sha256, so equal bytes
# would be one file).
mkdir -p "$work/png"
python3 -B - "$work/png" <<'EOF'
import os, struct, sys, zlib
out = sys.argv[1]
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
for n in range(1, 1201):
    w = h = 24
    raw = b""
    for y in range(h):
        raw += b"\x00" + b"".join(bytes(((x * 7 + y * 13 + n) % 256, (n >> 8) % 256, (x ^ y ^ n) % 256)) for x in range(w))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open(os.path.join(out, "%d.png" % n), "wb").write(png)
EOF

# client N BASE COOKIE CSRF: a report, then its photo, until the stop file appears; writes
# "title case_no id" of every 201 report to acked.N and "case_id attachment_id sha256" of every
# 201 photo to photos.N.
client() {
  local n=$1 base=$2 cookie=$3 csrf=$4 i code id png
  : >"$work/acked.$n"
  : >"$work/photos.$n"
  for i in $(seq 1 300); do
    [ -e "$work/stop" ] && return 0
    code=$(curl -s -m 20 -o "$work/resp.$n" -w '%{http_code}' -H "Cookie: $cookie" \
      -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
      -d "{\"category\":\"0102\",\"title\":\"bk-$n-$i\",\"description\":\"备份\",\"address\":\"平城区测试路$i号\"}" \
      "$base/api/v1/cases" || true)
    [ "$code" = 201 ] || continue
    id=$(jq -r '.case.id' "$work/resp.$n")
    echo "bk-$n-$i $(jq -r '.case.case_no' "$work/resp.$n") $id" >>"$work/acked.$n"
    png="$work/png/$(((n - 1) * 300 + i)).png"
    code=$(curl -s -m 20 -o "$work/resp.$n" -w '%{http_code}' -H "Cookie: $cookie" \
      -H "X-CSRF-Token: $csrf" -H 'Content-Type: image/png' --data-binary "@$png" \
      "$base/api/v1/cases/$id/attachments?stage=before" || true)
    if [ "$code" = 201 ]; then
      echo "$id $(jq -r '.id' "$work/resp.$n") $(sha256sum "$png" | cut -d' ' -f1)" >>"$work/photos.$n"
    fi
  done
}

start_server() {
  local url=$1 media=$2
  "$bin" serve --db "$url" --listen 127.0.0.1:0 --threads 2 --media-dir "$media" \
    --anchor-file "$work/anchors.jsonl" --anchor-key-file "$work/anchor.key" \
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

stop_server() {
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  server=
}

login() {
  local out
  out=$(curl -s -i -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"Demo@2026"}' "$base/api/v1/auth/login")
  cookie=$(printf '%s\n' "$out" | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | head -n 1)
  csrf=$(printf '%s\n' "$out" | tail -n 1 | jq -r .csrf_token)
}

# sql URL QUERY: the rows, '|'-separated.
sql() {
  local url=$1 q=$2
  if [[ $url == sqlite:* ]]; then
    sqlite3 "${url#sqlite:}" "$q"
  else
    psql -qtA "$url" -c "$q"
  fi
}

# run_backend LABEL SOURCE_URL RESTORED_URL
run_backend() {
  local label=$1 url=$2 rurl=$3
  local media="$work/$label/media" bk="$work/$label/backup" rdir="$work/$label/restored"
  rm -f "$work"/acked.* "$work"/photos.* "$work/stop" "$work/anchors.jsonl"
  mkdir -p "$work/$label"
  "$bin" init --preset pingcheng --demo --db "$url" >/dev/null 2>&1
  # A first run that ends with an anchor (the server anchors the head when it stops).
  start_server "$url" "$media"
  login
  curl -s -o /dev/null -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d '{"category":"0102","title":"before-anchor","address":"平城区测试路1号"}' "$base/api/v1/cases"
  stop_server
  if [ -s "$work/anchors.jsonl" ]; then ok; else bad "$label: the server wrote no anchor when it stopped"; fi

  start_server "$url" "$media"
  login
  local pids=() n
  for n in 1 2 3 4; do
    client "$n" "$base" "$cookie" "$csrf" &
    pids+=($!)
  done
  for _ in $(seq 1 600); do
    [ "$(cat "$work"/photos.* 2>/dev/null | wc -l)" -ge 40 ] && break
    sleep 0.1
  done
  # Everything acknowledged by now must be in the backup.
  cat "$work"/acked.* | sort >"$work/acked"
  cat "$work"/photos.* | sort >"$work/photos"
  if "$bin" backup "$bk" --db "$url" --media-dir "$media" --anchor-file "$work/anchors.jsonl" \
    --anchor-key-file "$work/anchor.key" \
    >"$work/out" 2>&1; then ok; else
    bad "$label: backup while serving"
    cat "$work/out"
  fi
  cat "$work/out"
  # The clients went on during the backup; a little more after it, then stop.
  local during
  during=$(cat "$work"/acked.* | wc -l)
  sleep 1
  touch "$work/stop"
  for n in "${pids[@]}"; do wait "$n" || true; done
  stop_server
  local acked photos total
  acked=$(wc -l <"$work/acked")
  photos=$(wc -l <"$work/photos")
  total=$(cat "$work"/acked.* | wc -l)
  if [ "$acked" -ge 20 ] && [ "$photos" -ge 20 ]; then ok; else
    bad "$label: only $acked reports and $photos photos acknowledged before the backup"
  fi
  if [ "$during" -gt "$acked" ]; then ok; else bad "$label: no report was acknowledged while the backup ran"; fi
  echo "$label: $acked reports and $photos photos acknowledged before the backup, $total in all"

  # Restore into an empty place.
  if "$bin" restore "$bk" --db "$rurl" --media-dir "$rdir/media" --anchor-file "$rdir/anchors.jsonl" \
    >"$work/out" 2>&1; then ok; else
    bad "$label: restore"
    cat "$work/out"
  fi
  cat "$work/out"
  # Every acknowledged case, with its number and id.
  sql "$rurl" "SELECT title || ' ' || case_no || ' ' || id FROM cases WHERE title LIKE 'bk-%'" |
    sort >"$work/restored"
  local missing
  missing=$(comm -23 "$work/acked" "$work/restored" | wc -l)
  if [ "$missing" -eq 0 ]; then ok; else
    bad "$label: $missing acknowledged reports are missing from the restored database:"
    comm -23 "$work/acked" "$work/restored" | head -n 5
  fi
  # Every acknowledged photo: its row, and its file with the same bytes.
  sql "$rurl" "SELECT case_id || ' ' || id || ' ' || sha256 FROM attachments" | sort >"$work/rphotos"
  missing=$(comm -23 "$work/photos" "$work/rphotos" | wc -l)
  if [ "$missing" -eq 0 ]; then ok; else
    bad "$label: $missing acknowledged photos are missing from the restored database"
    comm -23 "$work/photos" "$work/rphotos" | head -n 5
  fi
  local sha f lost=0
  while read -r _ _ sha; do
    f=$(find "$rdir/media" -name "$sha.png" -print -quit)
    if [ -z "$f" ] || [ "$(sha256sum "$f" | cut -d' ' -f1)" != "$sha" ]; then lost=$((lost + 1)); fi
  done <"$work/photos"
  if [ "$lost" -eq 0 ]; then ok; else bad "$label: $lost acknowledged photo files are missing or differ"; fi
  # Every event: the restored ledger is the source's, event for event, up to its head.
  sql "$rurl" "SELECT tenant_id || ' ' || seq || ' ' || hash FROM ledger_events" | sort >"$work/revents"
  sql "$url" "SELECT tenant_id || ' ' || seq || ' ' || hash FROM ledger_events" | sort >"$work/sevents"
  local extra
  extra=$(comm -23 "$work/revents" "$work/sevents" | wc -l)
  local rhead shead_count
  rhead=$(sql "$rurl" "SELECT COALESCE(MAX(seq), 0) FROM ledger_events")
  shead_count=$(sql "$url" "SELECT COUNT(*) FROM ledger_events WHERE seq <= $rhead")
  if [ "$extra" -eq 0 ] && [ "$(wc -l <"$work/revents")" -eq "$shead_count" ]; then ok; else
    bad "$label: the restored events are not the source's first $rhead events ($extra differ)"
  fi
  if "$bin" ledger verify --db "$rurl" >"$work/out" 2>&1; then ok; else
    bad "$label: ledger verify on the restored database"
    cat "$work/out"
  fi
  if "$bin" ledger verify --db "$rurl" --anchors "$rdir/anchors.jsonl" \
    --public-key "$rdir/anchors.jsonl.pub" >"$work/out" 2>&1 && grep -q "anchors intact" "$work/out"; then ok; else
    bad "$label: ledger verify with the restored anchors"
    cat "$work/out"
  fi
  if "$bin" ledger replay --check --db "$rurl" >"$work/out" 2>&1 &&
    grep -q "every case matches its events" "$work/out"; then ok; else
    bad "$label: ledger replay --check on the restored database"
    cat "$work/out"
  fi
  # Not into a place that holds something.
  if "$bin" restore "$bk" --db "$rurl" --media-dir "$work/$label/other" >"$work/out" 2>&1; then
    bad "$label: a second restore into the same database was not refused"
  elif grep -q "is not empty" "$work/out"; then ok; else
    bad "$label: the refusal does not say why"
    cat "$work/out"
  fi
  # Nor from a backup with a changed photo.
  cp -r "$bk" "$work/$label/tampered"
  f=$(find "$work/$label/tampered/media" -name '*.png' -print -quit)
  printf 'x' >>"$f"
  if "$bin" restore "$work/$label/tampered" --db "sqlite:$work/$label/t.db" --media-dir "$work/$label/t-media" \
    >"$work/out" 2>&1; then
    bad "$label: a backup with a changed photo was restored"
  elif grep -q "is corrupt" "$work/out" && [ ! -e "$work/$label/t.db" ]; then ok; else
    bad "$label: the refusal of a changed photo"
    cat "$work/out"
  fi
}

new_pg_db() {
  local name=$1
  psql -qtA "$CIVICLOOP_TEST_PG" -c "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1
  psql -qtA "$CIVICLOOP_TEST_PG" -c "CREATE DATABASE $name" >/dev/null
  pgdbs+=("$name")
  echo "${CIVICLOOP_TEST_PG%/*}/$name"
}

"$bin" ledger keygen --key "$work/anchor.key" >/dev/null
run_backend sqlite "sqlite:$work/src.db" "sqlite:$work/sqlite/restored/db.sqlite"

if [ -n "${CIVICLOOP_TEST_PG:-}" ]; then
  run_backend postgresql "$(new_pg_db "clt_bk_$$")" "$(new_pg_db "clt_bkr_$$")"

  # The SQLite district moved to PostgreSQL.
  to=$(new_pg_db "clt_mv_$$")
  if "$bin" migrate-db --from "sqlite:$work/src.db" --to "$to" >"$work/out" 2>&1; then ok; else
    bad "migrate-db"
  fi
  cat "$work/out"
  for t in cases attachments ledger_events ledger_heads id_counters case_unit_counts case_open_counts users; do
    if [ "$(sql "sqlite:$work/src.db" "SELECT COUNT(*) FROM $t")" = "$(sql "$to" "SELECT COUNT(*) FROM $t")" ]; then ok; else
      bad "migrate-db: the counts of $t differ"
    fi
  done
  if [ "$(sql "sqlite:$work/src.db" "SELECT hash FROM ledger_heads ORDER BY tenant_id")" = \
    "$(sql "$to" "SELECT hash FROM ledger_heads ORDER BY tenant_id")" ]; then ok; else
    bad "migrate-db: the ledger heads differ"
  fi
  if "$bin" ledger verify --db "$to" >"$work/out" 2>&1; then ok; else
    bad "migrate-db: ledger verify on the target"
    cat "$work/out"
  fi
  if "$bin" ledger replay --check --db "$to" >"$work/out" 2>&1 &&
    grep -q "every case matches its events" "$work/out"; then ok; else
    bad "migrate-db: ledger replay --check on the target"
    cat "$work/out"
  fi
  # Not into a database that holds tables.
  if "$bin" migrate-db --from "sqlite:$work/src.db" --to "$to" >"$work/out" 2>&1; then
    bad "migrate-db into a non-empty database was not refused"
  elif grep -q "is not empty" "$work/out"; then ok; else
    bad "migrate-db: the refusal does not say why"
    cat "$work/out"
  fi
  # The server on the moved district: ids go on from the copied counters.
  start_server "$to" "$work/sqlite/media"
  login
  code=$(curl -s -o "$work/resp" -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
    -H 'Content-Type: application/json' \
    -d '{"category":"0102","title":"after-move","address":"平城区测试路1号"}' "$base/api/v1/cases")
  maxid=$(sql "sqlite:$work/src.db" "SELECT MAX(id) FROM cases")
  if [ "$code" = 201 ] && [ "$(jq -r .case.id "$work/resp")" -gt "$maxid" ]; then ok; else
    bad "migrate-db: a report on the moved district answered $code"
  fi
  stop_server
  if "$bin" ledger verify --db "$to" >"$work/out" 2>&1; then ok; else
    bad "migrate-db: ledger verify after a new report"
    cat "$work/out"
  fi
elif [ "${CIVICLOOP_REQUIRE_PG:-0}" = 1 ]; then
  bad "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
