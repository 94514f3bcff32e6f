-- wrk script for the benchmark: tallies who answered (body "serverN\n", or the X-Server header for /big),
-- counts bodies of the wrong size, and prints one JSON line that bench.ts reads.
-- BENCH_PATH: request path; BENCH_SIZE: expected body size in bytes (0: tally by body instead).
local path = os.getenv("BENCH_PATH") or "/"
local want = tonumber(os.getenv("BENCH_SIZE") or "0")
local threads = {}

wrk.path = path

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  badsize = 0
end

function response(status, headers, body)
  local who
  if want > 0 then
    who = headers["X-Server"] or headers["x-server"] or "(no X-Server header)"
    if #body ~= want then badsize = badsize + 1 end
  else
    who = body
  end
  counts[who] = (counts[who] or 0) + 1
end

local function jstr(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local total = {}
  local bad = 0
  for _, t in ipairs(threads) do
    local c = t:get("counts") or {}
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
    bad = bad + (t:get("badsize") or 0)
  end
  local parts = {}
  local n = 0
  for k, v in pairs(total) do
    n = n + 1
    if n <= 20 then table.insert(parts, jstr(string.sub(k, 1, 80)) .. ":" .. v) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"mean":%.1f,"max":%d},"counts":{%s},"badSize":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
    table.concat(parts, ","), bad))
end
