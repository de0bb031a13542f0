-- Resolves pending reservations listed by ledger-sweep-due.lua. A reservation still held (s = R) whose message was never
-- confirmed stored (no k) and whose send never started (no n, set by the dispatch begin-send) is refunded
-- (reserved -> available) and marked e = 1; any other state only leaves the index. Safe to run from several gateways at
-- once without a lock: an entry is handled only while it is still in the index, and it leaves the index in the same step.
-- KEYS[1]               the pending index
-- KEYS[2i], KEYS[2i+1]  user ledger hash and reservation hash of entry i (i = 1..n)
-- ARGV[1]               the confirm deadline, ms (an entry younger than that is left alone)
-- ARGV[2]               seconds a refunded reservation is kept (as ledger-settle.lua)
-- ARGV[2+i]             the pending member of entry i
-- Returns three values per entry: code, amount (minor units), reserve time t (ms since the Unix epoch); code 0 refunded
-- now, 1 gone from the index already (another sweeper, a confirm or a settle got there first), 2 resolved without refund
-- (stored, sending, settled or missing), 3 not yet due.
local now = redis.call('TIME')
local cutoff = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[1])
local out = {}
for i = 1, (#KEYS - 1) / 2 do
  local user = KEYS[2 * i]
  local r = KEYS[2 * i + 1]
  local member = ARGV[2 + i]
  local score = redis.call('ZSCORE', KEYS[1], member)
  if not score then
    out[#out + 1] = 1
    out[#out + 1] = 0
    out[#out + 1] = 0
  elseif tonumber(score) > cutoff then
    out[#out + 1] = 3
    out[#out + 1] = 0
    out[#out + 1] = tonumber(score)
  else
    local v = redis.call('HMGET', r, 's', 'a', 'k', 'n')
    redis.call('ZREM', KEYS[1], member)
    if v[1] == 'R' and not v[3] and not v[4] then
      local a = tonumber(v[2])
      if a > 0 then
        redis.call('HINCRBY', user, 'reserved', string.format('%.0f', 0 - a))
        redis.call('HINCRBY', user, 'available', string.format('%.0f', a))
      end
      redis.call('HSET', r, 's', 'F', 'e', '1')
      redis.call('EXPIRE', r, ARGV[2])
      out[#out + 1] = 0
      out[#out + 1] = a
    else
      out[#out + 1] = 2
      out[#out + 1] = 0
    end
    out[#out + 1] = tonumber(score)
  end
end
return out
