-- Marks an attempt of a message as handed to the operator, atomically with checking its reservation is still open.
-- Sets 'n' (the attempt whose send started) and 'k' (durably stored) on the reservation hash.
-- KEYS[1] the reservation hash (s, a, n, k)
-- ARGV[1] the attempt, 1-based
-- Returns 0 send, 1 already captured (do not send), 2 refunded (never send), 3 this attempt started before (unknown outcome).
-- A missing reservation answers 0: there is no money to protect.
local s = redis.call('HGET', KEYS[1], 's')
if not s then
  return 0
end
if s == 'C' then
  return 1
end
if s ~= 'R' then
  return 2
end
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n >= tonumber(ARGV[1]) then
  return 3
end
redis.call('HSET', KEYS[1], 'n', ARGV[1], 'k', '1')
return 0
