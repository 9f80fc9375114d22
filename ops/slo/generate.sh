#!/usr/bin/env bash
# Writes every file generated from ops/slo/slos.yaml (see ops/slo/README.md): the SLO rules, alerts and promtool
# cases, the generated parts of ops/docs/slos.md and runbooks.md, the release gate's list, the Grafana SLO dashboard
# and the Prometheus SLO console page. --check writes nothing and exits 1 if a committed file is stale.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)

case ${1-} in
  -h | --help)
    cat <<'USAGE'
Usage: ops/slo/generate.sh [--check]

Reads ops/slo/slos.yaml and writes the files generated from it (listed in ops/slo/README.md).
  --check   write nothing; list the committed files that differ from what the spec generates, exit 1 if any
  --help    this text
Needs the .NET SDK (it builds and runs TrainingPlatform.Slo). Exit status: 0 done (or up to date), 1 a stale file
or an invalid spec (the message says where), 2 a usage error.
USAGE
    exit 0
    ;;
  "" | --check) ;;
  *)
    printf 'generate.sh: unknown argument: %s (see --help)\n' "$1" >&2
    exit 2
    ;;
esac
command -v dotnet >/dev/null || { printf 'generate.sh: error: dotnet not found (install the .NET 10 SDK)\n' >&2; exit 1; }

exec dotnet run --project "$ROOT/TrainingPlatform.Slo" -c Release -v quiet -- --root "$ROOT" "$@"
