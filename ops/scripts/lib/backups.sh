# shellcheck shell=bash
# What a backup file is: its name, and its encryption with age when BACKUP_ENCRYPTION_KEY is set.
# The key is an age secret key (AGE-SECRET-KEY-1...); the recipient the backups are encrypted to is derived from
# it at run time and, like the key, is never written, printed or put on a command line: only a holder of the key
# can make a file that restore.sh decrypts, and age authenticates every byte of it.
# Sourcing it brings everything backup.sh and restore.sh share: messages, PostgreSQL, S3, and a umask.

# Backups and the dumps restored from them hold password hashes and uploaded files: only the owner may read what
# the scripts write.
umask 077

BACKUPS_LIB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/messages.sh
source "$BACKUPS_LIB_DIR/messages.sh"
# shellcheck source=SCRIPTDIR/postgres.sh
source "$BACKUPS_LIB_DIR/postgres.sh"
# shellcheck source=SCRIPTDIR/s3.sh
source "$BACKUPS_LIB_DIR/s3.sh"

ENCRYPTION_KEY=""
ENCRYPTION_RECIPIENT=""
# shellcheck disable=SC2034 # both are read by the scripts that source this file
ENCRYPTED=false
ENCRYPTED_SUFFIX="" # .age when backups are encrypted
readonly AGE_HEADER="age-encryption.org/v1"

# A regular expression matching the file names of DATABASE's backups (the run suffix and .age are optional:
# older backups carry neither).
backup_name_pattern() {
  local escaped
  escaped=$(sed 's/[][\.*^$?+(){}|/]/\\&/g' <<<"$1")
  printf '%s' "$escaped-[0-9]{8}T[0-9]{6}Z(-[0-9a-f]{8})?\\.dump(\\.age)?"
}

# Reads BACKUP_ENCRYPTION_KEY and derives the recipient from it; without it, backups are stored unencrypted.
encryption_from_environment() {
  [[ -n ${BACKUP_ENCRYPTION_KEY:-} ]] || return 0
  ENCRYPTION_KEY=$BACKUP_ENCRYPTION_KEY
  SECRETS+=("$ENCRYPTION_KEY")
  export -n BACKUP_ENCRYPTION_KEY
  if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
    die "age not found (apt-get install age)"
  fi
  [[ $ENCRYPTION_KEY =~ ^AGE-SECRET-KEY-1[0-9A-Z]{58}$ ]] ||
    die "BACKUP_ENCRYPTION_KEY must be an age secret key: AGE-SECRET-KEY-1 and 58 more characters, as age-keygen prints it"
  ENCRYPTION_RECIPIENT=$(age-keygen -y <<<"$ENCRYPTION_KEY" 2>/dev/null) ||
    die "BACKUP_ENCRYPTION_KEY is not a valid age secret key (make one with age-keygen)"
  SECRETS+=("$ENCRYPTION_RECIPIENT")
  # shellcheck disable=SC2034
  ENCRYPTED=true
  # shellcheck disable=SC2034
  ENCRYPTED_SUFFIX=.age
}

# An encrypted backup's payload starts with a manifest, one JSON line, then the dump: what the backup is (database,
# creation time, run) travels inside the encryption, where age authenticates it, unlike the file name and the S3
# metadata, which anyone who can write the bucket can set. restore.sh checks the name against it, so a genuine old
# backup copied under a newer name is recognised as a replay.
readonly MANIFEST_FORMAT="trainingplatform-backup/1"
# What a custom-format dump starts with: a payload without a manifest (from before manifests) starts with it.
readonly DUMP_MAGIC="PGDMP"

# backup_manifest DATABASE CREATED_AT RUN_ID SCHEMA_VERSION
backup_manifest() {
  jq -cn --arg format "$MANIFEST_FORMAT" --arg database "$1" --arg created "$2" --arg run "$3" --arg schema "$4" \
    '{format: $format, database: $database, created_at: $created, run_id: $run, schema_version: $schema}'
}

# encrypt_backup DUMP ENCRYPTED MANIFEST: the recipient reaches age through a pipe, not its arguments.
encrypt_backup() {
  { printf '%s\n' "$3"; cat -- "$1"; } | age --encrypt --recipients-file <(printf '%s\n' "$ENCRYPTION_RECIPIENT") --output "$2"
}

# decrypt_backup ENCRYPTED DUMP: fails unless ENCRYPTED was made for this key and is intact. Sets MANIFEST to the
# payload's manifest line, empty for a backup from before manifests.
decrypt_backup() {
  local payload=$2.payload start
  # Explicit returns: run through step, the function is in a || list, where set -e does not stop it.
  age --decrypt --identity <(printf '%s\n' "$ENCRYPTION_KEY") --output "$payload" "$1" || return 1
  MANIFEST=""
  start=$(head -c ${#DUMP_MAGIC} -- "$payload")
  if [[ $start == "$DUMP_MAGIC" ]]; then
    mv -- "$payload" "$2" || return 1
    return 0
  fi
  MANIFEST=$(head -n 1 -- "$payload")
  if ! jq -e --arg format "$MANIFEST_FORMAT" '.format == $format' <<<"$MANIFEST" >/dev/null 2>&1; then
    echo "the decrypted payload starts with neither a $MANIFEST_FORMAT manifest nor a dump" >&2
    return 1
  fi
  tail -n +2 -- "$payload" >"$2" || return 1
  rm -f -- "$payload"
}

# manifest_field NAME: a field of MANIFEST.
manifest_field() {
  jq -r --arg name "$1" '.[$name] // "unknown"' <<<"$MANIFEST"
}

# check_manifest_against_name FILE_NAME: the database, creation time and run a backup's name states must be those its
# manifest authenticates; a name of another form (a file renamed by hand) is checked for nothing but shown. Dies on
# a mismatch.
check_manifest_against_name() {
  local name=$1 pattern='^(.+)-([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z-([0-9a-f]{8})\.dump\.age$'
  [[ $name =~ $pattern ]] || return 0
  local named_database=${BASH_REMATCH[1]} named_run=${BASH_REMATCH[8]}
  local named_created="${BASH_REMATCH[2]}-${BASH_REMATCH[3]}-${BASH_REMATCH[4]}T${BASH_REMATCH[5]}:${BASH_REMATCH[6]}:${BASH_REMATCH[7]}Z"
  local database created run
  database=$(manifest_field database)
  created=$(manifest_field created_at)
  run=$(manifest_field run_id)
  if [[ $database != "$named_database" || $created != "$named_created" || $run != "$named_run" ]]; then
    die "$name is not the backup its name says: its authenticated manifest says database $database, created $created, run $run," \
      "its name says database $named_database, created $named_created, run $named_run. A genuine backup was copied under" \
      "another name (a replay, e.g. to make an old backup look like the latest): refusing to restore it; the database was not touched"
  fi
}

# Succeeds when FILE starts like an age file.
is_age_file() {
  local header=""
  IFS= read -r -n ${#AGE_HEADER} header <"$1" || true
  [[ $header == "$AGE_HEADER" ]]
}
