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

local paths = {}
local paths_file = os.getenv("BENCH_PATHS_FILE")
if paths_file then
  for line in io.lines(paths_file) do
    paths[#paths + 1] = line
  end
end
local path = os.getenv("BENCH_PATH")
local sequence = tonumber(os.getenv("BENCH_SEQUENCE") or "0")
if #paths == 0 and path then
  local first = tonumber(os.getenv("BENCH_ID_FIRST") or "1")
  for id = first, first + tonumber(os.getenv("BENCH_ID_COUNT") or "1") - 1 do
    paths[#paths + 1] = string.format(path, id)
  end
end

-- Each request is put together from pieces formatted once: its path's request line and headers, the token's
-- Authorization line, and the rest (the blank line and any body): wrk.format on every request cost wrk CPU taken from
-- the cores the server shares with it (measured in performance.md, learner section, sixth pass).
if #paths > 0 then
  local heads, tails, authorizations = {}, {}, {}
  -- In init: wrk sets the Host header only once the script has loaded.
  init = function()
    for i, p in ipairs(paths) do
      local formatted = wrk.format(nil, p)
      local blank = string.find(formatted, "\r\n\r\n", 1, true)
      heads[i] = string.sub(formatted, 1, blank - 1)
      tails[i] = string.sub(formatted, blank)
    end
    for t, token in ipairs(tokens) do
      authorizations[t] = "\r\nAuthorization: Bearer " .. token
    end
  end
  local count = #paths
  request = function()
    local i = sequence % count + 1
    local authorization = #tokens > 0 and authorizations[math.floor(sequence / count) % #tokens + 1] or ""
    sequence = sequence + 1
    return heads[i] .. authorization .. tails[i]
  end
elseif #tokens > 0 then
  wrk.headers["Authorization"] = "Bearer " .. tokens[1]
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
