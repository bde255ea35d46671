-- wrk script: the same GraphQL query on every request.
--
-- Environment:
--   BENCH_TOKEN  session token (Authorization: Bearer)
--   BENCH_BODY   the JSON request body, e.g. {"query":"{ programmeProgress { ... } }"}
--
-- Every answer is checked: a status other than 200 or a body with "errors" counts as an
-- error. done() prints one machine-readable line like enrol.lua's.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local token = os.getenv("BENCH_TOKEN")
  local body = os.getenv("BENCH_BODY")
  if token == nil or body == nil then
    error("BENCH_TOKEN and BENCH_BODY must be set")
  end
  errors = 0
  wrk.method = "POST"
  wrk.path = "/graphql"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local errs = 0
  for _, thread in ipairs(threads) do
    errs = errs + thread:get("errors")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d graphql_errors=%d "
      .. "socket_errors=%d non2xx=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    errs,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
