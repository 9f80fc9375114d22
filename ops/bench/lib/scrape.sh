# shellcheck shell=bash
# Measurement 4: /metrics with about 5,000 live series, created by real requests to distinct routes and methods.

measure_scrape() {
  local scrapes=200
  if $QUICK; then
    scrapes=30
  fi
  env -C "$BENCH_BIN" dotnet TrainingPlatform.Benchmarks.dll scrape --series 5000 --scrapes "$scrapes" >"$OUT/scrape.log" 2>&1 || {
    tail -n 30 "$OUT/scrape.log" >&2
    return 1
  }
  grep '^summary scrape' "$OUT/scrape.log"
}
