-- Issues the fencing token of a lock grant, on the ledger node (the store that checks it: ledger-reserve.lua).
-- Called by the holder right after RedLock.net granted the lock and before the grant is handed out.
-- KEYS[1] the resource's fencing counter; ARGV[1] counter ttl, ms
-- Returns the next token: INCR of the counter. A missing counter (first grant, expired, or a restart without
-- persistence) starts at the node's clock in microseconds, above any token it issued before.
local n
if redis.call('EXISTS', KEYS[1]) == 1 then
  n = redis.call('INCR', KEYS[1])
else
  local t = redis.call('TIME')
  n = tonumber(t[1]) * 1000000 + tonumber(t[2])
  redis.call('SET', KEYS[1], string.format('%.0f', n))
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n
