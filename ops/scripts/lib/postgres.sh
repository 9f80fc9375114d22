# shellcheck shell=bash
# PostgreSQL helpers shared by ops/scripts and ops/bench: running SQL, the pg tools, the schema version, and the
# connection of the ops scripts (DATABASE_URL or the libpq PG* variables).
# The password never goes on a command line (where `ps` and /proc/*/cmdline show it): it is taken out of the URL,
# decoded exactly as libpq decodes it, handed to the tools in PGPASSWORD and registered as a secret; the URL the
# tools receive carries no password and libpq parses the rest of it.

# shellcheck disable=SC2034 # both are read by the scripts that source this file
PG_DBNAME=""         # what the tools get as --dbname: the URL without its password, or a database name
PG_DISPLAY_TARGET="" # what messages show: the URL with its password masked, or host:port/database

# pg_connection_usage HEADING TOOLS: the help text's paragraph on the connection, for scripts that take it from
# the environment (pg_connection_from_environment).
pg_connection_usage() {
  cat <<EOF
$1 (libpq):
  DATABASE_URL             postgresql://user:password@host:port/database (password is never printed
                           nor put on a command line; percent-encode its reserved characters,
                           e.g. '/' as %2F, '@' as %40, '%' as %25)
  PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE
                           used when DATABASE_URL is not set
  PG_BIN                   directory of $2 (default: from PATH)
EOF
}

# pg_sql DATABASE SQL: runs SQL (stops at the first error), prints unaligned tuples. DATABASE is a name or a URL.
pg_sql() {
  "${PSQL:-psql}" --no-password --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1 \
    --dbname="$1" --command="$2"
}

# Sets the variable named $2 to $1 decoded as libpq decodes URI parts: each %XX becomes the byte XX, nothing
# else changes ('+' stays '+', a backslash stays a backslash). Returns 1 on a '%' not followed by two hex
# digits and 2 on %00, both of which libpq rejects.
pg_uri_decode() {
  local value=$1
  [[ ! $value =~ %([^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|[0-9A-Fa-f]?$) ]] || return 1
  [[ $value != *%00* ]] || return 2
  value=${value//\\/\\\\}
  printf -v "$2" '%b' "${value//%/\\x}"
}

# The refusal of a DATABASE_URL whose password or user name libpq would misread; never shows the URL.
pg_url_error() {
  die "DATABASE_URL: $1 (the URL is not shown: it holds a password)"
}

# Takes the password out of URL part $1 (named $2 in messages) into PGPASSWORD.
pg_password_from_url() {
  local decoded=""
  SECRETS+=("$1")
  pg_uri_decode "$1" decoded || case $? in
    1) pg_url_error "the $2 has a '%' that is not followed by two hex digits: percent-encode '%' as %25" ;;
    *) pg_url_error "the $2 contains %00, which libpq refuses" ;;
  esac
  if [[ -n $decoded ]]; then
    PGPASSWORD=$decoded
    SECRETS+=("$PGPASSWORD")
  fi
}

# Reads DATABASE_URL or PG* into PG_DBNAME / PGPASSWORD / PG_DISPLAY_TARGET. The URL is split where libpq
# splits it (postgresql://[user[:password]@][hosts][/database][?key=value&...]: the credentials end at the
# first '@' met before any '/'), and a URL libpq would misread is refused with the fix.
pg_connection_from_environment() {
  if [[ -n ${PGPASSWORD:-} ]]; then
    SECRETS+=("$PGPASSWORD")
  fi
  if [[ -z ${DATABASE_URL:-} ]]; then
    PG_DBNAME=${PGDATABASE:-${PGUSER:-${USER:-postgres}}}
    PG_DISPLAY_TARGET="${PGHOST:-local socket}:${PGPORT:-5432}/$PG_DBNAME"
    return
  fi

  local url=$DATABASE_URL
  SECRETS+=("$url")
  # Child processes get the password in PGPASSWORD only, not the whole URL.
  export -n DATABASE_URL
  [[ $url =~ ^(postgres|postgresql):// ]] || pg_url_error "must start with postgresql:// or postgres://"
  local scheme=${url%%://*}:// rest=${url#*://}
  local credentials=${rest%%[@/]*} user="" masked=""
  if [[ ${rest:${#credentials}:1} == @ ]]; then
    rest=${rest:${#credentials}+1}
    user=${credentials%%:*}
    masked=$user
    if [[ $credentials == *:* ]]; then
      pg_password_from_url "${credentials#*:}" password
      masked+=":***"
    fi
    user+=@
    masked+=@
  elif [[ $rest == */*@* ]]; then
    local path=${rest#*/}
    path=${path%%\?*}
    # An '@' after a '/' in the database name, or after credentials that are no host list: libpq would read
    # the start of the password as a host.
    if [[ $path == *@* || ! $credentials =~ ^(\[[^]]*\]|[^:,[]*)(:[0-9]*)?(,(\[[^]]*\]|[^:,[]*)(:[0-9]*)?)*$ ]]; then
      pg_url_error "a '/' in the password or user name must be percent-encoded as %2F (and '@' as %40, ':' in the user name as %3A)"
    fi
  fi
  local hosts=${rest%%[/?]*}
  [[ $hosts != *@* ]] || pg_url_error "an '@' in the password or user name must be percent-encoded as %40"
  local tail=${rest:${#hosts}}

  # A password given as a query parameter moves to PGPASSWORD as well; libpq decodes keys too.
  if [[ $tail == *\?* ]]; then
    local path=${tail%%\?*} param key
    local -a params=() kept=()
    IFS='&' read -ra params <<<"${tail#*\?}"
    for param in "${params[@]}"; do
      [[ $param =~ ^[^=]+=[^=]*$ ]] ||
        pg_url_error "each query parameter must be key=value: percent-encode '&' as %26 and '=' as %3D inside values"
      pg_uri_decode "${param%%=*}" key || pg_url_error "a query parameter name has an invalid '%'"
      if [[ $key == password ]]; then
        pg_password_from_url "${param#*=}" "password parameter"
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
  PG_DBNAME="$scheme$user$hosts$tail"
  PG_DISPLAY_TARGET="$scheme$masked$hosts$tail"
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

# Sets SCHEMA_VERSION to the FluentMigrator schema version, or "none" for a database without a version table.
# A failing query stops the script: a variable is set rather than printed, so no command substitution hides it.
pg_schema_version() {
  local has_table
  has_table=$(step "checking for the schema version table" pg_sql "$PG_DBNAME" \
    "select to_regclass('public.\"VersionInfo\"') is not null")
  SCHEMA_VERSION=none
  if [[ $has_table == t ]]; then
    SCHEMA_VERSION=$(step "reading the schema version" pg_sql "$PG_DBNAME" 'select max("Version") from public."VersionInfo"')
    SCHEMA_VERSION=${SCHEMA_VERSION:-none}
  fi
}

# Stops unless pg_dump ($1) is at least the server's major version: an older pg_dump refuses a newer server (or,
# across some versions, makes a dump that does not restore) without naming the fix. An older server is fine.
pg_dump_supports_server() {
  local version client server
  version=$(step "reading the pg_dump version" "$1" --version)
  [[ $version =~ \)\ ([0-9]+) ]] || die "cannot read the major version from '$version' ($1 --version)"
  client=${BASH_REMATCH[1]}
  server=$(step "reading the server version" pg_sql "$PG_DBNAME" 'show server_version_num')
  server=$((server / 10000))
  ((server <= client)) ||
    die "pg_dump $client cannot back up a PostgreSQL $server server: install postgresql-client-$server and set PG_BIN to its bin directory (/usr/lib/postgresql/$server/bin), or run the backups image, built for the deployed server (ops/backups/Dockerfile)"
}
