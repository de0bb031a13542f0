-- Redlock acquire on one node (https://redis.io/docs/latest/develop/use/patterns/distributed-locks/) plus a
-- per-resource fencing counter.
-- KEYS[1] lock key; KEYS[2] fencing counter key
-- ARGV[1] random holder value; ARGV[2] lock ttl, ms; ARGV[3] counter ttl, ms
-- Returns -1 when another holder has the lock, otherwise this node's next fencing value.
-- A missing counter starts at the node's clock in microseconds, so a node that lost its data (restart without
-- persistence, expired counter) still issues values above the ones it issued before.
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then
    return -1
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local n
if redis.call('EXISTS', KEYS[2]) == 1 then
  n = redis.call('INCR', KEYS[2])
else
  local t = redis.call('TIME')
  n = tonumber(t[1]) * 1000000 + tonumber(t[2])
  redis.call('SET', KEYS[2], string.format('%.0f', n))
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return n
