-- ledger-settle.lua for a batch of captures and refunds (any users; the ledger lives on one Redis server), in order. Each
-- item behaves exactly as the single script does: idempotent, capture and refund exclude each other.
-- KEYS[1]      the pending index (ledger-reserve.lua)
-- KEYS[2i]     item i's user ledger hash; KEYS[2i+1] item i's reservation hash (s, a)
-- ARGV[1]      seconds a settled reservation is kept (repeats within that window are recognised)
-- ARGV[3i-1]   item i: 'C' to capture, 'F' to refund
-- ARGV[3i]     item i's pending member "<user id>|<32-hex message id>", removed whatever the outcome
-- ARGV[3i+1]   item i's operator message id, kept as field o on a capture; '' for none
-- Returns one code per item: 0 settled now, 1 already settled the same way, 2 settled the other way, 3 no reservation.
local out = {}
local n = (#KEYS - 1) / 2
for i = 1, n do
  local user, r = KEYS[2 * i], KEYS[2 * i + 1]
  local how, member, o = ARGV[3 * i - 1], ARGV[3 * i], ARGV[3 * i + 1]
  redis.call('ZREM', KEYS[1], member)
  local s = redis.call('HGET', r, 's')
  if not s then
    out[i] = 3
  elseif s == how then
    out[i] = 1
  elseif s ~= 'R' then
    out[i] = 2
  else
    local a = tonumber(redis.call('HGET', r, 'a'))
    if a > 0 then
      redis.call('HINCRBY', user, 'reserved', string.format('%.0f', 0 - a))
      redis.call('HINCRBY', user, how == 'C' and 'spent' or 'available', string.format('%.0f', a))
    end
    if how == 'C' and o ~= '' then
      redis.call('HSET', r, 'o', o)
    end
    redis.call('HSET', r, 's', how)
    redis.call('EXPIRE', r, ARGV[1])
    out[i] = 0
  end
end
return out
