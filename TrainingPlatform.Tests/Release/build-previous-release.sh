#!/usr/bin/env bash
# Builds the previous release's API for PreviousReleaseTests: the newest release tag before HEAD (the release checklist's
# command), or, in a clone without tags (CI's), the newest first-parent commit whose newest migration is older than
# HEAD's. Its files come from git archive (nothing is registered in the repository) and only its API project is built
# (Release, no build servers). ./test.sh runs it before the test run, so no build happens during the run; the test
# fixture runs it itself when the tests run without ./test.sh.
#
# Usage: build-previous-release.sh DIR
#   DIR/tree          the release's files; its build output is DIR/tree/TrainingPlatform.Api/bin/Release/net10.0
#   DIR/release.json  {"commit", "description", "newest_migration"}
# A shallow clone lacks the history: it stops with the command that fetches it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  [[ $# -eq 1 ]] && exit 0 || exit 2
fi
dir=$1

# The newest migration at a commit, from its file names (M<version>_<Name>.cs; MigrationRulesTests holds the files to it).
newest_migration() {
  git ls-tree --name-only "$1" TrainingPlatform.Api/Data/Migrations/ |
    sed -n 's|.*/M\([0-9]\{12\}\)_[A-Za-z0-9_]*\.cs$|\1|p' | sort -n | tail -n 1
}

if name=$(git describe --tags --abbrev=0 --match 'v[0-9]*' HEAD^ 2>/dev/null); then
  commit=$(git rev-parse "$name^{commit}")
  description="tag $name"
else
  current=$(newest_migration HEAD)
  commit=""
  for candidate in $(git rev-list --first-parent HEAD); do
    newest=$(newest_migration "$candidate")
    [[ -n $newest ]] || break
    if ((newest < current)); then
      commit=$candidate
      description="commit ${commit:0:10}, the newest before migration $current (no release tag in this clone)"
      break
    fi
  done
  [[ -n $commit ]] || {
    echo "error: no commit in this clone's history predates migration $current: a shallow clone? (git fetch --unshallow --tags)" >&2
    exit 1
  }
fi
newest=$(newest_migration "$commit")
[[ -n $newest ]] || { echo "error: the previous release ($description) has no migrations" >&2; exit 1; }

mkdir -p "$dir/tree"
git archive --format=tar "$commit" | tar -x -C "$dir/tree"
# No analyzers or documentation file: that release passed them when it was made, and here they cost about 15 % of the
# build's CPU.
dotnet build "$dir/tree/TrainingPlatform.Api/TrainingPlatform.Api.csproj" -c Release -nologo -clp:ErrorsOnly \
  --disable-build-servers -p:RunAnalyzers=false -p:GenerateDocumentationFile=false >&2 ||
  { echo "error: building the previous release ($description) failed" >&2; exit 1; }
jq -n --arg commit "$commit" --arg description "$description" --argjson newest "$newest" \
  '{commit: $commit, description: $description, newest_migration: $newest}' >"$dir/release.json"
