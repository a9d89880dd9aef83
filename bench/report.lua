-- wrk script: an optional method and body from the environment (for form posts), and at the end
-- one JSON line with the figures bench/run.py reads. wrk's latencies are in microseconds.
wrk.method = os.getenv("WRK_METHOD") or "GET"
wrk.body = os.getenv("WRK_BODY")

-- WRK_PATHS names a file of paths, one a line: each request takes the next one, so a form that can
-- be submitted once per round (a rubric) is posted to a fresh round every time. The bench runs wrk
-- several times; PATHS.offset carries on where the last run stopped (plus the requests that may
-- still have been in flight), so no round is posted twice.
local paths_file = os.getenv("WRK_PATHS")
local offset = 0
if paths_file then
  local f = io.open(paths_file .. ".offset")
  if f then offset = tonumber(f:read("*l")) or 0; f:close() end
  local paths, i = {}, offset
  for line in io.lines(paths_file) do paths[#paths + 1] = line end
  request = function()
    i = i + 1
    return wrk.format(nil, paths[i])  -- nil past the end: wrk reports it, so the file must be long enough
  end
end

done = function(summary, latency, requests)
  if paths_file then
    local f = io.open(paths_file .. ".offset", "w")
    f:write(tostring(offset + summary.requests + 64), "\n")
    f:close()
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"socket_errors": %d, "status_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
