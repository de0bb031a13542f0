-- Claims an idempotency key (first request wins).
-- KEYS[1] key hash: fp (body fingerprint), s = P (in progress) | C (completed), code, body
-- ARGV[1] fingerprint; ARGV[2] ttl, ms
-- Returns {0} claimed now, {1, code, body} completed with the same fingerprint, {2} in progress, {3} other fingerprint.
local fp = redis.call('HGET', KEYS[1], 'fp')
if not fp then
  redis.call('HSET', KEYS[1], 'fp', ARGV[1], 's', 'P')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {0}
end
if fp ~= ARGV[1] then
  return {3}
end
local v = redis.call('HMGET', KEYS[1], 's', 'code', 'body')
if v[1] == 'C' then
  return {1, v[2], v[3]}
end
return {2}
