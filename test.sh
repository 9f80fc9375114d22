#!/usr/bin/env bash
# Runs every test: installs what the tests need, builds with zero warnings allowed (a whole run also builds the
# previous release's API, for the rollback rehearsal), runs the suite against real PostgreSQL, Prometheus, promtool,
# s3rver, awscli and Chromium, and ends with one line "N passed, N failed"
# (", N skipped" when some are). A test that was discovered but reported no result (a crashed or aborted test host,
# the session timeout) counts as failed, and a run that exits non-zero never says "0 failed".
#
# Usage: ./test.sh [--project PATH] [dotnet test arguments, e.g. --filter ...]
#   --project PATH             a test project or solution other than TrainingPlatform.sln (the tests of this script)
#   TEST_RESULTS_DIR           where the trx and the discovered-test list go (default: TestResults)
#   TEST_SESSION_TIMEOUT_MS    the whole run's time limit (default: 3600000)
#   TMPDIR                     where the run's own temporary folder is made (default: /tmp); it is removed at the end
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ops/scripts/prerequisites.sh test

project=TrainingPlatform.sln
if [[ ${1:-} == --project ]]; then
  project=$2
  shift 2
fi
# Every temporary file of the run (the test PostgreSQL clusters, stores, scratch folders of every test) goes into one
# folder of its own, removed when the run ends however it ends: nothing of a run is left in /tmp.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/tp-run-XXXXXX")
trap 'rm -rf "$run_tmp"' EXIT
# Stopped by a signal, the script still exits through its EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM
# The test PostgreSQL runs as the postgres user, which must reach its cluster inside.
chmod 755 "$run_tmp"
export TMPDIR=$run_tmp

results=${TEST_RESULTS_DIR:-TestResults}
rm -rf "$results"
mkdir -p "$results"
summary() { python3 TrainingPlatform.Tests/Runner/summary.py "$results/tests.trx" "$results/discovered.txt" "$1"; }

if ! dotnet build "$project" -c Release -warnaserror -nologo -clp:ErrorsOnly; then
  echo "note: the build failed, so no test ran"
  echo "0 passed, 1 failed"
  exit 1
fi
# The previous release's API (Release/PreviousReleaseTests) is built now as well: no build happens during the test run.
# Only for a whole run of the suite; a failure (a shallow clone) is left for that test to report.
if [[ $project == TrainingPlatform.sln && $# -eq 0 ]]; then
  if TrainingPlatform.Tests/Release/build-previous-release.sh "$run_tmp/previous-release" >"$run_tmp/previous-release.log" 2>&1; then
    export TP_PREVIOUS_RELEASE_DIR=$run_tmp/previous-release
  else
    echo "note: the previous release did not build here; PreviousReleaseTests will build it and say why"
  fi
fi
# What should run, to tell afterwards what did not.
dotnet test "$project" -c Release --no-build --list-tests "$@" >"$results/discovered.txt" 2>&1 || rm -f "$results/discovered.txt"
status=0
dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" "$@" -- RunConfiguration.TestSessionTimeout="${TEST_SESSION_TIMEOUT_MS:-3600000}" || status=$?
# A run that counts a failure (nothing discovered, say) exits non-zero even where dotnet test did not.
if ! summary "$status" && ((status == 0)); then
  status=1
fi
exit "$status"
