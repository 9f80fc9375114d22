-- wrk script for every load run of ops/bench/run.sh: the request comes from the environment, and each run
-- ends with one machine-readable RESULT line (wrk's own --latency table stops at p99 and has no p95).
--
--   BENCH_METHOD   GET (default) or POST
--   BENCH_BODY     JSON request body
--   BENCH_TOKENS   bearer tokens, comma-separated
--   BENCH_PATH     path with one %d, filled with BENCH_ID_FIRST .. BENCH_ID_FIRST+BENCH_ID_COUNT-1 in turn;
--                  after each full pass the next token is used, so an enrollment is never repeated
--   BENCH_PATHS_FILE  paths, one a line, used in turn instead of BENCH_PATH (after each full pass the next token
--                  is used, as above)
--   BENCH_SEQUENCE where in that sequence to start (a later run continues after an earlier one)

local method = os.getenv("BENCH_METHOD")
if method then
  wrk.method = method
end

local body = os.getenv("BENCH_BODY")
if body then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do
  tokens[#tokens + 1] = token
end
if #tokens > 0 then
  wrk.headers["Authorization"] = "Bearer " .. tokens[1]
end

local paths = {}
local paths_file = os.getenv("BENCH_PATHS_FILE")
if paths_file then
  for line in io.lines(paths_file) do
    paths[#paths + 1] = line
  end
end

local path = os.getenv("BENCH_PATH")
if #paths > 0 then
  local sequence = tonumber(os.getenv("BENCH_SEQUENCE") or "0")
  request = function()
    if #tokens > 1 then
      wrk.headers["Authorization"] = "Bearer " .. tokens[math.floor(sequence / #paths) % #tokens + 1]
    end
    local next = paths[sequence % #paths + 1]
    sequence = sequence + 1
    return wrk.format(nil, next)
  end
elseif path then
  local first = tonumber(os.getenv("BENCH_ID_FIRST") or "1")
  local count = tonumber(os.getenv("BENCH_ID_COUNT") or "1")
  local sequence = tonumber(os.getenv("BENCH_SEQUENCE") or "0")
  request = function()
    local id = first + sequence % count
    if #tokens > 1 then
      wrk.headers["Authorization"] = "Bearer " .. tokens[math.floor(sequence / count) % #tokens + 1]
    end
    sequence = sequence + 1
    return wrk.format(nil, string.format(path, id))
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f http_errors=%d socket_errors=%d\n",
    summary.requests,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
