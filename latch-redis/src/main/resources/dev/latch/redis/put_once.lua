-- KEYS: marker. ARGV: now, expires at, ttl ms. 1 the first time, 0 while remembered.
local v = redis.call('GET', KEYS[1])
if v and tonumber(ARGV[1]) < tonumber(v) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
