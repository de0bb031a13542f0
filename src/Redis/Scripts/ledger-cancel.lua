-- Cancels a message whose sending has not started: refunds its reservation (reserved -> available) only while
-- s == 'R' and the reservation has no 'n' (the attempt whose operator send started, written by the begin-send script).
-- One atomic step, so a cancel racing the dispatcher's begin-send has exactly one winner.
-- KEYS[1] user ledger hash; KEYS[2] the reservation hash (s, a, n)
-- ARGV[1] seconds the refunded reservation is kept (repeats within that window are recognised)
-- Returns 0 canceled (refunded now), 1 sending started or captured, 2 already refunded, 3 no reservation.
local s = redis.call('HGET', KEYS[2], 's')
if not s then
  return 3
end
if s == 'F' then
  return 2
end
if s ~= 'R' or redis.call('HEXISTS', KEYS[2], 'n') == 1 then
  return 1
end
local a = tonumber(redis.call('HGET', KEYS[2], 'a'))
if a > 0 then
  redis.call('HINCRBY', KEYS[1], 'reserved', string.format('%.0f', 0 - a))
  redis.call('HINCRBY', KEYS[1], 'available', string.format('%.0f', a))
end
redis.call('HSET', KEYS[2], 's', 'F')
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 0
