-- Stores the answer of a claimed idempotency key.
-- KEYS[1] key hash; ARGV[1] status code; ARGV[2] body; ARGV[3] ttl, ms
-- Returns 1 when stored, 0 when the claim no longer exists (expired or released).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 's', 'C', 'code', ARGV[1], 'body', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
