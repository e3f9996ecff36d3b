-- KEYS: one slot of a member set. 1 when its pending code was revoked, 0 when it has none, -1
-- when the slot is gone (the caller then removes it from the set).
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
-- The slot's first byte is its gate (common.lua): P or F while its code is pending.
local gate = redis.call('GETRANGE', KEYS[1], 0, 0)
if gate == 'P' or gate == 'F' then
  redis.call('SETRANGE', KEYS[1], '0', 'R')
  return 1
end
return 0
