-- KEYS: a member set of slot keys (of one latch or one subject). ARGV: now.
local n = 0
for _, slot in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', slot) == 0 then
    redis.call('SREM', KEYS[1], slot)
  elseif redis.call('GETRANGE', slot, 0, 0) == 'P' then
    redis.call('SETRANGE', slot, '0', 'R')
    n = n + 1
  end
end
return n
