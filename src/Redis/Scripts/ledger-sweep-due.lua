-- Lists pending reservations older than the confirm deadline, by this server's clock (the same clock that wrote their t),
-- so gateways with skewed clocks agree. Read-only; ledger-sweep.lua settles what it lists.
-- KEYS[1] the pending index (ledger-reserve.lua)
-- ARGV[1] the confirm deadline, ms; ARGV[2] most entries listed
-- Returns the members "<user id>|<32-hex message id>" reserved at or before now - deadline, oldest first.
local now = redis.call('TIME')
local cutoff = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[1])
return redis.call('ZRANGE', KEYS[1], '-inf', string.format('%.0f', cutoff), 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
