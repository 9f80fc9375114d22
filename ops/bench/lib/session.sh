# shellcheck shell=bash
# Measurement 6: BenchmarkDotNet, in process: what checking an access token's session adds to JWT bearer
# authentication, answered from the replica's cache and by a lookup on a private Postgres.

measure_session() {
  postgres_start
  pg_sql postgres "CREATE DATABASE training"
  local args=(session --database "$(postgres_connection_string training)" --artifacts "$OUT/benchmarkdotnet-session")
  if $QUICK; then
    args+=(--quick)
  fi
  env -C "$BENCH_BIN" dotnet TrainingPlatform.Benchmarks.dll "${args[@]}" >"$OUT/session.log" 2>&1 || {
    tail -n 30 "$OUT/session.log" >&2
    return 1
  }
  sed -n '/^| *Method/,/^$/p' "$OUT/session.log" >"$OUT/session.md"
  grep '^summary session' "$OUT/session.log"
}
