-- GCRA over several buckets at once, all or none: the arithmetic of src/Pipeline/Access/Gcra.cs, on the server's clock.
-- KEYS[i]: bucket i (its theoretical arrival time, TAT, in ms).
-- ARGV[1]: cost (units); ARGV[2i], ARGV[2i+1]: limit (units per period) and period (ms) of bucket i.
-- Returns {allowed (1|0), limit, period_ms, remaining, reset_ms, retry_after_ms} of the bucket closest to its limit.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local best = nil
local tats = {}
local denied = false
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i])
  local period = tonumber(ARGV[2 * i + 1])
  local interval = period / limit
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  local start = math.max(tat, now)
  local new_tat = start + interval * cost
  local allow_at = new_tat - period
  local d
  if allow_at > now then
    denied = true
    d = {0, limit, period, math.floor((period - (start - now)) / interval), math.ceil(start - now), math.ceil(allow_at - now)}
  else
    d = {1, limit, period, math.floor((period - (new_tat - now)) / interval), math.ceil(new_tat - now), 0}
  end
  tats[i] = new_tat
  if best == nil or d[1] < best[1] or (d[1] == 0 and best[1] == 0 and d[6] > best[6]) or (d[1] == 1 and best[1] == 1 and d[4] < best[4]) then
    best = d
  end
end
if not denied then
  for i = 1, #KEYS do
    redis.call('SET', KEYS[i], string.format('%.3f', tats[i]), 'PX', math.max(1, math.ceil(tats[i] - now)))
  end
end
return best
