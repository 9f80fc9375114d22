#!/usr/bin/env bash
# Changes the password of the role the connection logs in as (ALTER ROLE), then proves the change: the new
# password logs in and the old one is refused. Neither password is printed or put on a command line.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib/messages.sh
source "$SCRIPT_DIR/lib/messages.sh"
# shellcheck source=SCRIPTDIR/lib/postgres.sh
source "$SCRIPT_DIR/lib/postgres.sh"

usage() {
  cat <<'EOF_USAGE'
Usage: rotate-postgres-password.sh [--help]

Sets a new password on the role the connection below logs in as, with ALTER ROLE, then checks that
the new password logs in and that the old one is refused. Connections already open keep working
(PostgreSQL checks a password only when a connection starts): restart or redeploy the API with the
new password right after this, as ops/docs/secret-rotation.md orders it.

EOF_USAGE
  pg_connection_usage "Connection, with the CURRENT password" "psql"
  cat <<'EOF_USAGE'

New password:
  NEW_PGPASSWORD           the password to set (for example from `openssl rand -hex 24`); it goes to
                           psql through its environment and reaches the server inside the ALTER ROLE
                           statement, whose logging is switched off for the session when the role may

Flags:
  --help                   this text

Exit status: 0 when the new password logs in and the old one is refused, 1 on any failure,
2 on a usage error.
EOF_USAGE
}

if (($# > 0)); then
  case $1 in
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
fi

[[ -n ${NEW_PGPASSWORD:-} ]] || usage_error "NEW_PGPASSWORD is not set: it holds the password to set"
NEW_PASSWORD=$NEW_PGPASSWORD
SECRETS+=("$NEW_PASSWORD")
export -n NEW_PGPASSWORD
pg_connection_from_environment
OLD_PASSWORD=${PGPASSWORD:-}
[[ -n $OLD_PASSWORD ]] ||
  usage_error "no current password: give it in DATABASE_URL or PGPASSWORD (the script proves it is refused afterwards)"
[[ $NEW_PASSWORD != "$OLD_PASSWORD" ]] || usage_error "NEW_PGPASSWORD is the current password: nothing to rotate"
PSQL=$(pg_tool psql)

ROLE=$(step "connecting to $PG_DISPLAY_TARGET with the current password" pg_sql "$PG_DBNAME" 'select current_user')

# The statement carries the password: a superuser (the deployment's postgres role) keeps it out of the server
# log. The password is read from psql's environment, so it is never a command-line argument.
alter_password() {
  ROTATION_PASSWORD=$NEW_PASSWORD "$PSQL" --no-password --no-psqlrc --quiet --set=ON_ERROR_STOP=1 \
    --dbname="$PG_DBNAME" <<'SQL'
\getenv new_password ROTATION_PASSWORD
select rolsuper as superuser from pg_roles where rolname = current_user \gset
\if :superuser
set log_statement = 'none';
set log_min_error_statement = 'panic';
set log_min_duration_statement = -1;
\endif
alter role current_user password :'new_password';
SQL
}
step "setting the new password of role $ROLE" alter_password
say "role $ROLE has its new password; connections already open keep working"

PGPASSWORD=$NEW_PASSWORD step "logging in with the new password" pg_sql "$PG_DBNAME" 'select 1' >/dev/null
refused=$(mktemp)
trap 'rm -f -- "$refused"' EXIT
if PGPASSWORD=$OLD_PASSWORD pg_sql "$PG_DBNAME" 'select 1' >/dev/null 2>"$refused"; then
  die "the old password still logs in: the server does not check passwords for this connection (pg_hba.conf trust?), so rotating it protects nothing"
fi
grep -q 'password authentication failed' "$refused" ||
  die "the old password was not refused as a wrong password: $(tail -n 3 "$refused")"
say "checked: the new password logs in, the old one is refused"
printf 'rotated %s on %s\n' "$ROLE" "$PG_DISPLAY_TARGET"
