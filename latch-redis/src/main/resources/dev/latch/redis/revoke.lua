-- KEYS: code index. ARGV: code id, now.
local slot = redis.call('GET', KEYS[1])
if not slot then return 0 end
local m = hgetall(slot)
if m.cid ~= ARGV[1] or m.st ~= 'PENDING' then return 0 end
redis.call('HSET', slot, 'st', 'REVOKED')
return 1
