-- ledger-begin-send.lua for a batch of messages (any users; the ledger lives on one Redis server): one atomic call checks
-- each reservation in order and, when it is still reserved and its attempt has not started, records the attempt as started.
-- Each item behaves exactly as the single script does (docs: README "Durability", idempotent dispatch).
-- KEYS[i] the reservation hash of item i: s = R | C | F, a = amount, n = attempt whose send started, o = operator message id,
--         k = 1 once the message is durably stored (a started send implies it; the expiry sweep skips it)
-- ARGV[i] item i's attempt (decimal, 1-based)
-- Returns {code_1, o_1, code_2, o_2, ...}: 0 send (n := attempt, k := 1), 1 already captured, 2 refunded, 3 this attempt
-- started before (outcome unknown), 4 no reservation; o is the operator message id or '' (nil would end the Lua table).
local out = {}
for i = 1, #KEYS do
  local h = redis.call('HMGET', KEYS[i], 's', 'n', 'o')
  local s = h[1]
  local code, o = 0, ''
  if not s then
    code = 4
  elseif s == 'C' then
    code, o = 1, h[3] or ''
  elseif s == 'F' then
    code = 2
  elseif h[2] == ARGV[i] then
    code, o = 3, h[3] or ''
  else
    redis.call('HSET', KEYS[i], 'n', ARGV[i], 'k', '1')
  end
  out[2 * i - 1] = code
  out[2 * i] = o
end
return out
