-- KEYS: a member set of slot keys (of one latch or one subject). ARGV: now.
local n = 0
for _, slot in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', slot) == 0 then
    redis.call('SREM', KEYS[1], slot)
  else
    -- The slot's first byte is its gate (common.lua): P or F while its code is pending.
    local gate = redis.call('GETRANGE', slot, 0, 0)
    if gate == 'P' or gate == 'F' then
      redis.call('SETRANGE', slot, '0', 'R')
      n = n + 1
    end
  end
end
return n
