# shellcheck shell=bash
# Measurement 2: the same trivial endpoint in hosts that differ only in what watches it, loaded by wrk in turn.
# Every host starts first and is then held with SIGSTOP, so an idle host takes no CPU from the one under load.

# name → arguments of "TrainingPlatform.Benchmarks host ..."
declare -A PIPELINE_HOSTS=(
  [bare]="bare"
  [promnet]="promnet"
  [promnet-stock]="promnet-stock"
  [audit]="audit"
  [defaults]="defaults"
  [defaults-quiet]="defaults --Logging:LogLevel:TrainingPlatform.Access=Warning"
)

measure_pipeline() {
  local variants=(bare promnet audit defaults defaults-quiet promnet-stock)
  if $QUICK; then
    variants=(bare promnet defaults)
  fi
  local count=${#variants[@]} variant round i result
  declare -A port pid
  local results="$OUT/pipeline.results"
  : >"$results"

  for variant in "${variants[@]}"; do
    port[$variant]=$(free_port)
    # shellcheck disable=SC2086 # the host arguments are words
    start_process "$OUT/host-$variant.log" env -C "$BENCH_BIN" dotnet TrainingPlatform.Benchmarks.dll host \
      ${PIPELINE_HOSTS[$variant]} --urls "http://127.0.0.1:${port[$variant]}"
    pid[$variant]=$LAST_PID
    wait_for_url "http://127.0.0.1:${port[$variant]}/hello" "$OUT/host-$variant.log"
    wrk_run "$WARM_SECONDS" "$CONNECTIONS" "http://127.0.0.1:${port[$variant]}/hello" >/dev/null
    kill -STOP "${pid[$variant]}"
  done

  for ((round = 1; round <= ROUNDS; round++)); do
    for ((i = 0; i < count; i++)); do
      # Each round starts one variant later, so no variant always runs first or last.
      variant=${variants[(i + round - 1) % count]}
      kill -CONT "${pid[$variant]}"
      sleep 0.5
      scrape_once "http://127.0.0.1:${port[$variant]}"
      result=$(wrk_run "$RUN_SECONDS" "$CONNECTIONS" "http://127.0.0.1:${port[$variant]}/hello")
      kill -STOP "${pid[$variant]}"
      echo "$round $variant $result" >>"$results"
      progress "pipeline round $round $variant: $result"
    done
  done
  for variant in "${variants[@]}"; do
    stop_process "${pid[$variant]}"
  done

  report_pipeline "${variants[@]}"
}

# Table and summary: per variant the medians over rounds, and the median of its per-round ratio to bare.
report_pipeline() {
  local results="$OUT/pipeline.results" variant round summary=""
  {
    echo "| variant | rps (median) | ratio to bare | p50 ms | p99 ms | errors |"
    echo "|---|---|---|---|---|---|"
  } >"$OUT/pipeline.md"
  for variant in "$@"; do
    local rps=() p50=() p99=() ratios=() errors=0 line bare_rps
    while read -r round name rest; do
      [[ $name == "$variant" ]] || continue
      rps+=("$(field rps "$rest")")
      p50+=("$(field p50_ms "$rest")")
      p99+=("$(field p99_ms "$rest")")
      errors=$((errors + $(field http_errors "$rest") + $(field socket_errors "$rest")))
      line=$(grep "^$round bare " "$OUT/pipeline.results")
      bare_rps=$(field rps "${line#* bare }")
      ratios+=("$(ratio "$(field rps "$rest")" "$bare_rps")")
    done <"$results"
    local r50 r99 rr
    r50=$(median "${p50[@]}")
    r99=$(median "${p99[@]}")
    rr=$(median "${ratios[@]}")
    printf '| %s | %.0f | %.2f | %.2f | %.2f | %d |\n' "$variant" "$(median "${rps[@]}")" "$rr" "$r50" "$r99" "$errors" >>"$OUT/pipeline.md"
    summary+="${summary:+ | }$variant $(printf '%.0f rps %.2fx p50 %.2f p99 %.2f ms' "$(median "${rps[@]}")" "$rr" "$r50" "$r99")"
  done
  echo "summary pipeline ($ROUNDS round(s) of ${RUN_SECONDS}s, wrk -t1 -c$CONNECTIONS, medians; ratio to bare): $summary"
}
