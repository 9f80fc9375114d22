#!/usr/bin/env bash
# Prints the image's /etc/cron.d/pgbackrest: a full backup on PITR_FULL_SCHEDULE and a differential on
# PITR_DIFF_SCHEDULE (5-field cron expressions in UTC, the parameters pitr-full-schedule and pitr-diff-schedule,
# whose defaults AppHost/Backups.cs holds). cron runs backup.sh as root, which writes to the container's log and
# drops to the postgres user.
#
#   PITR_FULL_SCHEDULE, PITR_DIFF_SCHEDULE  required
#   PITR_BACKUP_SCRIPT  the backup script (default: backup.sh beside this one)
#   PITR_LOG            where the jobs' output goes (default: /proc/1/fd/1, the container's log)
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
script=${PITR_BACKUP_SCRIPT:-$here/backup.sh}
log=${PITR_LOG:-/proc/1/fd/1}

# Five fields of cron's characters only: a sixth field, a newline or a command would become part of the crontab.
check_schedule() {
  [[ $2 =~ ^[0-9A-Za-z*/,-]+([[:blank:]]+[0-9A-Za-z*/,-]+){4}$ ]] \
    || { echo "crontab.sh: $1 must be a 5-field cron expression (minute hour day month weekday), not '$2'" >&2; exit 2; }
}

full=${PITR_FULL_SCHEDULE:?PITR_FULL_SCHEDULE is required}
diff=${PITR_DIFF_SCHEDULE:?PITR_DIFF_SCHEDULE is required}
check_schedule PITR_FULL_SCHEDULE "$full"
check_schedule PITR_DIFF_SCHEDULE "$diff"

echo "# Rendered by ops/postgres/crontab.sh at the container's start from pitr-full-schedule and pitr-diff-schedule."
echo "SHELL=/bin/bash"
echo "$full root $script full >$log 2>&1"
echo "$diff root $script diff >$log 2>&1"
