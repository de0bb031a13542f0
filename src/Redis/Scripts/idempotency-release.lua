-- Drops an in-progress claim so a retry can claim the key again; a completed answer is kept.
-- KEYS[1] key hash. Returns 1 when dropped, 0 otherwise.
if redis.call('HGET', KEYS[1], 's') == 'P' then
  return redis.call('DEL', KEYS[1])
end
return 0
