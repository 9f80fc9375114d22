# shellcheck shell=bash
# A private PostgreSQL server for the api and backup measurements: a fresh data directory, trust authentication
# on 127.0.0.1 only, run as the postgres user when we are root (the server refuses to run as root). Running SQL
# (pg_sql) is ops/scripts/lib/postgres.sh's, shared with the ops scripts.

PG_BIN_DIR=""
PG_ROOT=""
PG_PORT=""

postgres_as_owner() {
  if ((EUID == 0)); then
    setpriv --reuid=postgres --regid=postgres --init-groups "$@"
  else
    "$@"
  fi
}

postgres_start() {
  PG_BIN_DIR=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [[ -x $PG_BIN_DIR/initdb ]] || {
    echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)" >&2
    return 1
  }
  PG_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/tp-bench-pg.XXXXXX")
  if ((EUID == 0)); then
    chown postgres:postgres "$PG_ROOT"
  fi
  PG_PORT=$(free_port)
  postgres_as_owner "$PG_BIN_DIR/initdb" -D "$PG_ROOT/data" -U postgres --auth=trust -E UTF8 --no-sync >"$OUT/initdb.log" 2>&1
  postgres_as_owner "$PG_BIN_DIR/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_ROOT -c max_connections=200" start >/dev/null || {
    cat "$PG_ROOT/server.log" >&2
    return 1
  }
  export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres
}

postgres_stop() {
  [[ -n $PG_ROOT ]] || return 0
  if [[ -f $PG_ROOT/data/postmaster.pid ]]; then
    cp "$PG_ROOT/server.log" "$OUT/postgres.log" 2>/dev/null || true
    postgres_as_owner "$PG_BIN_DIR/pg_ctl" -D "$PG_ROOT/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$PG_ROOT"
  PG_ROOT=""
}

# The API's connection string for a database on the private server.
postgres_connection_string() {
  echo "Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$1${BENCH_CONNECTION_EXTRA:-}"
}
