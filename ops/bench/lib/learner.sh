# shellcheck shell=bash
# The learner measurement (ops/docs/performance.md, section 8): where a signed-in learner spends their time. The real
# API (Release, Production) on a private Postgres seeded with learners who each hold 10 enrollments in courses of 5
# lessons (600 characters each) and some completed lessons. In each round every signed-in path is loaded in turn,
# with `pgbench -S` (simple protocol) against the same server right before and right after the single-row reads, so
# each path reads as a ratio to the database's own single-row speed on the same machine (the mean of the round's two
# runs), and `pgbench -S` prepared at the end. Each run also counts the database transactions it caused
# (pg_stat_database), i.e. statements per request. Then the learner's writes, and the cold-start curve: a fresh API
# process on the same database, requests/s in each of its first 10 seconds after /healthz answers (5 with --quick,
# enough for the first-5-s ratio), against its own steady state.

readonly LEARNER_ENROLLMENTS=10
readonly LEARNER_LESSONS=5
readonly LEARNER_LESSON_CHARS=600
readonly LEARNER_TARGETS=(me course lessons enrollments lessons-c128 enrollments-c128 unauthorized enroll complete pgbench-simple pgbench-prepared)

measure_learner() {
  local learners=40 key
  LEARNER_COLD_SECONDS=10
  LEARNER_STEADY_RUNS=5
  if $QUICK; then
    learners=8
    LEARNER_COLD_SECONDS=5
    LEARNER_STEADY_RUNS=2
  fi
  # The API as it ships when a publish is there (run.sh makes one unless --no-build), else the build output.
  LEARNER_API=$API_BIN
  LEARNER_API_KIND="build output"
  if [[ -n ${BENCH_LEARNER_API:-} ]]; then
    LEARNER_API=$BENCH_LEARNER_API
    LEARNER_API_KIND="from $BENCH_LEARNER_API"
  elif [[ -f $API_PUBLISHED/TrainingPlatform.Api.dll ]]; then
    LEARNER_API=$API_PUBLISHED
    LEARNER_API_KIND="published, ReadyToRun"
  fi
  key=$(head -c 48 /dev/urandom | base64 -w0)
  # The same key for the measured process and the cold ones, so one set of tokens serves both; tokens outlive the run.
  LEARNER_API_ENV=("Jwt__SigningKey=$key" Jwt__AccessTokenMinutes=600)
  postgres_start
  pg_sql postgres "CREATE DATABASE training"
  api_launch "$OUT/api.log" "$LEARNER_API" "${LEARNER_API_ENV[@]}"
  local base=$API_BASE
  LEARNER_API_PID=$API_PID
  learner_seed "$base" "$learners"
  progress "learner seeded: $API_COURSES courses of $LEARNER_LESSONS lessons, $learners learners with $LEARNER_ENROLLMENTS enrollments each"

  local results="$OUT/learner.results" round target result sequence=0 build
  : >"$results"
  learner_warm "$base"
  # An older build on the same database (BENCH_BASELINE_API), run beside this one on every path of every round (after
  # it in odd rounds, before it in even ones), each process held with SIGSTOP while the other runs: the machine's
  # drift then shifts both builds alike. A write path's first run does work later runs repeat as no-ops (complete
  # re-sends stored completions), so writes compare best from round 2 on.
  local -A bases=([this]=$base) pids=([this]=$LEARNER_API_PID)
  local builds=(this)
  if [[ -n ${BENCH_BASELINE_API:-} ]]; then
    # Neither compared process is the one that seeded (80 sign-ups and sign-ins hashing passwords): the seeding
    # process served /auth/me 13-22 % below the other build in every round, fresh ones at par (performance.md, 8).
    stop_process "$LEARNER_API_PID"
    api_launch "$OUT/api-measured.log" "$LEARNER_API" "${LEARNER_API_ENV[@]}"
    base=$API_BASE
    LEARNER_API_PID=$API_PID
    bases[this]=$base
    pids[this]=$LEARNER_API_PID
    learner_warm "$base"
    kill -STOP "$LEARNER_API_PID"
    api_launch "$OUT/api-baseline.log" "$BENCH_BASELINE_API" "${LEARNER_API_ENV[@]}"
    bases[baseline]=$API_BASE
    pids[baseline]=$API_PID
    builds+=(baseline)
    learner_warm "$API_BASE"
    kill -STOP "$API_PID"
    kill -CONT "$LEARNER_API_PID"
  fi
  for ((round = 1; round <= ROUNDS; round++)); do
    local order=("${builds[@]}")
    if ((round % 2 == 0 && ${#builds[@]} > 1)); then
      order=(baseline this)
    fi
    for target in $(learner_round_runs); do
      for build in "${order[@]}"; do
        [[ $build == this || $target != pgbench-* ]] || continue
        learner_switch "${pids[$build]}" "${pids[@]}"
        scrape_once "${bases[$build]}"
        result=$(LEARNER_API_PID=${pids[$build]} BENCH_SEQUENCE=$sequence learner_load "${bases[$build]}" "$target" "$RUN_SECONDS" "$CONNECTIONS")
        if [[ $target == enroll ]]; then
          # The next run continues after every enrollment this one may have sent (answered or in flight).
          sequence=$((sequence + $(field requests "$result") + 128 + 100))
        fi
        echo "$round $(learner_result_name "$build" "$target") $result" >>"$results"
        progress "learner round $round $(learner_result_name "$build" "$target"): $result"
      done
    done
    learner_switch "$LEARNER_API_PID" "${pids[@]}"
    kill -STOP "$LEARNER_API_PID"
    learner_cold_start "$round" >>"$results"
    kill -CONT "$LEARNER_API_PID"
  done
  stop_started_processes
  postgres_stop
  report_learner
}

# learner_round_runs: a round's runs in order, the targets with pgbench -S (simple) right before and right after the
# single-row reads. Their ratio then compares moments seconds apart: measured once at the end of the round, minutes
# later, its rounds moved by more than the builds differed (ops/docs/performance.md, learner section, seventh pass).
learner_round_runs() {
  local target
  echo pgbench-simple
  for target in "${LEARNER_TARGETS[@]}"; do
    [[ $target != pgbench-simple ]] || continue
    echo "$target"
    [[ $target != course ]] || echo pgbench-simple
  done
}

# learner_warm BASE: the warm-up runs before measuring (the JIT, the pools, prepared statements).
learner_warm() {
  BENCH_TOKENS=$LEARNER_TOKENS BENCH_PATHS_FILE="$OUT/learner-me.paths" wrk_warm "$CONNECTIONS" "$1"
  BENCH_TOKENS=$LEARNER_TOKENS BENCH_PATHS_FILE="$OUT/learner-enrollments.paths" wrk_warm "$CONNECTIONS" "$1"
}

# learner_switch PID PIDS...: lets PID run and holds every other of PIDS with SIGSTOP.
learner_switch() {
  local run=$1 pid
  shift
  for pid in "$@"; do
    [[ $pid == "$run" ]] || kill -STOP "$pid"
  done
  kill -CONT "$run"
}

# learner_result_name BUILD TARGET: the name a run has in learner.results (baseline-TARGET for the baseline build).
learner_result_name() {
  if [[ $1 == baseline ]]; then
    echo "baseline-$2"
  else
    echo "$2"
  fi
}

# learner_seed BASE LEARNERS: courses with lessons (SQL), learners signed up and signed in through the API, each
# enrolled in the same LEARNER_ENROLLMENTS courses with the first two lessons of each completed. Writes the path files.
learner_seed() {
  local base=$1 learners=$2 learner tokens="" enrollers=""
  api_seed_courses "$base"
  pg_sql training "INSERT INTO lessons (course_id, position, title, content)
    SELECT c.id, p, 'Lesson ' || p, rpad('', $LEARNER_LESSON_CHARS, 'Lesson content for the benchmark. ')
    FROM courses c CROSS JOIN generate_series(1, $LEARNER_LESSONS) p ORDER BY c.id, p"
  for ((learner = 1; learner <= learners; learner++)); do
    api_register "$base" "learner$learner@bench.test" learner
    tokens+="${tokens:+,}$(api_token "$base" "learner$learner@bench.test")"
    # Enrollment writes come from accounts of their own: the measured learners keep their 10 enrollments in every
    # round (with their own tokens, a second round read pages of hundreds and measured a different request).
    api_register "$base" "enroller$learner@bench.test" learner
    enrollers+="${enrollers:+,}$(api_token "$base" "enroller$learner@bench.test")"
  done
  LEARNER_TOKENS=$tokens
  LEARNER_ENROLLER_TOKENS=$enrollers
  pg_sql training "INSERT INTO enrollments (user_id, course_id)
    SELECT u.id, c.id FROM users u CROSS JOIN (SELECT id FROM courses ORDER BY id LIMIT $LEARNER_ENROLLMENTS) c
    WHERE u.role = 'learner' AND u.email LIKE 'learner%' ORDER BY u.id, c.id"
  pg_sql training "INSERT INTO lesson_completions (enrollment_id, lesson_id)
    SELECT e.id, l.id FROM enrollments e JOIN lessons l ON l.course_id = e.course_id AND l.position <= 2"
  pg_sql training "VACUUM ANALYZE"

  local first
  first=$(pg_sql training "SELECT min(id) FROM courses")
  echo "/api/v1/auth/me/" >"$OUT/learner-me.paths"
  echo "/api/v1/enrollments/" >"$OUT/learner-enrollments.paths"
  seq "$first" $((first + API_COURSES - 1)) | sed 's|.*|/api/v1/courses/&/|' >"$OUT/learner-course.paths"
  seq "$first" $((first + API_COURSES - 1)) | sed 's|.*|/api/v1/courses/&/lessons/|' >"$OUT/learner-lessons.paths"
  # Enrollments go to courses the learners are not in; the next token takes over after each full pass.
  seq $((first + LEARNER_ENROLLMENTS)) $((first + API_COURSES - 1)) | sed 's|.*|/api/v1/courses/&/enroll|' >"$OUT/learner-enroll.paths"
  pg_sql training "SELECT format('/api/v1/courses/%s/lessons/%s/complete', course_id, id) FROM lessons
    WHERE course_id < $((first + LEARNER_ENROLLMENTS)) ORDER BY course_id, position" >"$OUT/learner-complete.paths"

  pgbench -i -q -s 1 postgres >"$OUT/pgbench-init.log" 2>&1 || { cat "$OUT/pgbench-init.log" >&2; return 1; }
}

# learner_load BASE TARGET SECONDS CONNECTIONS: one run; prints its RESULT pairs plus xacts_per_request (transactions
# the run caused in the API's database per answered request) and the CPU each request cost the API process
# (api_cpu_us) and the database server with its backends (db_cpu_us), in microseconds.
learner_load() {
  local base=$1 target=$2 seconds=$3 connections=$4 before result paths api_ticks db_ticks cpu
  case $target in
    *-c128) connections=128 target=${target%-c128} ;;
  esac
  paths="$OUT/learner-$target.paths"
  before=$(learner_xacts)
  api_ticks=$(cpu_ticks "$LEARNER_API_PID")
  db_ticks=$(cpu_tree_ticks "$PG_POSTMASTER")
  case $target in
    pgbench-simple | pgbench-prepared)
      result=$(learner_pgbench "${target#pgbench-}" "$seconds" "$connections") ;;
    unauthorized)
      # The same route without a token: the pipeline and the 401 answer, no database.
      result=$(BENCH_PATHS_FILE="$OUT/learner-me.paths" wrk_run "$seconds" "$connections" "$base") ;;
    enroll)
      result=$(BENCH_METHOD=POST BENCH_TOKENS=$LEARNER_ENROLLER_TOKENS BENCH_PATHS_FILE=$paths wrk_run "$seconds" "$connections" "$base") ;;
    complete)
      result=$(BENCH_METHOD=POST BENCH_TOKENS=$LEARNER_TOKENS BENCH_PATHS_FILE=$paths wrk_run "$seconds" "$connections" "$base") ;;
    *)
      result=$(BENCH_TOKENS=$LEARNER_TOKENS BENCH_PATHS_FILE=$paths wrk_run "$seconds" "$connections" "$base") ;;
  esac
  cpu="api_cpu_us=$(cpu_per_request "$LEARNER_API_PID" "$api_ticks" "$(field requests "$result")")"
  cpu+=" db_cpu_us=$(cpu_per_request "$PG_POSTMASTER" "$db_ticks" "$(field requests "$result")" "$(cpu_tree_ticks "$PG_POSTMASTER")")"
  case $target in
    pgbench-*)
      echo "$result $cpu" ;;
    *)
      echo "$result $cpu xacts_per_request=$(awk -v d=$(($(learner_xacts_settled) - before)) -v n="$(field requests "$result")" \
        'BEGIN { printf "%.2f", n ? d / n : 0 }')" ;;
  esac
}

learner_xacts() {
  pg_sql postgres "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'training'"
}

# The counter once the backends have reported the run: each does so about a second after going idle, so read
# until it stops moving (at most 10 s).
learner_xacts_settled() {
  local previous current tries=0
  sleep 1
  current=$(learner_xacts)
  while ((tries < 18)); do
    sleep 0.5
    previous=$current
    current=$(learner_xacts)
    [[ $current != "$previous" ]] || break
    tries=$((tries + 1))
  done
  echo "$current"
}

# learner_pgbench simple|prepared SECONDS CLIENTS: pgbench -S (primary-key SELECTs) on the same server, as a RESULT line.
learner_pgbench() {
  local output tps
  output=$(timeout $(($2 + 30)) pgbench -n -S -M "$1" -c "$3" -j 2 -T "$2" postgres 2>&1) || {
    echo "error: pgbench failed: $output" >&2
    return 1
  }
  printf '%s\n' "$output" >>"$OUT/pgbench.log"
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$output")
  echo "requests=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$output") rps=$tps" \
    "p50_ms=0 p95_ms=0 p99_ms=0 http_errors=0 socket_errors=0 xacts_per_request=1"
}

# learner_cold_start ROUND: a fresh API process on the same database; its start-to-ready time (launch to the first
# 200 of /healthz, which includes its migration check and warm-up); from that moment, one 1-second run of GET /auth/me
# per second for LEARNER_COLD_SECONDS, then its steady state after a warm-up (the mean of LEARNER_STEADY_RUNS more
# 1-second runs: 5, or 2 with --quick).
# Prints one results line: ROUND cold s1=.. s2=.. ... steady=.. ready_s=..
learner_cold_start() {
  local round=$1 second line="" result launched ready
  launched=$(date +%s%N)
  api_launch "$OUT/api-cold-$round.log" "$LEARNER_API" "${LEARNER_API_ENV[@]}"
  ready=$(awk -v ns=$(($(date +%s%N) - launched)) 'BEGIN { printf "%.1f", ns / 1e9 }')
  for ((second = 1; second <= LEARNER_COLD_SECONDS; second++)); do
    result=$(BENCH_TOKENS=$LEARNER_TOKENS BENCH_PATHS_FILE="$OUT/learner-me.paths" wrk_run 1 "$CONNECTIONS" "$API_BASE")
    line+=" s$second=$(field rps "$result")"
  done
  BENCH_TOKENS=$LEARNER_TOKENS BENCH_PATHS_FILE="$OUT/learner-me.paths" wrk_warm "$CONNECTIONS" "$API_BASE"
  # The steady state in the same 1-second runs (each opens its connections anew), so the ratio compares like with like.
  local samples=() steady
  for ((second = 1; second <= LEARNER_STEADY_RUNS; second++)); do
    result=$(BENCH_TOKENS=$LEARNER_TOKENS BENCH_PATHS_FILE="$OUT/learner-me.paths" wrk_run 1 "$CONNECTIONS" "$API_BASE")
    samples+=("$(field rps "$result")")
  done
  stop_process "$API_PID"
  steady=$(printf '%s\n' "${samples[@]}" | awk '{ sum += $1 } END { printf "%.1f", sum / NR }')
  progress "learner round $round cold start:$line steady=$steady ready_s=$ready"
  echo "$round cold$line steady=$steady ready_s=$ready"
}

# Table and summary: per target, medians over rounds, with the median per-round ratio to pgbench -S (simple, the mean
# of the round's runs).
report_learner() {
  local results="$OUT/learner.results" summary="" target
  {
    echo "| path | connections | rps (median) | ratio to pgbench -S | p50 ms | p95 ms | p99 ms | transactions per request | API CPU µs per request | database CPU µs per request | errors |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
  } >"$OUT/learner.md"
  for target in "${LEARNER_TARGETS[@]}"; do
    local rps p50 p95 p99 xacts api_cpu db_cpu ratio errors connections=$CONNECTIONS
    [[ $target == *-c128 ]] && connections=128
    read -r rps p50 p95 p99 xacts api_cpu db_cpu <<<"$(round_medians "$results" "$target" rps p50_ms p95_ms p99_ms xacts_per_request api_cpu_us db_cpu_us)"
    ratio=$(round_ratio "$results" "$target" pgbench-simple rps)
    errors=$(learner_errors "$target" "$target")
    printf '| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %d |\n' "$(learner_route "$target")" "$connections" \
      "$rps" "$ratio" "$p50" "$p95" "$p99" "$xacts" "$api_cpu" "$db_cpu" "$errors" >>"$OUT/learner.md"
    summary+="${summary:+ | }$target $(printf '%.0f rps %.2fx p95 %.2f ms xacts %.2f cpu %.0f+%.0f us errors %d' \
      "$rps" "$ratio" "$p95" "$xacts" "$api_cpu" "$db_cpu" "$errors")"
  done
  summary+=" | $(report_cold_start)"
  echo "summary learner ($ROUNDS round(s) of ${RUN_SECONDS}s, API $LEARNER_API_KIND, wrk -t1 -c$CONNECTIONS, pgbench -c$CONNECTIONS -j2; medians, ratios to pgbench -S simple): $summary"
  if [[ -n ${BENCH_BASELINE_API:-} ]]; then
    report_learner_baseline
  fi
}

# learner_errors NAME TARGET: the errors of the runs named NAME over all rounds. wrk counts every 4xx as an error,
# and every answer of the unauthorized run is meant to be a 401.
learner_errors() {
  if [[ $2 == unauthorized ]]; then
    round_total "$OUT/learner.results" "$1" socket_errors
  else
    round_total "$OUT/learner.results" "$1" socket_errors http_errors
  fi
}

# The baseline build's line: per path its medians, and this build's requests/s over the baseline's (the median of
# the per-round ratios, each pair run one right after the other on the same database).
report_learner_baseline() {
  local results="$OUT/learner.results" summary="" target rps p95 api_cpu db_cpu
  for target in "${LEARNER_TARGETS[@]}"; do
    [[ $target != pgbench-* ]] || continue
    read -r rps p95 api_cpu db_cpu <<<"$(round_medians "$results" "baseline-$target" rps p95_ms api_cpu_us db_cpu_us)"
    summary+="${summary:+ | }$target $(printf '%.0f rps p95 %.2f ms cpu %.0f+%.0f us errors %d this/baseline %.2fx' "$rps" "$p95" \
      "$api_cpu" "$db_cpu" "$(learner_errors "baseline-$target" "$target")" "$(round_ratio "$results" "$target" "baseline-$target" rps)")"
  done
  echo "summary learner baseline (API from $BENCH_BASELINE_API, beside this build on every path of every round; medians): $summary" |
    tee -a "$OUT/learner.md"
}

# The cold-start curve: per second, the median over rounds; the first-5-s ratio is the mean of seconds 1-5 over the
# same process's steady state, per round, then the median.
report_cold_start() {
  local results="$OUT/learner.results" second value curve="" seconds=() ratios=() round name rest
  for ((second = 1; second <= LEARNER_COLD_SECONDS; second++)); do
    seconds+=("s$second")
  done
  for value in $(round_medians "$results" cold "${seconds[@]}"); do
    curve+="${curve:+ }$(printf '%.0f' "$value")"
  done
  while read -r round name rest; do
    [[ $name == cold ]] || continue
    ratios+=("$(for s in 1 2 3 4 5; do field "s$s" "$rest"; done | awk -v steady="$(field steady "$rest")" \
      '{ first += $1 } END { printf "%.2f", first / 5 / steady }')")
  done <"$results"
  {
    echo
    echo "Cold start, GET /api/v1/auth/me/ at $CONNECTIONS connections, requests/s in each second after /healthz answered: $curve"
    echo "First 5 s against the same process's steady state: $(median "${ratios[@]}")x"
    echo "Start to ready (launch to the first 200 of /healthz), seconds: $(round_medians "$results" cold ready_s)"
  } >>"$OUT/learner.md"
  echo "cold first-5s $(median "${ratios[@]}")x curve $curve ready $(round_medians "$results" cold ready_s) s"
}

learner_route() {
  case $1 in
    me) echo "GET /api/v1/auth/me/" ;;
    course) echo "GET /api/v1/courses/{id}/" ;;
    lessons | lessons-c128) echo "GET /api/v1/courses/{id}/lessons/ (5 × $LEARNER_LESSON_CHARS chars)" ;;
    enrollments | enrollments-c128) echo "GET /api/v1/enrollments/ ($LEARNER_ENROLLMENTS enrollments)" ;;
    unauthorized) echo "GET /api/v1/auth/me/ without a token (401, no database)" ;;
    enroll) echo "POST /api/v1/courses/{id}/enroll" ;;
    complete) echo "POST /api/v1/courses/{id}/lessons/{lessonId}/complete" ;;
    pgbench-simple) echo "pgbench -S, simple protocol" ;;
    pgbench-prepared) echo "pgbench -S, prepared" ;;
  esac
}
