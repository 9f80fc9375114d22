# shellcheck shell=bash
# Measurement 1: BenchmarkDotNet, in process, over ApplicationBuilder + DefaultHttpContext (no server).

measure_middleware() {
  benchmarkdotnet middleware --artifacts "$OUT/benchmarkdotnet"
}
