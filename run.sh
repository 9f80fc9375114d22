#!/usr/bin/env bash
# Runs the whole stack: API, PostgreSQL, Prometheus, blackbox probe (and Grafana with Docker/Podman), plus the
# Aspire dashboard at http://localhost:18888. Extra arguments go to the AppHost, e.g. ./run.sh --stack containers
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ops/scripts/prerequisites.sh stack
exec dotnet run --project TrainingPlatform.AppHost -- "$@"
