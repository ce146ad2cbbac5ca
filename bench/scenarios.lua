-- wrk request generator for the TaskFlow benchmark.
-- BENCH_DATA names a file of lines "<kind> <user> <value>"; BENCH_SCENARIO picks the request.
-- Requests rotate over the seeded users so caches and indexes see realistic spread.

local scenario = os.getenv("BENCH_SCENARIO")
local data_file = os.getenv("BENCH_DATA")
local tokens, emails, cursors, batches, tasks = {}, {}, {}, {}, {}
local password = "bench-password"
local users = 0

for line in io.lines(data_file) do
  local kind, index, value = line:match("^(%S+) (%d+) (.+)$")
  index = tonumber(index)
  if kind == "token" then tokens[index] = value; if index > users then users = index end
  elseif kind == "email" then emails[index] = value
  elseif kind == "cursor" then cursors[index] = value
  elseif kind == "batch" then batches[index] = value
  elseif kind == "task" then tasks[index] = tasks[index] or {}; table.insert(tasks[index], value)
  end
end

local counter = 0

local function headers(user)
  return {["Authorization"] = "Bearer " .. tokens[user], ["Content-Type"] = "application/json"}
end

local function any_task(user)
  local list = tasks[user]
  return list[math.random(1, #list)]
end

request = function()
  counter = counter + 1
  local user = (counter % users) + 1
  if scenario == "list" then
    return wrk.format("GET", "/tasks?limit=20", headers(user))
  elseif scenario == "offset" then
    return wrk.format("GET", "/tasks?limit=20&page=451", headers(user))
  elseif scenario == "cursor" then
    return wrk.format("GET", "/tasks?limit=20&cursor=" .. cursors[user], headers(user))
  elseif scenario == "filter" then
    return wrk.format("GET", "/tasks?status=PENDING,IN_PROGRESS&priority=HIGH&search=report&limit=20",
                      headers(user))
  elseif scenario == "get" then
    return wrk.format("GET", "/tasks/" .. any_task(user), headers(user))
  elseif scenario == "create" then
    return wrk.format("POST", "/tasks", headers(user), '{"title":"bench task","priority":"HIGH"}')
  elseif scenario == "patch" then
    local priority = (counter % 2 == 0) and "LOW" or "HIGH"
    return wrk.format("PATCH", "/tasks/" .. any_task(user), headers(user),
                      '{"priority":"' .. priority .. '"}')
  elseif scenario == "batch" then
    return wrk.format("POST", "/tasks/batch", headers(user), batches[user])
  elseif scenario == "stats" then
    return wrk.format("GET", "/tasks/stats", headers(user))
  elseif scenario == "login" then
    return wrk.format("POST", "/auth/login", {["Content-Type"] = "application/json"},
                      '{"email":"' .. emails[user] .. '","password":"' .. password .. '"}')
  end
  error("unknown BENCH_SCENARIO " .. tostring(scenario))
end

local non2xx = 0
response = function(status, headers, body)
  if status >= 300 then non2xx = non2xx + 1 end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
