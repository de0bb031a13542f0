-- Dispatch's step before an operator send (docs: README "Durability", idempotent dispatch). One atomic call reads the
-- reservation and, when it is still reserved and this attempt has not started, records the attempt as started.
-- KEYS[1] the reservation hash: s = R | C | F, a = amount, n = attempt whose send started, o = operator message id,
--         k = 1 once the message is durably stored (a started send implies it; the expiry sweep skips it)
-- ARGV[1] the message's attempt (decimal, 1-based)
-- Returns {code, o}: 0 send (n := attempt, k := 1), 1 already captured, 2 refunded, 3 this attempt started before
-- (outcome unknown), 4 no reservation. o is the operator message id or '' (nil would end the Lua table).
local h = redis.call('HMGET', KEYS[1], 's', 'n', 'o')
local s = h[1]
local o = h[3] or ''
if not s then
  return {4, ''}
end
if s == 'C' then
  return {1, o}
end
if s == 'F' then
  return {2, ''}
end
if h[2] == ARGV[1] then
  return {3, o}
end
redis.call('HSET', KEYS[1], 'n', ARGV[1], 'k', '1')
return {0, ''}
