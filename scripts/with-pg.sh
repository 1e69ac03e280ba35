#!/usr/bin/env bash
# Usage: scripts/with-pg.sh COMMAND [ARGS...]
#
# Runs COMMAND with a throwaway PostgreSQL 15 cluster listening on 127.0.0.1 and
# CIVICLOOP_TEST_PG=postgresql://postgres@127.0.0.1:PORT/postgres in its environment, then stops the
# cluster and deletes it, whatever happens, and exits with COMMAND's status.
#
# FOR TESTS ONLY: the cluster trusts every local connection and runs with fsync=off,
# full_page_writes=off and synchronous_commit=off. That is fast and loses data on a crash, which
# does not matter for a cluster that lives for one test run. Never copy these settings to a server.
#
# WITH_PG_DURABLE=1 (benchmarks only, bench/write_path.sh pg-durable) starts the throwaway cluster
# with PostgreSQL's durable defaults instead (fsync=on, full_page_writes=on, synchronous_commit=on),
# so that write figures include the flush; the test suite never sets it.
#
# Needs postgresql-15 (scripts/deps.sh installs it). PostgreSQL refuses to run as root, so as root
# the cluster runs as the `postgres` system user (created if missing). PG_BINDIR overrides where
# the server binaries are; WITH_PG_PORT the first port tried (default 55432).
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
for tool in initdb pg_ctl pg_isready; do
  if [ ! -x "$PG_BINDIR/$tool" ]; then
    echo "with-pg: $PG_BINDIR/$tool not found; install postgresql-15 (scripts/deps.sh)" >&2
    exit 2
  fi
done

as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id -u postgres >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
      --shell /usr/sbin/nologin postgres
  fi
  as_pg=(runuser -u postgres --)
fi

tmp_root=${TMPDIR:-/tmp}

# Runs a server tool as the cluster's owner, from a directory that owner can read.
pg() { (cd "$tmp" && "${as_pg[@]}" "$@"); }

# Clusters left by a with-pg.sh that was killed outright (SIGKILL leaves no chance to clean up).
for stale in "$tmp_root"/civicloop-pg.*; do
  [ -f "$stale/owner.pid" ] || continue
  owner=$(cat "$stale/owner.pid" 2>/dev/null || true)
  if [ -n "$owner" ] && [ ! -d "/proc/$owner" ]; then
    if [ -f "$stale/data/postmaster.pid" ]; then
      tmp=$stale pg "$PG_BINDIR/pg_ctl" -D "$stale/data" -m immediate -w -t 30 stop \
        >/dev/null 2>&1 || true
    fi
    rm -rf "$stale"
  fi
done

tmp=$(mktemp -d "$tmp_root/civicloop-pg.XXXXXX")
echo $$ >"$tmp/owner.pid"
chmod 700 "$tmp"
if [ ${#as_pg[@]} -gt 0 ]; then chown postgres: "$tmp"; fi
data=$tmp/data
started=0
child=

# shellcheck disable=SC2317  # invoked through the trap
cleanup() {
  local rc=$?
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  if [ "$started" = 1 ]; then
    pg "$PG_BINDIR/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! pg "$PG_BINDIR/initdb" -D "$data" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  -U postgres --no-sync >"$tmp/initdb.log" 2>&1; then
  echo "with-pg: initdb failed:" >&2
  cat "$tmp/initdb.log" >&2
  exit 1
fi

port_busy() {
  if command -v ss >/dev/null 2>&1; then
    [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# Another process may take a port between the check and the bind: retry on the next one.
port=${WITH_PG_PORT:-55432}
log=$tmp/postgres.log
if [ "${WITH_PG_DURABLE:-0}" = 1 ]; then
  pg_settings="-c fsync=on -c full_page_writes=on -c synchronous_commit=on"
  pg_kind="durable: fsync=on"
else
  pg_settings="-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
  pg_kind="tests only: fsync=off"
fi
for attempt in $(seq 1 20); do
  while port_busy "$port"; do port=$((port + 1)); done
  rm -f "$log"
  if pg "$PG_BINDIR/pg_ctl" -D "$data" -l "$log" -w -t 60 -o "-c listen_addresses=127.0.0.1 \
-p $port -k $tmp $pg_settings" \
    start >/dev/null 2>&1; then
    started=1
    break
  fi
  if [ -f "$data/postmaster.pid" ]; then started=1; fi # half-started: make sure cleanup stops it
  if grep -qs -e 'could not bind' -e 'Address already in use' -e 'could not create any TCP/IP' "$log"; then
    port=$((port + 1))
    continue
  fi
  echo "with-pg: the server did not start (attempt $attempt):" >&2
  cat "$log" >&2 2>/dev/null || true
  exit 1
done
if [ "$started" != 1 ]; then
  echo "with-pg: no free port found from ${WITH_PG_PORT:-55432} to $port" >&2
  exit 1
fi

ready=0
for _ in $(seq 1 100); do
  if "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "with-pg: the server on port $port did not become ready:" >&2
  cat "$log" >&2 2>/dev/null || true
  exit 1
fi

export CIVICLOOP_TEST_PG="postgresql://postgres@127.0.0.1:$port/postgres"
echo "with-pg: throwaway PostgreSQL 15 at $CIVICLOOP_TEST_PG ($pg_kind)" >&2

# In the background so that a TERM or INT sent to this script is handled at once (bash defers traps
# while a foreground child runs); the cleanup trap then stops the command too. `<&0` keeps stdin,
# which a background command would otherwise lose.
"$@" <&0 &
child=$!
set +e
wait "$child"
rc=$?
set -e
child=
exit "$rc"
