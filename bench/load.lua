-- wrk script for bench/load.py. Without arguments every request is the command line's GET; with
--   wrk ... -s load.lua URL -- post PATH COOKIE TOKEN PREFIX NAME
-- every request is a registration POST to PATH with the session COOKIE and its CSRF TOKEN, a contact
-- unique to the request (PREFIX-<thread>-<n>@bench.example) and a unique submission id.
-- At the end it prints one JSON line that bench/load.py reads.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "get"
  n = 0
  if mode == "post" then
    path, cookie, token, prefix, name = args[2], args[3], args[4], args[5], args[6]
    headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = cookie,
    }
  end
end

function request()
  if mode ~= "post" then
    return wrk.format(nil)
  end
  n = n + 1
  local unique = string.format("%s-%d-%d", prefix, id, n)
  local body = "csrf_token=" .. token
    .. "&name=" .. name
    .. "&email=" .. unique .. "%40bench.example"
    .. "&mobile=&neighbourhood=&interpretation_language=&other_needs="
    .. "&submission_id=" .. string.rep("s", 20) .. unique
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, '
    .. '"errors_status": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
