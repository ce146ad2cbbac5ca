-- wrk request generator for the TaskFlow benchmark.
-- BENCH_DATA names a file of lines "<kind> <user> <value>"; BENCH_SCENARIO picks the request.
-- Requests spread over the seeded users, so caches and indexes see what many clients do.

local scenario = os.getenv("BENCH_SCENARIO")
local fixed_path = os.getenv("BENCH_PATH")
local data_file = os.getenv("BENCH_DATA")
local tokens, emails, tasks = {}, {}, {}
local password = "bench-password"
local users = 0

for line in io.lines(data_file) do
  local kind, index, value = line:match("^(%S+) (%d+) (.+)$")
  index = tonumber(index)
  if kind == "token" then tokens[index] = value; if index > users then users = index end
  elseif kind == "email" then emails[index] = value
  elseif kind == "task" then tasks[index] = tasks[index] or {}; table.insert(tasks[index], value)
  end
end

-- Each thread draws its own sequence, the same on every run (and for every build compared).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  math.randomseed(1000 + (number or 0))
end

local counter = 0

local function headers(user)
  return {["Authorization"] = "Bearer " .. tokens[user], ["Content-Type"] = "application/json"}
end

local function any_task(user)
  local list = tasks[user]
  return list[math.random(1, #list)]
end

local function some_tasks(user, count)
  local ids = {}
  for i = 1, count do ids[i] = '"' .. any_task(user) .. '"' end
  return table.concat(ids, ",")
end

-- What a client's list views ask for: pages, filters, searches and sorts.
local LISTS = {
  "limit=20",
  "limit=20&status=PENDING",
  "limit=20&status=PENDING,IN_PROGRESS&sort=dueDate&order=asc",
  "limit=20&status=COMPLETED",
  "limit=20&priority=HIGH",
  "limit=20&search=report",
  "limit=20&overdue=true",
  "limit=20&sort=priority&order=desc",
  "limit=20&sort=title&order=asc",
  "limit=20&sort=dueDate&order=desc",
  "limit=50&dueBefore=2027-01-01T00:00:00Z",
  "limit=20&priority=LOW,MEDIUM&sort=createdAt&order=asc",
}

local function list(user)
  local query = LISTS[math.random(1, #LISTS)] .. "&page=" .. math.random(1, 5)
  return wrk.format("GET", "/tasks?" .. query, headers(user))
end

local function create(user)
  return wrk.format("POST", "/tasks", headers(user), '{"title":"bench task","priority":"HIGH"}')
end

-- A patch that changes something, as a client sends when its user edited a task (one that
-- changes nothing is answered with the task as it is, at the cost of a read).
local function patch(user)
  local priority = (math.random(1, 2) == 1) and "LOW" or "HIGH"
  return wrk.format("PATCH", "/tasks/" .. any_task(user), headers(user),
                    '{"priority":"' .. priority .. '","title":"edited ' .. counter .. '"}')
end

local function batch(user)
  return wrk.format("POST", "/tasks/batch", headers(user),
                    '{"action":"update","tasks":[' .. some_tasks(user, 10) ..
                    '],"changes":{"priority":"LOW"}}')
end

-- 60% lists, 10% stats, 15% reads of one task, 15% writes (creates, patches, batches of 10).
local function mixed(user)
  local draw = math.random(1, 100)
  if draw <= 60 then return list(user)
  elseif draw <= 70 then return wrk.format("GET", "/tasks/stats", headers(user))
  elseif draw <= 85 then return wrk.format("GET", "/tasks/" .. any_task(user), headers(user))
  elseif draw <= 90 then return create(user)
  elseif draw <= 95 then return patch(user)
  end
  return batch(user)
end

request = function()
  counter = counter + 1
  local user = (counter % users) + 1
  if scenario == "list" then
    return wrk.format("GET", "/tasks?page=1&limit=20", headers(user))
  elseif scenario == "path" then
    return wrk.format("GET", fixed_path, headers(user))
  elseif scenario == "mixed" then
    return mixed(math.random(1, users))
  elseif scenario == "get" then
    return wrk.format("GET", "/tasks/" .. any_task(user), headers(user))
  elseif scenario == "stats" then
    return wrk.format("GET", "/tasks/stats", headers(user))
  elseif scenario == "create" then
    return create(user)
  elseif scenario == "patch" then
    return patch(user)
  elseif scenario == "batch" then
    return batch(user)
  elseif scenario == "login" then
    return wrk.format("POST", "/auth/login", {["Content-Type"] = "application/json"},
                      '{"email":"' .. emails[user] .. '","password":"' .. password .. '"}')
  end
  error("unknown BENCH_SCENARIO " .. tostring(scenario))
end

-- summary.errors.status counts every answer of 400 or above.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
