-- KEYS: key record. ARGV: field/value pairs. 0 when a key with that id exists.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
