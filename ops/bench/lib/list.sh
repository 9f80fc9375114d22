# shellcheck shell=bash
# Measurement 7: the course list (GET /api/v1/courses/?limit=20, anonymous, 10,000 published courses) in API
# variants side by side on one database: each variant's process is held with SIGSTOP while another is loaded, and
# rounds interleave them, so a loaded machine shifts every variant alike. Variants:
#   baseline   an older build of the API, when BENCH_BASELINE_API names its folder (e.g. main's bin/Release/net10.0)
#   pool100    this build without its output cache, with Npgsql's default pool of 100
#   no-cache   this build without its output cache (pool from the machine, one round trip, covering index)
#   cached     this build as configured by default

readonly LIST_PATH="/api/v1/courses/?limit=20"
readonly LIST_CONNECTIONS=(4 32 128)

measure_list() {
  local variants=() variant round i connections result
  declare -A base pid
  if [[ -n ${BENCH_BASELINE_API:-} ]]; then
    variants+=(baseline)
  fi
  variants+=(pool100 no-cache cached)
  postgres_start
  pg_sql postgres "CREATE DATABASE training"
  for variant in "${variants[@]}"; do
    case $variant in
      baseline) api_launch "$OUT/api-$variant.log" "$BENCH_BASELINE_API" ;;
      pool100) api_launch "$OUT/api-$variant.log" "$API_BIN" Courses__ListCacheSeconds=0 \
        "ConnectionStrings__training=$(postgres_connection_string training);Maximum Pool Size=100" ;;
      no-cache) api_launch "$OUT/api-$variant.log" "$API_BIN" Courses__ListCacheSeconds=0 ;;
      cached) api_launch "$OUT/api-$variant.log" "$API_BIN" ;;
    esac
    base[$variant]=$API_BASE
    pid[$variant]=$API_PID
    if [[ $variant == "${variants[0]}" ]]; then
      api_seed_courses "$API_BASE"
    fi
    wrk_warm 32 "$API_BASE$LIST_PATH"
    kill -STOP "$API_PID"
  done

  local results="$OUT/list.results" count=${#variants[@]}
  : >"$results"
  for ((round = 1; round <= ROUNDS; round++)); do
    for ((i = 0; i < count; i++)); do
      variant=${variants[(i + round - 1) % count]}
      kill -CONT "${pid[$variant]}"
      sleep 0.5
      for connections in "${LIST_CONNECTIONS[@]}"; do
        result=$(wrk_run "$RUN_SECONDS" "$connections" "${base[$variant]}$LIST_PATH")
        echo "$round $variant-c$connections $result" >>"$results"
        progress "list round $round $variant c$connections: $result"
      done
      kill -STOP "${pid[$variant]}"
    done
  done
  stop_started_processes
  postgres_stop
  report_list "${variants[@]}"
}

# Table and summary: per variant and connection count, medians over rounds and the median per-round rps ratio to
# the first variant.
report_list() {
  local first=$1 results="$OUT/list.results" summary="" variant connections
  {
    echo "| variant | connections | rps (median) | rps ratio to $first | p50 ms | p95 ms | p99 ms | errors |"
    echo "|---|---|---|---|---|---|---|---|"
  } >"$OUT/list.md"
  for variant in "$@"; do
    for connections in "${LIST_CONNECTIONS[@]}"; do
      local target="$variant-c$connections" rps p50 p95 p99 ratio errors
      read -r rps p50 p95 p99 <<<"$(round_medians "$results" "$target" rps p50_ms p95_ms p99_ms)"
      ratio=$(round_ratio "$results" "$target" "$first-c$connections" rps)
      errors=$(round_total "$results" "$target" http_errors socket_errors)
      printf '| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d |\n' "$variant" "$connections" "$rps" \
        "$ratio" "$p50" "$p95" "$p99" "$errors" >>"$OUT/list.md"
      summary+="${summary:+ | }$variant c$connections $(printf '%.0f rps %.2fx p50 %.2f p95 %.2f p99 %.2f ms errors %d' \
        "$rps" "$ratio" "$p50" "$p95" "$p99" "$errors")"
    done
  done
  echo "summary list ($ROUNDS round(s) of ${RUN_SECONDS}s per variant and connection count, anonymous $LIST_PATH; medians, ratios to $first): $summary"
}
