#!/usr/bin/env bash
# Error-budget release gate: asks Prometheus whether a release may go out now. Refuses while a page
# (severity=critical) alert fires or while any SLO of the service has spent its error budget.
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

# The recording rules of ops/prometheus/rules/slo-recording.yml the gate reads.
readonly OBJECTIVES='slo:objective:ratio'
readonly BUDGET_REMAINING='slo:error_budget_remaining:ratio30d'
readonly BUDGET_WINDOW=30d

usage() {
  cat <<'EOF'
Usage: release-gate.sh --prometheus URL [--service NAME] [--allow-no-data] [--timeout SECONDS] [--json] [--help]

Asks Prometheus at URL (e.g. http://127.0.0.1:9090) whether a release of the service may go out:

  alerts   no page alert fires: ALERTS{alertstate="firing", severity="critical"} for the service,
           or without a service label (those concern every service)
  budget   every SLO (slo:objective:ratio) has error budget left over its 30-day window:
           slo:error_budget_remaining:ratio30d{service=NAME} > 0

Prints one line per check, "ALLOW <check>: <reason>" or "REFUSE <check>: <reason>", then a verdict.
An SLO without data (no series, or no traffic in the window) refuses unless --allow-no-data.

Options:
  --prometheus URL    Prometheus's base URL (required)
  --service NAME      the service label to judge (default: api)
  --allow-no-data     an SLO without data does not refuse (a new service, a fresh Prometheus)
  --timeout SECONDS   limit for each query (default: 10)
  --json              print {"prometheus", "service", "allowed", "reasons": [...],
                      "slos": [{"slo", "window", "budget_remaining"}], "page_alerts": [{labels}]}
  --help              this text

Needs curl and jq. Exit status: 0 when the release may go out, 1 when it is refused (or Prometheus
cannot answer), 2 on a usage error. Overriding a refusal: ops/docs/rollback-runbook.md.
EOF
}

PROMETHEUS=""
SERVICE=api
ALLOW_NO_DATA=false
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

# Budgets: every SLO the rules define, whether or not this service has data for it.
SLO_NAMES=$(query "$OBJECTIVES" | jq -r '[.[].metric.slo] | unique | .[]')
[[ -n $SLO_NAMES ]] || die "Prometheus at $PROMETHEUS has no $OBJECTIVES series: are ops/prometheus/rules loaded?"
BUDGETS=$(query "$BUDGET_REMAINING{service=\"$SERVICE\"}")
SLOS_JSON='[]'
while IFS= read -r slo; do
  # Prometheus writes NaN (no traffic in the window) as a string jq cannot turn into a number.
  value=$(jq -r --arg slo "$slo" 'map(select(.metric.slo == $slo)) | .[0].value[1] // "none"' <<<"$BUDGETS")
  if [[ $value == none || $value == NaN ]]; then
    SLOS_JSON=$(jq -c --arg slo "$slo" --arg window "$BUDGET_WINDOW" '. + [{slo: $slo, window: $window, budget_remaining: null}]' <<<"$SLOS_JSON")
    reason="no data for SLO $slo of $SERVICE over $BUDGET_WINDOW ($BUDGET_REMAINING{service=\"$SERVICE\", slo=\"$slo\"} is ${value/none/absent})"
    if [[ $ALLOW_NO_DATA == true ]]; then
      allow budget "$reason; allowed by --allow-no-data"
    else
      refuse budget "$reason"
    fi
    continue
  fi
  SLOS_JSON=$(jq -c --arg slo "$slo" --arg window "$BUDGET_WINDOW" --argjson left "$value" '. + [{slo: $slo, window: $window, budget_remaining: $left}]' <<<"$SLOS_JSON")
  percent=$(jq -rn --argjson left "$value" '$left * 1000 | round / 10 | tostring')
  if jq -en --argjson left "$value" '$left > 0' >/dev/null; then
    allow budget "SLO $slo of $SERVICE has $percent % of its $BUDGET_WINDOW error budget left"
  else
    refuse budget "SLO $slo of $SERVICE has spent its $BUDGET_WINDOW error budget ($percent % left)"
  fi
done <<<"$SLO_NAMES"

ALLOWED=$( ((${#REASONS[@]} == 0)) && echo true || echo false)
if [[ $JSON == true ]]; then
  jq -n --arg prometheus "$PROMETHEUS" --arg service "$SERVICE" --argjson allowed "$ALLOWED" \
    --argjson slos "$SLOS_JSON" --argjson pages "$PAGES" '{
      prometheus: $prometheus, service: $service, allowed: $allowed,
      reasons: $ARGS.positional, slos: $slos, page_alerts: [$pages[].metric]}' \
    --args "${REASONS[@]}"
else
  printf '%s\n' "${LINES[@]}"
  if [[ $ALLOWED == true ]]; then
    echo "release of $SERVICE allowed"
  else
    echo "release of $SERVICE refused: ${#REASONS[@]} reason(s)"
  fi
fi
[[ $ALLOWED == true ]] || exit 1
