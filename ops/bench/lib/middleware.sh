# shellcheck shell=bash
# Measurement 1: BenchmarkDotNet, in process, over ApplicationBuilder + DefaultHttpContext (no server).

measure_middleware() {
  local args=(middleware --artifacts "$OUT/benchmarkdotnet")
  if $QUICK; then
    args+=(--quick)
  fi
  env -C "$BENCH_BIN" dotnet TrainingPlatform.Benchmarks.dll "${args[@]}" >"$OUT/middleware.log" 2>&1 || {
    tail -n 30 "$OUT/middleware.log" >&2
    return 1
  }
  # BenchmarkDotNet's own table, for the document.
  sed -n '/^| *Method/,/^$/p' "$OUT/middleware.log" >"$OUT/middleware.md"
  grep '^summary middleware' "$OUT/middleware.log"
}
