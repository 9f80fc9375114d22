# shellcheck shell=bash
# Measurement 6: memory per request. Many slow readers download one 10 MB course material at once while the API's
# resident memory (VmRSS) is sampled. Downloads move through bounded buffers, so the growth is a few hundred KB
# per reader, not the file's size.

readonly MEMORY_FILE_BYTES=$((10 * 1024 * 1024))
readonly MEMORY_READ_RATE=200k

measure_memory() {
  local readers=${BENCH_READERS:-100} seconds=20
  if $QUICK; then
    readers=${BENCH_READERS:-20}
    seconds=5
  fi
  api_start
  api_register "$API_BASE" instructor@bench.test instructor
  local token course material file="$OUT/material.pdf" auth
  token=$(api_token "$API_BASE" instructor@bench.test)
  auth="Authorization: Bearer $token"
  course=$(curl -fsS --max-time 30 -X POST "$API_BASE/api/v1/courses/" -H "$auth" -H 'Content-Type: application/json' \
    -d '{"title":"Memory","description":"A course with one large material.","published":true}' | jq -r .id)
  # A PDF header, so the file passes content checks on its type; the rest does not compress.
  { printf '%%PDF-1.4\n'; head -c $((MEMORY_FILE_BYTES - 9)) /dev/urandom; } >"$file"
  material=$(curl -fsS --max-time 120 -X POST "$API_BASE/api/v1/upload/" -H "$auth" \
    -F "courseId=$course" -F "file=@$file;type=application/pdf" | jq -r .id)
  # One whole download first (JIT, pools), checked byte for byte.
  curl -fsS --max-time 120 -H "$auth" "$API_BASE/api/v1/upload/$material" | cmp - "$file"

  local before peak rss i readers_pids=()
  before=$(rss_kb "$API_PID")
  peak=$before
  for ((i = 0; i < readers; i++)); do
    curl -s -o /dev/null --limit-rate "$MEMORY_READ_RATE" --max-time $((seconds + 60)) -H "$auth" \
      "$API_BASE/api/v1/upload/$material" &
    readers_pids+=("$!")
  done
  local end=$((SECONDS + seconds))
  while ((SECONDS < end)); do
    rss=$(rss_kb "$API_PID")
    if ((rss > peak)); then
      peak=$rss
    fi
    sleep 0.5
  done
  kill "${readers_pids[@]}" 2>/dev/null || true
  wait "${readers_pids[@]}" 2>/dev/null || true
  stop_process "$API_PID"
  postgres_stop
  echo "summary memory ($readers readers at $MEMORY_READ_RATE/s of one $((MEMORY_FILE_BYTES / 1048576)) MB material, ${seconds}s):" \
    "RSS before $((before / 1024)) MB, peak $((peak / 1024)) MB, growth $(((peak - before) / 1024)) MB"
}

# rss_kb PID: resident memory in KB.
rss_kb() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}
