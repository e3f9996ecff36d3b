-- KEYS: queue, item. ARGV: member. 1 when an item was removed.
local n = redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return n
