-- KEYS: queue, item. ARGV: member, token. Removes the item when the token is its latest claim's.
local t = redis.call('HMGET', KEYS[2], 'token', 'attempts')
if not t[1] or t[1] ~= ARGV[2] or t[2] == '0' then return 0 end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
