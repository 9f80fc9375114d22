# shellcheck shell=bash
# Measurement 2: the same trivial endpoint in hosts that differ only in what watches it, loaded by wrk in turn.
# Every host starts first and is then held with SIGSTOP, so an idle host takes no CPU from the one under load.
# Besides wrk's figures each run records the host's own CPU time per request (/proc/PID/stat), which the other
# work on a shared machine disturbs far less than requests per second.

# pipeline_host_args VARIANT: the arguments of "TrainingPlatform.Benchmarks.dll host ..." for a variant
# (a "-baseline" variant is the same host from BENCH_BASELINE_BENCHMARKS).
pipeline_host_args() {
  case ${1%-baseline} in
    defaults-quiet) echo "defaults --Logging:LogLevel:TrainingPlatform.Access=Warning" ;;
    defaults-otlp)
      echo "defaults --OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$OTLP_SINK_PORT --OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf" ;;
    *) echo "${1%-baseline}" ;;
  esac
}

# pipeline_host_bin VARIANT: the benchmarks build a variant runs from.
pipeline_host_bin() {
  if [[ $1 == *-baseline ]]; then
    echo "$BENCH_BASELINE_BENCHMARKS"
  else
    echo "$BENCH_BIN"
  fi
}

measure_pipeline() {
  local variants=(bare promnet audit defaults defaults-quiet defaults-otlp promnet-stock)
  if $QUICK; then
    variants=(bare promnet defaults)
  fi
  # Another build's audit and defaults hosts in the same rounds: a change measured side by side with what it replaces.
  if [[ -n ${BENCH_BASELINE_BENCHMARKS:-} ]]; then
    [[ -f $BENCH_BASELINE_BENCHMARKS/TrainingPlatform.Benchmarks.dll ]] ||
      { echo "error: BENCH_BASELINE_BENCHMARKS has no TrainingPlatform.Benchmarks.dll: $BENCH_BASELINE_BENCHMARKS" >&2; return 1; }
    variants+=(audit-baseline defaults-baseline)
  fi
  local count=${#variants[@]} variant round i result ticks
  declare -A port pid
  local results="$OUT/pipeline.results"
  : >"$results"

  OTLP_SINK_PORT=$(free_port)
  start_process "$OUT/otlp-sink.log" env -C "$BENCH_BIN" dotnet TrainingPlatform.Benchmarks.dll otlp-sink \
    --urls "http://127.0.0.1:$OTLP_SINK_PORT"

  for variant in "${variants[@]}"; do
    port[$variant]=$(free_port)
    # shellcheck disable=SC2046 # the host arguments are words
    start_process "$OUT/host-$variant.log" env -C "$(pipeline_host_bin "$variant")" dotnet TrainingPlatform.Benchmarks.dll host \
      $(pipeline_host_args "$variant") --urls "http://127.0.0.1:${port[$variant]}"
    pid[$variant]=$LAST_PID
    wait_for_url "http://127.0.0.1:${port[$variant]}/hello" "$OUT/host-$variant.log" "${pid[$variant]}"
    wrk_warm "$CONNECTIONS" "http://127.0.0.1:${port[$variant]}/hello"
    kill -STOP "${pid[$variant]}"
  done

  for ((round = 1; round <= ROUNDS; round++)); do
    for ((i = 0; i < count; i++)); do
      # Each round starts one variant later, so no variant always runs first or last.
      variant=${variants[(i + round - 1) % count]}
      kill -CONT "${pid[$variant]}"
      sleep 0.5
      scrape_once "http://127.0.0.1:${port[$variant]}"
      ticks=$(cpu_ticks "${pid[$variant]}")
      result=$(wrk_run "$RUN_SECONDS" "$CONNECTIONS" "http://127.0.0.1:${port[$variant]}/hello")
      result+=" cpu_us=$(cpu_per_request "${pid[$variant]}" "$ticks" "$(field requests "$result")")"
      kill -STOP "${pid[$variant]}"
      echo "$round $variant $result" >>"$results"
      progress "pipeline round $round $variant: $result"
    done
  done
  stop_started_processes

  report_pipeline "${variants[@]}"
}

# Table and summary: per variant the medians over rounds, and the medians of its per-round ratios to bare
# (requests per second, and bare's CPU per request over the variant's).
report_pipeline() {
  local results="$OUT/pipeline.results" variant summary=""
  {
    echo "| variant | rps (median) | rps ratio to bare | server CPU µs/request | CPU ratio (bare/variant) | p50 ms | p99 ms | errors |"
    echo "|---|---|---|---|---|---|---|---|"
  } >"$OUT/pipeline.md"
  for variant in "$@"; do
    local m_rps m_cpu m_rr m_cr m_p50 m_p99 errors
    read -r m_rps m_cpu m_p50 m_p99 <<<"$(round_medians "$results" "$variant" rps cpu_us p50_ms p99_ms)"
    m_rr=$(round_ratio "$results" "$variant" bare rps)
    m_cr=$(round_ratio "$results" bare "$variant" cpu_us)
    errors=$(round_total "$results" "$variant" http_errors socket_errors)
    printf '| %s | %.0f | %.2f | %.1f | %.2f | %.2f | %.2f | %d |\n' \
      "$variant" "$m_rps" "$m_rr" "$m_cpu" "$m_cr" "$m_p50" "$m_p99" "$errors" >>"$OUT/pipeline.md"
    summary+="${summary:+ | }$variant $(printf '%.0f rps %.2fx, %.1f us %.2fx, p50 %.2f p99 %.2f ms' \
      "$m_rps" "$m_rr" "$m_cpu" "$m_cr" "$m_p50" "$m_p99")"
  done
  echo "summary pipeline ($ROUNDS round(s) of ${RUN_SECONDS}s, wrk -t1 -c$CONNECTIONS; medians of rps and server CPU per request, ratios to bare): $summary"
}
