#!/usr/bin/env bash
# Query plans and database-side times of the case list queries, as storage::CaseRepo::list builds
# them (tenant 1, first page: LIMIT 51; keep in step with case_repo.cpp): the filtered lists, the
# date windows keyset on (reported_at, id) and a next page of one, the responsibility counts and
# the nearby-duplicate search on the cell key (since issue 7, migration 0006). SQLite: EXPLAIN QUERY PLAN and the best of
# three runs in the sqlite3 shell (the rows counted, not printed); PostgreSQL: EXPLAIN (ANALYZE,
# BUFFERS), summarised to plan shape, time and rows removed by filter.
# Called by bench/cases.sh after the list runs; bounded (each statement runs a few times at most).
#
# Usage: bench/explain_lists.sh URL SUBDISTRICT_ID FROM_DATE TO_DATE CURSOR_ID [NAMES...]
#   URL: sqlite:PATH or postgresql://...; dates YYYY-MM-DD (local, +08:00), TO inclusive.
#   NAMES: only these queries (default all).
set -eu  # no pipefail: the summaries grep for lines that may be absent
url=$1
sub=$2
from=$(($(date -u -d "$3 00:00 +0800" +%s) * 1000))
to=$(($(date -u -d "$4 00:00 +0800 +1 day" +%s) * 1000))
cursor=$5
shift 5

cols="id, case_no, state, source, category_code, title, description, address, lat, lng, grid_id, \
community_id, subdistrict_id, area_path, reporter_user_id, reporter_name, assigned_unit_id, \
assigned_path, supervising_group_id, routing_rule, duplicate_of, rework_count, escalation_level, \
extension_pending, extension_request, parked_from, park_review_date, notice_id, timer_stage, \
timer_unit, timer_budget, timer_consumed, timer_running_since, deadline_at, deadline_estimated, \
warned_percent, overdue, next_check_at, search_terms, reported_at, filed_at, dispatched_at, \
rectified_at, closed_at, updated_at, version"
ccols=$(echo "$cols" | sed -E 's/(^|, )/\1c./g')
T=1099511627776 # tenant 1 << 40: the FTS rowid of case 0 (case_repo.cpp)
base="SELECT $cols FROM cases WHERE tenant_id = 1"
tail="ORDER BY id DESC LIMIT 51"

names=(none state subdistrict category overdue q month month_next day cursor responsibility near)
[ $# -gt 0 ] && names=("$@")
declare -A sql
sql[none]="$base $tail"
sql[state]="$base AND state IN ('acknowledged') $tail"
sql[subdistrict]="$base AND subdistrict_id = $sub $tail"
sql[category]="$base AND category_code = '0102' $tail"
sql[overdue]="$base AND overdue = 1 $tail"
# A date window: newest first by (reported_at, id), read backwards from the cases_reported index
# and stopped at 51; the next page's cursor carries both (case_repo.cpp since issue 7).
window="reported_at >= $from AND reported_at < $to"
mid=$(((from + to) / 2))
sql[month]="$base AND $window ORDER BY reported_at DESC, id DESC LIMIT 51"
sql[month_next]="$base AND $window AND (reported_at, id) < ($mid, $cursor) ORDER BY reported_at DESC, id DESC LIMIT 51"
day_to=$((from + 86400000))
sql[day]="$base AND reported_at >= $from AND reported_at < $day_to ORDER BY reported_at DESC, id DESC LIMIT 51"
sql[cursor]="$base AND id < $cursor $tail"
# The responsibility list's counts, kept by triggers (migration 0006).
sql[responsibility]="SELECT unit_id, open_cases, overdue_cases FROM case_unit_counts WHERE tenant_id = 1 \
AND (open_cases <> 0 OR overdue_cases <> 0) ORDER BY unit_id"
# The duplicate search: the newest 10 open cases of a category in each of 9 cells (CaseRepo::open_near).
near=
for i in 0 1 2 3 4 5 6 7 8; do
  [ -n "$near" ] && near="$near UNION ALL "
  near="${near}SELECT * FROM (SELECT $cols FROM cases WHERE tenant_id = 1 AND category_code = '0102' AND \
cell = (SELECT cell FROM cases WHERE tenant_id = 1 AND cell IS NOT NULL ORDER BY id DESC LIMIT 1) + $i - 4 AND \
state NOT IN ('closed', 'voided', 'duplicate') ORDER BY id DESC LIMIT 10) c$i"
done
sql[near]=$near
if [[ $url == sqlite:* ]]; then
  db=${url#sqlite:}
  # Driven from the FTS index newest first (case_repo.cpp since 0e431c3).
  sql[q]="SELECT $ccols FROM case_fts f JOIN cases c ON c.tenant_id = 1 AND \
c.id = f.rowid - $T WHERE f.case_fts MATCH '\"垃圾\"' AND f.rowid >= $T AND f.rowid < $((2 * T)) \
ORDER BY f.rowid DESC LIMIT 51"
  for n in "${names[@]}"; do
    s=${sql[$n]}
    plan=$(sqlite3 "$db" "EXPLAIN QUERY PLAN $s" | grep -v '^QUERY PLAN' | sed -E 's/^[|` -]+//' | paste -sd';' -)
    best=$(printf '.timer on\nSELECT count(*) FROM (%s);\nSELECT count(*) FROM (%s);\nSELECT count(*) FROM (%s);\n' "$s" "$s" "$s" |
      sqlite3 "$db" | grep -o 'real [0-9.]*' | awk '{ms = $2 * 1000; print (ms < 1 ? "<1" : ms)}' | sort -n | head -n 1)
    printf '%-12s %8s ms  %s\n' "$n" "$best" "$plan"
  done
else
  sql[q]="$base AND string_to_array(search_terms, ' ') @> string_to_array(CAST('垃圾' AS TEXT), ' ') $tail"
  for n in "${names[@]}"; do
    s=${sql[$n]}
    for _ in 1 2; do psql -qtA "$url" -c "EXPLAIN (ANALYZE) $s" >/dev/null; done
    out=$(psql -qtA "$url" -c "EXPLAIN (ANALYZE, BUFFERS) $s")
    t=$(echo "$out" | grep -o 'Execution Time: [0-9.]*' | awk '{print $3}')
    plan=$(echo "$out" | grep -E -- '->|^Limit|^Sort|^Index|^Bitmap|^Seq' | grep -vE 'Buffers|Planning|Execution' |
      sed -E 's/ *\(cost=[^)]*\)//; s/ \(actual time=[0-9.]+\.\.([0-9.]+) rows=([0-9]+) loops=[0-9]+\)/ [\1 ms, \2 rows]/; s/^ *(-> )?//' |
      head -n 5 | paste -sd';' -)
    removed=$(echo "$out" | grep -o 'Rows Removed by Filter: [0-9]*' | head -n 1 | awk '{print "; rows removed by filter: " $5}')
    printf '%-12s %8s ms  %s%s\n' "$n" "$t" "$plan" "$removed"
  done
fi
