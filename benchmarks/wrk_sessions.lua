-- wrk script for bench_pages.py: one connection per wrk thread, each with its own session.
--
-- Run as: wrk -t C -c C -s wrk_sessions.lua URL -- METHOD SESSIONS_FILE EXPECTED_STATUS
-- SESSIONS_FILE has one line per connection: path <TAB> Cookie header <TAB> form body A
-- <TAB> form body B. A save alternates between its two bodies, which hold different
-- answers: re-sending the same answers would let the ORM skip the draft's UPDATE (no
-- change), and a save that writes nothing is not a save.
-- wrk calls setup() once per thread, so thread number i takes line i: that is how each
-- connection gets its own survey draft, cookies and CSRF token (wrk has no per-connection
-- hook). Every response's status is checked: a page that answers 200 where a redirect
-- was expected (a failed validation) or a redirect where a page was expected (an
-- expired draft) would otherwise count as a success.

local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("id", count)
  table.insert(threads, thread)
end

function init(args)
  local method, file = args[1], args[2]
  expected = tonumber(args[3])
  unexpected = 0
  checked = 0
  local path, cookie, body_a, body_b
  local i = 0
  for line in io.lines(file) do
    i = i + 1
    if i == id then
      path, cookie, body_a, body_b = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    end
  end
  if path == nil then
    error("no session line " .. tostring(id) .. " in " .. file)
  end
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    reqs = {wrk.format(method, path, headers, body_a), wrk.format(method, path, headers, body_b)}
  else
    reqs = {wrk.format(method, path, headers, nil)}
  end
  turn = 0
end

function request()
  turn = turn + 1
  return reqs[(turn % #reqs) + 1]
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad, seen = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    seen = seen + thread:get("checked")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"unexpected": %d, "checked": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad, seen, e.connect, e.read, e.write, e.status, e.timeout))
end
