-- ledger-settle.lua for a batch of captures and refunds (any users; the ledger lives on one Redis server), in order. Each
-- item behaves exactly as the single script does: idempotent, capture and refund exclude each other.
-- KEYS[1]      the pending index (ledger-reserve.lua)
-- KEYS[2i]     item i's user ledger hash; KEYS[2i+1] item i's reservation hash (s, a)
-- ARGV[1]      seconds a settled reservation is kept (repeats within that window are recognised)
-- ARGV[3i-1]   item i: 'C' to capture, 'F' to refund
-- ARGV[3i]     item i's pending member "<user id>|<32-hex message id>", removed whatever the outcome
-- ARGV[3i+1]   item i's operator message id, kept as field o on a capture; '' for none
-- Returns one code per item: 0 settled now, 1 already settled the same way, 2 settled the other way, 3 no reservation.
-- The balance changes are summed per user ledger hash and applied once each at the end (the script is atomic, so nobody
-- sees the order), and the pending members leave the index in one ZREM per 1000: fewer commands than item by item.
local out = {}
local n = (#KEYS - 1) / 2
local members = {}
for i = 1, n do
  members[#members + 1] = ARGV[3 * i]
  if #members >= 1000 then
    redis.call('ZREM', KEYS[1], unpack(members))
    members = {}
  end
end
if #members > 0 then
  redis.call('ZREM', KEYS[1], unpack(members))
end
local users = {}   -- user ledger hash -> { reserved, spent, available } deltas, in the order first seen
local order = {}
for i = 1, n do
  local user, r = KEYS[2 * i], KEYS[2 * i + 1]
  local how, o = ARGV[3 * i - 1], ARGV[3 * i + 1]
  local h = redis.call('HMGET', r, 's', 'a')
  local s = h[1]
  if not s then
    out[i] = 3
  elseif s == how then
    out[i] = 1
  elseif s ~= 'R' then
    out[i] = 2
  else
    local a = tonumber(h[2])
    if a > 0 then
      local d = users[user]
      if not d then
        d = { 0, 0, 0 }
        users[user] = d
        order[#order + 1] = user
      end
      d[1] = d[1] - a
      if how == 'C' then d[2] = d[2] + a else d[3] = d[3] + a end
    end
    if how == 'C' and o ~= '' then
      redis.call('HSET', r, 's', how, 'o', o)
    else
      redis.call('HSET', r, 's', how)
    end
    redis.call('EXPIRE', r, ARGV[1])
    out[i] = 0
  end
end
for _, user in ipairs(order) do
  local d = users[user]
  redis.call('HINCRBY', user, 'reserved', string.format('%.0f', d[1]))
  if d[2] ~= 0 then redis.call('HINCRBY', user, 'spent', string.format('%.0f', d[2])) end
  if d[3] ~= 0 then redis.call('HINCRBY', user, 'available', string.format('%.0f', d[3])) end
end
return out
