#!/usr/bin/env bash
# Throwaway PostgreSQL for tests (the CTest fixture `pg`, DESIGN.md §8).
#   pg-fixture.sh start DIR   initdb + start on a free 127.0.0.1 port; writes DIR/url
#   pg-fixture.sh stop DIR    stop the server and remove DIR
# DIR/url is the application URL: role qlrf_app (LOGIN, not a superuser, no BYPASSRLS, so
# row-level security applies) owning database qlrf. DIR/admin_url reaches the same database as
# the superuser `postgres` over the Unix socket (tests that need one, e.g. the RLS-bypass check).
# Without PostgreSQL binaries `start` writes nothing and exits 0: pg tests then skip themselves.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2

find_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then  # an explicit choice; nothing if it has no initdb
    if [[ -x "$PG_BINDIR/initdb" ]]; then
      echo "$PG_BINDIR"
    fi
    return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$d" && -x "$d/initdb" ]]; then
    echo "$d"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

# Runs a command as the postgres OS user when we are root (initdb refuses to run as root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_server() {
  local bindir
  bindir=$(find_bindir)
  if [[ -f "$dir/data/postmaster.pid" && -n "$bindir" ]]; then
    as_pg "$bindir/pg_ctl" -D "$dir/data" stop -m fast -w >/dev/null 2>&1 ||
      as_pg "$bindir/pg_ctl" -D "$dir/data" stop -m immediate -w >/dev/null 2>&1 || true
  fi
  if [[ -f "$dir/sockdir" ]]; then
    rm -rf "$(cat "$dir/sockdir")"
  fi
  rm -rf "$dir"
}

start_server() {
  local bindir
  bindir=$(find_bindir)
  stop_server  # a previous run that was interrupted
  if [[ -z "$bindir" ]]; then
    echo "PostgreSQL not installed: pg tests will be skipped"
    return 0
  fi
  local t0
  t0=$(date +%s%N)
  mkdir -p "$dir"
  # Unix socket paths are limited to 107 bytes; deep build trees use a short temp dir instead.
  local sock="$dir/sock"
  if (( ${#sock} > 80 )); then
    sock=$(mktemp -d /tmp/qlrf-pg.XXXXXX)
    echo "$sock" >"$dir/sockdir"
  fi
  mkdir -p "$sock"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir" "$sock"
  fi
  chmod 700 "$dir"

  as_pg "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C --no-sync \
    --no-instructions --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    echo "initdb failed" >&2
    exit 1
  }

  # Pick a port below the Linux ephemeral range; retry if another process took it meanwhile.
  local port="" attempt
  for attempt in 1 2 3 4 5; do
    port=$(shuf -i 20000-32000 -n 1)
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue  # something listens there
    fi
    if as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
      break
    fi
    port=""
  done
  if [[ -z "$port" ]]; then
    cat "$dir/server.log" >&2 || true
    echo "could not start PostgreSQL" >&2
    exit 1
  fi

  local password
  password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  local psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres)
  as_pg "${psql[@]}" -d postgres \
    -c "CREATE ROLE qlrf_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE PASSWORD '$password'" \
    -c "CREATE DATABASE qlrf OWNER qlrf_app"

  echo "postgres://postgres@/qlrf?host=$sock&port=$port" >"$dir/admin_url"
  echo "postgres://qlrf_app:$password@127.0.0.1:$port/qlrf?sslmode=disable" >"$dir/url.tmp"
  mv "$dir/url.tmp" "$dir/url"  # the url appears only once the server is ready
  echo "PostgreSQL ready on 127.0.0.1:$port in $(( ($(date +%s%N) - t0) / 1000000 )) ms; URL in $dir/url"
}

case "$cmd" in
  start) start_server ;;
  stop) stop_server ;;
  *) usage ;;
esac
