# shellcheck shell=bash
# Measurement 3: the real API (Release, Production) on a private Postgres, seeded through its own endpoints and
# SQL, loaded route by route in interleaved rounds. Rate limits are raised through the environment; BENCH_API_ENV
# adds settings (e.g. "Courses__ListCacheSeconds=0" to measure the course list without its output cache).

readonly API_PASSWORD="quiet-otters-juggle-lanterns-2026"
readonly API_COURSES=10000
readonly API_LEARNERS=40

# api_start: a database and the API on it; sets API_BASE and API_PID.
api_start() {
  postgres_start
  pg_sql postgres "CREATE DATABASE training"
  api_launch "$OUT/api.log" "$API_BIN"
}

# api_launch LOG FOLDER [NAME=VALUE...]: the API built in FOLDER on the database, with these settings besides the
# benchmark's own and BENCH_API_ENV; sets API_BASE and API_PID.
api_launch() {
  local log=$1 folder=$2 extra=()
  shift 2
  read -r -a extra <<<"${BENCH_API_ENV:-}"
  API_BASE="http://127.0.0.1:$(free_port)"
  start_process "$log" env -C "$folder" \
    ASPNETCORE_ENVIRONMENT=Production \
    "ConnectionStrings__training=$(postgres_connection_string training)" \
    "Jwt__SigningKey=$(head -c 48 /dev/urandom | base64 -w0)" \
    RateLimits__PermitLimit=1000000000 RateLimits__AccountPermitLimit=1000000000 RateLimits__WritePermitLimit=1000000000 \
    METRICS_ENABLED=true PasswordReset__Sender=log Logging__Console__FormatterName=json "${extra[@]}" "$@" \
    dotnet TrainingPlatform.Api.dll --urls "$API_BASE"
  API_PID=$LAST_PID
  wait_for_url "$API_BASE/healthz" "$log" "$API_PID"
}

# api_seed_courses BASE: an instructor with API_COURSES published courses.
api_seed_courses() {
  api_register "$1" instructor@bench.test instructor
  pg_sql training "INSERT INTO courses (instructor_id, title, description, published)
    SELECT (SELECT id FROM users WHERE email = 'instructor@bench.test'), 'Course ' || g,
           repeat('A course generated for the benchmark. ', 8), true
    FROM generate_series(1, $API_COURSES) g"
  # As autovacuum would have by the time such a table is read: statistics and the visibility map (index-only scans).
  pg_sql training "VACUUM ANALYZE courses"
}

measure_api() {
  api_start
  local base=$API_BASE api_pid=$API_PID
  api_seed_courses "$base"
  local first_course tokens="" learner
  first_course=$(pg_sql training "SELECT min(id) FROM courses")
  for ((learner = 1; learner <= API_LEARNERS; learner++)); do
    api_register "$base" "learner$learner@bench.test" learner
    tokens+="${tokens:+,}$(api_token "$base" "learner$learner@bench.test")"
  done
  progress "api seeded: $API_COURSES published courses, $API_LEARNERS learners"

  local results="$OUT/api.results" round target result sequence=0
  : >"$results"
  # Warm-up: JIT, the connection pool and the plan cache.
  wrk_warm "$CONNECTIONS" "$base/api/v1/courses/?limit=20"
  for ((round = 1; round <= ROUNDS; round++)); do
    for target in list list-c4 list-c128 get enroll token; do
      scrape_once "$base"
      case $target in
        list)
          result=$(wrk_run "$RUN_SECONDS" "$CONNECTIONS" "$base/api/v1/courses/?limit=20") ;;
        list-c4)
          # The same below saturation: latency without the queueing of 32 connections on two cores.
          result=$(wrk_run "$RUN_SECONDS" 4 "$base/api/v1/courses/?limit=20") ;;
        list-c128)
          result=$(wrk_run "$RUN_SECONDS" 128 "$base/api/v1/courses/?limit=20") ;;
        get)
          result=$(BENCH_PATH="/api/v1/courses/%d/" BENCH_ID_FIRST=$first_course BENCH_ID_COUNT=$API_COURSES \
            wrk_run "$RUN_SECONDS" "$CONNECTIONS" "$base") ;;
        enroll)
          result=$(BENCH_METHOD=POST BENCH_TOKENS=$tokens BENCH_PATH="/api/v1/courses/%d/enroll" \
            BENCH_ID_FIRST=$first_course BENCH_ID_COUNT=$API_COURSES BENCH_SEQUENCE=$sequence \
            wrk_run "$RUN_SECONDS" "$CONNECTIONS" "$base")
          # The next run continues after every enrollment this one may have sent (answered or in flight).
          sequence=$((sequence + $(field requests "$result") + CONNECTIONS + 100)) ;;
        token)
          # KDF-bound: a few connections saturate both cores; more would only queue.
          result=$(BENCH_METHOD=POST BENCH_BODY="{\"email\":\"learner1@bench.test\",\"password\":\"$API_PASSWORD\"}" \
            wrk_run "$RUN_SECONDS" 4 "$base/api/v1/token/") ;;
      esac
      echo "$round $target $result" >>"$results"
      progress "api round $round $target: $result"
    done
  done
  stop_process "$api_pid"
  postgres_stop
  report_api
}

api_register() {
  curl -fsS -o /dev/null --max-time 30 -X POST "$1/api/v1/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"$API_PASSWORD\",\"displayName\":\"Bench\",\"role\":\"$3\"}"
}

api_token() {
  curl -fsS --max-time 30 -X POST "$1/api/v1/token/" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"$API_PASSWORD\"}" | sed -n 's/.*"access":"\([^"]*\)".*/\1/p'
}

report_api() {
  local results="$OUT/api.results" summary="" target
  {
    echo "| route | rps (median) | p50 ms | p95 ms | p99 ms | errors (total) |"
    echo "|---|---|---|---|---|---|"
  } >"$OUT/api.md"
  for target in list list-c4 list-c128 get enroll token; do
    local rps p50 p95 p99 errors line
    read -r rps p50 p95 p99 <<<"$(round_medians "$results" "$target" rps p50_ms p95_ms p99_ms)"
    errors=$(round_total "$results" "$target" http_errors socket_errors)
    line=$(printf '%.0f rps p50 %.2f p95 %.2f p99 %.2f ms errors %d' "$rps" "$p50" "$p95" "$p99" "$errors")
    printf '| %s | %.0f | %.2f | %.2f | %.2f | %d |\n' "$(api_route "$target")" "$rps" "$p50" "$p95" "$p99" "$errors" >>"$OUT/api.md"
    summary+="${summary:+ | }$target $line"
  done
  echo "summary api ($ROUNDS round(s) of ${RUN_SECONDS}s, wrk -t1 -c$CONNECTIONS, list-c4 and token -c4, list-c128 -c128; medians): $summary"
}

api_route() {
  case $1 in
    list) echo "GET /api/v1/courses/?limit=20" ;;
    list-c4) echo "GET /api/v1/courses/?limit=20 (4 connections)" ;;
    list-c128) echo "GET /api/v1/courses/?limit=20 (128 connections)" ;;
    get) echo "GET /api/v1/courses/{id}/" ;;
    enroll) echo "POST /api/v1/courses/{id}/enroll (bearer)" ;;
    token) echo "POST /api/v1/token/ (PBKDF2)" ;;
  esac
}
