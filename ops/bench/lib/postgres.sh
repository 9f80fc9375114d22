# shellcheck shell=bash
# A private PostgreSQL server for the api and backup measurements, started by TrainingPlatform.Hosting (through
# "TrainingPlatform.Benchmarks postgres") exactly as the tests start theirs: a fresh cluster in a temporary folder,
# trust authentication on 127.0.0.1 only, run as the postgres user when we are root.
# Running SQL (pg_sql) is ops/scripts/lib/postgres.sh's, shared with the ops scripts.

PG_PID=""
PG_PORT=""
PG_POSTMASTER=""

postgres_start() {
  local port_file="$OUT/postgres.port" waited=0
  rm -f "$port_file"
  start_process "$OUT/postgres.log" env -C "$BENCH_BIN" dotnet TrainingPlatform.Benchmarks.dll postgres --port-file "$port_file"
  PG_PID=$LAST_PID
  until [[ -s $port_file ]]; do
    if ((waited > 1200)) || ! kill -0 "$PG_PID" 2>/dev/null; then
      echo "error: the benchmark's PostgreSQL did not start (log: $OUT/postgres.log)" >&2
      tail -n 20 "$OUT/postgres.log" >&2 || true
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  PG_PORT=$(<"$port_file")
  export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres
  # The server's own process (its backends are its children), for the CPU each measured run costs the database.
  PG_POSTMASTER=$(head -n 1 "$(pg_sql postgres "SHOW data_directory")/postmaster.pid")
}

postgres_stop() {
  [[ -n $PG_PID ]] || return 0
  stop_process "$PG_PID"
  PG_PID=""
}

# The API's connection string for a database on the private server.
postgres_connection_string() {
  echo "Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$1${BENCH_CONNECTION_EXTRA:-}"
}
