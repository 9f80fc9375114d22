#!/usr/bin/env bash
# Prints, as shell commands to eval, where pgBackRest's repository is: the PGBACKREST_REPO1_* location options derived
# from the logical backups' bucket parameters, as TrainingPlatform.Hosting/PitrArchive.cs (PitrS3.Beside) derives them
# locally (PitrContainerTests checks the two agree). The options that are parameters as they stand (cipher pass,
# retention, region, keys) the AppHost passes itself.
#
#   BACKUP_S3_URI           s3://bucket/prefix of the logical backups: the repository is s3://bucket/prefix/pitr.
#                           Empty: a folder, PITR_REPOSITORY_FOLDER, and every PGBACKREST_REPO1_S3_* option is unset
#                           (pgBackRest refuses an empty one).
#   BACKUP_S3_ENDPOINT_URL  https://host[:port] of an S3-compatible server; empty: AWS's regional endpoint
#   PGBACKREST_REPO1_S3_REGION  the region, for AWS's endpoint (default us-east-1)
#   PITR_REPOSITORY_FOLDER  the folder repository (default /var/lib/pgbackrest, a volume in the image)
#
#   PGBACKREST_REPO1_S3_KEY     empty: pgBackRest's repo1-s3-key-type=auto (the platform's credentials)
#
# Usage: eval "$(repository-environment.sh)"; also by hand before restore.sh pitr against the deployed repository.
set -euo pipefail

die() {
  echo "repository-environment.sh: $*" >&2
  exit 2
}

emit() {
  printf 'export %s=%q\n' "$1" "$2"
}

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  # The header above is the help.
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
  exit 0
fi
(($# == 0)) || die "no arguments expected (see --help)"

uri=${BACKUP_S3_URI:-}
if [[ -z $uri ]]; then
  emit PGBACKREST_REPO1_PATH "${PITR_REPOSITORY_FOLDER:-/var/lib/pgbackrest}"
  while IFS= read -r name; do
    printf 'unset %s\n' "$name"
  done < <(compgen -e | grep '^PGBACKREST_REPO1_S3_' || true)
  exit 0
fi

[[ $uri =~ ^s3://([^/]+)/?(.*)$ ]] || die "BACKUP_S3_URI must look like s3://bucket/prefix, not '$uri'"
bucket=${BASH_REMATCH[1]}
prefix=${BASH_REMATCH[2]}
shopt -s extglob
prefix=${prefix%%+(/)}
path=/pitr
[[ -z $prefix ]] || path=/$prefix/pitr

endpoint=${BACKUP_S3_ENDPOINT_URL:-}
if [[ -z $endpoint ]]; then
  host=s3.${PGBACKREST_REPO1_S3_REGION:-us-east-1}.amazonaws.com
  port=443
else
  # pgBackRest speaks S3 over TLS only.
  [[ $endpoint =~ ^https://([^/:]+)(:([0-9]+))?/?$ ]] \
    || die "pgBackRest reaches S3 over TLS only: BACKUP_S3_ENDPOINT_URL must be https://host[:port], not '$endpoint'"
  host=${BASH_REMATCH[1]}
  port=${BASH_REMATCH[3]:-443}
fi

emit PGBACKREST_REPO1_TYPE s3
emit PGBACKREST_REPO1_PATH "$path"
emit PGBACKREST_REPO1_S3_BUCKET "$bucket"
emit PGBACKREST_REPO1_S3_ENDPOINT "$host"
emit PGBACKREST_REPO1_STORAGE_PORT "$port"
# No key given (backup-s3-access-key-id empty): the platform's own credentials, as the logical backups' awscli takes them.
if [[ -z ${PGBACKREST_REPO1_S3_KEY:-} ]]; then
  emit PGBACKREST_REPO1_S3_KEY_TYPE auto
  echo 'unset PGBACKREST_REPO1_S3_KEY PGBACKREST_REPO1_S3_KEY_SECRET'
fi
