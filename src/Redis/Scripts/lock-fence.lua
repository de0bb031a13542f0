-- Raises this node's fencing counter to the token of a grant, so that any later grant (whose quorum intersects
-- this one) gets a larger token. Only while the caller still holds the lock on this node.
-- KEYS[1] lock key; KEYS[2] fencing counter key
-- ARGV[1] holder value; ARGV[2] granted token; ARGV[3] counter ttl, ms
-- Returns 1 when the counter is now >= the token, 0 when the caller does not hold the lock here.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
local c = tonumber(redis.call('GET', KEYS[2]) or '0')
if c < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
end
return 1
