-- Dispatch's step before an operator send, for one message or a batch (any users; the ledger lives on one Redis server):
-- one atomic call checks each reservation in order and, when it is still reserved and its attempt has not started,
-- records the attempt as started (docs: README "Durability", idempotent dispatch).
-- KEYS[i] the reservation hash of item i: s = R | C | F, a = amount, n = attempt whose send started, o = operator message id,
--         k = 1 once the message is durably stored (a started send implies it; the expiry sweep skips it),
--         t = when attempt n started, ms since the Unix epoch by this server's clock (absent when recorded before t existed)
-- ARGV[i] item i's attempt (decimal, 1-based)
-- Returns {code_1, o_1, n_1, age_1, code_2, ...}: code 0 send (n := attempt, k := 1, t := now), 1 already captured,
-- 2 refunded, 3 this attempt started before (outcome unknown), 4 no reservation, 5 superseded (a later attempt has
-- started: this delivery is stale and is never sent); o is the operator message id or '' (nil would end the Lua table);
-- n is the attempt whose send started before this call, 0 when none; age is, for code 3, how many ms ago that attempt
-- started (-1 when t is absent), else 0. One clock for every dispatcher: the ages do not depend on the hosts' clocks.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local out = {}
for i = 1, #KEYS do
  local h = redis.call('HMGET', KEYS[i], 's', 'n', 'o', 't')
  local s = h[1]
  local started = tonumber(h[2]) or 0
  local attempt = tonumber(ARGV[i])
  local code, o, age = 0, '', 0
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
    local t = tonumber(h[4])
    age = t and math.max(now - t, 0) or -1
  else
    redis.call('HSET', KEYS[i], 'n', ARGV[i], 'k', '1', 't', string.format('%d', now))
  end
  out[4 * i - 3] = code
  out[4 * i - 2] = o
  out[4 * i - 1] = started
  out[4 * i] = age
end
return out
