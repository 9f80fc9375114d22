#!/usr/bin/env bash
# Restores a backup made by backup.sh: fetch, verify the SHA-256 and the archive, confirm, then
# pg_restore --clean --if-exists --no-owner in one transaction, and report what the database holds.
set -euo pipefail

SCRIPT_NAME=restore.sh
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib/messages.sh
source "$SCRIPT_DIR/lib/messages.sh"
# shellcheck source=SCRIPTDIR/lib/postgres.sh
source "$SCRIPT_DIR/lib/postgres.sh"
# shellcheck source=SCRIPTDIR/lib/s3.sh
source "$SCRIPT_DIR/lib/s3.sh"

# The tables whose row counts prove a restore (the API's main tables).
readonly MAIN_TABLES=(users sessions refresh_tokens password_reset_tokens courses lessons enrollments lesson_completions course_materials)

usage() {
  cat <<'EOF'
Usage: restore.sh SOURCE [--yes] [--from-database NAME] [--json] [--help]

SOURCE is one of:
  s3://bucket/key.dump     an object written by backup.sh (its sha256 metadata is checked)
  /path/to/file.dump       a local dump with its .sha256 sidecar beside it
  latest                   the newest <db>-<timestamp>.dump under BACKUP_S3_URI, else under BACKUP_DIR

Before the database is touched: the backup is downloaded, its SHA-256 must equal the recorded one,
and pg_restore --list must read it. Then the guard shows the target and the backup and asks the
operator to type the database name. Without --yes and without a terminal the restore is refused.

The restore runs pg_restore --clean --if-exists --no-owner --single-transaction into the target
database: the objects in the backup are dropped and recreated with their data, in one transaction,
so a failed restore leaves the previous data in place. Objects that exist only in the target
(created after the backup) are left alone. Stop the API first: its sessions hold locks.
Afterwards the schema version and the row counts of the main tables are printed.

Target (libpq):
  DATABASE_URL             postgresql://user:password@host:port/database (password is never printed)
  PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE
                           used when DATABASE_URL is not set
  PG_BIN                   directory of pg_restore/psql (default: from PATH)

Environment:
  BACKUP_S3_URI            s3://bucket/prefix searched by "latest"
  BACKUP_DIR               local folder searched by "latest" when BACKUP_S3_URI is not set
  BACKUP_S3_ENDPOINT_URL   S3-compatible endpoint, passed to aws --endpoint-url
  AWS_CLI                  aws command (default: /usr/bin/aws)
  RESTORE_LOCK_TIMEOUT     give up when a lock is not granted within this time (default: 60s)
  TMPDIR                   where an S3 backup is downloaded (default: /tmp)

Flags:
  --yes                    skip the confirmation (automation)
  --from-database NAME     with "latest": the database whose backups to search (default: the target's)
  --json                   print the result as one JSON object on stdout
  --help                   this text

Exit status: 0 when restored and validated, 1 on any failure (the database is unchanged when the
failure happens before or during pg_restore), 2 on a usage error or a refused confirmation.
EOF
}

SOURCE=""
ASSUME_YES=false
JSON=false
FROM_DATABASE=""
while (($# > 0)); do
  case $1 in
    --yes) ASSUME_YES=true ;;
    --json) JSON=true ;;
    --from-database)
      (($# > 1)) || usage_error "--from-database needs a name"
      FROM_DATABASE=$2
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    -*) usage_error "unknown option: $1" ;;
    *)
      [[ -z $SOURCE ]] || usage_error "only one SOURCE, got '$SOURCE' and '$1'"
      SOURCE=$1
      ;;
  esac
  shift
done
[[ -n $SOURCE ]] || usage_error "no SOURCE: give s3://bucket/key, a local .dump file or latest"

pg_connection_from_environment
PSQL=$(pg_tool psql)
PG_RESTORE=$(pg_tool pg_restore)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/restore.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STARTED_MS=$(now_ms)
TARGET=$(step "connecting to $PG_DISPLAY_TARGET" pg_query \
  "select current_database() || ' on ' || coalesce(host(inet_server_addr()), 'local socket') || ':' || current_setting('port')")
TARGET_DATABASE=${TARGET%% on *}
FROM_DATABASE=${FROM_DATABASE:-$TARGET_DATABASE}

# The newest backup key under s3://$S3_BUCKET/$S3_PATH/<db>/ (the key layout sorts by time).
latest_in_s3() {
  local prefix=${S3_PATH:+$S3_PATH/}$FROM_DATABASE/ keys
  keys=$(step "listing s3://$S3_BUCKET/$prefix" aws_s3 s3api list-objects-v2 --bucket "$S3_BUCKET" --prefix "$prefix" \
    --query 'Contents[].Key' --output text)
  tr '\t' '\n' <<<"$keys" | grep -E "/$FROM_DATABASE-[0-9]{8}T[0-9]{6}Z\.dump$" | sort | tail -n 1 || true
}

latest_in_folder() {
  [[ -d $BACKUP_DIR/$FROM_DATABASE ]] || return 0
  find "$BACKUP_DIR/$FROM_DATABASE" -type f -name "$FROM_DATABASE-????????T??????Z.dump" -printf '%f\t%p\n' |
    sort | tail -n 1 | cut -f2
}

if [[ $SOURCE == latest ]]; then
  if [[ -n ${BACKUP_S3_URI:-} ]]; then
    parse_s3_uri "$BACKUP_S3_URI" || usage_error "BACKUP_S3_URI must look like s3://bucket/prefix"
    s3_client_from_environment
    key=$(latest_in_s3)
    [[ -n $key ]] || die "no backup of $FROM_DATABASE under $BACKUP_S3_URI"
    SOURCE=s3://$S3_BUCKET/$key
  elif [[ -n ${BACKUP_DIR:-} ]]; then
    SOURCE=$(latest_in_folder)
    [[ -n $SOURCE ]] || die "no backup of $FROM_DATABASE under $BACKUP_DIR"
  else
    usage_error "latest needs BACKUP_S3_URI or BACKUP_DIR"
  fi
  say "latest backup of $FROM_DATABASE: $SOURCE"
fi

if parse_s3_uri "$SOURCE"; then
  [[ -n $AWS ]] || s3_client_from_environment
  DUMP=$WORK/${S3_PATH##*/}
  say "downloading $SOURCE"
  RECORDED=$(step "reading the metadata of $SOURCE" aws_s3 s3api head-object --bucket "$S3_BUCKET" --key "$S3_PATH" \
    --query '[Metadata.sha256, Metadata.database, Metadata."created-at", Metadata."schema-version"]' --output text)
  step "downloading $SOURCE" aws_s3 s3 cp "$SOURCE" "$DUMP" --only-show-errors
  IFS=$'\t' read -r RECORDED_SHA256 BACKUP_DATABASE BACKUP_CREATED_AT BACKUP_SCHEMA_VERSION <<<"$RECORDED"
  [[ $RECORDED_SHA256 =~ ^[0-9a-f]{64}$ ]] ||
    die "$SOURCE carries no sha256 metadata: it was not written by backup.sh, refusing to restore it"
else
  DUMP=$SOURCE
  [[ -f $DUMP ]] || die "no such backup file: $DUMP"
  [[ -f $DUMP.sha256 ]] || die "$DUMP has no $DUMP.sha256 sidecar: its integrity cannot be checked, refusing to restore it"
  RECORDED_SHA256=$(cut -d' ' -f1 "$DUMP.sha256")
  BACKUP_DATABASE="unknown" BACKUP_CREATED_AT="unknown" BACKUP_SCHEMA_VERSION="unknown"
  if [[ -f $DUMP.json ]]; then
    # The sidecar is written by backup.sh as one line of flat JSON.
    sidecar=$(<"$DUMP.json")
    [[ $sidecar =~ \"database\":\"([^\"]*)\" ]] && BACKUP_DATABASE=${BASH_REMATCH[1]}
    [[ $sidecar =~ \"created-at\":\"([^\"]*)\" ]] && BACKUP_CREATED_AT=${BASH_REMATCH[1]}
    [[ $sidecar =~ \"schema-version\":\"([^\"]*)\" ]] && BACKUP_SCHEMA_VERSION=${BASH_REMATCH[1]}
  fi
fi

ACTUAL_SHA256=$(sha256sum "$DUMP" | cut -d' ' -f1)
if [[ $ACTUAL_SHA256 != "$RECORDED_SHA256" ]]; then
  die "sha256 mismatch for $SOURCE: recorded $RECORDED_SHA256, actual $ACTUAL_SHA256 — the backup is corrupt or was altered; the database was not touched"
fi
step "reading the archive with pg_restore --list (the database was not touched)" "$PG_RESTORE" --list "$DUMP" >/dev/null
SIZE_BYTES=$(stat -c %s "$DUMP")

confirm() {
  cat >&2 <<EOF
About to restore
  backup  $SOURCE
          database $BACKUP_DATABASE, created $BACKUP_CREATED_AT, schema version $BACKUP_SCHEMA_VERSION,
          $SIZE_BYTES bytes, sha256 verified
  target  database $TARGET ($(redact "$PG_DISPLAY_TARGET"))
The objects in the backup will be dropped and recreated in the target (--clean --if-exists).
EOF
  if [[ $ASSUME_YES == true ]]; then
    say "--yes given: restoring without confirmation"
    return
  fi
  if [[ ! -t 0 ]]; then
    printf '%s: refusing to restore: no terminal to confirm on and no --yes; nothing was changed\n' "$SCRIPT_NAME" >&2
    exit 2
  fi
  local answer
  printf 'Type the database name (%s) to continue: ' "$TARGET_DATABASE" >&2
  read -r answer || answer=""
  if [[ $answer != "$TARGET_DATABASE" ]]; then
    printf '%s: confirmation did not match; nothing was changed\n' "$SCRIPT_NAME" >&2
    exit 2
  fi
}
confirm

# A restore waiting on a lock held by a running API would hang; fail instead, still in one transaction.
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c lock_timeout=${RESTORE_LOCK_TIMEOUT:-60s}"
say "restoring into $TARGET_DATABASE"
step "pg_restore into $TARGET_DATABASE (rolled back: the database is as it was)" \
  "$PG_RESTORE" --no-password --clean --if-exists --no-owner --single-transaction --exit-on-error \
  --dbname="$PG_DBNAME" "$DUMP"
DURATION_MS=$(($(now_ms) - STARTED_MS))

SCHEMA_VERSION=$(pg_schema_version)
COUNTS=()
for table in "${MAIN_TABLES[@]}"; do
  present=$(step "looking for table $table" pg_query "select to_regclass('public.$table') is not null")
  if [[ $present == t ]]; then
    COUNTS+=("$table" "$(step "counting $table" pg_query "select count(*) from public.$table")")
  else
    COUNTS+=("$table" "missing")
  fi
done

if [[ $JSON == true ]]; then
  counts_json=""
  for ((i = 0; i < ${#COUNTS[@]}; i += 2)); do
    value=${COUNTS[i + 1]}
    [[ $value == missing ]] && value=null
    counts_json+="${counts_json:+,}$(json_string "${COUNTS[i]}"):$value"
  done
  printf '{"status":"ok","source":%s,"database":%s,"sha256":%s,"size_bytes":%d,"schema_version":%s,"duration_seconds":%s,"row_counts":{%s}}\n' \
    "$(json_string "$SOURCE")" "$(json_string "$TARGET_DATABASE")" "$(json_string "$ACTUAL_SHA256")" "$SIZE_BYTES" \
    "$(json_string "$SCHEMA_VERSION")" "$(format_ms "$DURATION_MS")" "$counts_json"
else
  printf 'restore ok\n  source          %s\n  database        %s\n  sha256          %s\n  schema version  %s\n  duration        %ss\n  row counts\n' \
    "$SOURCE" "$TARGET" "$ACTUAL_SHA256" "$SCHEMA_VERSION" "$(format_ms "$DURATION_MS")"
  for ((i = 0; i < ${#COUNTS[@]}; i += 2)); do
    printf '    %-22s %s\n' "${COUNTS[i]}" "${COUNTS[i + 1]}"
  done
fi
