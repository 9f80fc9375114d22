# shellcheck shell=bash
# restore.sh pitr: point-in-time recovery from the pgBackRest repository the server archives its WAL into
# (ops/docs/backup-restore.md#point-in-time-recovery-pitr). pgBackRest restores the base backup and fetches the WAL;
# PostgreSQL replays it up to the target. Sourced by restore.sh after lib/backups.sh (messages, pg helpers).

pitr_usage() {
  cat <<'EOF'
Usage: restore.sh pitr (--to-time TIME | --to-latest) --data-dir DIR [--port PORT] [--json]
       restore.sh pitr --list

Restores the cluster's physical backup from the pgBackRest repository into DIR and replays the
archived WAL up to TIME (e.g. '2026-12-05 16:00:00+00'; the UTC offset is required) or to the end of
the archive. DIR must be absent or empty: nothing that exists is ever overwritten, and the live
server's directory is never touched. A server is started on DIR (127.0.0.1 only, archiving off, its
socket in DIR) and the script waits until recovery reaches the target, then prints the backup it
started from, the target and the last transaction replayed.

  --to-time TIME   stop just before the first transaction committed after TIME; the server pauses
                   there, read-only, so what it holds can be checked before anything is promoted
  --to-latest      replay everything archived; the server then ends recovery (a new timeline)
  --data-dir DIR   where the restored cluster goes
  --port PORT      leave the restored server running on 127.0.0.1:PORT (without it, the server is
                   stopped once the target is reached; start it with pg_ctl -D DIR start)
  --list           the backups in the repository and the range of times one can recover to; exits
                   1 when there is no backup
  --json           print the result as one JSON object on stdout

Promoting a restored server to replace the live one is a step of its own, guarded, in
ops/docs/backup-restore.md ("Replacing the live server").

The repository: run from the repository root against the local stack, .stack/pgbackrest/pgbackrest.conf
(rendered by the AppHost) names it and the stanza. Elsewhere:
  PGBACKREST_CONFIG        a pgBackRest configuration file holding the repository and one stanza
  PGBACKREST_STANZA        the stanza (default: the configuration file's only stanza)
  PGBACKREST_REPO1_*       the repository as the deployed server's archiving has it (type, path,
                           s3-bucket, s3-endpoint, s3-region, s3-key, s3-key-secret, cipher-type,
                           cipher-pass): the same parameters, read by pgBackRest itself
  PG_BIN                   PostgreSQL's bin directory (default: /usr/lib/postgresql/<backup's major>/bin)
  PITR_RECOVERY_TIMEOUT    seconds to wait for recovery to reach the target (default: 3600)

Run as root, pgBackRest and the restored server run as the postgres user.

Exit status: 0 when the target was reached, 1 on any failure (the server it started is stopped;
what was restored stays in DIR for inspection), 2 on a usage error.
EOF
}

PITR_CONFIG=""
PITR_STANZA=""
PGBACKREST=""
PITR_SERVER_STARTED=false
PITR_DATA_DIR=""
PITR_PG_BIN=""

# PostgreSQL refuses to run as root, and the repository's files belong to the server's user: as root, drop to it.
as_cluster_owner() {
  if ((EUID == 0)); then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

# pgBackRest on the repository and stanza found by pitr_repository_from_environment; errors on stderr only.
pgbackrest_cmd() {
  as_cluster_owner "$PGBACKREST" --config="$PITR_CONFIG" --stanza="$PITR_STANZA" --log-level-console=off --log-level-stderr=error "$@"
}

pitr_repository_from_environment() {
  PGBACKREST=$(command -v pgbackrest) || die "pgbackrest not found on PATH (apt-get install pgbackrest)"
  local stack_config=$PWD/.stack/pgbackrest/pgbackrest.conf
  if [[ -n ${PGBACKREST_CONFIG:-} ]]; then
    PITR_CONFIG=$PGBACKREST_CONFIG
    [[ -f $PITR_CONFIG ]] || die "PGBACKREST_CONFIG=$PITR_CONFIG does not exist"
  elif [[ -f $stack_config ]]; then
    PITR_CONFIG=$stack_config
  elif [[ -n ${PGBACKREST_REPO1_TYPE:-}${PGBACKREST_REPO1_PATH:-} ]]; then
    # Deployed: the repository comes from the PGBACKREST_REPO1_* variables alone, never from /etc/pgbackrest.conf.
    PITR_CONFIG=/dev/null
  else
    die "no pgBackRest repository: run from the repository root of a stack that has run (.stack/pgbackrest/pgbackrest.conf)," \
      "or set PGBACKREST_CONFIG, or the PGBACKREST_REPO1_* variables of the deployment (see --help)"
  fi
  PITR_STANZA=${PGBACKREST_STANZA:-}
  if [[ -z $PITR_STANZA && $PITR_CONFIG != /dev/null ]]; then
    [[ -r $PITR_CONFIG ]] || die "cannot read $PITR_CONFIG (it is the server user's, mode 600: run as root or as that user)"
    PITR_STANZA=$(grep -oE '^\[[^]]+\]' "$PITR_CONFIG" | tr -d '[]' | grep -vx global | head -n 1 || true)
  fi
  [[ -n $PITR_STANZA ]] || die "no stanza: $PITR_CONFIG names none; set PGBACKREST_STANZA"
}

# Sets PITR_INFO to the stanza's `pgbackrest info` and stops when the repository holds no usable backup.
pitr_read_repository() {
  PITR_INFO=$(step "reading the repository (pgbackrest info, stanza $PITR_STANZA, config $PITR_CONFIG)" pgbackrest_cmd info --output=json)
  local status
  status=$(jq -r '.[0].status | "\(.code)\t\(.message)"' <<<"$PITR_INFO")
  if [[ ${status%%$'\t'*} != 0 || $(jq '.[0].backup | length' <<<"$PITR_INFO") == 0 ]]; then
    die "no backup to recover from in stanza $PITR_STANZA (config $PITR_CONFIG): ${status#*$'\t'};" \
      "the backups service takes a full backup as soon as the stack's server is up"
  fi
}

epoch_to_utc() {
  date -u -d "@$1" '+%Y-%m-%d %H:%M:%S+00'
}

# The time the newest WAL segment was archived: the end of the recoverable range (its last commit is no later).
pitr_last_archived_epoch() {
  # The current archive id's folder (e.g. 15-1): S3 listings do not recurse from the stanza's folder.
  local archive_id
  archive_id=$(jq -r '.[0].archive[-1].id' <<<"$PITR_INFO")
  pgbackrest_cmd repo-ls --recurse --output=json "archive/$PITR_STANZA/$archive_id" |
    jq '[to_entries[] | select(.key | test("/[0-9A-F]{24}-[0-9a-f]{40}")) | .value.time] | max // empty'
}

pitr_list() {
  pitr_repository_from_environment
  pitr_read_repository
  local oldest_stop last_archived
  printf 'backups in stanza %s (%s)\n' "$PITR_STANZA" "$PITR_CONFIG"
  jq -r '.[0].backup[] | [.label, .type, .timestamp.start, .timestamp.stop, .info.size, .info.repository.delta] | @tsv' <<<"$PITR_INFO" |
    while IFS=$'\t' read -r label type start stop size stored; do
      printf '  %-34s %-5s %s to %s  %s bytes (%s stored)\n' "$label" "$type" "$(epoch_to_utc "$start")" "$(epoch_to_utc "$stop")" "$size" "$stored"
    done
  oldest_stop=$(jq '[.[0].backup[].timestamp.stop] | min' <<<"$PITR_INFO")
  last_archived=$(step "listing the archived WAL" pitr_last_archived_epoch)
  printf 'recoverable: from %s (end of the oldest backup) to %s (the newest archived WAL segment)\n' \
    "$(epoch_to_utc "$oldest_stop")" "$(epoch_to_utc "${last_archived:-$oldest_stop}")"
}

# A free TCP port on 127.0.0.1.
pitr_free_port() {
  local port
  for _ in {1..50}; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s' "$port"
      return
    fi
  done
  die "no free port found on 127.0.0.1"
}

# SQL on the restored server, over its socket in the data directory, as the postgres user (peer or trust).
pitr_sql() {
  as_cluster_owner "$PITR_PG_BIN/psql" --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1 \
    --host="$PITR_DATA_DIR" --port="$PITR_PORT" --username=postgres --dbname=postgres --command="$1"
}

pitr_stop_server() {
  if [[ $PITR_SERVER_STARTED == true ]]; then
    as_cluster_owner "$PITR_PG_BIN/pg_ctl" -D "$PITR_DATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
    PITR_SERVER_STARTED=false
  fi
}

pitr_restore() {
  local to_time="" to_latest=false port="" json=false
  PITR_DATA_DIR=""
  while (($# > 0)); do
    case $1 in
      --to-time)
        (($# > 1)) || usage_error "--to-time needs a time, e.g. '2026-12-05 16:00:00+00'"
        to_time=$2
        shift
        ;;
      --to-latest) to_latest=true ;;
      --data-dir)
        (($# > 1)) || usage_error "--data-dir needs a directory"
        PITR_DATA_DIR=$2
        shift
        ;;
      --port)
        (($# > 1)) || usage_error "--port needs a port number"
        port=$2
        shift
        ;;
      --json) json=true ;;
      -*) usage_error "unknown option for pitr: $1" ;;
      *) usage_error "unexpected argument for pitr: $1" ;;
    esac
    shift
  done
  [[ -n $to_time || $to_latest == true ]] || usage_error "give --to-time TIME or --to-latest"
  [[ -z $to_time || $to_latest == false ]] || usage_error "give --to-time or --to-latest, not both"
  [[ -n $PITR_DATA_DIR ]] || usage_error "give --data-dir DIR (absent or empty) for the restored cluster"
  [[ -z $port || ($port =~ ^[0-9]+$ && port -ge 1024 && port -le 65535) ]] || usage_error "--port must be a number from 1024 to 65535, not '$port'"
  local target_epoch=""
  if [[ -n $to_time ]]; then
    # Without an offset the restored server's time zone would decide, silently: an hour off is a different restore.
    [[ $to_time =~ ([+-][0-9]{2}(:?[0-9]{2})?|Z|UTC)$ ]] ||
      usage_error "--to-time '$to_time' has no UTC offset: write it as '2026-12-05 16:00:00+00'"
    target_epoch=$(date -u -d "$to_time" +%s 2>/dev/null) || usage_error "--to-time '$to_time' is not a time"
    ((target_epoch <= $(date +%s))) || usage_error "--to-time '$to_time' is in the future"
  fi
  # pg_ctl hands its options to a shell and the socket lives in DIR: keep the path plain.
  [[ $PITR_DATA_DIR =~ ^[A-Za-z0-9/._+-]+$ ]] || usage_error "--data-dir '$PITR_DATA_DIR': use letters, digits and / . _ + - only"
  PITR_DATA_DIR=$(realpath -m -- "$PITR_DATA_DIR")
  ((${#PITR_DATA_DIR} <= 80)) || usage_error "--data-dir '$PITR_DATA_DIR' is too long for the server's socket in it (80 characters at most)"
  if [[ -e $PITR_DATA_DIR ]]; then
    [[ -d $PITR_DATA_DIR ]] || die "$PITR_DATA_DIR exists and is not a directory: nothing was touched"
    [[ -z $(ls -A -- "$PITR_DATA_DIR") ]] || die "$PITR_DATA_DIR is not empty: restore into an absent or empty directory; nothing was touched"
  fi
  if [[ -n $port ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is taken (the live server?): choose another; nothing was touched"
  fi

  pitr_repository_from_environment
  pitr_read_repository
  local oldest_stop major
  oldest_stop=$(jq '[.[0].backup[].timestamp.stop] | min' <<<"$PITR_INFO")
  # pgBackRest records a backup's end in whole seconds and takes only a backup that ended before the target's second.
  if [[ -n $target_epoch ]] && ((target_epoch <= oldest_stop)); then
    die "--to-time $to_time is not after the end of the oldest backup ($(epoch_to_utc "$oldest_stop")): the earliest time one can recover to is the second after it (restore.sh pitr --list)"
  fi
  major=$(jq -r '.[0].db[-1].version' <<<"$PITR_INFO")
  PITR_PG_BIN=${PG_BIN:-/usr/lib/postgresql/$major/bin}
  [[ -x $PITR_PG_BIN/postgres ]] || die "the backups are of PostgreSQL $major, and $PITR_PG_BIN/postgres does not exist: install postgresql-$major or set PG_BIN"
  PITR_PORT=${port:-$(pitr_free_port)}

  local started_ms restored target_args=(--type=default) target_text=latest
  started_ms=$(now_ms)
  if [[ -n $to_time ]]; then
    target_args=(--type=time "--target=$to_time" --target-action=pause)
    target_text=$to_time
  fi
  mkdir -p -- "$PITR_DATA_DIR"
  ((EUID != 0)) || chown postgres:postgres -- "$PITR_DATA_DIR"
  chmod 700 -- "$PITR_DATA_DIR"
  trap pitr_stop_server EXIT
  say "restoring stanza $PITR_STANZA into $PITR_DATA_DIR (target: $target_text)"
  # --archive-mode=off: a restored copy must never push its WAL into the live server's repository.
  restored=$(step "pgbackrest restore into $PITR_DATA_DIR" as_cluster_owner "$PGBACKREST" --config="$PITR_CONFIG" --stanza="$PITR_STANZA" \
    --log-level-console=info --log-level-stderr=error --pg1-path="$PITR_DATA_DIR" --archive-mode=off "${target_args[@]}" restore)
  [[ $restored =~ backup\ set\ ([0-9]{8}-[0-9]{6}F(_[0-9]{8}-[0-9]{6}[DI])?) ]] || die "pgbackrest restore did not say which backup it restored: $restored"
  local label=${BASH_REMATCH[1]}

  # The restored server: loopback only, its socket in DIR, and during recovery at least the settings the primary
  # had where hot standby requires it (pg_control records them).
  local controldata settings pair value
  controldata=$(step "reading pg_control" as_cluster_owner "$PITR_PG_BIN/pg_controldata" -D "$PITR_DATA_DIR")
  settings=$'\n# Added by restore.sh pitr: a restored copy on loopback, apart from the live server.\n'
  settings+="port = $PITR_PORT"$'\n'"listen_addresses = '127.0.0.1'"$'\n'"unix_socket_directories = '$PITR_DATA_DIR'"$'\n'
  # pg_control's name:the setting's name.
  for pair in max_connections:max_connections max_worker_processes:max_worker_processes max_wal_senders:max_wal_senders \
    max_prepared_xacts:max_prepared_transactions max_locks_per_xact:max_locks_per_transaction; do
    value=$(sed -n "s/^${pair%%:*} setting: *//p" <<<"$controldata")
    [[ -z $value ]] || settings+="${pair#*:} = $value"$'\n'
  done
  printf '%s' "$settings" | as_cluster_owner tee -a "$PITR_DATA_DIR/postgresql.auto.conf" >/dev/null
  as_cluster_owner mkdir -p "$PITR_DATA_DIR/log"

  PITR_SERVER_STARTED=true
  step "starting the restored server on 127.0.0.1:$PITR_PORT (log: $PITR_DATA_DIR/log/restore.log)" \
    as_cluster_owner "$PITR_PG_BIN/pg_ctl" -D "$PITR_DATA_DIR" -l "$PITR_DATA_DIR/log/restore.log" -t 600 -w start >/dev/null
  local deadline=$(($(date +%s) + ${PITR_RECOVERY_TIMEOUT:-3600})) state=""
  while :; do
    if ! as_cluster_owner "$PITR_PG_BIN/pg_ctl" -D "$PITR_DATA_DIR" status >/dev/null 2>&1; then
      PITR_SERVER_STARTED=false
      die "the restored server stopped before reaching the target (a time after the newest archived WAL needs --to-latest):" \
        "$(grep -E 'FATAL|PANIC|last completed transaction|redo done' "$PITR_DATA_DIR/log/restore.log" | tail -n 4)"
    fi
    state=$(pitr_sql "select case when pg_is_in_recovery() then 'true|' || pg_get_wal_replay_pause_state() else 'false|' end" 2>/dev/null || true)
    [[ $state != "false|"* && $state != "true|paused" ]] || break
    (($(date +%s) < deadline)) || die "recovery did not reach the target within ${PITR_RECOVERY_TIMEOUT:-3600} s (last state: ${state:-not accepting connections})"
    sleep 0.2
  done
  local last_replayed duration
  last_replayed=$(step "reading the last replayed transaction" pitr_sql "select coalesce(pg_last_xact_replay_timestamp()::text, 'none')")
  duration=$(format_ms $(($(now_ms) - started_ms)))
  local server="stopped (start it with: pg_ctl -D $PITR_DATA_DIR start)" state_text="recovery ended (new timeline)"
  [[ $state != "true|paused" ]] || state_text="paused at the target, read-only (pg_wal_replay_resume() ends recovery)"
  if [[ -n $port ]]; then
    server="running on 127.0.0.1:$PITR_PORT, $state_text"
    PITR_SERVER_STARTED=false
  else
    pitr_stop_server
  fi
  trap - EXIT
  if [[ $json == true ]]; then
    jq -cn --arg backup "$label" --arg target "$target_text" --arg replayed "$last_replayed" --arg dir "$PITR_DATA_DIR" \
      --arg server "$server" --argjson duration "$duration" --argjson port "${port:-null}" \
      '{status: "ok", backup: $backup, target: $target, last_replayed_transaction: $replayed, data_dir: $dir,
        port: $port, server: $server, duration_seconds: $duration}'
  else
    printf 'pitr restore ok\n  backup          %s\n  target          %s\n  last replayed   %s (commit time of the last transaction replayed)\n  data directory  %s\n  server          %s\n  duration        %ss\n' \
      "$label" "$target_text" "$last_replayed" "$PITR_DATA_DIR" "$server" "$duration"
  fi
}

pitr_main() {
  case ${1:-} in
    --list)
      (($# == 1)) || usage_error "pitr --list takes no other argument"
      pitr_list
      ;;
    -h | --help) pitr_usage ;;
    *) pitr_restore "$@" ;;
  esac
}
