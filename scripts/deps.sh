#!/usr/bin/env bash
# Installs what civicloop needs to build, run and test on Debian 12, and nothing else.
# Idempotent: packages already present are not touched; apt-get update runs only when
# something is missing. Web packages come from web/package-lock.json through `npm ci`.
set -euo pipefail

want=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-format clang-tidy git
  # libraries (see docs/dependencies.md for why each is here)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libsodium-dev libspdlog-dev libssl-dev ca-certificates
  libcairo2-dev libpango1.0-dev fonts-noto-cjk libxlsxwriter-dev libvips-dev libqrencode-dev
  libminizip-dev libexpat1-dev
  # the web app's assets are sent precompressed (scripts/compress-web.sh)
  brotli
  # fuzz targets (fuzz/, the fuzz preset): clang 14 and its runtime libraries, libFuzzer among them
  clang libclang-rt-14-dev
  # tests and benchmarks
  libgtest-dev libbenchmark-dev postgresql-15 sqlite3 chromium wrk poppler-utils unzip
  # web build (the machine's nodejs may ship its own npm; Debian's npm is added only when missing)
  nodejs
)

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Web packages, from the committed lock file. Reinstall only when the lock changed.
if [ -f web/package-lock.json ]; then
  stamp=web/node_modules/.lock-stamp
  sum=$(sha256sum web/package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    echo "deps: npm ci in web/"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" >"$stamp"
  fi
fi
