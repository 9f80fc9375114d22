#!/usr/bin/env bash
# The performance measurements of ops/docs/performance.md, in one command. Loopback only; every load run is
# bounded in time; everything started here is stopped here.
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$BENCH_DIR/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib/load.sh
source "$BENCH_DIR/lib/load.sh"
# shellcheck source=SCRIPTDIR/../scripts/lib/postgres.sh
source "$REPO_ROOT/ops/scripts/lib/postgres.sh"
# shellcheck source=SCRIPTDIR/lib/postgres.sh
source "$BENCH_DIR/lib/postgres.sh"
# shellcheck source=SCRIPTDIR/lib/benchmarkdotnet.sh
source "$BENCH_DIR/lib/benchmarkdotnet.sh"
# shellcheck source=SCRIPTDIR/lib/middleware.sh
source "$BENCH_DIR/lib/middleware.sh"
# shellcheck source=SCRIPTDIR/lib/pipeline.sh
source "$BENCH_DIR/lib/pipeline.sh"
# shellcheck source=SCRIPTDIR/lib/api.sh
source "$BENCH_DIR/lib/api.sh"
# shellcheck source=SCRIPTDIR/lib/scrape.sh
source "$BENCH_DIR/lib/scrape.sh"
# shellcheck source=SCRIPTDIR/lib/backup-restore.sh
source "$BENCH_DIR/lib/backup-restore.sh"
# shellcheck source=SCRIPTDIR/lib/session.sh
source "$BENCH_DIR/lib/session.sh"
# shellcheck source=SCRIPTDIR/lib/memory.sh
source "$BENCH_DIR/lib/memory.sh"
# shellcheck source=SCRIPTDIR/lib/list.sh
source "$BENCH_DIR/lib/list.sh"
# shellcheck source=SCRIPTDIR/lib/learner.sh
source "$BENCH_DIR/lib/learner.sh"

readonly ALL_MEASUREMENTS="middleware,pipeline,api,list,learner,scrape,backup,memory,session"

usage() {
  cat <<'TXT'
Usage: ops/bench/run.sh [--quick] [--only LIST] [--out DIR] [--help]

Builds the benchmarks and the API in Release, runs the measurements and prints one line per measurement:
  summary <measurement>: <figures>
Details (wrk output, BenchmarkDotNet reports, Markdown tables, logs) go to the output folder.

Measurements (default: all, in this order):
  middleware  BenchmarkDotNet: ns and bytes per request of the audit middleware, with and without the JSON
              access log, against no middleware and prometheus-net's UseHttpMetrics()
  pipeline    wrk on GET /hello in hosts: bare, promnet, audit, defaults, defaults-quiet, promnet-stock
  api         the real API on a private Postgres: course list (4, 32 and 128 connections), one course,
              enrollment writes, token (KDF)
  list        the anonymous course list at 4, 32 and 128 connections in API variants side by side: with and
              without its output cache, Npgsql's default pool, and an older build (BENCH_BASELINE_API)
  learner     a signed-in learner on the real API (/auth/me, a course, its lessons, 10 enrollments; enroll,
              complete a lesson) against pgbench -S on the same server, with statements per request, and
              the cold-start curve of a fresh process (requests/s in each of its first 10 s after /healthz)
  scrape      /metrics time and size with about 5,000 live series
  backup      ops/scripts/backup.sh and restore.sh against plain pg_dump -Fc and pg_restore
  memory      the API's resident memory while 100 slow readers download one 10 MB material
  session     BenchmarkDotNet: ns and bytes per request of JWT bearer authentication with and without the
              session check (answered from the cache, and by a lookup on a private Postgres)

Options:
  --quick       CI-sized: short BenchmarkDotNet job, 1 round of 5 s per variant, 3 pipeline hosts,
                a 50 MB database for backup, 20 readers for 5 s for memory (about 2 minutes)
  --only LIST   comma-separated measurements from the list above
  --out DIR     output folder (default: a new temporary folder, printed at the end)
  --no-build    use the Release build already there (./test.sh builds the solution before any test runs);
                learner then runs the published API if a publish is there, else the build output
  --help        this text

Environment (defaults full / quick):
  BENCH_ROUNDS        rounds of interleaved load runs (3 / 1)
  BENCH_SECONDS       seconds per load run (15 / 5)
  BENCH_WARM_SECONDS  seconds of each warm-up load run before measuring, 0 for none (5 / 2)
  BENCH_CONNECTIONS   wrk connections (32)
  BENCH_BACKUP_MB     generated rows for backup, in MB (1100 / 50)
  BENCH_CONNECTION_EXTRA  appended to the API's connection string (e.g. ";Maximum Pool Size=100")
  BENCH_API_ENV       extra NAME=VALUE settings for the API, space-separated (e.g. Courses__ListCacheSeconds=0)
  BENCH_READERS       concurrent slow readers for memory (100 / 20)
  BENCH_BASELINE_API  folder of an older API build to compare in list and learner (e.g. another checkout's
                      TrainingPlatform.Api/bin/Release/net10.0); learner runs it beside this build on every path
  BENCH_BASELINE_BENCHMARKS  folder of an older benchmarks build whose audit and defaults hosts join pipeline
                      as audit-baseline and defaults-baseline (another checkout's
                      TrainingPlatform.Benchmarks/bin/Release/net10.0)
  BENCH_LEARNER_API   folder of the API build learner measures (default: this checkout's publish)

Needs: dotnet, wrk, curl, jq, pgbench, PostgreSQL server binaries (/usr/lib/postgresql/*/bin), pg_dump/pg_restore.
Exit status: 0 when every measurement ran, 1 when one failed, 2 on a usage error.
TXT
}

QUICK=false
BUILD=true
ONLY=$ALL_MEASUREMENTS
OUT=""
while (($# > 0)); do
  case $1 in
    --quick) QUICK=true ;;
    --no-build) BUILD=false ;;
    --only)
      (($# > 1)) || { echo "error: --only needs a list" >&2; exit 2; }
      ONLY=$2
      shift
      ;;
    --out)
      (($# > 1)) || { echo "error: --out needs a folder" >&2; exit 2; }
      OUT=$2
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) echo "error: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

IFS=, read -r -a MEASUREMENTS <<<"$ONLY"
for measurement in "${MEASUREMENTS[@]}"; do
  [[ ,$ALL_MEASUREMENTS, == *,"$measurement",* ]] || { echo "error: unknown measurement: $measurement (see --help)" >&2; exit 2; }
done

if $QUICK; then
  ROUNDS=${BENCH_ROUNDS:-1}
  RUN_SECONDS=${BENCH_SECONDS:-5}
  WARM_SECONDS=${BENCH_WARM_SECONDS:-2}
  BACKUP_MB=${BENCH_BACKUP_MB:-50}
else
  ROUNDS=${BENCH_ROUNDS:-3}
  RUN_SECONDS=${BENCH_SECONDS:-15}
  WARM_SECONDS=${BENCH_WARM_SECONDS:-5}
  BACKUP_MB=${BENCH_BACKUP_MB:-1100}
fi
CONNECTIONS=${BENCH_CONNECTIONS:-32}
[[ $WARM_SECONDS =~ ^[0-9]+$ ]] || { echo "error: BENCH_WARM_SECONDS must be a whole number of seconds (0 for no warm-up): $WARM_SECONDS" >&2; exit 2; }

for tool in dotnet wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required (ops/scripts/prerequisites.sh test installs it)" >&2; exit 1; }
done

OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/tp-bench.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BENCH_BIN="$REPO_ROOT/TrainingPlatform.Benchmarks/bin/Release/net10.0"
API_BIN="$REPO_ROOT/TrainingPlatform.Api/bin/Release/net10.0"
# The API as it ships (dotnet publish: ReadyToRun), for the learner measurement.
API_PUBLISHED="$REPO_ROOT/TrainingPlatform.Api/bin/Release/publish"

# shellcheck disable=SC2317 # called by the EXIT trap of each measurement
cleanup() {
  stop_started_processes
  postgres_stop
}

# Each measurement runs in a subshell of its own, with errexit in force and its own cleanup on any exit.
run_measurement() {
  set -e
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  "measure_$1"
}

# shellcheck disable=SC2317 # called by the measurement files
progress() {
  echo "  $*" >&2
}

if [[ $BUILD == true ]]; then
  echo "building Release (log: $OUT/build.log)" >&2
  dotnet build "$REPO_ROOT/TrainingPlatform.Benchmarks" -c Release >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; exit 1; }
  if [[ ,$ONLY, == *,api,* || ,$ONLY, == *,list,* || ,$ONLY, == *,learner,* || ,$ONLY, == *,backup,* || ,$ONLY, == *,memory,* ]]; then
    dotnet build "$REPO_ROOT/TrainingPlatform.Api" -c Release >>"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; exit 1; }
  fi
  if [[ ,$ONLY, == *,learner,* ]]; then
    dotnet publish "$REPO_ROOT/TrainingPlatform.Api" -c Release -o "$API_PUBLISHED" >>"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; exit 1; }
  fi
fi

failed=0
for measurement in "${MEASUREMENTS[@]}"; do
  echo "measuring $measurement" >&2
  set +e
  (run_measurement "$measurement") >"$OUT/$measurement.summary"
  status=$?
  set -e
  cat "$OUT/$measurement.summary"
  cat "$OUT/$measurement.summary" >>"$OUT/summary.txt"
  if ((status != 0)); then
    echo "error: measurement $measurement failed (details in $OUT)" >&2
    failed=1
  fi
done
echo "details: $OUT" >&2
exit "$failed"
