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

# encrypt_file PLAIN ENCRYPTED: the recipient reaches age through a pipe, not its arguments.
encrypt_file() {
  age --encrypt --recipients-file <(printf '%s\n' "$ENCRYPTION_RECIPIENT") --output "$2" "$1"
}

# decrypt_file ENCRYPTED PLAIN: fails unless ENCRYPTED was made for this key and is intact.
decrypt_file() {
  age --decrypt --identity <(printf '%s\n' "$ENCRYPTION_KEY") --output "$2" "$1"
}

# Succeeds when FILE starts like an age file.
is_age_file() {
  local header=""
  IFS= read -r -n ${#AGE_HEADER} header <"$1" || true
  [[ $header == "$AGE_HEADER" ]]
}
