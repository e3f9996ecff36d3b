-- KEYS: code index. ARGV: code id. Returns the slot's fields when it still holds that code.
local slot = redis.call('GET', KEYS[1])
if not slot then return {} end
local m, flat = hgetall(slot)
if m.cid ~= ARGV[1] then return {} end
return flat
