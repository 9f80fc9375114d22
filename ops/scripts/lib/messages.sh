# shellcheck shell=bash
# Messages for the ops scripts: progress on stderr, results on stdout, secrets never printed.

# The running script's own name, which starts every message.
SCRIPT_NAME=$(basename -- "$0")

# Every literal in SECRETS is replaced by *** in anything the scripts print.
SECRETS=()

redact() {
  local text=$1 secret
  for secret in "${SECRETS[@]}"; do
    if [[ -n $secret ]]; then
      text=${text//"$secret"/***}
    fi
  done
  printf '%s' "$text"
}

say() {
  printf '%s: %s\n' "$SCRIPT_NAME" "$(redact "$*")" >&2
}

die() {
  printf '%s: error: %s\n' "$SCRIPT_NAME" "$(redact "$*")" >&2
  exit 1
}

usage_error() {
  printf '%s: %s (see --help)\n' "$SCRIPT_NAME" "$(redact "$*")" >&2
  exit 2
}

# Runs a step; on failure stops with the step's name, its exit code and the end of its stderr (redacted).
# stdout is passed through, so `value=$(step "reading x" cmd ...)` works.
step() {
  local description=$1 errors rc=0
  shift
  errors=$(mktemp)
  "$@" 2>"$errors" || rc=$?
  if ((rc != 0)); then
    local detail
    detail=$(tail -n 20 "$errors")
    rm -f "$errors"
    die "$description failed (exit $rc)${detail:+: $detail}"
  fi
  rm -f "$errors"
}

now_ms() {
  date +%s%3N
}

# Milliseconds as seconds with three decimals, e.g. 1234 → 1.234.
format_ms() {
  printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}
