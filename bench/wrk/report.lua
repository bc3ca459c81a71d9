-- Shared by every scenario (loaded with dofile): counts answers whose status is not the expected one and prints
-- one line "BENCH_JSON {...}" in done() with requests/s, p50/p95/p99 latency and the error counts.
local threads = {}
local expected = tonumber(os.getenv("BENCH_EXPECT_STATUS") or "200")
bad = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= expected then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local unexpected = 0
  for _, thread in ipairs(threads) do
    unexpected = unexpected + (thread:get("bad") or 0)
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_s": %.3f, "rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, '
      .. '"p99_ms": %.2f, "max_ms": %.2f, "unexpected_status": %d, "non_2xx_3xx": %d, "socket_errors": %d, '
      .. '"timeouts": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, unexpected, e.status, e.connect + e.read + e.write, e.timeout
  ))
end
