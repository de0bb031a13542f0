-- Confirms that messages whose reservations are held are durably stored (broker-acked, or kept by the scheduler): sets
-- k = 1 on each reservation still held and drops its pending entry, so the sweeper (ledger-sweep.lua) never refunds it.
-- One call per confirm batch, of one user or many (the ledger lives on one Redis server).
-- KEYS[1]      the pending index (ledger-reserve.lua)
-- KEYS[2..n+1] one reservation hash per message (s, a, t, k; e = 1 when the sweeper refunded it)
-- ARGV[1..n]   the pending member of each message, "<user id>|<32-hex message id>", same order
-- Returns one code per message: 0 confirmed (held, k set), 1 already captured or refunded by dispatch,
--   2 refunded by the sweeper before this confirm (its message must not be sent), 3 no reservation.
local out = {}
for i = 2, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 's', 'e')
  if not v[1] then
    out[i - 1] = 3
  elseif v[1] == 'R' then
    redis.call('HSET', KEYS[i], 'k', '1')
    out[i - 1] = 0
  elseif v[2] then
    out[i - 1] = 2
  else
    out[i - 1] = 1
  end
end
redis.call('ZREM', KEYS[1], unpack(ARGV))
return out
