# shellcheck shell=bash
# Measurement 5: ops/scripts/backup.sh and restore.sh against plain pg_dump -Fc and pg_restore, on one database:
# the API's schema (migrated by its CLI) plus a table of generated rows of the requested size.

measure_backup() {
  postgres_start
  pg_sql postgres "CREATE DATABASE training"
  env -C "$API_BIN" "ConnectionStrings__training=$(postgres_connection_string training)" \
    dotnet TrainingPlatform.Api.dll migrate up >"$OUT/migrate.log" 2>&1 || {
    tail -n 20 "$OUT/migrate.log" >&2
    return 1
  }
  # About 140 bytes per row with its primary key index.
  local rows=$((BACKUP_MB * 1024 * 1024 / 140))
  progress "backup: generating $rows rows (~$BACKUP_MB MB)"
  pg_sql training "CREATE TABLE bench_rows (id bigint PRIMARY KEY, account uuid NOT NULL, note text NOT NULL,
      amount numeric(12, 2) NOT NULL, created_at timestamptz NOT NULL);
    INSERT INTO bench_rows
    SELECT g, md5(g::text)::uuid, md5((g * 7)::text) || md5((g * 13)::text), (g % 100000) / 100.0,
           timestamptz '2026-01-01' + g * interval '1 second'
    FROM generate_series(1, $rows) g"
  pg_sql training "VACUUM ANALYZE bench_rows"
  local size
  size=$(pg_sql training "SELECT pg_database_size('training')")

  local dumps="$OUT/dumps" plain_dump_s script_dump_s plain_restore_s script_restore_s
  mkdir -p "$dumps/backups"
  plain_dump_s=$(timed pg_dump --format=custom --file "$dumps/plain.dump" training)
  progress "backup: pg_dump -Fc ${plain_dump_s}s"
  script_dump_s=$(timed env PGDATABASE=training BACKUP_DIR="$dumps/backups" BACKUP_RETENTION_DAYS=0 TMPDIR="$dumps" \
    "$REPO_ROOT/ops/scripts/backup.sh")
  progress "backup: backup.sh ${script_dump_s}s"
  local script_dump
  script_dump=$(find "$dumps/backups" -name '*.dump' | head -n 1)
  plain_restore_s=$(timed pg_restore --clean --if-exists --no-owner --single-transaction --dbname training "$dumps/plain.dump")
  progress "backup: pg_restore ${plain_restore_s}s"
  script_restore_s=$(timed env PGDATABASE=training TMPDIR="$dumps" "$REPO_ROOT/ops/scripts/restore.sh" "$script_dump" --yes)
  progress "backup: restore.sh ${script_restore_s}s"
  postgres_stop

  local size_mb dump_mb backup_ratio restore_ratio
  size_mb=$((size / 1024 / 1024))
  dump_mb=$(($(stat -c %s "$dumps/plain.dump") / 1024 / 1024))
  backup_ratio=$(ratio "$script_dump_s" "$plain_dump_s")
  restore_ratio=$(ratio "$script_restore_s" "$plain_restore_s")
  {
    echo "| step | seconds | MB/s of database | ratio to plain |"
    echo "|---|---|---|---|"
    printf '| pg_dump -Fc | %s | %.0f | 1.00 |\n' "$plain_dump_s" "$(ratio "$size_mb" "$plain_dump_s")"
    printf '| backup.sh (BACKUP_DIR) | %s | %.0f | %s |\n' "$script_dump_s" "$(ratio "$size_mb" "$script_dump_s")" "$backup_ratio"
    printf '| pg_restore --clean --if-exists --no-owner --single-transaction | %s | %.0f | 1.00 |\n' "$plain_restore_s" "$(ratio "$size_mb" "$plain_restore_s")"
    printf '| restore.sh --yes | %s | %.0f | %s |\n' "$script_restore_s" "$(ratio "$size_mb" "$script_restore_s")" "$restore_ratio"
  } >"$OUT/backup.md"
  rm -rf "$dumps"
  echo "summary backup (database $size_mb MB, dump $dump_mb MB): pg_dump ${plain_dump_s}s, backup.sh ${script_dump_s}s (${backup_ratio}x) | pg_restore ${plain_restore_s}s, restore.sh ${script_restore_s}s (${restore_ratio}x)"
}

# timed COMMAND...: runs it with its output in the log after a checkpoint, prints the seconds it took.
timed() {
  pg_sql training "CHECKPOINT" >/dev/null
  local started ended
  started=$(date +%s.%N)
  "$@" >>"$OUT/backup.log" 2>&1 || {
    echo "error: $1 failed; log: $OUT/backup.log" >&2
    return 1
  }
  ended=$(date +%s.%N)
  awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f\n", b - a }'
}
