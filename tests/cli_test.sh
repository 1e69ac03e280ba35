#!/usr/bin/env bash
# The command line, driven as an operator would: init (twice: idempotent), user add/passwd/disable,
# migrate, ledger verify catching an edited and a deleted event, serve's configuration, and ledger
# anchors (keygen, serve writing them, verify catching a consistent rewrite through them), and
# the history import (sample, again, refusals, a bad mapping, a truncated file, kill -9 and resume).
# Usage: tests/cli_test.sh PATH/TO/civicloop
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="sqlite:$work/c.db"
export CIVICLOOP_PWHASH=min
pass=0
fail=0
check() {  # check NAME COMMAND...: the command must succeed
  local name=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name"
    cat "$work/out"
  fi
}
refuse() {  # refuse NAME COMMAND...: the command must fail
  local name=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    fail=$((fail + 1))
    echo "FAIL (should have failed): $name"
    cat "$work/out"
  else
    pass=$((pass + 1))
  fi
}
expect_output() {  # expect_output NAME TEXT: the last command printed TEXT
  if grep -q -- "$2" "$work/out"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $1: output lacks '$2'"
    cat "$work/out"
  fi
}

check "init" "$bin" init --preset pingcheng --demo --db "$db"
expect_output "init prints logins" "admin"
check "init again is idempotent" "$bin" init --preset pingcheng --demo --db "$db"
expect_output "second init says so" "already loaded"
groups=$(sqlite3 "$work/c.db" "SELECT count(*) FROM org_units WHERE kind='supervision_group'")
check "11 groups after two inits" test "$groups" = 11
check "migrate is up to date" "$bin" migrate --db "$db"
expect_output "migrate says so" "up to date"

check "user add hq_admin without unit" "$bin" user add --username boss --password 'Secret#2026' --role hq_admin --db "$db"
check "user add unit operator by unit code" "$bin" user add --username yt --password 'Secret#2026' --role unit_operator --unit 140213050 --db "$db"
refuse "unit operator needs a unit" "$bin" user add --username nounit --password 'Secret#2026' --role unit_operator --db "$db"
expect_output "error names the rule" "auth.unit_required"
refuse "duplicate username" "$bin" user add --username boss --password 'Secret#2026' --role hq_admin --db "$db"
refuse "unknown role" "$bin" user add --username x1 --password 'Secret#2026' --role emperor --db "$db"
refuse "unknown unit" "$bin" user add --username x2 --password 'Secret#2026' --role grid_worker --unit NOPE --db "$db"
check "password from stdin" bash -c "echo 'Another#2026' | '$bin' user passwd --username boss --password-stdin --db '$db'"
check "disable" "$bin" user disable --username yt --db "$db"
disabled=$(sqlite3 "$work/c.db" "SELECT disabled FROM users WHERE username='yt'")
check "disabled in the database" test "$disabled" = 1
refuse "unknown option" "$bin" user add --frobnicate --db "$db"

check "ledger verify on an intact ledger" "$bin" ledger verify --db "$db"
expect_output "says intact" "intact"

cp "$work/c.db" "$work/edited.db"
sqlite3 "$work/edited.db" "UPDATE ledger_events SET after_json = replace(after_json, '永泰街道', '改过的街道') WHERE seq = (SELECT min(seq) FROM ledger_events WHERE after_json LIKE '%永泰街道%')"
refuse "ledger verify catches an edit" "$bin" ledger verify --db "sqlite:$work/edited.db"
expect_output "names the event" "BROKEN at event"

cp "$work/c.db" "$work/deleted.db"
sqlite3 "$work/deleted.db" "DELETE FROM ledger_events WHERE seq = 10"
refuse "ledger verify catches a deletion" "$bin" ledger verify --db "sqlite:$work/deleted.db"
expect_output "names event 10" "event 10 (missing)"

cp "$work/c.db" "$work/tail.db"
sqlite3 "$work/tail.db" "DELETE FROM ledger_events WHERE seq = (SELECT max(seq) FROM ledger_events)"
refuse "ledger verify catches a deleted last event" "$bin" ledger verify --db "sqlite:$work/tail.db"

refuse "bad db url" "$bin" migrate --db "mysql://nope"

# serve's configuration: a typo in the file, a bad value in the environment or an option stops
# the server before it listens, naming the key (and the line).
printf 'listen = 127.0.0.1:0\nsecure_cookie = true\n' >"$work/typo.conf"
refuse "serve refuses an unknown configuration key" "$bin" serve --config "$work/typo.conf" --db "$db"
expect_output "names the key" "secure_cookie"
expect_output "names the line" "2"
refuse "serve refuses a bad environment value" env CIVICLOOP_TRUSTED_PROXIES="10.0.0.0/99" \
  "$bin" serve --db "$db" --listen 127.0.0.1:0
expect_output "names the variable" "CIVICLOOP_TRUSTED_PROXIES"
refuse "serve refuses a bad option" "$bin" serve --db "$db" --client-ip-header forwarded
# A good file is read: the server comes up on the port it names and sends HSTS.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '# test\nlisten = 127.0.0.1:%s\nsecure_cookies = yes\nmedia_dir = %s/media\n' "$port" "$work" >"$work/good.conf"
"$bin" serve --config "$work/good.conf" --db "$db" >"$work/serve.out" 2>&1 &
served=$!
for _ in $(seq 1 100); do grep -q "listening" "$work/serve.out" && break; sleep 0.1; done
curl -s -D "$work/out" -o /dev/null "http://127.0.0.1:$port/healthz" || true
expect_output "serve read the file (port, secure_cookies)" "Strict-Transport-Security"
# A case reported through the server, for the replay below.
grid_cookie=$(curl -s -i -H 'Content-Type: application/json' \
  -d '{"username":"grid","password":"Demo@2026"}' "http://127.0.0.1:$port/api/v1/auth/login" |
  grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/')
grid_csrf=$(curl -s -H "Cookie: $grid_cookie" "http://127.0.0.1:$port/api/v1/auth/me" |
  grep -o '"csrf_token":"[^"]*"' | cut -d'"' -f4)
curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $grid_cookie" -H "X-CSRF-Token: $grid_csrf" \
  -H 'Content-Type: application/json' \
  -d '{"category":"0102","description":"路边堆放生活垃圾","address":"永泰路12号"}' \
  "http://127.0.0.1:$port/api/v1/cases" >"$work/out"
expect_output "a case was reported" "201"
kill -TERM "$served"; wait "$served" 2>/dev/null || true

check "ledger replay after a report" "$bin" ledger replay --check --db "$db"
expect_output "every case matches" "every case matches its events"
expect_output "one case" "1 cases"
refuse "ledger replay without --check" "$bin" ledger replay --db "$db"
check "kpi rebuild" "$bin" kpi rebuild --db "$db"
expect_output "kpi rebuild projects the report" "1 case events projected"
refuse "kpi without rebuild" "$bin" kpi --db "$db"
cp "$work/c.db" "$work/replay.db"
sqlite3 "$work/replay.db" "UPDATE cases SET title = '改过的标题'"
refuse "ledger replay catches an edited case" "$bin" ledger replay --check --db "sqlite:$work/replay.db"
expect_output "names the field" "fields: title"
# Ledger anchors. keygen writes a 0600 secret key and FILE.pub, and never overwrites.
check "ledger keygen" "$bin" ledger keygen --key "$work/anchor.key"
expect_output "keygen prints the public key" "public key: [0-9a-f]\{64\}"
expect_output "keygen prints the key id" "key id: [0-9a-f]\{16\}"
check "the secret key is 0600" test "$(stat -c %a "$work/anchor.key")" = 600
check "the public key file holds the printed key" grep -q "$(sed -n 's/^public key: //p' "$work/out")" "$work/anchor.key.pub"
cp "$work/anchor.key" "$work/anchor.key.before"
refuse "keygen does not overwrite a key" "$bin" ledger keygen --key "$work/anchor.key"
expect_output "says it exists" "already exists"
check "the key is unchanged" cmp "$work/anchor.key" "$work/anchor.key.before"
refuse "keygen needs --key" "$bin" ledger keygen
# serve refuses a key others may read, and an anchor file without a key.
install -m 0644 "$work/anchor.key" "$work/open.key"
refuse "serve refuses a key readable by others" "$bin" serve --db "$db" --listen 127.0.0.1:0 \
  --anchor-file "$work/anchors.jsonl" --anchor-key-file "$work/open.key"
expect_output "says how to fix it" "chmod 600"
refuse "serve refuses an anchor file without a key" "$bin" serve --db "$db" --listen 127.0.0.1:0 \
  --anchor-file "$work/anchors.jsonl"
expect_output "names the key" "anchor_key_file"
check "no anchor file from refused starts" test ! -e "$work/anchors.jsonl"
# The server anchors every tenant's head on its first pass and when it stops.
"$bin" serve --db "$db" --listen 127.0.0.1:0 --media-dir "$work/media" \
  --anchor-file "$work/anchors.jsonl" --anchor-key-file "$work/anchor.key" >"$work/serve.out" 2>&1 &
served=$!
for _ in $(seq 1 100); do [ -s "$work/anchors.jsonl" ] && break; sleep 0.1; done
kill -TERM "$served"; wait "$served" 2>/dev/null || true
cp "$work/serve.out" "$work/out"
expect_output "serve says it anchors" "ledger anchors: $work/anchors.jsonl"
check "the anchor file has the head" grep -q '"tenant_id":1,"seq":' "$work/anchors.jsonl"
pub=$work/anchor.key.pub
check "verify with anchors on the intact ledger" "$bin" ledger verify --db "$db" \
  --anchors "$work/anchors.jsonl" --public-key "$pub"
expect_output "says the anchors are intact" "anchors intact"
refuse "--anchors needs --public-key" "$bin" ledger verify --db "$db" --anchors "$work/anchors.jsonl"
other=$("$bin" ledger keygen --key "$work/other.key" | sed -n 's/^public key: //p')
refuse "verify with the wrong public key" "$bin" ledger verify --db "$db" \
  --anchors "$work/anchors.jsonl" --public-key "$other"
expect_output "the anchors are invalid, not rewritten" "INVALID: unknown_key"
check "verify with the old and the new key (rotation)" "$bin" ledger verify --db "$db" \
  --anchors "$work/anchors.jsonl" --public-key "$other" --public-key "$pub"
# A torn last line (a crash in the middle of an append) is skipped with a warning.
cp "$work/anchors.jsonl" "$work/torn.jsonl"
printf '{"v":1,"tenant_id":1,"seq":' >>"$work/torn.jsonl"
check "a torn last line is not fatal" "$bin" ledger verify --db "$db" \
  --anchors "$work/torn.jsonl" --public-key "$pub"
expect_output "warns about it" "unfinished"
# Someone with the database rewrites the last 100 events and the head with consistent hashes.
cp "$work/c.db" "$work/rewritten.db"
python3 - "$work/rewritten.db" <<'PY'
import hashlib, sqlite3, sys
def put(s):
    b = s.encode()
    return str(len(b)).encode() + b":" + b + b";"
def opt(s):
    return b"-;" if s is None else put(s)
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT seq, at, actor_user_id, actor_name, entity_type, entity_id, action, "
                  "before_json, after_json, note, prev_hash, hash FROM ledger_events "
                  "WHERE tenant_id = 1 ORDER BY seq").fetchall()
first = rows[-100][0]
prev = None
for (seq, at, actor, name, etype, eid, action, before, after, note, prev_hash, h) in rows:
    if seq >= first:
        note = "事后改写"
        prev_hash = prev
        data = (put("civicloop-ledger-v1") + put("1") + put(str(seq)) + put(str(at)) +
                opt(None if actor is None else str(actor)) + put(name) + put(etype) +
                put(str(eid)) + put(action) + opt(before) + opt(after) + opt(note) + put(prev_hash))
        h = hashlib.sha256(data).hexdigest()
        db.execute("UPDATE ledger_events SET note = ?, prev_hash = ?, hash = ? "
                   "WHERE tenant_id = 1 AND seq = ?", (note, prev_hash, h, seq))
    prev = h
db.execute("UPDATE ledger_heads SET hash = ? WHERE tenant_id = 1", (prev,))
db.commit()
PY
check "the rewritten chain alone verifies" "$bin" ledger verify --db "sqlite:$work/rewritten.db"
expect_output "says intact" "ledger intact"
refuse "verify through the anchors catches the rewrite" "$bin" ledger verify \
  --db "sqlite:$work/rewritten.db" --anchors "$work/anchors.jsonl" --public-key "$pub"
expect_output "names the anchored event" "anchors BROKEN at event [0-9]* (rewritten)"
expect_output "bounds the first changed event" "the first changed event is between 1 and"

# The history import (issue 7, part 6): the sample 12345 export with the Pingcheng mapping.
idb="sqlite:$work/import.db"
src=$(cd "$(dirname "$0")/.." && pwd)
mapping="$src/presets/pingcheng/import-mapping.sample.json"
check "init for the import" "$bin" init --preset pingcheng --demo --db "$idb"
check "import cases" "$bin" import cases "$src/tests/fixtures/import_12345.csv" --mapping "$mapping" \
  --db "$idb" --report "$work/refused.csv"
expect_output "import counts" "9 rows read, 4 imported, 0 already there, 5 refused"
expect_output "progress on stderr" "read 9  written 4  skipped 0  refused 5"
cp "$work/refused.csv" "$work/out"
expect_output "refused row with its reason" "^7,GD2024000105,import_row.unknown_category,问题类别不在映射中"
expect_output "refused bad time" "^9,GD2024000107,import_row.bad_time,"
check "original numbers kept" test "$(sqlite3 "$work/import.db" "SELECT count(*) FROM cases WHERE import_source='12345' AND original_no LIKE 'GD2024%'")" = 4
check "import again" "$bin" import cases "$src/tests/fixtures/import_12345.csv" --mapping "$mapping" \
  --db "$idb" --report "$work/refused2.csv"
expect_output "again changes nothing" "0 imported, 4 already there"
check "one import event per case" test "$(sqlite3 "$work/import.db" "SELECT count(*) FROM ledger_events WHERE action='import'")" = 4
check "ledger replay after an import" "$bin" ledger replay --check --db "$idb"
expect_output "imported cases match" "every case matches its events"
sed 's/"0102"/"9999"/' "$mapping" >"$work/bad-mapping.json"
refuse "a mapping naming an unknown category" "$bin" import cases "$src/tests/fixtures/import_12345.csv" \
  --mapping "$work/bad-mapping.json" --db "$idb" --report "$work/refused3.csv"
expect_output "names the code" "9999"
check "nothing written for the bad mapping" test ! -e "$work/refused3.csv"
refuse "import of a .txt" "$bin" import cases "$work/x.txt" --mapping "$mapping" --db "$idb"
# kill -9 in the middle, then the same command again: every row once, nothing twice.
python3 - "$work/many.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("工单编号,问题类型,地址,上报时间,办结时间\n")
    for i in range(6000):
        f.write(f"K{i:06d},暴露垃圾,永泰路{i}号,2024-03-05 08:30,2024-03-06 17:45\n")
PY
cat >"$work/many.json" <<'JSON'
{"source_name": "kill", "batch_size": 100, "default_source": "hotline", "default_state": "closed",
 "columns": {"original_no": "工单编号", "category": "问题类型", "address": "地址",
             "reported_at": "上报时间", "closed_at": "办结时间"},
 "categories": {"暴露垃圾": "0102"}}
JSON
printf '工单编号,问题类型,地址,上报时间,办结时间\n"A1,暴露垃圾,永泰路1号,2024-01-01 10:00\n' >"$work/cut.csv"
refuse "a truncated file" "$bin" import cases "$work/cut.csv" --mapping "$work/many.json" --db "$idb"
expect_output "names the row" "row 2"
"$bin" import cases "$work/many.csv" --mapping "$work/many.json" --db "$idb" >"$work/kill.out" 2>&1 &
importer=$!
for _ in $(seq 1 300); do
  n=$(sqlite3 "$work/import.db" "SELECT count(*) FROM cases WHERE import_source='kill'" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 300 ] && break
  sleep 0.05
done
kill -9 "$importer" 2>/dev/null || true
wait "$importer" 2>/dev/null || true
before=$(sqlite3 "$work/import.db" "SELECT count(*) FROM cases WHERE import_source='kill'")
echo "import killed after $before of 6000 rows"
check "the killed import runs again" "$bin" import cases "$work/many.csv" --mapping "$work/many.json" --db "$idb"
expect_output "resumes: the rest imported, the rest skipped" "6000 rows read, $((6000 - before)) imported, $before already there, 0 refused"
check "every row once" test "$(sqlite3 "$work/import.db" "SELECT count(DISTINCT original_no) || '/' || count(*) FROM cases WHERE import_source='kill'")" = "6000/6000"
check "ledger replay after the killed import" "$bin" ledger replay --check --db "$idb"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
