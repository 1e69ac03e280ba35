#!/usr/bin/env bash
# The supervision reads of issue 8 at 1 M and 5 M cases in one run (docs/PERFORMANCE.md,
# "Dashboard, a leader's places and KPIs at 1 M and 5 M cases"): the dashboard at both sizes, the
# KPI and ranking reads at 5 M, a leader's places at 1 M. Generates each database once into
# $BASE/bench-N (kept: 1.9 GB and 9.1 GB; a later run reuses them). Run under the build lock.
# Environment: BASE (/tmp), NOW (default now; give the same NOW to reuse databases), DURATION (5s).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BASE=${BASE:-/tmp}
export NOW=${NOW:-$(date -u +%Y-%m-%dT%H:%M:00Z)} DURATION=${DURATION:-5s}
for n in 1000000 5000000; do
  echo "######## dashboard $n"
  WORK=$BASE/bench-$n CASES=$n LIMIT=7200 bash "$root/bench/dashboard.sh"
done
echo "######## kpi 5000000 (reads)"
WORK=$BASE/bench-5000000 CASES=5000000 LIMIT=7200 READS_ONLY=1 bash "$root/bench/kpi.sh"
echo "######## places 1000000"
WORK=$BASE/bench-1000000 CASES=1000000 bash "$root/bench/places.sh"
rm -f "$BASE"/bench-*/read.db*
