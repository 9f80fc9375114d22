#!/usr/bin/env bash
# Restores a backup made by backup.sh: fetch, verify the SHA-256 and the archive, confirm, then
# pg_restore --clean --if-exists --no-owner in one transaction, and report what the database holds.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib/backups.sh
source "$SCRIPT_DIR/lib/backups.sh"
# shellcheck source=SCRIPTDIR/lib/pitr.sh
source "$SCRIPT_DIR/lib/pitr.sh"

# Point-in-time recovery from the WAL archive is a path of its own (restore.sh pitr --help).
if [[ ${1:-} == pitr ]]; then
  shift
  pitr_main "$@"
  exit 0
fi

usage() {
  cat <<'EOF'
Usage: restore.sh SOURCE [--yes] [--from-database NAME] [--json] [--help]
       restore.sh pitr ...   point-in-time recovery from the WAL archive (restore.sh pitr --help)

SOURCE is one of:
  s3://bucket/key.dump     an object written by backup.sh (its sha256 metadata is checked)
  /path/to/file.dump       a local dump with its .sha256 sidecar beside it
  latest                   the newest <db>-<timestamp>[-<run>].dump[.age] under BACKUP_S3_URI, else
                           under BACKUP_DIR

Before the database is touched: the backup is downloaded, its SHA-256 must equal the recorded one,
with BACKUP_ENCRYPTION_KEY set it must decrypt and authenticate with that key (anything else,
an unencrypted dump included, is refused), and pg_restore --list must read it. Then the guard shows the target and the backup and asks the
operator to type the database name. Without --yes and without a terminal the restore is refused.

The restore runs pg_restore --clean --if-exists --no-owner --single-transaction into the target
database: the objects in the backup are dropped and recreated with their data, in one transaction,
so a failed restore leaves the previous data in place. Objects that exist only in the target
(created after the backup) are left alone. Stop the API first: its sessions hold locks.
Afterwards the schema version and the row count of every table of the public schema are printed.

EOF
  pg_connection_usage "Target" "pg_restore/psql"
  cat <<'EOF'

Environment:
  BACKUP_S3_URI            s3://bucket/prefix searched by "latest"
  BACKUP_DIR               local folder searched by "latest" when BACKUP_S3_URI is not set
  BACKUP_ENCRYPTION_KEY    the age secret key backup.sh encrypted with (AGE-SECRET-KEY-1...)
  BACKUP_S3_ENDPOINT_URL   S3-compatible endpoint, passed to aws --endpoint-url
  AWS_CLI                  aws command (default: /usr/bin/aws)
  RESTORE_LOCK_TIMEOUT     give up when a lock is not granted within this time (default: 60s)
  TMPDIR                   where an S3 backup is downloaded and decrypted (default: /tmp)

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
encryption_from_environment
# shellcheck disable=SC2034 # read by pg_sql in lib/postgres.sh
PSQL=$(pg_tool psql)
PG_RESTORE=$(pg_tool pg_restore)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/restore.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STARTED_MS=$(now_ms)
TARGET=$(step "connecting to $PG_DISPLAY_TARGET" pg_sql "$PG_DBNAME" \
  "select current_database() || ' on ' || coalesce(host(inet_server_addr()), 'local socket') || ':' || current_setting('port')")
TARGET_DATABASE=${TARGET%% on *}
FROM_DATABASE=${FROM_DATABASE:-$TARGET_DATABASE}
BACKUP_NAME=$(backup_name_pattern "$FROM_DATABASE")

# The newest backup key under s3://$S3_BUCKET/$S3_PATH/<db>/ (the key layout sorts by time).
latest_in_s3() {
  local prefix=${S3_PATH:+$S3_PATH/}$FROM_DATABASE/ keys
  keys=$(step "listing s3://$S3_BUCKET/$prefix" aws_s3 s3api list-objects-v2 --bucket "$S3_BUCKET" --prefix "$prefix" \
    --output json | jq -r '.Contents[]?.Key')
  LATEST=$(grep -E "/$BACKUP_NAME\$" <<<"$keys" | sort | tail -n 1 || true)
}

latest_in_folder() {
  LATEST=""
  [[ -d $BACKUP_DIR/$FROM_DATABASE ]] || return 0
  LATEST=$(find "$BACKUP_DIR/$FROM_DATABASE" -type f -regextype posix-extended -regex ".*/$BACKUP_NAME" -printf '%f\t%p\n' |
    sort | tail -n 1 | cut -f2)
}

LATEST_CHOSEN=false
IDENTITY="unauthenticated (only an encrypted backup carries an authenticated manifest)"
if [[ $SOURCE == latest ]]; then
  LATEST_CHOSEN=true
  if [[ -n ${BACKUP_S3_URI:-} ]]; then
    parse_s3_uri "$BACKUP_S3_URI" || usage_error "BACKUP_S3_URI must look like s3://bucket/prefix"
    s3_client_from_environment
    latest_in_s3
    [[ -n $LATEST ]] || die "no backup of $FROM_DATABASE under $BACKUP_S3_URI"
    SOURCE=s3://$S3_BUCKET/$LATEST
  elif [[ -n ${BACKUP_DIR:-} ]]; then
    latest_in_folder
    [[ -n $LATEST ]] || die "no backup of $FROM_DATABASE under $BACKUP_DIR"
    SOURCE=$LATEST
  else
    usage_error "latest needs BACKUP_S3_URI or BACKUP_DIR"
  fi
  say "latest backup of $FROM_DATABASE: $SOURCE"
fi

# The recorded metadata, tab-separated for `read`; a missing field reads as "unknown".
readonly METADATA_FIELDS='[.sha256, .database, ."created-at", ."schema-version"] | map(. // "unknown") | @tsv'
RECORDED="unknown"$'\t'"unknown"$'\t'"unknown"$'\t'"unknown"
if parse_s3_uri "$SOURCE"; then
  [[ -n $AWS ]] || s3_client_from_environment
  STORED=$WORK/${S3_PATH##*/}
  say "downloading $SOURCE"
  # One GET for the body and its metadata: they belong to the same version of the object, even if it is replaced
  # meanwhile (a HEAD and then a download could pair one version's checksum with another's bytes).
  RECORDED=$(step "downloading $SOURCE" aws_s3 s3api get-object --bucket "$S3_BUCKET" --key "$S3_PATH" "$STORED" \
    --output json | jq -r ".Metadata | $METADATA_FIELDS")
else
  STORED=$SOURCE
  [[ -f $STORED ]] || die "no such backup file: $STORED"
  [[ -f $STORED.sha256 ]] || die "$STORED has no $STORED.sha256 sidecar: its integrity cannot be checked, refusing to restore it"
  if [[ -f $STORED.json ]]; then
    RECORDED=$(step "reading $STORED.json" jq -r "$METADATA_FIELDS" "$STORED.json")
  fi
  # The checksum sidecar, in sha256sum format, is the one that counts.
  RECORDED="$(cut -d' ' -f1 "$STORED.sha256")"$'\t'"${RECORDED#*$'\t'}"
fi
IFS=$'\t' read -r RECORDED_SHA256 BACKUP_DATABASE BACKUP_CREATED_AT BACKUP_SCHEMA_VERSION <<<"$RECORDED"
[[ $RECORDED_SHA256 =~ ^[0-9a-f]{64}$ ]] ||
  die "$SOURCE carries no sha256: it was not written by backup.sh, refusing to restore it"

ACTUAL_SHA256=$(sha256sum "$STORED" | cut -d' ' -f1)
if [[ $ACTUAL_SHA256 != "$RECORDED_SHA256" ]]; then
  die "sha256 mismatch for $SOURCE: recorded $RECORDED_SHA256, actual $ACTUAL_SHA256 — the backup is corrupt or was altered; the database was not touched"
fi
# The checksum proves integrity, not origin (whoever can write the bucket can write a matching one); with a key,
# only a file that decrypts and authenticates with it is restored.
DUMP=$STORED
if [[ $ENCRYPTED == true ]]; then
  is_age_file "$STORED" ||
    die "$SOURCE is not encrypted, but BACKUP_ENCRYPTION_KEY is set and backup.sh encrypts every backup with it: refusing to restore it; the database was not touched"
  DUMP=$WORK/decrypted.dump
  step "decrypting $SOURCE with BACKUP_ENCRYPTION_KEY (it was not made with this key, or it was altered: refusing to restore it; the database was not touched)" \
    decrypt_backup "$STORED" "$DUMP"
  if [[ -n $MANIFEST ]]; then
    check_manifest_against_name "${SOURCE##*/}"
    [[ $LATEST_CHOSEN != true || $(manifest_field database) == "$FROM_DATABASE" ]] ||
      die "$SOURCE holds a backup of $(manifest_field database), not of $FROM_DATABASE: refusing to restore it; the database was not touched"
    # What the encryption authenticates replaces what the name and the metadata claim.
    BACKUP_DATABASE=$(manifest_field database)
    BACKUP_CREATED_AT=$(manifest_field created_at)
    BACKUP_SCHEMA_VERSION=$(manifest_field schema_version)
    IDENTITY="database $BACKUP_DATABASE, created $BACKUP_CREATED_AT, run $(manifest_field run_id) (authenticated)"
  elif [[ $LATEST_CHOSEN == true ]]; then
    die "$SOURCE carries no authenticated manifest (it was made before backups had one), so nothing proves it is the latest:" \
      "refusing to restore it as latest; name it explicitly to restore it; the database was not touched"
  else
    say "warning: $SOURCE carries no authenticated manifest (made before backups had one): its name and metadata are unproven"
  fi
elif is_age_file "$STORED"; then
  die "$SOURCE is encrypted: set BACKUP_ENCRYPTION_KEY to the key it was made with; the database was not touched"
fi
step "reading the archive with pg_restore --list (the database was not touched)" "$PG_RESTORE" --list "$DUMP" >/dev/null
SIZE_BYTES=$(stat -c %s "$STORED")
CHECKED="sha256 verified"
[[ $ENCRYPTED != true ]] || CHECKED+=", decrypted and authenticated with BACKUP_ENCRYPTION_KEY"

confirm() {
  cat >&2 <<EOF
About to restore
  backup  $SOURCE
          database $BACKUP_DATABASE, created $BACKUP_CREATED_AT, schema version $BACKUP_SCHEMA_VERSION,
          $SIZE_BYTES bytes, $CHECKED
  identity $IDENTITY
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
DURATION=$(format_ms "$DURATION_MS")

pg_schema_version
# Every table of the public schema, as the catalog lists it: no list here to drift from the migrations.
COUNTS=$(step "counting the rows of every table" pg_sql "$PG_DBNAME" "
  select table_name || '|' || (xpath('/row/n/text()',
           query_to_xml(format('select count(*) as n from public.%I', table_name), false, true, '')))[1]::text
  from information_schema.tables
  where table_schema = 'public' and table_type = 'BASE TABLE'
  order by table_name")

if [[ $JSON == true ]]; then
  jq -cn --arg source "$SOURCE" --arg database "$TARGET_DATABASE" --arg sha256 "$ACTUAL_SHA256" \
    --argjson size "$SIZE_BYTES" --arg schema "$SCHEMA_VERSION" --argjson duration "$DURATION" \
    --argjson encrypted "$ENCRYPTED" --arg counts "$COUNTS" \
    '{status: "ok", source: $source, database: $database, sha256: $sha256, size_bytes: $size, encrypted: $encrypted,
      schema_version: $schema, duration_seconds: $duration,
      row_counts: ($counts | split("\n") | map(select(. != "") | split("|") | {(.[0]): (.[1] | tonumber)}) | add // {})}'
else
  printf 'restore ok\n  source          %s\n  database        %s\n  sha256          %s\n  encrypted       %s\n  schema version  %s\n  duration        %ss\n  row counts\n' \
    "$SOURCE" "$TARGET" "$ACTUAL_SHA256" "$ENCRYPTED" "$SCHEMA_VERSION" "$DURATION"
  while IFS='|' read -r table count; do
    printf '    %-22s %s\n' "$table" "$count"
  done <<<"$COUNTS"
fi
