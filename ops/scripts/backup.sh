#!/usr/bin/env bash
# Logical backup of the training database: pg_dump (custom format), checked with pg_restore --list,
# encrypted with age when BACKUP_ENCRYPTION_KEY is set, then stored in S3 (STANDARD_IA, SSE, metadata,
# retention tag) or in a local folder with sidecars.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib/backups.sh
source "$SCRIPT_DIR/lib/backups.sh"

readonly TOOL_VERSION="trainingplatform-backup/1.0"

usage() {
  cat <<'EOF'
Usage: backup.sh [--json] [--help]

Dumps the database with pg_dump --format=custom, checks the dump with pg_restore --list,
encrypts it when BACKUP_ENCRYPTION_KEY is set, computes the SHA-256 of what is stored and
stores it. Any failing step exits non-zero and leaves no object that looks like a good backup.
Every run writes names of its own (a timestamp and a random suffix), so runs started in the
same second do not collide, and a failing run removes only its own files. A server of a newer
major version than pg_dump is refused with the client to install.

EOF
  pg_connection_usage "Source" "pg_dump/pg_restore/psql"
  cat <<'EOF'

Target (exactly one):
  BACKUP_S3_URI            s3://bucket/prefix — key prefix/<db>/YYYY/MM/DD/<db>-<UTC timestamp>-<run>.dump,
                           storage class STANDARD_IA, server-side encryption AES256, metadata
                           sha256, database, schema-version, created-at, tool-version,
                           tag retention=<BACKUP_RETENTION_CLASS> (for lifecycle rules, see ops/s3-lifecycle.json)
  BACKUP_DIR               local folder — <dir>/<db>/YYYY/MM/DD/<db>-<UTC timestamp>-<run>.dump plus
                           .dump.sha256 (sha256sum format) and .dump.json (metadata) sidecars,
                           files mode 600 in folders mode 700

Options by environment:
  BACKUP_S3_ENDPOINT_URL   S3-compatible endpoint, passed to aws --endpoint-url
  BACKUP_ENCRYPTION_KEY    an age secret key (AGE-SECRET-KEY-1..., from age-keygen): the dump is
                           encrypted and authenticated with age before it is stored, as
                           <name>.dump.age; restore.sh needs the same key
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
encryption_from_environment
# shellcheck disable=SC2034 # read by pg_sql in lib/postgres.sh
PSQL=$(pg_tool psql)
PG_DUMP=$(pg_tool pg_dump)
PG_RESTORE=$(pg_tool pg_restore)

if [[ -n ${BACKUP_S3_URI:-} ]]; then
  parse_s3_uri "$BACKUP_S3_URI" || usage_error "BACKUP_S3_URI must look like s3://bucket/prefix"
  s3_client_from_environment
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/backup.XXXXXX")
UPLOADED_KEY=""   # an object that exists in S3 but is not yet verified
PARTIAL_FILES=()  # local files of this run written but not yet renamed into place
COMPLETE=false

# On any failure, remove what this run wrote so nothing half-done looks like a good backup.
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
DATABASE=$(step "connecting to $PG_DISPLAY_TARGET" pg_sql "$PG_DBNAME" 'select current_database()')
pg_schema_version
pg_dump_supports_server "$PG_DUMP"
CREATED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
STAMP=$(date -u -d "$CREATED_AT" +%Y%m%dT%H%M%SZ)
DAY_PATH=$(date -u -d "$CREATED_AT" +%Y/%m/%d)
# The run suffix keeps names apart when runs start in the same second (the timestamp alone would collide).
RUN_ID=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
FILE_NAME="$DATABASE-$STAMP-$RUN_ID.dump$ENCRYPTED_SUFFIX"
if [[ -n ${BACKUP_DIR:-} ]]; then
  # Dumped straight into the target folder under a hidden .partial name: no second copy of a large dump.
  FOLDER=$BACKUP_DIR/$DATABASE/$DAY_PATH
  LOCATION=$FOLDER/$FILE_NAME
  step "creating $FOLDER" mkdir -p "$FOLDER"
  PARTIAL=$FOLDER/.$FILE_NAME.partial
  [[ ! -e $LOCATION && ! -e $PARTIAL ]] || die "$LOCATION already exists"
  PARTIAL_FILES+=("$PARTIAL" "$PARTIAL.dump" "$PARTIAL.sha256" "$PARTIAL.json" "$LOCATION.sha256" "$LOCATION.json")
else
  PARTIAL=$WORK/$FILE_NAME
fi
# What pg_dump writes: the stored file itself, or the plain dump that is encrypted into it.
DUMP=$PARTIAL
[[ -z $ENCRYPTED_SUFFIX ]] || DUMP=$PARTIAL.dump

say "dumping $DATABASE (schema version $SCHEMA_VERSION) from $PG_DISPLAY_TARGET"
step "pg_dump of $DATABASE" "$PG_DUMP" --no-password --format=custom --file="$DUMP" --dbname="$PG_DBNAME"
step "checking the dump with pg_restore --list" "$PG_RESTORE" --list "$DUMP" >/dev/null
if [[ -n $ENCRYPTED_SUFFIX ]]; then
  step "encrypting the dump with age" encrypt_backup "$DUMP" "$PARTIAL" "$(backup_manifest "$DATABASE" "$CREATED_AT" "$RUN_ID" "$SCHEMA_VERSION")"
  rm -f -- "$DUMP"
fi
SHA256=$(sha256sum "$PARTIAL" | cut -d' ' -f1)
SIZE_BYTES=$(stat -c %s "$PARTIAL")
METADATA=$(jq -cn --arg sha256 "$SHA256" --arg database "$DATABASE" --arg schema "$SCHEMA_VERSION" \
  --arg created "$CREATED_AT" --arg tool "$TOOL_VERSION" --argjson encrypted "$ENCRYPTED" \
  '{sha256: $sha256, database: $database, "schema-version": $schema, "created-at": $created, "tool-version": $tool}
   + if $encrypted then {encryption: "age"} else {} end')

store_in_s3() {
  local key=${S3_PATH:+$S3_PATH/}$DATABASE/$DAY_PATH/$FILE_NAME tagging stored
  LOCATION="s3://$S3_BUCKET/$key"
  say "uploading to $LOCATION"
  UPLOADED_KEY=$key
  step "upload to $LOCATION" aws_s3 s3 cp "$PARTIAL" "$LOCATION" --only-show-errors \
    --storage-class STANDARD_IA --sse AES256 --metadata "$METADATA"
  # Tags, not metadata, because lifecycle rules can filter on tags (and some stores ignore tags on upload).
  tagging=$(jq -cn --arg retention "$RETENTION_CLASS" --arg database "$DATABASE" \
    '{TagSet: [{Key: "retention", Value: $retention}, {Key: "database", Value: $database}]}')
  step "tagging $LOCATION" aws_s3 s3api put-object-tagging --bucket "$S3_BUCKET" --key "$key" --tagging "$tagging"
  stored=$(step "reading back $LOCATION" aws_s3 s3api head-object --bucket "$S3_BUCKET" --key "$key" --output json |
    jq -r '"\(.ContentLength) \(.Metadata.sha256)"')
  [[ $stored == "$SIZE_BYTES $SHA256" ]] ||
    die "the stored object does not match the dump (stored: $stored; dump: $SIZE_BYTES $SHA256)"
  UPLOADED_KEY=""
}

# The dump was written under a hidden .partial name; its sidecars join it and everything is renamed into
# place, the dump last, so a visible <db>-<stamp>-<run>.dump always has its sidecars and is complete.
store_in_folder() {
  say "writing $LOCATION"
  printf '%s  %s\n' "$SHA256" "$FILE_NAME" >"$PARTIAL.sha256"
  printf '%s\n' "$METADATA" >"$PARTIAL.json"
  mv -- "$PARTIAL.sha256" "$LOCATION.sha256"
  mv -- "$PARTIAL.json" "$LOCATION.json"
  mv -- "$PARTIAL" "$LOCATION"
  PARTIAL_FILES=()
}

# Deletes this database's local backups whose timestamp (from the file name) is older than the cutoff.
prune_folder() {
  PRUNED=0
  ((RETENTION_DAYS > 0)) || return 0
  local cutoff dump stamp name
  cutoff=$(date -u -d "-$RETENTION_DAYS days" +%Y%m%dT%H%M%SZ)
  name=$(backup_name_pattern "$DATABASE")
  while IFS= read -r -d '' dump; do
    stamp=${dump##*/"$DATABASE"-}
    stamp=${stamp:0:16}
    if [[ $stamp < $cutoff ]]; then
      rm -f -- "$dump" "$dump.sha256" "$dump.json"
      say "pruned $dump (older than $RETENTION_DAYS days)"
      PRUNED=$((PRUNED + 1))
      remove_empty_folders "${dump%/*}"
    fi
  done < <(find "$BACKUP_DIR/$DATABASE" -type f -regextype posix-extended -regex ".*/$name" -print0)
}

# Removes the day, month and year folders of a pruned backup once empty. Only those: an empty folder of today
# may be the one a concurrent run has just created for its dump.
remove_empty_folders() {
  local folder=$1
  while [[ $folder != "$BACKUP_DIR/$DATABASE" && -d $folder ]]; do
    rmdir --ignore-fail-on-non-empty -- "$folder"
    folder=${folder%/*}
  done
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
DURATION=$(format_ms "$DURATION_MS")

if [[ $JSON == true ]]; then
  jq -cn --arg location "$LOCATION" --arg database "$DATABASE" --arg schema "$SCHEMA_VERSION" \
    --argjson size "$SIZE_BYTES" --arg sha256 "$SHA256" --arg created "$CREATED_AT" --argjson duration "$DURATION" \
    --arg retention "$RETENTION_CLASS" --argjson pruned "$PRUNED" --arg tool "$TOOL_VERSION" \
    --argjson encrypted "$ENCRYPTED" \
    '{status: "ok", location: $location, database: $database, schema_version: $schema, size_bytes: $size,
      sha256: $sha256, created_at: $created, duration_seconds: $duration, retention: $retention, pruned: $pruned,
      encrypted: $encrypted, tool_version: $tool}'
else
  printf 'backup ok\n  location        %s\n  database        %s\n  schema version  %s\n  size            %d bytes\n  sha256          %s\n  encrypted       %s\n  duration        %ss\n' \
    "$LOCATION" "$DATABASE" "$SCHEMA_VERSION" "$SIZE_BYTES" "$SHA256" "$ENCRYPTED" "$DURATION"
fi
