#!/usr/bin/env bash
# History import figures for docs/PERFORMANCE.md, "Import (issue 7)": a generated 12345 export of
# ROWS rows (default "100000 1000000"), each imported by the release `civicloop import cases` into
# a fresh SQLite database with the Pingcheng preset and demo data, timed by /usr/bin/time -v: rows
# per second and the peak RSS, which stays flat in the file's size because the file is read as a
# stream and written in batches. Then the same file again (every row skipped: the idempotent
# re-run) and `ledger replay --check` over the result.
#
# The rows look like a district's real export: 15 columns, a Chinese title and description, one
# of six mapped categories, about 1 in 3 with coordinates inside the demo grids, the others with an
# area name; times over three years; 1 in 200 refused (a bad time or an unmapped category).
#
# Usage: bench/import.sh            Environment: ROWS, WORK (default a fresh /tmp dir, removed
# unless KEEP=1), CIVICLOOP_BIN (default build/release/civicloop). Builds nothing; run under
# /work/build-lock.sh on a quiet machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CIVICLOOP_BIN:-$root/build/release/civicloop}
ROWS=${ROWS:-100000 1000000}
[ -x "$bin" ] || { echo "import.sh: $bin missing: build the release preset first" >&2; exit 2; }
WORK=${WORK:-$(mktemp -d /tmp/civicloop-import-XXXXXX)}
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
mapping="$root/presets/pingcheng/import-mapping.sample.json"

gen() {  # gen N FILE
  python3 - "$1" "$2" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(7)
cats = ["暴露垃圾", "非法小广告", "乱堆物料", "店外经营", "机动车乱停放", "非机动车乱停放"]
areas = ["永泰北社区", "永泰中社区", "永泰南社区", "古城北社区", "古城中社区", "永泰北社区第1网格"]
srcs = ["12345热线", "数字城管", "随手拍"]
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("\ufeff工单编号,来源,问题类型,标题,问题描述,地址,纬度,经度,所属区域,责任单位,上报人,"
            "上报时间,派遣时间,办结时间,办理状态\r\n")
    for i in range(n):
        day = rnd.randrange(0, 1095)
        y, rest = 2022 + day // 365, day % 365
        m, d = 1 + rest // 31 % 12, 1 + rest % 28
        h = rnd.randrange(7, 20)
        rep = f"{y}-{m:02d}-{d:02d} {h:02d}:{rnd.randrange(60):02d}:00"
        disp = f"{y}-{m:02d}-{d:02d} {h + 1:02d}:10:00"
        close = f"{y}-{m:02d}-{min(d + 2, 28):02d} 17:45:00"
        cat = cats[rnd.randrange(len(cats))]
        if i % 200 == 7:
            cat = "噪音扰民"           # not in the mapping: refused
        if i % 200 == 11:
            rep = "2024-13-01 10:00"  # no such month: refused
        lat = lng = area = ""
        if i % 3 == 0:
            lat, lng = f"{40.029 + rnd.random() * 0.015:.6f}", f"{113.337 + rnd.random() * 0.01:.6f}"
        else:
            area = areas[rnd.randrange(len(areas))]
        state = "已作废" if i % 50 == 0 else "已办结"
        f.write(f"GD{i:09d},{srcs[i % 3]},{cat},{cat}问题,\"群众反映{area or '该处'}{cat}，"
                f"已多次出现，请尽快处理\",平城区永泰路{i % 997}号,{lat},{lng},{area},区城市管理局,"
                f"市民{i % 89},{rep},{disp},{close},{state}\r\n")
PY
}

for n in $ROWS; do
  csv="$WORK/orders-$n.csv"
  db="sqlite:$WORK/import-$n.db"
  gen "$n" "$csv"
  size=$(du -m "$csv" | cut -f1)
  CIVICLOOP_PWHASH=min "$bin" init --preset pingcheng --demo --db "$db" >/dev/null 2>&1
  for pass in first again; do
    /usr/bin/time -v "$bin" import cases "$csv" --mapping "$mapping" --db "$db" \
      --report "$WORK/refused-$n.csv" >"$WORK/out" 2>"$WORK/time"
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time")
    echo "rows=$n file=${size}MiB pass=$pass wall=$wall peak_rss=$((rss / 1024))MiB :: $(cat "$WORK/out")"
  done
  start=$(date +%s.%N)
  "$bin" ledger replay --check --db "$db" | sed "s/^/rows=$n replay: /"
  echo "rows=$n replay_seconds=$(echo "$(date +%s.%N) - $start" | bc)"
  rm -f "$WORK/import-$n.db" "$WORK/import-$n.db-wal" "$WORK/import-$n.db-shm" "$csv"
done
