# shellcheck shell=bash
# Load runs for ops/bench/run.sh: processes we start and stop by pid, free loopback ports, bounded wrk runs,
# and medians over the RESULT lines wrk-report.lua prints.

STARTED_PIDS=()

# Runs a command in the background, remembering its pid for cleanup; sets LAST_PID.
start_process() {
  local log=$1
  shift
  "$@" >/dev/null 2>"$log" &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
}

# Ends one process we started: continue it if stopped, SIGTERM, then SIGKILL after 10 s.
stop_process() {
  local pid=$1 waited=0
  kill -CONT "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && ((waited < 100)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_started_processes() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    stop_process "$pid"
  done
  STARTED_PIDS=()
}

# A loopback port nothing listens on, picked the one way the stack and the tests pick theirs.
free_port() {
  env -C "$BENCH_BIN" dotnet TrainingPlatform.Benchmarks.dll free-port
}

# wait_for_url URL LOG PID: waits up to 60 s for URL to answer 2xx; fails with the log when PID ends or time is up.
wait_for_url() {
  local url=$1 log=$2 pid=$3 tries=0
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    tries=$((tries + 1))
    if ((tries > 600)) || ! kill -0 "$pid" 2>/dev/null; then
      echo "error: $url did not answer (process $pid ended or 60 s passed); log: $log" >&2
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    # Often enough for a start-to-ready time to a tenth of a second.
    sleep 0.1
  done
}

# One scrape of /metrics, as Prometheus would make before a load run (prometheus-net starts lazily on it).
scrape_once() {
  curl -s -o /dev/null --max-time 10 "$1/metrics" || true
}

# wrk_run SECONDS CONNECTIONS URL: one bounded run; prints the RESULT line (key=value pairs).
# The request shape comes from BENCH_* variables (see wrk-report.lua).
wrk_run() {
  local seconds=$1 connections=$2 url=$3 output
  output=$(timeout $((seconds + 30)) wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s --latency \
    -s "$BENCH_DIR/wrk-report.lua" "$url") || {
    echo "error: wrk failed against $url" >&2
    return 1
  }
  printf '%s\n' "$output" >>"$OUT/wrk.log"
  grep '^RESULT ' <<<"$output" | sed 's/^RESULT //'
}

# wrk_warm CONNECTIONS URL: a warm-up run of WARM_SECONDS (the JIT, pools, plan caches) whose figures are dropped;
# none with BENCH_WARM_SECONDS=0 (the smoke tests, which judge no figure). BENCH_TOKENS and BENCH_PATHS_FILE apply.
wrk_warm() {
  ((WARM_SECONDS > 0)) || return 0
  wrk_run "$WARM_SECONDS" "$1" "$2" >/dev/null
}

# cpu_ticks PID: user + system CPU time the process has used, in clock ticks.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# cpu_tree_ticks PID: cpu_ticks of the process and of all its descendants, plus what its ended children had used
# (a database server's backends come and go). The children are read first and the process itself last: a child that
# ends during the walk is then in its parent's count of ended children (at worst counted twice, for a few ticks),
# never lost. Read the other way round, a backend that ended between the two reads was in neither, so on a busy
# machine a 1-second run's database figure could come out negative.
cpu_tree_ticks() {
  local total=0 child
  for child in $(pgrep -P "$1"); do
    total=$((total + $(cpu_tree_ticks "$child")))
  done
  echo $((total + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0)))
}

# cpu_per_request PID TICKS_BEFORE REQUESTS [TICKS_NOW]: microseconds of the process's CPU per request since
# TICKS_BEFORE (until TICKS_NOW, by default its cpu_ticks now).
cpu_per_request() {
  awk -v used=$((${4:-$(cpu_ticks "$1")} - $2)) -v hz="$(getconf CLK_TCK)" -v n="$3" 'BEGIN { printf "%.1f\n", n ? used * 1e6 / hz / n : 0 }'
}

# field NAME "k=v k=v ...": the value of one key.
field() {
  tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"
}

# median VALUES...: the median of numbers (the mean of the middle two for an even count).
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B to two decimals.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f\n", a / b }'
}

# A measurement's results file holds one line per run: "ROUND NAME k=v k=v ...".

# round_medians RESULTS NAME KEY...: per KEY, the median over the runs named NAME; space-separated, in KEY order.
round_medians() {
  local results=$1 target=$2 key round name rest medians=()
  shift 2
  for key in "$@"; do
    local values=()
    while read -r round name rest; do
      [[ $name == "$target" ]] || continue
      values+=("$(field "$key" "$rest")")
    done <"$results"
    medians+=("$(median "${values[@]}")")
  done
  echo "${medians[*]}"
}

# round_total RESULTS NAME KEY...: the sum of the KEYs over the runs named NAME.
round_total() {
  local results=$1 target=$2 key round name rest total=0
  shift 2
  while read -r round name rest; do
    [[ $name == "$target" ]] || continue
    for key in "$@"; do
      total=$((total + $(field "$key" "$rest")))
    done
  done <"$results"
  echo "$total"
}

# round_ratio RESULTS NAME REFERENCE KEY: the median over rounds of NAME's KEY over REFERENCE's KEY in the same round
# (each the mean of its runs in that round, when it ran more than once there).
round_ratio() {
  local results=$1 target=$2 reference=$3 key=$4 round numerator denominator ratios=()
  while read -r round numerator denominator; do
    ratios+=("$(ratio "$numerator" "$denominator")")
  done < <(awk -v t="$target" -v r="$reference" -v k="$key" '
    { v = ""; for (i = 3; i <= NF; i++) if (index($i, k "=") == 1) v = substr($i, length(k) + 2) }
    $2 == t { ts[$1] += v; tn[$1]++ }
    $2 == r { rs[$1] += v; rn[$1]++ }
    END { for (x in tn) print x, ts[x] / tn[x], (rn[x] ? rs[x] / rn[x] : 0) }' "$results")
  median "${ratios[@]}"
}
