#!/usr/bin/env bash
# Backup and restore figures for docs/PERFORMANCE.md (issue 12): a district of CASES generated
# cases (bench/gen_cases.cpp) with PHOTOS photos of PHOTO_KB KiB each in its media directory
# (random bytes named by their sha256, as the server names photos, with an attachments row each),
# then `civicloop backup` and `civicloop restore` into an empty place, each under /usr/bin/time -v
# (wall seconds and peak RSS), and last /healthz on the restored database at -c8 for the machine's
# ceiling in the same run. The page cache is warm (the files were just written); a cold cache
# reads the media from disk and takes longer.
# Builds nothing: `make bench` (or ninja -C build/release civicloop gen_cases) builds first.
#
# Usage: bench/backup.sh [sqlite|pg]    (default sqlite; pg runs under scripts/with-pg.sh)
# Environment: CASES (1000000), PHOTOS (100000), PHOTO_KB (64), DURATION (5s), WORK (a directory;
#   default a fresh one under /tmp, removed at the end unless KEEP=1), CIVICLOOP_BIN, GEN_CASES_BIN.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CIVICLOOP_BIN:-$root/build/release/civicloop}
gen=${GEN_CASES_BIN:-$root/build/release/bench/gen_cases}
CASES=${CASES:-1000000}
PHOTOS=${PHOTOS:-100000}
PHOTO_KB=${PHOTO_KB:-64}
DURATION=${DURATION:-5s}
mode=${1:-sqlite}
for f in "$bin" "$gen" /usr/bin/time; do
  [ -x "$f" ] || { echo "backup.sh: $f missing: run make bench first" >&2; exit 2; }
done
if [ "$mode" = pg ]; then exec bash "$root/scripts/with-pg.sh" "$0" pg-inner; fi

work=${WORK:-$(mktemp -d /tmp/civicloop-backup.XXXXXX)}
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

case "$mode" in
  sqlite)
    url="sqlite:$work/district.db"
    restored="sqlite:$work/restored/district.db"
    ;;
  pg-inner)
    url=${CIVICLOOP_TEST_PG:?pg-inner runs under scripts/with-pg.sh}
    psql -qtA "$url" -c "CREATE DATABASE civicloop_restored" >/dev/null
    restored=${url%/*}/civicloop_restored
    ;;
  *)
    echo "usage: $0 [sqlite|pg]" >&2
    exit 2
    ;;
esac
sql() {
  if [[ $url == sqlite:* ]]; then sqlite3 "${url#sqlite:}"; else psql -qtA "$url"; fi
}

echo "== $mode: $CASES cases, $PHOTOS photos of $PHOTO_KB KiB"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(free -g | awk '/Mem:/{print $2}') GiB RAM"
say "init and generate"
"$bin" init --preset pingcheng --demo --db "$url" >/dev/null 2>&1
"$gen" --db "$url" --cases "$CASES" >/dev/null

say "writing $PHOTOS photos"
tenant=$(echo "SELECT tenant_id FROM tenants ORDER BY tenant_id LIMIT 1;" | sql)
python3 -B - "$work/media/$tenant" "$PHOTOS" "$PHOTO_KB" "$work/photos.csv" <<'EOF'
import hashlib, os, sys
root, n, kb, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(out, "w") as csv:
    for i in range(1, n + 1):
        data = os.urandom(kb * 1024)
        sha = hashlib.sha256(data).hexdigest()
        d = os.path.join(root, sha[:2])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, sha + ".jpg"), "wb") as f:
            f.write(data)
        csv.write("%d,%s,%d\n" % (i, sha, len(data)))
EOF
insert="INSERT INTO attachments (tenant_id, id, case_id, stage, content_type, size, sha256, width,
  height, uploaded_at) SELECT $tenant, 1000000000 + id, id * 10, 'before', 'image/jpeg', size, sha,
  4000, 3000, 0 FROM bench_photos;"
if [[ $url == sqlite:* ]]; then
  sqlite3 "${url#sqlite:}" <<EOF
CREATE TEMP TABLE bench_photos (id INTEGER, sha TEXT, size INTEGER);
.mode csv
.import $work/photos.csv bench_photos
$insert
EOF
else
  psql -qtA "$url" <<EOF >/dev/null
CREATE TEMP TABLE bench_photos (id BIGINT, sha TEXT, size BIGINT);
\copy bench_photos FROM '$work/photos.csv' WITH (FORMAT csv)
$insert
EOF
fi
if [[ $url == sqlite:* ]]; then
  say "database: $(du -ch "$work"/district.db* | tail -n 1 | cut -f1)"
else
  say "database: $(psql -qtA "$url" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
fi
say "media: $(du -sh "$work/media" | cut -f1) in $(find "$work/media" -type f | wc -l) files"

# timed LABEL COMMAND...: the command under /usr/bin/time -v; prints wall seconds and peak RSS.
timed() {
  local label=$1
  shift
  /usr/bin/time -v "$@" >"$work/$label.out" 2>"$work/$label.time"
  cat "$work/$label.out"
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$work/$label.time" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$work/$label.time" | awk '{print $NF}')
  say "$label: wall $wall (h:mm:ss or m:ss), peak RSS $((rss / 1024)) MiB"
}

say "backup"
timed backup "$bin" backup "$work/backup" --db "$url" --media-dir "$work/media"
say "backup size: $(du -sh "$work/backup" | cut -f1)"
say "restore"
timed restore "$bin" restore "$work/backup" --db "$restored" --media-dir "$work/restored/media"

# The machine's ceiling in the same run: /healthz on the restored database.
taskset -c 0 "$bin" serve --db "$restored" --media-dir "$work/restored/media" \
  --listen 127.0.0.1:0 --threads 2 >"$work/serve.out" 2>/dev/null &
server=$!
base=
for _ in $(seq 1 300); do
  base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "backup.sh: the server did not start" >&2; exit 1; }
say "/healthz -c8 on the restored database"
taskset -c 1 wrk -t1 -c8 -d"$DURATION" "$base/healthz" | grep -E 'Requests/sec|Latency'
