-- Redlock extension: reset the ttl only if the lock still holds the caller's random value.
-- KEYS[1] lock key; ARGV[1] holder value; ARGV[2] new ttl, ms. Returns 1 when extended, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
