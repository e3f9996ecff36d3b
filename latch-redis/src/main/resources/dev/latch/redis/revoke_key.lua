-- KEYS: key record.
local st = redis.call('HGET', KEYS[1], 'st')
if not st or st == 'REVOKED' then return 0 end
redis.call('HSET', KEYS[1], 'st', 'REVOKED')
return 1
