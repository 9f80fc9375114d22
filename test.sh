#!/usr/bin/env bash
# Runs every test: installs what the tests need, builds with zero warnings allowed, runs the suite against real
# PostgreSQL, Prometheus, promtool, s3rver, awscli and Chromium, and ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ops/scripts/prerequisites.sh test

results=TestResults
rm -rf "$results"
dotnet build TrainingPlatform.sln -c Release -warnaserror -nologo -clp:ErrorsOnly
status=0
dotnet test TrainingPlatform.sln -c Release --no-build --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" -- RunConfiguration.TestSessionTimeout=3600000 || status=$?

python3 - "$results/tests.trx" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    counters = ET.parse(sys.argv[1]).getroot().find('.//{*}ResultSummary/{*}Counters')
    passed, failed = int(counters.get('passed')), int(counters.get('failed')) + int(counters.get('error', 0)) + int(counters.get('timeout', 0))
except (OSError, ET.ParseError, AttributeError):
    passed, failed = 0, 1
print(f"{passed} passed, {failed} failed")
PY
exit "$status"
