#!/usr/bin/env bash
# Puts Alertmanager's own web UI (the Elm app upstream compiles) into a directory for --web.ui-path, for the local
# stack's Debian alertmanager, whose package leaves the UI out and serves a "no web application" page instead.
#
# The UI cannot be compiled here: the Elm compiler is on npm, but the Elm packages ui/app/elm.json needs (elm/core,
# NoRedInk/elm-json-decode-pipeline...) come only from Elm's own package registry, which these machines cannot reach. The
# compiled UI ships all the same in Debian's golang-github-prometheus-alertmanager-dev, of the same source as the
# binary: asset/assets_vfsdata.go, upstream's generated bundle of script.js, index.html, CSS and fonts. This script
# downloads that package (apt-get download: no install, none of its 160 dependencies) at the installed binary's
# version, and writes the bundle's /static files out.
#
# Usage: ops/alertmanager/build-ui.sh DIRECTORY
#   Does nothing when DIRECTORY already holds the UI of the installed version (its file VERSION says which).
#   The directory appears whole or not at all: built beside it, then renamed into place.
set -euo pipefail

usage() { sed -n '12,14p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
  -*) echo "build-ui.sh: error: unknown option $1 (see --help)" >&2; exit 2 ;;
esac
target=${1%/}

version=$(dpkg-query -W -f '${source:Version}' prometheus-alertmanager 2>/dev/null) || {
  echo "build-ui.sh: error: prometheus-alertmanager is not installed (sudo apt-get install -y prometheus-alertmanager)." >&2
  exit 1
}
if [[ -f $target/index.html && $(cat "$target/VERSION" 2>/dev/null) == "$version" ]]; then
  exit 0
fi

mkdir -p "$(dirname "$target")"
work=$(mktemp -d "$target.XXXXXX")
trap 'rm -rf "$work"' EXIT
package=golang-github-prometheus-alertmanager-dev
bundle=/usr/share/gocode/src/github.com/prometheus/alertmanager/asset/assets_vfsdata.go
if [[ -f $bundle && $(dpkg-query -W -f '${Version}' "$package" 2>/dev/null) == "$version" ]]; then
  cp "$bundle" "$work/bundle.go"
else
  echo "Downloading $package $version (Alertmanager's compiled UI)"
  download() { (cd "$work" && apt-get download -qq "$package=$version" 2>"$work/apt.log"); }
  # A machine whose package lists were never fetched knows no package yet: as root, fetch them once and try again.
  download || { [[ $(id -u) -eq 0 ]] && apt-get update -qq && download; } || {
    echo "build-ui.sh: error: apt-get download $package=$version failed:" >&2
    cat "$work/apt.log" >&2
    echo "  Refresh the package lists (sudo apt-get update) or upgrade prometheus-alertmanager to the version they offer." >&2
    exit 1
  }
  dpkg-deb --fsys-tarfile "$work"/"${package}"_*.deb | tar -xO ".$bundle" >"$work/bundle.go"
fi

# vfsgen writes each file as
#   "/static/<path>": &vfsgen۰CompressedFileInfo{ ... compressedContent: []byte("\x1f\x8b..."), }  (gzip)
#   "/static/<path>": &vfsgen۰FileInfo{ ... content: []byte("\x.."), }                              (as is)
# every byte as a \xNN escape, which printf %b turns back into bytes.
ui=$work/ui
count=0
while IFS=$'\t' read -r kind path bytes; do
  mkdir -p "$ui/$(dirname "$path")"
  if [[ $kind == gzip ]]; then
    printf '%b' "$bytes" | gzip -dc >"$ui/$path"
  else
    printf '%b' "$bytes" >"$ui/$path"
  fi
  count=$((count + 1))
done < <(awk '
  /^\t\t"\/static\/[^"]+": &vfsgen.*FileInfo\{/ { split($0, quoted, "\""); path = substr(quoted[2], 9); gzip = /CompressedFileInfo/ }
  /^\t\t\t(compressedContent|content): \[\]byte\("/ && path != "" {
    sub(/^[^"]*"/, ""); sub(/"\),$/, ""); print (gzip ? "gzip" : "plain") "\t" path "\t" $0; path = ""
  }' "$work/bundle.go")

if [[ ! -s $ui/index.html || ! -s $ui/script.js ]]; then
  echo "build-ui.sh: error: $package $version holds no index.html and script.js in $bundle ($count files read)." >&2
  exit 1
fi
printf '%s\n' "$version" >"$ui/VERSION"
chmod -R a+rX "$ui"
# A stale version makes way; another stack that built the same version meanwhile keeps its copy (mv -T refuses a
# non-empty directory).
[[ $(cat "$target/VERSION" 2>/dev/null) == "$version" ]] || rm -rf "$target"
mv -T "$ui" "$target" 2>/dev/null || [[ $(cat "$target/VERSION" 2>/dev/null) == "$version" ]]
echo "Alertmanager UI $version in $target ($count files)"
