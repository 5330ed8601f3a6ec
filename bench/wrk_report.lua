-- wrk script of bench/bench_serve.sh: sends the session cookie (MN_COOKIE), counts responses
-- other than 200 per thread (a lost session answers 303, which wrk does not count as an
-- error), and prints one line of figures that the bench parses:
--   requests N errors_socket N non200 N rps X p50_ms X p90_ms X p99_ms X max_ms X
local cookie = os.getenv("MN_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non200")
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "requests %d errors_socket %d non200 %d rps %.1f p50_ms %.2f p90_ms %.2f p99_ms %.2f max_ms %.2f\n",
    summary.requests, socket, bad, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
