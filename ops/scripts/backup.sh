#!/usr/bin/env bash
# Logical backup of the training database: pg_dump (custom format), checked with pg_restore --list,
# then stored in S3 (STANDARD_IA, SSE, metadata, retention tag) or in a local folder with sidecars.
set -euo pipefail

SCRIPT_NAME=backup.sh
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib/messages.sh
source "$SCRIPT_DIR/lib/messages.sh"
# shellcheck source=SCRIPTDIR/lib/postgres.sh
source "$SCRIPT_DIR/lib/postgres.sh"
# shellcheck source=SCRIPTDIR/lib/s3.sh
source "$SCRIPT_DIR/lib/s3.sh"

readonly TOOL_VERSION="trainingplatform-backup/1.0"

usage() {
  cat <<'EOF'
Usage: backup.sh [--json] [--help]

Dumps the database with pg_dump --format=custom, checks the dump with pg_restore --list,
computes its SHA-256 and stores it. Any failing step exits non-zero and leaves no object
that looks like a good backup.

Source (libpq):
  DATABASE_URL             postgresql://user:password@host:port/database (password is never printed)
  PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE
                           used when DATABASE_URL is not set
  PG_BIN                   directory of pg_dump/pg_restore/psql (default: from PATH)

Target (exactly one):
  BACKUP_S3_URI            s3://bucket/prefix — key prefix/<db>/YYYY/MM/DD/<db>-<UTC timestamp>.dump,
                           storage class STANDARD_IA, server-side encryption AES256, metadata
                           sha256, database, schema-version, created-at, tool-version,
                           tag retention=<BACKUP_RETENTION_CLASS> (for lifecycle rules, see ops/s3-lifecycle.json)
  BACKUP_DIR               local folder — <dir>/<db>/YYYY/MM/DD/<db>-<UTC timestamp>.dump plus
                           .dump.sha256 (sha256sum format) and .dump.json (metadata) sidecars

Options by environment:
  BACKUP_S3_ENDPOINT_URL   S3-compatible endpoint, passed to aws --endpoint-url
  BACKUP_RETENTION_CLASS   value of the retention tag (default: daily; letters, digits, dashes)
  BACKUP_RETENTION_DAYS    local target only: delete this database's backups older than N days
                           after a successful backup (default: 14; 0 keeps everything)
  AWS_CLI                  aws command (default: /usr/bin/aws)
  TMPDIR                   S3 target: where the dump is written before upload (default: /tmp);
                           a local target gets the dump written straight into its folder

Flags:
  --json                   print the result as one JSON object on stdout
  --help                   this text

Exit status: 0 when the backup is stored and verified, 1 on any failure, 2 on a usage error.
EOF
}

JSON=false
while (($# > 0)); do
  case $1 in
    --json) JSON=true ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done

if [[ -n ${BACKUP_S3_URI:-} && -n ${BACKUP_DIR:-} ]]; then
  usage_error "set BACKUP_S3_URI or BACKUP_DIR, not both"
fi
if [[ -z ${BACKUP_S3_URI:-} && -z ${BACKUP_DIR:-} ]]; then
  usage_error "no target: set BACKUP_S3_URI (s3://bucket/prefix) or BACKUP_DIR (a folder)"
fi
RETENTION_CLASS=${BACKUP_RETENTION_CLASS:-daily}
[[ $RETENTION_CLASS =~ ^[A-Za-z0-9-]+$ ]] || usage_error "BACKUP_RETENTION_CLASS must be letters, digits and dashes"
RETENTION_DAYS=${BACKUP_RETENTION_DAYS:-14}
[[ $RETENTION_DAYS =~ ^[0-9]+$ ]] || usage_error "BACKUP_RETENTION_DAYS must be a whole number of days"

pg_connection_from_environment
PSQL=$(pg_tool psql)
PG_DUMP=$(pg_tool pg_dump)
PG_RESTORE=$(pg_tool pg_restore)

if [[ -n ${BACKUP_S3_URI:-} ]]; then
  parse_s3_uri "$BACKUP_S3_URI" || usage_error "BACKUP_S3_URI must look like s3://bucket/prefix"
  s3_client_from_environment
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/backup.XXXXXX")
UPLOADED_KEY=""   # an object that exists in S3 but is not yet verified
PARTIAL_FILES=()  # local files written but not yet renamed into place
COMPLETE=false

# On any failure, remove what was written so nothing half-done looks like a good backup.
cleanup() {
  local status=$?
  if [[ $COMPLETE != true ]]; then
    if [[ -n $UPLOADED_KEY ]] &&
      aws_s3 s3api head-object --bucket "$S3_BUCKET" --key "$UPLOADED_KEY" >/dev/null 2>&1; then
      if aws_s3 s3api delete-object --bucket "$S3_BUCKET" --key "$UPLOADED_KEY" >/dev/null 2>&1; then
        say "removed the unverified object s3://$S3_BUCKET/$UPLOADED_KEY"
      else
        say "could not remove the unverified object s3://$S3_BUCKET/$UPLOADED_KEY — delete it by hand"
      fi
    fi
    if ((${#PARTIAL_FILES[@]} > 0)); then
      rm -f -- "${PARTIAL_FILES[@]}"
    fi
  fi
  rm -rf -- "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STARTED_MS=$(now_ms)
DATABASE=$(step "connecting to $PG_DISPLAY_TARGET" pg_query 'select current_database()')
SCHEMA_VERSION=$(pg_schema_version)
CREATED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
STAMP=$(date -u -d "$CREATED_AT" +%Y%m%dT%H%M%SZ)
DAY_PATH=$(date -u -d "$CREATED_AT" +%Y/%m/%d)
FILE_NAME="$DATABASE-$STAMP.dump"
if [[ -n ${BACKUP_DIR:-} ]]; then
  # Dumped straight into the target folder under a hidden .partial name: no second copy of a large dump.
  FOLDER=$BACKUP_DIR/$DATABASE/$DAY_PATH
  LOCATION=$FOLDER/$FILE_NAME
  [[ ! -e $LOCATION ]] || die "$LOCATION already exists"
  step "creating $FOLDER" mkdir -p "$FOLDER"
  DUMP=$FOLDER/.$FILE_NAME.partial
  PARTIAL_FILES+=("$DUMP" "$DUMP.sha256" "$DUMP.json" "$LOCATION.sha256" "$LOCATION.json")
else
  DUMP=$WORK/$FILE_NAME
fi

say "dumping $DATABASE (schema version $SCHEMA_VERSION) from $PG_DISPLAY_TARGET"
step "pg_dump of $DATABASE" "$PG_DUMP" --no-password --format=custom --file="$DUMP" --dbname="$PG_DBNAME"
step "checking the dump with pg_restore --list" "$PG_RESTORE" --list "$DUMP" >/dev/null
SHA256=$(sha256sum "$DUMP" | cut -d' ' -f1)
SIZE_BYTES=$(stat -c %s "$DUMP")

metadata_json() {
  printf '{"sha256":%s,"database":%s,"schema-version":%s,"created-at":%s,"tool-version":%s}' \
    "$(json_string "$SHA256")" "$(json_string "$DATABASE")" "$(json_string "$SCHEMA_VERSION")" \
    "$(json_string "$CREATED_AT")" "$(json_string "$TOOL_VERSION")"
}

store_in_s3() {
  local key=${S3_PATH:+$S3_PATH/}$DATABASE/$DAY_PATH/$FILE_NAME
  LOCATION="s3://$S3_BUCKET/$key"
  say "uploading to $LOCATION"
  UPLOADED_KEY=$key
  step "upload to $LOCATION" aws_s3 s3 cp "$DUMP" "$LOCATION" --only-show-errors \
    --storage-class STANDARD_IA --sse AES256 --metadata "$(metadata_json)"
  # Tags, not metadata, because lifecycle rules can filter on tags (and some stores ignore tags on upload).
  step "tagging $LOCATION" aws_s3 s3api put-object-tagging --bucket "$S3_BUCKET" --key "$key" \
    --tagging "{\"TagSet\":[{\"Key\":\"retention\",\"Value\":\"$RETENTION_CLASS\"},{\"Key\":\"database\",\"Value\":$(json_string "$DATABASE")}]}"
  local stored
  stored=$(step "reading back $LOCATION" aws_s3 s3api head-object --bucket "$S3_BUCKET" --key "$key" \
    --query '[ContentLength, Metadata.sha256]' --output text)
  [[ $stored == "$SIZE_BYTES"$'\t'"$SHA256" ]] ||
    die "the stored object does not match the dump (stored: ${stored//$'\t'/ }; dump: $SIZE_BYTES $SHA256)"
  UPLOADED_KEY=""
}

# The dump was written under a hidden .partial name; its sidecars join it and everything is renamed into
# place, the dump last, so a visible <db>-<stamp>.dump always has its sidecars and is complete.
store_in_folder() {
  say "writing $LOCATION"
  printf '%s  %s\n' "$SHA256" "$FILE_NAME" >"$DUMP.sha256"
  printf '%s\n' "$(metadata_json)" >"$DUMP.json"
  mv -- "$DUMP.sha256" "$LOCATION.sha256"
  mv -- "$DUMP.json" "$LOCATION.json"
  mv -- "$DUMP" "$LOCATION"
  PARTIAL_FILES=()
}

# Deletes this database's local backups whose timestamp (from the file name) is older than the cutoff.
prune_folder() {
  PRUNED=0
  ((RETENTION_DAYS > 0)) || return 0
  local cutoff dump stamp
  cutoff=$(date -u -d "-$RETENTION_DAYS days" +%Y%m%dT%H%M%SZ)
  while IFS= read -r -d '' dump; do
    stamp=${dump##*/"$DATABASE"-}
    stamp=${stamp%.dump}
    if [[ $stamp < $cutoff ]]; then
      rm -f -- "$dump" "$dump.sha256" "$dump.json"
      say "pruned $dump (older than $RETENTION_DAYS days)"
      PRUNED=$((PRUNED + 1))
    fi
  done < <(find "$BACKUP_DIR/$DATABASE" -type f -name "$DATABASE-????????T??????Z.dump" -print0)
  find "$BACKUP_DIR/$DATABASE" -mindepth 1 -type d -empty -delete
}

PRUNED=0
if [[ -n ${BACKUP_S3_URI:-} ]]; then
  store_in_s3
else
  store_in_folder
  prune_folder
fi
COMPLETE=true
DURATION_MS=$(($(now_ms) - STARTED_MS))

if [[ $JSON == true ]]; then
  printf '{"status":"ok","location":%s,"database":%s,"schema_version":%s,"size_bytes":%d,"sha256":%s,"created_at":%s,"duration_seconds":%s,"retention":%s,"pruned":%d,"tool_version":%s}\n' \
    "$(json_string "$LOCATION")" "$(json_string "$DATABASE")" "$(json_string "$SCHEMA_VERSION")" "$SIZE_BYTES" \
    "$(json_string "$SHA256")" "$(json_string "$CREATED_AT")" "$(format_ms "$DURATION_MS")" \
    "$(json_string "$RETENTION_CLASS")" "$PRUNED" "$(json_string "$TOOL_VERSION")"
else
  printf 'backup ok\n  location        %s\n  database        %s\n  schema version  %s\n  size            %d bytes\n  sha256          %s\n  duration        %ss\n' \
    "$LOCATION" "$DATABASE" "$SCHEMA_VERSION" "$SIZE_BYTES" "$SHA256" "$(format_ms "$DURATION_MS")"
fi
