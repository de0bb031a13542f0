-- Settles one reservation: capture (reserved -> spent) or refund (reserved -> available). Idempotent;
-- capture and refund exclude each other.
-- KEYS[1] user ledger hash; KEYS[2] the reservation hash (s, a); KEYS[3] the pending index (ledger-reserve.lua)
-- ARGV[1] 'C' to capture, 'F' to refund
-- ARGV[2] seconds the settled reservation is kept (repeats within that window are recognised)
-- ARGV[3] the message's pending member "<user id>|<32-hex message id>", removed whatever the outcome
-- ARGV[4] optional: on capture, the operator message id, kept as field o
-- Returns 0 settled now, 1 already settled the same way, 2 settled the other way, 3 no reservation.
redis.call('ZREM', KEYS[3], ARGV[3])
local h = redis.call('HMGET', KEYS[2], 's', 'a')
local s = h[1]
if not s then
  return 3
end
if s == ARGV[1] then
  return 1
end
if s ~= 'R' then
  return 2
end
local a = tonumber(h[2])
if a > 0 then
  redis.call('HINCRBY', KEYS[1], 'reserved', string.format('%.0f', 0 - a))
  redis.call('HINCRBY', KEYS[1], ARGV[1] == 'C' and 'spent' or 'available', string.format('%.0f', a))
end
if ARGV[1] == 'C' and ARGV[4] and ARGV[4] ~= '' then
  redis.call('HSET', KEYS[2], 's', ARGV[1], 'o', ARGV[4])
else
  redis.call('HSET', KEYS[2], 's', ARGV[1])
end
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 0
