-- Dispatch's step before an operator send, for one message or a batch (any users; the ledger lives on one Redis server):
-- one atomic call checks each reservation in order and, when it is still reserved and its attempt has not started,
-- records the attempt as started (docs: README "Durability", idempotent dispatch).
-- KEYS[i] the reservation hash of item i: s = R | C | F, a = amount, n = attempt whose send started, o = operator message id,
--         k = 1 once the message is durably stored (a started send implies it; the expiry sweep skips it)
-- ARGV[i] item i's attempt (decimal, 1-based)
-- Returns {code_1, o_1, n_1, code_2, o_2, n_2, ...}: 0 send (n := attempt, k := 1), 1 already captured, 2 refunded,
-- 3 this attempt started before (outcome unknown), 4 no reservation, 5 superseded (a later attempt has started: this
-- delivery is stale and is never sent); o is the operator message id or '' (nil would end the Lua table); n is the
-- attempt whose send started before this call, 0 when none.
local out = {}
for i = 1, #KEYS do
  local h = redis.call('HMGET', KEYS[i], 's', 'n', 'o')
  local s = h[1]
  local started = tonumber(h[2]) or 0
  local attempt = tonumber(ARGV[i])
  local code, o = 0, ''
  if not s then
    code = 4
  elseif started > attempt then
    code = 5
  elseif s == 'C' then
    code, o = 1, h[3] or ''
  elseif s == 'F' then
    code = 2
  elseif started == attempt then
    code, o = 3, h[3] or ''
  else
    redis.call('HSET', KEYS[i], 'n', ARGV[i], 'k', '1')
  end
  out[3 * i - 2] = code
  out[3 * i - 1] = o
  out[3 * i] = started
end
return out
