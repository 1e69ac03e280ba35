#!/usr/bin/env bash
# Runs every libFuzzer target in fuzz/ for a short, fixed number of executions from its committed
# seed corpus (fuzz/corpus/<target>/): deterministic (-seed=1), no time limit, the corpus copied
# to a temporary directory so that the committed one is never changed. A crash, a sanitizer
# report or a failed check fails the run and the input is kept under the temporary directory.
# Usage: scripts/fuzz-smoke.sh BUILD_DIR        (BUILD_DIR: the fuzz preset's, e.g. build/fuzz)
# `make test` builds that preset and ctest runs this as the test "fuzz_smoke".
# FUZZ_SMOKE_SCALE multiplies the numbers of executions below (default 1).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
if [ -z "$build" ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
case "$build" in /*) ;; *) build="$root/$build" ;; esac
scale=${FUZZ_SMOKE_SCALE:-1}

# target and executions: about 10 s each on a 2-core machine (docs/PERFORMANCE.md, "Fuzzing").
targets=(
  "parse_target 200000"
  "json_body 400000"
  "csv_import 120000"
  "geojson 600000"
  "exif 1000000"
  "image_inspect 3000"
  "open311_form 400000"
)

missing=()
for t in "${targets[@]}"; do
  name=${t%% *}
  [ -x "$build/fuzz/${name}_fuzz" ] || missing+=("$build/fuzz/${name}_fuzz")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "fuzz-smoke: FAILED: fuzz targets not built: ${missing[*]}" >&2
  echo "fuzz-smoke: build them first: cmake --preset fuzz && cmake --build --preset fuzz" >&2
  exit 1
fi

work=$(mktemp -d /tmp/civicloop-fuzz-smoke.XXXXXX)
failed=()
for t in "${targets[@]}"; do
  name=${t%% *}
  runs=$(( ${t##* } * scale ))
  corpus="$work/$name/corpus"
  mkdir -p "$corpus" "$work/$name/artifacts"
  cp "$root/fuzz/corpus/$name/"* "$corpus/"
  log="$work/$name/log"
  start=$(date +%s%N)
  (cd "$work/$name" && "$build/fuzz/${name}_fuzz" -runs="$runs" -seed=1 \
      -artifact_prefix="$work/$name/artifacts/" "$corpus" >"$log" 2>&1)
  rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  secs="$((ms / 1000)).$((ms % 1000 / 100))"
  final=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | sed -E 's/^#([0-9]+)[[:space:]]+DONE[[:space:]]+/\1 runs, /')
  if [ $rc -ne 0 ]; then
    failed+=("$name")
    echo "fuzz-smoke: $name FAILED (exit $rc) after $secs s; log $log" >&2
    tail -40 "$log" >&2
    ls "$work/$name/artifacts/" 2>/dev/null | sed "s|^|fuzz-smoke:   input: $work/$name/artifacts/|" >&2
  else
    printf 'fuzz-smoke: %-14s ok  %5s s  %s\n' "$name" "$secs" "$final"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: FAILED: ${failed[*]} (inputs and logs kept in $work)" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz-smoke: all ${#targets[@]} targets ok"
