#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the tests and the store bench: trust auth, 127.0.0.1 only.
#
#   bash scripts/pg.sh start    # install (apt, as root) if missing, initdb once, start; prints the URL
#   bash scripts/pg.sh stop     # fast shutdown (the data stays for the next start)
#   bash scripts/pg.sh status   # exit 0 when it answers
#   bash scripts/pg.sh url
#
# Idempotent: start on a running cluster and stop on a stopped one do nothing. PostgreSQL refuses to
# run as root, so as root the cluster belongs to the `postgres` user (Debian's package creates it).
# Where: CAPDEX_PG_DIR (default /tmp/capdex-pg: every user can reach it, unlike a repo under /root),
# port CAPDEX_PG_PORT (default 55432, away from a system cluster on 5432).
set -euo pipefail

DIR="${CAPDEX_PG_DIR:-/tmp/capdex-pg}"
PORT="${CAPDEX_PG_PORT:-55432}"
BIN=/usr/lib/postgresql/15/bin
URL="postgres://postgres@127.0.0.1:${PORT}/postgres"

# Runs a PostgreSQL binary as the cluster's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/bash -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

install_if_missing() {
  [ -x "$BIN/initdb" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "pg.sh: PostgreSQL 15 is missing and installing it needs root: sudo apt-get install -y postgresql-15" >&2
    exit 1
  fi
  echo "pg.sh: installing PostgreSQL 15 (Debian)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-contrib >/dev/null
  # Debian's package starts its own cluster on 5432; ours is separate and that one is not needed.
  service postgresql stop >/dev/null 2>&1 || true
}

running() { [ -f "$DIR/data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

start() {
  install_if_missing
  mkdir -p "$DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
  if [ ! -f "$DIR/data/PG_VERSION" ]; then
    as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
  fi
  if ! running; then
    # `9>&-`: the server must not inherit the lock below, or it holds it for its whole life and the
    # next status/stop waits on it forever (this hung CI after the tests had passed).
    # Bulk loads write GBs of WAL: a larger max_wal_size avoids a checkpoint every few seconds.
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_wal_size=4GB -c shared_buffers=512MB" start >/dev/null 9>&- \
      || { tail -20 "$DIR/log" >&2; exit 1; }
  fi
  echo "$URL"
}

stop() {
  if running; then as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null; fi
}

# Test files run in parallel and may each ask for the cluster: one start or stop at a time.
exec 9>"${DIR}.lock"
flock -w 120 9 || { echo "pg.sh: ${DIR}.lock is held by another process for 120 s" >&2; exit 1; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running ;;
  url) echo "$URL" ;;
  *) echo "usage: pg.sh start|stop|status|url" >&2; exit 2 ;;
esac
