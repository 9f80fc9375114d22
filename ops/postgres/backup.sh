#!/usr/bin/env bash
# The server's pgBackRest backups inside the image of ops/postgres/Dockerfile, where the data directory is:
#   backup.sh full|diff   a backup of that type (cron, on pitr-full-schedule and pitr-diff-schedule)
#   backup.sh first       at the container's start: waits for the server, creates the stanza (idempotent) and takes
#                         a full backup when the repository holds none, so PITR works from the first minutes
# pgBackRest reads every option from the PGBACKREST_* variables: the container's own, or for cron (which starts jobs
# with an empty environment) those the entrypoint saved in PITR_ENVIRONMENT_FILE.
#
#   PITR_ENVIRONMENT_FILE  default /run/pgbackrest/environment; read when it exists
#   PITR_WAIT_SECONDS      how long "first" waits for the server (default 600)
# As root, pgBackRest runs as the postgres user, who owns the data directory and the repository folder.
# Exit status: 0 done, 1 pgBackRest failed, 2 usage.
set -euo pipefail

environment=${PITR_ENVIRONMENT_FILE:-/run/pgbackrest/environment}
if [[ -f $environment ]]; then
  # shellcheck source=/dev/null
  . "$environment"
fi

say() {
  echo "pgbackrest $mode: $*"
}

pgbackrest_as_owner() {
  if ((EUID == 0)); then
    setpriv --reuid=postgres --regid=postgres --init-groups -- pgbackrest "$@"
  else
    pgbackrest "$@"
  fi
}

backup() {
  say "$1 backup started"
  local started=$SECONDS
  if pgbackrest_as_owner backup --type="$1"; then
    say "$1 backup done in $((SECONDS - started)) s"
  else
    say "$1 backup FAILED after $((SECONDS - started)) s" >&2
    return 1
  fi
}

# The stanza (idempotent) once the server answers, and a full backup unless the repository holds one.
first_full_backup() {
  pg_isready -q -h "${PGBACKREST_PG1_SOCKET_PATH:-/var/run/postgresql}" -p "${PGBACKREST_PG1_PORT:-5432}" || return 1
  pgbackrest_as_owner stanza-create || return 1
  local fulls
  fulls=$(pgbackrest_as_owner info --output=json | jq '[.[0].backup[] | select(.type == "full")] | length') || return 1
  if ((fulls == 0)); then
    backup full
  else
    say "the repository holds $fulls full backup(s): none needed now"
  fi
}

mode=${1:-}
case $mode in
  full | diff)
    backup "$mode"
    ;;
  first)
    # Tried until it succeeds: on a new volume the image's init starts and stops a temporary server first.
    deadline=$((SECONDS + ${PITR_WAIT_SECONDS:-600}))
    until first_full_backup; do
      ((SECONDS < deadline)) || { say "no full backup within ${PITR_WAIT_SECONDS:-600} s" >&2; exit 1; }
      sleep 5
    done
    ;;
  -h | --help)
    # The header above is the help.
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
    ;;
  *)
    echo "Usage: backup.sh full|diff|first (see --help)" >&2
    exit 2
    ;;
esac
