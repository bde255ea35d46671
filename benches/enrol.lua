-- wrk script: one `enrol` mutation per request, each for the next unused trainee, so
-- every request is a real insert (a distinct (trainee, course) pair).
--
-- Environment:
--   BENCH_TOKEN    session token of an INSTITUTION_ADMIN (Authorization: Bearer)
--   BENCH_COURSE   id of an open course of that institution
--   BENCH_IDS      file with one trainee id per line, owned by that institution
--   BENCH_THREADS  wrk's -t (how the ids are shared out; default 2)
--
-- Thread k of n takes ids k, k+n, k+2n, ...; when its share runs out it wraps around
-- (the repeats answer `created: false`, and run.sh reports them).
-- done() prints one machine-readable line: BENCH requests=... rps=... p50_us=... p99_us=...

local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local token = os.getenv("BENCH_TOKEN")
  course = os.getenv("BENCH_COURSE")
  local file = os.getenv("BENCH_IDS")
  if token == nil or course == nil or file == nil then
    error("BENCH_TOKEN, BENCH_COURSE and BENCH_IDS must be set")
  end
  ids = {}
  local stride = tonumber(os.getenv("BENCH_THREADS") or "2")
  local n = 0
  for line in io.lines(file) do
    if n % stride == index then
      ids[#ids + 1] = line
    end
    n = n + 1
  end
  if #ids == 0 then
    error("no trainee ids for thread " .. index)
  end
  next_id = 1
  wrapped = 0
  errors = 0
  created = 0
  repeated = 0
  wrk.method = "POST"
  wrk.path = "/graphql"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

local query = "mutation($t: ID!, $c: ID!) { enrol(input: {traineeId: $t, courseId: $c}) "
  .. "{ created enrolment { id } } }"

function request()
  local id = ids[next_id]
  next_id = next_id + 1
  if next_id > #ids then
    next_id = 1
    wrapped = wrapped + 1
  end
  local body = '{"query":"' .. query .. '","variables":{"t":"' .. id .. '","c":"' .. course .. '"}}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
  elseif string.find(body, '"created":true', 1, true) then
    created = created + 1
  else
    repeated = repeated + 1
  end
end

function done(summary, latency, requests)
  local errs, made, again, wraps = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    errs = errs + thread:get("errors")
    made = made + thread:get("created")
    again = again + thread:get("repeated")
    wraps = wraps + thread:get("wrapped")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d graphql_errors=%d "
      .. "socket_errors=%d non2xx=%d created=%d repeated=%d wrapped=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    errs,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, made, again, wraps))
end
