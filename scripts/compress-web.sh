#!/usr/bin/env bash
# Writes NAME.gz and NAME.br beside every text file of the built web app (default web/dist), so
# that the server sends them precompressed (src/http/static_files.cpp). Files that compression
# does not make smaller are left without a variant. Deterministic: gzip -n keeps no name or time.
set -euo pipefail
dist=${1:-web/dist}
find "$dist" -type f \( -name '*.br' -o -name '*.gz' \) -delete
find "$dist" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.css' -o -name '*.html' \
  -o -name '*.svg' -o -name '*.json' -o -name '*.map' -o -name '*.txt' \) -print0 |
  while IFS= read -r -d '' f; do
    size=$(stat -c %s "$f")
    gzip -9 -n -c "$f" >"$f.gz"
    [ "$(stat -c %s "$f.gz")" -lt "$size" ] || rm -f "$f.gz"
    if command -v brotli >/dev/null 2>&1; then
      brotli -q 11 -c "$f" >"$f.br"
      [ "$(stat -c %s "$f.br")" -lt "$size" ] || rm -f "$f.br"
    fi
  done
