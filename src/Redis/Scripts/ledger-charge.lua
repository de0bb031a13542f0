-- Adds an amount to a user's available balance, once per charge id (DESIGN.md "Money").
-- KEYS[1] user ledger hash: available, reserved, spent, charged, fence (integers, minor units)
-- KEYS[2] charge-id marker (string; expires after ARGV[2] seconds)
-- ARGV[1] amount, minor units, > 0
-- ARGV[2] how long the charge id is remembered, seconds
-- Returns {available, reserved, spent} after the charge (or after the first charge with this id).
-- Errors (nothing written): "ERR ledger overflow" when charged + amount would pass 2^53 - 1 (Lua numbers are doubles).
if redis.call('EXISTS', KEYS[2]) == 0 then
  local charged = tonumber(redis.call('HGET', KEYS[1], 'charged') or '0')
  if charged + tonumber(ARGV[1]) > 9007199254740991 then
    return redis.error_reply('ERR ledger overflow')
  end
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
  redis.call('HINCRBY', KEYS[1], 'available', ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'charged', ARGV[1])
end
return redis.call('HMGET', KEYS[1], 'available', 'reserved', 'spent')
