#!/usr/bin/env bash
# The entrypoint of ops/postgres/Dockerfile's image (PID 1 is tini, which reaps what this starts in the background):
# archiving and scheduled backups around the stock docker-entrypoint.sh, to which the arguments go (postgres -c
# wal_level=replica -c archive_mode=on ..., from TrainingPlatform.Hosting/PitrArchive.cs).
#  1. the repository's location from BACKUP_S3_URI (repository-environment.sh), beside the PGBACKREST_* variables the
#     AppHost sets; the server inherits them all, so archive_command's pgbackrest reads them;
#  2. the same variables and PGPASSWORD saved for cron (owner-only: the passwords and the S3 secret are among them), and cron
#     started with crontab.sh's schedules;
#  3. backup.sh first in the background: the stanza and a full backup once the server is up, when there is none.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# Assigned first, so that a malformed bucket parameter stops the container with the script's message (an eval of a
# failed substitution would carry on, archiving into the default folder).
repository=$("$here/repository-environment.sh")
eval "$repository"
# pgBackRest's backups connect on the socket, where the image's initdb asks for the password too (scram-sha-256).
export PGPASSWORD=${PGPASSWORD:-${POSTGRES_PASSWORD:-}}

if ((EUID == 0)); then
  environment=${PITR_ENVIRONMENT_FILE:-/run/pgbackrest/environment}
  (
    umask 077
    mkdir -p "$(dirname -- "$environment")"
    export -p | grep -E '^declare -x (PGBACKREST_|PGPASSWORD=)' >"$environment"
  )
  "$here/crontab.sh" >/etc/cron.d/pgbackrest
  cron
else
  echo "entrypoint.sh: not root, so no cron: the scheduled pgBackRest backups do not run in this container" >&2
fi
setsid -f "$here/backup.sh" first

exec docker-entrypoint.sh "$@"
