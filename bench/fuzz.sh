#!/usr/bin/env bash
# Long runs of the libFuzzer targets in fuzz/ (docs/PERFORMANCE.md, "Fuzzing"; `make test` only
# runs each briefly, scripts/fuzz-smoke.sh). Builds the fuzz preset, then runs each target for
# SECONDS on a working corpus seeded from fuzz/corpus/<target>/ (the committed corpus is never
# written), and prints executions, exec/s, coverage and any crash, leak or timeout inputs.
# Usage: bench/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS      per target; default $FUZZ_SECONDS or 600 (10 minutes)
#   TARGET       parse_target json_body csv_import geojson exif image_inspect open311_form (default: all)
# Environment:
#   FUZZ_WORK    working directory, kept between runs so that corpora grow (default
#                /tmp/civicloop-fuzz); inputs that fail are in $FUZZ_WORK/<target>/artifacts/
#   FUZZ_FORK    N > 0: libFuzzer's -fork=N (N worker processes, crashes do not stop the run)
#   FUZZ_ARGS    more libFuzzer options, e.g. "-seed=1 -max_len=8192"
# A failing input becomes a fix, a seed in fuzz/corpus/<target>/found_<what> and a test in
# tests/fuzz_regression_test.cpp named after it. Exit status 1 when any target found something.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-600}}
shift || true
all=(parse_target json_body csv_import geojson exif image_inspect open311_form)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
work=${FUZZ_WORK:-/tmp/civicloop-fuzz}
fork=${FUZZ_FORK:-0}
read -r -a extra <<<"${FUZZ_ARGS:-}"

cd "$root"
cmake --preset fuzz >/dev/null || exit 1
cmake --build --preset fuzz || exit 1

printf '%-14s %8s %12s %9s %7s %7s %6s  %s\n' target seconds executions exec/s cov ft corpus found
found_any=0
for name in "${targets[@]}"; do
  bin="$root/build/fuzz/fuzz/${name}_fuzz"
  if [ ! -x "$bin" ] || [ ! -d "$root/fuzz/corpus/$name" ]; then
    echo "fuzz: unknown target $name (known: ${all[*]})" >&2
    exit 2
  fi
  dir="$work/$name"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -n "$root/fuzz/corpus/$name/"* "$dir/corpus/" 2>/dev/null
  before=$(ls "$dir/artifacts" | wc -l)
  args=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1 -artifact_prefix="$dir/artifacts/")
  [ "$fork" -gt 0 ] && args+=(-fork="$fork" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  start=$(date +%s)
  (cd "$dir" && "$bin" "${args[@]}" "${extra[@]}" "$dir/corpus" >"$dir/log" 2>&1)
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  # In-process runs end with "#N DONE cov: C ft: F corp: K/..."; -fork runs with
  # "#N: cov: C ft: F corp: K exec/s: E ..." lines from the parent.
  last=$(grep -E '^#[0-9]+[[:space:]:].*cov: ' "$dir/log" | tail -1)
  execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$dir/log" | tail -1 | awk '{print $2}')
  [ -z "$execs" ] && execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$last")
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | awk '{print $2}')
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | awk '{print $2}')
  corp=$(ls "$dir/corpus" | wc -l)
  rate=$(( elapsed > 0 ? ${execs:-0} / elapsed : 0 ))
  new=$(( $(ls "$dir/artifacts" | wc -l) - before ))
  verdict=none
  if [ "$rc" -ne 0 ] || [ "$new" -gt 0 ]; then
    verdict="exit $rc, $new new input(s) in $dir/artifacts"
    found_any=1
  fi
  printf '%-14s %8s %12s %9s %7s %7s %6s  %s\n' "$name" "$elapsed" "${execs:-?}" "$rate" \
    "${cov:-?}" "${ft:-?}" "$corp" "$verdict"
  if [ "$verdict" != none ]; then
    grep -E 'ERROR: |SUMMARY: |^    #[0-9]+ .* in .*(src|fuzz)/' "$dir/log" | head -12 | sed 's/^/    /'
  fi
done
exit $found_any
