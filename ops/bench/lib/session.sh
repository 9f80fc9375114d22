# shellcheck shell=bash
# Measurement 6: BenchmarkDotNet, in process: what checking an access token's session adds to JWT bearer
# authentication, answered from the replica's cache and by a lookup on a private Postgres.

measure_session() {
  postgres_start
  pg_sql postgres "CREATE DATABASE training"
  benchmarkdotnet session --database "$(postgres_connection_string training)" --artifacts "$OUT/benchmarkdotnet-session"
}
