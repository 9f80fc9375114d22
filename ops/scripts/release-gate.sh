#!/usr/bin/env bash
# Error-budget release gate: asks Prometheus whether a release may go out now. Refuses while a page
# (severity=critical) alert fires or while any SLO of the service has spent its error budget (a release marked as a fix
# goes out with --fix). The SLOs and the steps of the error budget policy come from lib/slos.tsv, generated from
# ops/slo/slos.yaml.
set -Eeuo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib/messages.sh
source "$SCRIPT_DIR/lib/messages.sh"
# Fails closed: any command that fails, in a command substitution too, refuses the release (exit 1), never lets it out.
shopt -s inherit_errexit
fail_closed() {
  # A command substitution only passes the failure up; the script itself says it once.
  ((BASH_SUBSHELL == 0)) || exit 1
  die "line $2 failed (exit $1): refusing the release"
}
trap 'fail_closed $? $LINENO' ERR

# The recording rule of ops/prometheus/rules/slo-recording.yml the gate reads, and the SLOs it judges.
readonly BUDGET_REMAINING='slo:error_budget_remaining:ratio30d'
readonly BUDGET_WINDOW=30d
readonly SLO_LIST="$SCRIPT_DIR/lib/slos.tsv"

usage() {
  cat <<'EOF'
Usage: release-gate.sh --prometheus URL [--service NAME] [--fix] [--allow-no-data] [--timeout SECONDS] [--json] [--help]

Asks Prometheus at URL (e.g. http://127.0.0.1:9090) whether a release of the service may go out:

  alerts   no page alert fires: ALERTS{alertstate="firing", severity="critical"} for the service,
           or without a service label (those concern every service)
  budget   every SLO of lib/slos.tsv (generated from ops/slo/slos.yaml) has error budget left over its
           30-day window: slo:error_budget_remaining:ratio30d{service=NAME, slo=SLO} > 0. Each SLO's line
           names its step of the error budget policy (ops/docs/slos.md#error-budget-policy).

Prints one line per check, "ALLOW <check>: <reason>" or "REFUSE <check>: <reason>", then a verdict.
An SLO without data (no series, or no traffic in the window) refuses unless --allow-no-data.

Options:
  --prometheus URL    Prometheus's base URL (required)
  --service NAME      the service label to judge (default: api)
  --fix               the release is a fix or a rollback: a spent budget does not refuse it (the policy lets
                      fixes through); the output says so. Page alerts still refuse.
  --allow-no-data     an SLO without data does not refuse (a new service, a fresh Prometheus)
  --timeout SECONDS   limit for each query (default: 10)
  --json              print {"prometheus", "service", "fix", "allowed", "reasons": [...],
                      "slos": [{"slo", "window", "budget_remaining", "step"}], "page_alerts": [{labels}]}
  --help              this text

Needs curl and jq. Exit status: 0 when the release may go out, 1 when it is refused (or Prometheus
cannot answer), 2 on a usage error. Overriding a refusal: ops/docs/rollback-runbook.md.
EOF
}

PROMETHEUS=""
SERVICE=api
ALLOW_NO_DATA=false
FIX=false
TIMEOUT=10
JSON=false
while (($# > 0)); do
  case $1 in
    --prometheus | --service | --timeout)
      (($# > 1)) || usage_error "$1 needs a value"
      case $1 in
        --prometheus) PROMETHEUS=${2%/} ;;
        --service) SERVICE=$2 ;;
        --timeout) TIMEOUT=$2 ;;
      esac
      shift
      ;;
    --allow-no-data) ALLOW_NO_DATA=true ;;
    --fix) FIX=true ;;
    --json) JSON=true ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done
[[ -n $PROMETHEUS ]] || usage_error "no --prometheus URL given"
[[ $PROMETHEUS =~ ^https?:// ]] || usage_error "--prometheus must start with http:// or https://"
[[ $SERVICE =~ ^[A-Za-z0-9_.-]+$ ]] || usage_error "--service must be a plain label value (letters, digits, _ . -)"
[[ $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -gt 0 ]] || usage_error "--timeout must be a positive whole number of seconds"
command -v curl >/dev/null || die "curl not found (apt-get install curl)"
command -v jq >/dev/null || die "jq not found (apt-get install jq)"
[[ -r $SLO_LIST ]] || die "$SLO_LIST is missing: run ops/slo/generate.sh"
SLO_NAMES=$(awk -F '\t' '$1 == "slo" { print $2 }' "$SLO_LIST")
[[ -n $SLO_NAMES ]] || die "$SLO_LIST lists no SLO: run ops/slo/generate.sh"
# The policy's steps, most budget left first: "<left %> <name> <allow|refuse>" per line.
STEPS=$(awk -F '\t' '$1 == "step" { print $2, $3, $4 }' "$SLO_LIST")

# Runs an instant query; prints the result vector as JSON, or dies saying why Prometheus did not answer.
query() {
  local answer
  answer=$(curl --silent --show-error --fail-with-body --max-time "$TIMEOUT" --get \
    --data-urlencode "query=$1" "$PROMETHEUS/api/v1/query" 2>&1) ||
    die "Prometheus at $PROMETHEUS did not answer the query $1: $answer"
  jq -e '.status == "success"' <<<"$answer" >/dev/null 2>&1 ||
    die "Prometheus at $PROMETHEUS refused the query $1: $(jq -r '.error? // .' <<<"$answer" 2>/dev/null || printf '%s' "$answer")"
  jq -c '.data.result' <<<"$answer"
}

LINES=()
REASONS=()
allow() { LINES+=("ALLOW $1: $2"); }
refuse() {
  LINES+=("REFUSE $1: $2")
  REASONS+=("$1: $2")
}

# Page alerts: those of the service and those without a service label (an empty matcher matches both).
PAGES=$(query "ALERTS{alertstate=\"firing\", severity=\"critical\", service=~\"$SERVICE|\"}")
PAGE_COUNT=$(jq 'length' <<<"$PAGES")
if ((PAGE_COUNT == 0)); then
  allow alerts "no page alert firing for $SERVICE"
else
  # Read whole first: a failure here must stop the gate, not leave it with fewer reasons to refuse.
  ALERT_NAMES=$(jq -r '.[].metric | "\(.alertname)\(
      [to_entries[] | select(.key | IN("alertname", "alertstate", "severity", "__name__") | not) | "\(.key)=\"\(.value)\""]
      | if length > 0 then "{" + join(", ") + "}" else "" end)"' <<<"$PAGES")
  while IFS= read -r alert; do
    refuse alerts "page alert $alert is firing"
  done <<<"$ALERT_NAMES"
  ((${#REASONS[@]} > 0)) || die "Prometheus reported $PAGE_COUNT page alert(s) the gate could not name: refusing the release"
fi

# The policy step for a budget left (a ratio): the last step whose threshold it is at or below; "normal" above them all.
step_for() {
  local left=$1 threshold name verdict step="normal allow"
  while read -r threshold name verdict; do
    if jq -en --argjson left "$left" --argjson threshold "$threshold" '$left * 100 <= $threshold' >/dev/null; then
      step="$name $verdict"
    fi
  done <<<"$STEPS"
  printf '%s\n' "$step"
}

# Budgets: every SLO of the list, whether or not Prometheus has data for it.
BUDGETS=$(query "$BUDGET_REMAINING{service=\"$SERVICE\"}")
SLOS_JSON='[]'
SPENT=()
while IFS= read -r slo; do
  # Prometheus writes NaN (no traffic in the window) as a string jq cannot turn into a number.
  value=$(jq -r --arg slo "$slo" 'map(select(.metric.slo == $slo)) | .[0].value[1] // "none"' <<<"$BUDGETS")
  if [[ $value == none || $value == NaN ]]; then
    SLOS_JSON=$(jq -c --arg slo "$slo" --arg window "$BUDGET_WINDOW" '. + [{slo: $slo, window: $window, budget_remaining: null, step: null}]' <<<"$SLOS_JSON")
    reason="no data for SLO $slo of $SERVICE over $BUDGET_WINDOW ($BUDGET_REMAINING{service=\"$SERVICE\", slo=\"$slo\"} is ${value/none/absent})"
    if [[ $ALLOW_NO_DATA == true ]]; then
      allow budget "$reason; allowed by --allow-no-data"
    else
      refuse budget "$reason"
    fi
    continue
  fi
  read -r step verdict < <(step_for "$value")
  SLOS_JSON=$(jq -c --arg slo "$slo" --arg window "$BUDGET_WINDOW" --argjson left "$value" --arg step "$step" \
    '. + [{slo: $slo, window: $window, budget_remaining: $left, step: $step}]' <<<"$SLOS_JSON")
  percent=$(jq -rn --argjson left "$value" '$left * 1000 | round / 10 | tostring')
  if [[ $verdict == allow ]]; then
    suffix=$([[ $step == normal ]] || printf ' (step %s of the error budget policy)' "$step")
    allow budget "SLO $slo of $SERVICE has $percent % of its $BUDGET_WINDOW error budget left$suffix"
  elif [[ $FIX == true ]]; then
    SPENT+=("$slo")
    allow budget "SLO $slo of $SERVICE has spent its $BUDGET_WINDOW error budget ($percent % left, step $step): allowed as a fix by --fix"
  else
    refuse budget "SLO $slo of $SERVICE has spent its $BUDGET_WINDOW error budget ($percent % left, step $step): only fixes and rollbacks release (--fix)"
  fi
done <<<"$SLO_NAMES"

ALLOWED=$( ((${#REASONS[@]} == 0)) && echo true || echo false)
if [[ $JSON == true ]]; then
  jq -n --arg prometheus "$PROMETHEUS" --arg service "$SERVICE" --argjson allowed "$ALLOWED" --argjson fix "$FIX" \
    --argjson slos "$SLOS_JSON" --argjson pages "$PAGES" '{
      prometheus: $prometheus, service: $service, fix: $fix, allowed: $allowed,
      reasons: $ARGS.positional, slos: $slos, page_alerts: [$pages[].metric]}' \
    --args "${REASONS[@]}"
else
  printf '%s\n' "${LINES[@]}"
  if [[ $ALLOWED == true && ${#SPENT[@]} -gt 0 ]]; then
    echo "release of $SERVICE allowed as a fix (--fix) while the error budget of ${SPENT[*]} is spent"
  elif [[ $ALLOWED == true ]]; then
    echo "release of $SERVICE allowed"
  else
    echo "release of $SERVICE refused: ${#REASONS[@]} reason(s)"
  fi
fi
[[ $ALLOWED == true ]] || exit 1
