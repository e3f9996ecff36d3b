-- KEYS: key record. ARGV: valid until, successor id.
local st = redis.call('HGET', KEYS[1], 'st')
if st ~= 'ACTIVE' then return {} end
redis.call('HSET', KEYS[1], 'st', 'ROTATED', 'vu', ARGV[1], 'succ', ARGV[2])
local _, flat = hgetall(KEYS[1])
return flat
