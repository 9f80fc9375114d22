# shellcheck shell=bash
# The database connection for the ops scripts: DATABASE_URL or the libpq PG* variables, and the pg tools.
# The password never goes on a command line (where `ps` shows it): it is moved into PGPASSWORD and
# registered as a secret, and the URL the tools receive carries no password.

# shellcheck disable=SC2034 # both are read by the scripts that source this file
PG_DBNAME=""        # what the tools get as --dbname: the URL without its password, or a database name
PG_DISPLAY_TARGET="" # what messages show: the URL with its password masked, or host:port/database

percent_decode() {
  local s=${1//+/ }
  printf '%b' "${s//%/\\x}"
}

# Reads DATABASE_URL or PG* into PG_DBNAME / PGPASSWORD / PG_DISPLAY_TARGET.
pg_connection_from_environment() {
  if [[ -n ${PGPASSWORD:-} ]]; then
    SECRETS+=("$PGPASSWORD")
  fi
  if [[ -z ${DATABASE_URL:-} ]]; then
    PG_DBNAME=${PGDATABASE:-${PGUSER:-${USER:-postgres}}}
    # shellcheck disable=SC2034
    PG_DISPLAY_TARGET="${PGHOST:-local socket}:${PGPORT:-5432}/$PG_DBNAME"
    return
  fi

  local url=$DATABASE_URL
  if [[ ! $url =~ ^(postgres|postgresql):// ]]; then
    SECRETS+=("$url")
    die "DATABASE_URL must start with postgresql:// or postgres://"
  fi
  local scheme=${url%%://*}:// rest=${url#*://}
  local authority=${rest%%[/?]*}
  local tail=${rest:${#authority}}
  local host_part=$authority userinfo="" user password
  if [[ $authority == *@* ]]; then
    userinfo=${authority%@*}
    host_part=${authority##*@}
  fi
  if [[ $userinfo == *:* ]]; then
    user=${userinfo%%:*}
    password=${userinfo#*:}
    SECRETS+=("$password")
    PGPASSWORD=$(percent_decode "$password")
    SECRETS+=("$PGPASSWORD")
    userinfo=$user
  fi
  # A password given as a query parameter moves to PGPASSWORD as well.
  if [[ $tail == *\?* ]]; then
    local path=${tail%%\?*} query=${tail#*\?} param
    local -a params=() kept=()
    IFS='&' read -ra params <<<"$query"
    for param in "${params[@]}"; do
      if [[ $param == password=* ]]; then
        password=${param#password=}
        SECRETS+=("$password")
        PGPASSWORD=$(percent_decode "$password")
        SECRETS+=("$PGPASSWORD")
      else
        kept+=("$param")
      fi
    done
    tail=$path
    if ((${#kept[@]} > 0)); then
      tail+="?$(IFS='&'; printf '%s' "${kept[*]}")"
    fi
  fi
  export PGPASSWORD
  PG_DBNAME="$scheme${userinfo:+$userinfo@}$host_part$tail"
  # shellcheck disable=SC2034
  PG_DISPLAY_TARGET="$scheme${userinfo:+$userinfo${password+:***}@}$host_part$tail"
}

# The path of a pg tool: from PG_BIN when set, else from PATH.
pg_tool() {
  local tool=$1 path
  if [[ -n ${PG_BIN:-} ]]; then
    path=$PG_BIN/$tool
    [[ -x $path ]] || die "$tool not found in PG_BIN=$PG_BIN"
  else
    path=$(command -v "$tool") || die "$tool not found on PATH (install postgresql-client, or set PG_BIN)"
  fi
  printf '%s' "$path"
}

pg_query() {
  "$PSQL" --no-password --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1 \
    --dbname="$PG_DBNAME" --command="$1"
}

# The FluentMigrator schema version, or "none" for a database without a version table.
pg_schema_version() {
  local has_table version
  has_table=$(step "checking for the schema version table" pg_query \
    "select to_regclass('public.\"VersionInfo\"') is not null")
  if [[ $has_table != t ]]; then
    printf 'none'
    return
  fi
  version=$(step "reading the schema version" pg_query 'select max("Version") from public."VersionInfo"')
  printf '%s' "${version:-none}"
}
