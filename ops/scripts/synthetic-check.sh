#!/usr/bin/env bash
# Post-deploy synthetic check of a running API: health, metrics gate, OpenAPI document, problem
# bodies for unknown paths, request ids. One PASS/FAIL line per check; exit 0 only when all pass.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib/messages.sh
source "$SCRIPT_DIR/lib/messages.sh"

readonly METRIC_NAMES=(http_request_duration_seconds http_requests_total http_server_errors_total http_requests_in_flight)
readonly CORE_ROUTES=(/api/v1/token /api/v1/courses /api/v1/auth/register)

usage() {
  cat <<'EOF'
Usage: synthetic-check.sh BASE_URL [--expect-metrics on|off] [--timeout SECONDS] [--retries N]
                          [--retry-delay SECONDS] [--json] [--help]

Checks a running API at BASE_URL (e.g. http://127.0.0.1:5080) and prints one line per check:
  PASS|FAIL <name>: <reason>

  healthz       GET /healthz answers 200
  metrics       --expect-metrics on: GET /metrics answers 200 and serves http_request_duration_seconds,
                http_requests_total, http_server_errors_total, http_requests_in_flight;
                --expect-metrics off: GET /metrics answers 404
  openapi       GET /openapi/v1.json is JSON and lists /api/v1/token, /api/v1/courses and
                /api/v1/auth/register (with or without a trailing slash)
  unknown-path  GET of a path that does not exist answers 404 application/problem+json whose body
                carries status and requestId
  request-id    every response above carries an X-Request-ID header

Options:
  --expect-metrics on|off  what BASE_URL's /metrics should do (default: off, as on the public address of a
                           deployment, whose metrics are served on an internal port only)
  --timeout SECONDS        limit for each request (default: 5)
  --retries N              extra attempts when the service does not answer or answers 502/503/504,
                           for a service that is still starting (default: 3)
  --retry-delay SECONDS    pause between attempts (default: 2)
  --json                   print {"base_url", "passed", "checks": [{"name", "passed", "reason"}]}
  --help                   this text

Needs curl and jq. Exit status: 0 when every check passes, 1 when any fails, 2 on a usage error.
EOF
}

BASE_URL=""
EXPECT_METRICS=off
TIMEOUT=5
RETRIES=3
RETRY_DELAY=2
JSON=false
while (($# > 0)); do
  case $1 in
    --expect-metrics | --timeout | --retries | --retry-delay)
      (($# > 1)) || usage_error "$1 needs a value"
      case $1 in
        --expect-metrics) EXPECT_METRICS=$2 ;;
        --timeout) TIMEOUT=$2 ;;
        --retries) RETRIES=$2 ;;
        --retry-delay) RETRY_DELAY=$2 ;;
      esac
      shift
      ;;
    --json) JSON=true ;;
    -h | --help) usage; exit 0 ;;
    -*) usage_error "unknown option: $1" ;;
    *)
      [[ -z $BASE_URL ]] || usage_error "only one BASE_URL, got '$BASE_URL' and '$1'"
      BASE_URL=${1%/}
      ;;
  esac
  shift
done
[[ -n $BASE_URL ]] || usage_error "no BASE_URL given"
[[ $BASE_URL =~ ^https?:// ]] || usage_error "BASE_URL must start with http:// or https://"
[[ $EXPECT_METRICS == on || $EXPECT_METRICS == off ]] || usage_error "--expect-metrics must be on or off"
[[ $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -gt 0 ]] || usage_error "--timeout must be a positive whole number of seconds"
[[ $RETRIES =~ ^[0-9]+$ ]] || usage_error "--retries must be a whole number"
[[ $RETRY_DELAY =~ ^[0-9]+$ ]] || usage_error "--retry-delay must be a whole number of seconds"
command -v curl >/dev/null || die "curl not found (apt-get install curl)"
command -v jq >/dev/null || die "jq not found (apt-get install jq)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/synthetic-check.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT

# GET $1 (a path); sets STATUS ("000" when no answer), CONTENT_TYPE, BODY (a file), FETCH_ERROR, and
# records in MISSING_REQUEST_IDS the paths whose response had no X-Request-ID.
MISSING_REQUEST_IDS=()
ANSWERED_PATHS=0
fetch() {
  local path=$1 attempt=0 headers=$WORK/headers
  BODY=$WORK/body
  while true; do
    FETCH_ERROR=""
    STATUS=$(curl --silent --show-error --max-time "$TIMEOUT" --output "$BODY" --dump-header "$headers" \
      --write-out '%{http_code}' "$BASE_URL$path" 2>"$WORK/curl-error") || {
      STATUS=000
      FETCH_ERROR=$(head -n 1 "$WORK/curl-error")
    }
    if [[ $STATUS != 000 && $STATUS != 502 && $STATUS != 503 && $STATUS != 504 ]] || ((attempt >= RETRIES)); then
      break
    fi
    attempt=$((attempt + 1))
    sleep "$RETRY_DELAY"
  done
  CONTENT_TYPE=""
  if [[ $STATUS != 000 ]]; then
    ANSWERED_PATHS=$((ANSWERED_PATHS + 1))
    CONTENT_TYPE=$(sed -n 's/^[Cc]ontent-[Tt]ype:[[:space:]]*\([^;[:space:]]*\).*/\1/p' "$headers" | tail -n 1)
    grep -qi '^x-request-id:[[:space:]]*[^[:space:]]' "$headers" || MISSING_REQUEST_IDS+=("$path")
  fi
}

no_answer_reason() {
  printf 'no answer from %s after %d attempt(s): %s' "$1" $((RETRIES + 1)) "${FETCH_ERROR:-timed out}"
}

NAMES=()
RESULTS=()
REASONS=()
record() {
  NAMES+=("$1")
  RESULTS+=("$2")
  REASONS+=("$3")
}

# jq programs judging a JSON body; each prints "PASS <reason>" or "FAIL <reason>".
# The OpenAPI document parses and lists every route given with --args (trailing slash or not).
# shellcheck disable=SC2016 # $names are jq's
readonly OPENAPI_VERDICT='
  if type != "object" then "FAIL /openapi/v1.json is not a JSON object"
  elif (.paths | type) != "object" then "FAIL /openapi/v1.json has no paths object"
  else (.paths | keys | map(rtrimstr("/"))) as $listed
    | [$ARGS.positional[] | select(rtrimstr("/") as $route | $listed | index([$route]) | not)] as $missing
    | if $missing != [] then "FAIL /openapi/v1.json lacks \($missing | join(" "))"
      else "PASS /openapi/v1.json parses and lists \($ARGS.positional | join(" ")) (\(.paths | length) paths)" end
  end'
# A 404 problem body with status and requestId.
# shellcheck disable=SC2016
readonly PROBLEM_VERDICT='
  if type != "object" then "FAIL the problem body is not a JSON object"
  else [("status", "requestId") as $member | select(.[$member] == null or .[$member] == "") | $member] as $missing
    | if $missing != [] then "FAIL the problem body lacks \($missing | join(" and "))"
      elif .status != 404 then "FAIL the problem body says status \(.status) (expected 404)"
      else "PASS 404 application/problem+json with status and requestId \(.requestId)" end
  end'

# record_verdict NAME PROGRAM [JQ ARGUMENTS...]: judges BODY with PROGRAM; a body that is not JSON fails.
record_verdict() {
  local name=$1 program=$2 verdict
  shift 2
  if verdict=$(jq -r "$program" "$BODY" "$@" 2>"$WORK/jq-error"); then
    record "$name" "${verdict%% *}" "${verdict#* }"
  else
    record "$name" FAIL "the body is not JSON: $(head -n 1 "$WORK/jq-error")"
  fi
}

check_healthz() {
  fetch /healthz
  case $STATUS in
    200) record healthz PASS "200 from /healthz" ;;
    000) record healthz FAIL "$(no_answer_reason /healthz)" ;;
    *)
      local detail
      detail=$(head -c 200 "$BODY" | tr -s '[:space:]' ' ')
      record healthz FAIL "status $STATUS from /healthz (expected 200)${detail:+: $detail}"
      ;;
  esac
}

check_metrics() {
  fetch /metrics
  if [[ $STATUS == 000 ]]; then
    record metrics FAIL "$(no_answer_reason /metrics)"
  elif [[ $EXPECT_METRICS == off ]]; then
    if [[ $STATUS == 404 ]]; then
      record metrics PASS "gate off: /metrics answers 404"
    else
      record metrics FAIL "gate expected off but /metrics answered $STATUS (expected 404)"
    fi
  elif [[ $STATUS != 200 ]]; then
    record metrics FAIL "gate expected on but /metrics answered $STATUS (expected 200)"
  else
    local name missing=()
    for name in "${METRIC_NAMES[@]}"; do
      grep -Eq "^(# (HELP|TYPE) )?${name}([ {_]|$)" "$BODY" || missing+=("$name")
    done
    if ((${#missing[@]} == 0)); then
      record metrics PASS "gate on: /metrics serves ${METRIC_NAMES[*]}"
    else
      record metrics FAIL "gate on but /metrics lacks ${missing[*]}"
    fi
  fi
}

check_openapi() {
  fetch /openapi/v1.json
  if [[ $STATUS == 000 ]]; then
    record openapi FAIL "$(no_answer_reason /openapi/v1.json)"
    return
  fi
  if [[ $STATUS != 200 ]]; then
    record openapi FAIL "status $STATUS from /openapi/v1.json (expected 200)"
    return
  fi
  record_verdict openapi "$OPENAPI_VERDICT" --args "${CORE_ROUTES[@]}"
}

check_unknown_path() {
  local path=/synthetic-check/no-such-path-$RANDOM
  fetch "$path"
  if [[ $STATUS == 000 ]]; then
    record unknown-path FAIL "$(no_answer_reason "$path")"
    return
  fi
  if [[ $STATUS != 404 ]]; then
    record unknown-path FAIL "status $STATUS from $path (expected 404)"
    return
  fi
  if [[ $CONTENT_TYPE != application/problem+json ]]; then
    record unknown-path FAIL "404 from $path has content type '${CONTENT_TYPE:-none}' (expected application/problem+json)"
    return
  fi
  record_verdict unknown-path "$PROBLEM_VERDICT"
}

check_request_ids() {
  if ((ANSWERED_PATHS == 0)); then
    record request-id FAIL "no response to look at"
  elif ((${#MISSING_REQUEST_IDS[@]} > 0)); then
    record request-id FAIL "no X-Request-ID on ${MISSING_REQUEST_IDS[*]}"
  else
    record request-id PASS "X-Request-ID on all $ANSWERED_PATHS responses"
  fi
}

check_healthz
check_metrics
check_openapi
check_unknown_path
check_request_ids

FAILED=0
for result in "${RESULTS[@]}"; do
  [[ $result == PASS ]] || FAILED=$((FAILED + 1))
done

if [[ $JSON == true ]]; then
  triples=()
  for i in "${!NAMES[@]}"; do
    triples+=("${NAMES[i]}" "${RESULTS[i]}" "${REASONS[i]}")
  done
  # shellcheck disable=SC2016 # $names are jq's
  jq -cn --arg base_url "$BASE_URL" '$ARGS.positional as $p
    | [range(0; $p | length; 3) as $i | {name: $p[$i], passed: ($p[$i + 1] == "PASS"), reason: $p[$i + 2]}]
    | {base_url: $base_url, passed: all(.[]; .passed), checks: .}' --args "${triples[@]}"
else
  for i in "${!NAMES[@]}"; do
    printf '%s %s: %s\n' "${RESULTS[i]}" "${NAMES[i]}" "${REASONS[i]}"
  done
  printf '%d of %d checks passed\n' $((${#NAMES[@]} - FAILED)) "${#NAMES[@]}"
fi
((FAILED == 0))
