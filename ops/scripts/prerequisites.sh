#!/usr/bin/env bash
# Installs what the stack or the test suite needs and this machine lacks (Debian/Ubuntu, as root),
# or stops with a message saying exactly what to install.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: ops/scripts/prerequisites.sh stack|test

  stack  what ./run.sh needs (ops/prerequisites.tsv): .NET SDK, PostgreSQL, prometheus, blackbox exporter,
         alertmanager and amtool, haproxy, redis-server, jq and age (the backup scripts), smtp4dev (.NET tool)
  test   what ./test.sh needs: the above plus awscli, shellcheck, chromium, wrk, node tools (ops/tools/package.json)

Installs missing Debian packages with apt-get when run as root; otherwise prints the command to run.
TXT
}

case "${1:-}" in
  stack | test) purpose=$1 ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

command -v dotnet >/dev/null || {
  echo "error: the .NET 10 SDK is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
}

# ops/prerequisites.tsv lists every program with its Debian package and whether the stack or only the tests need
# it; TrainingPlatform.Hosting reads the same table for its missing-program messages.
# A program is present on PATH, as an absolute path, or (PostgreSQL's server) in /usr/lib/postgresql/*/bin.
present() {
  local program=$1
  if [[ $program == /* ]]; then
    [[ -x $program ]]
  else
    command -v "$program" >/dev/null || compgen -G "/usr/lib/postgresql/*/bin/$program" >/dev/null
  fi
}

missing=()
dotnet_tools=()
while IFS=$'\t' read -r program package needed_by; do
  [[ -z $program || $program == \#* ]] && continue
  [[ $needed_by == stack || $purpose == test ]] || continue
  if [[ $package == dotnet-tool:* ]]; then
    dotnet_tools+=("${package#dotnet-tool:}")
  else
    present "$program" || missing+=("$package")
  fi
done <"$root_dir/ops/prerequisites.tsv"

if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "error: missing packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

tools=$root_dir/ops/tools
# npm records what it installed; a lock file newer than that record means the pinned tools changed.
if [[ $purpose == test && ( ! -f $tools/node_modules/.package-lock.json || $tools/package-lock.json -nt $tools/node_modules/.package-lock.json ) ]]; then
  echo "Installing node tools into ops/tools (s3rver, playwright-core, openapi-schema-validator)"
  npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error >/dev/null
fi

# .NET tools, global (~/.dotnet/tools, where TrainingPlatform.Hosting looks too), at exactly the pinned version.
for tool in "${dotnet_tools[@]}"; do
  id=${tool%@*}
  version=${tool#*@}
  if ! dotnet tool list --global | awk -v id="${id,,}" -v version="$version" 'tolower($1) == id && $2 == version { found = 1 } END { exit !found }'; then
    echo "Installing the .NET tool $id $version"
    dotnet tool uninstall --global "$id" >/dev/null 2>&1 || true
    dotnet tool install --global "$id" --version "$version" >/dev/null
  fi
done
