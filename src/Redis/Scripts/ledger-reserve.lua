-- Reserves the cost of a batch of one user's messages, in order, while the available balance covers each one.
-- One call per batch: the fencing check, every reservation and the balance update are one atomic step.
-- KEYS[1]      user ledger hash: available, reserved, spent, charged, fence
-- KEYS[2..n+1] one reservation hash per message: s = R (reserved) | C (captured) | F (refunded), a = amount,
--              t = reserve time (ms since the Unix epoch, this server's clock); the key ends with the 32-hex message id
-- KEYS[n+2]    the pending index: sorted set, member "<user id>|<32-hex message id>", score t; an entry leaves it when the
--              message is confirmed stored (ledger-confirm.lua), settled (ledger-settle.lua) or swept (ledger-sweep.lua)
-- ARGV[1]      fencing token of the caller's lock grant
-- ARGV[2..n+1] amounts, minor units, >= 0
-- ARGV[n+2]    the user id (prefix of the pending members)
-- Returns {-1} when ARGV[1] is lower than the last accepted token (nothing written), otherwise one code per message:
--   0 reserved, 1 already reserved or settled (nothing changed), 2 insufficient funds (nothing changed).
-- An accepted token that is higher than the last one is recorded, even if no message could be reserved.
local user = KEYS[1]
local token = tonumber(ARGV[1])
local ledger = redis.call('HMGET', user, 'fence', 'available')
local last = ledger[1]
if last and token < tonumber(last) then
  return {-1}
end
if (not last) or token > tonumber(last) then
  redis.call('HSET', user, 'fence', ARGV[1])
end
local available = tonumber(ledger[2] or '0')
local taken = 0
local out = {}
local pending = KEYS[#KEYS]
local prefix = ARGV[#ARGV] .. '|'
local now = redis.call('TIME')
local t = string.format('%.0f', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000))
local members = {}
for i = 2, #KEYS - 1 do
  local amount = tonumber(ARGV[i])
  if redis.call('EXISTS', KEYS[i]) == 1 then
    out[i - 1] = 1
  elseif amount > available then
    out[i - 1] = 2
  else
    available = available - amount
    taken = taken + amount
    redis.call('HSET', KEYS[i], 's', 'R', 'a', ARGV[i], 't', t)
    members[#members + 1] = t
    members[#members + 1] = prefix .. string.sub(KEYS[i], -32)
    if #members >= 1000 then
      redis.call('ZADD', pending, unpack(members))
      members = {}
    end
    out[i - 1] = 0
  end
end
if #members > 0 then
  redis.call('ZADD', pending, unpack(members))
end
if taken > 0 then
  redis.call('HINCRBY', user, 'available', string.format('%.0f', -taken))
  redis.call('HINCRBY', user, 'reserved', string.format('%.0f', taken))
end
return out
