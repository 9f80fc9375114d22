# shellcheck shell=bash
# Runs one BenchmarkDotNet suite of TrainingPlatform.Benchmarks (short runs with --quick): its log in $OUT/NAME.log,
# its table for the document in $OUT/NAME.md, and its summary line on stdout.

benchmarkdotnet() {
  local name=$1
  shift
  local args=("$name" "$@")
  if $QUICK; then
    args+=(--quick)
  fi
  env -C "$BENCH_BIN" dotnet TrainingPlatform.Benchmarks.dll "${args[@]}" >"$OUT/$name.log" 2>&1 || {
    tail -n 30 "$OUT/$name.log" >&2
    return 1
  }
  sed -n '/^| *Method/,/^$/p' "$OUT/$name.log" >"$OUT/$name.md"
  grep "^summary $name" "$OUT/$name.log"
}
