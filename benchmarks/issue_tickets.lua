-- wrk script: POST /api/tickets as a kiosk, rotating through the categories given after `--`.
-- Usage: wrk ... -s issue_tickets.lua URL -- KIOSK_TOKEN CATEGORY...
-- Each thread counts requests sent and answers by status, and keeps the ticket number of every
-- 201; `done` prints one line "YIMEN_REPORT {json}" for benchmarks/issue.py to check, with the
-- latency at every 0.1th percentile ("quantiles_us"), so that the runs of several wrk processes
-- at once (benchmarks/city_issue.py) can be merged into one distribution.

-- Globals, because wrk's thread:get() reads a thread's globals.
sent = 0
statuses = {}
numbers = {}

local bodies = {}
local headers = {}
local next_body = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  headers["Authorization"] = "Bearer " .. args[1]
  headers["Content-Type"] = "application/json"
  for i = 2, #args do
    bodies[#bodies + 1] = '{"category":"' .. args[i] .. '"}'
  end
end

function request()
  next_body = next_body % #bodies + 1
  sent = sent + 1
  return wrk.format("POST", "/api/tickets", headers, bodies[next_body])
end

function response(status, _, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    numbers[#numbers + 1] = string.match(body, '"number":"(%w+)"') or "?"
  end
end

function done(summary, latency, _)
  local total_sent = 0
  local by_status = {}
  local all_numbers = {}
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
    for _, number in ipairs(thread:get("numbers")) do
      all_numbers[#all_numbers + 1] = '"' .. number .. '"'
    end
  end
  local status_parts = {}
  for status, count in pairs(by_status) do
    status_parts[#status_parts + 1] = string.format('"%d":%d', status, count)
  end
  local quantiles = {}
  for step = 1, 1000 do
    quantiles[step] = string.format("%d", latency:percentile(step / 10))
  end
  local errors = summary.errors
  io.write(string.format(
    'YIMEN_REPORT {"duration_us":%d,"requests":%d,"sent":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},'
      .. '"statuses":{%s},"numbers":[%s],"quantiles_us":[%s]}\n',
    summary.duration, summary.requests, total_sent,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean,
    table.concat(status_parts, ","), table.concat(all_numbers, ","),
    table.concat(quantiles, ",")
  ))
end
