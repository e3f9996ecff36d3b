-- KEYS: code index. ARGV: code id. Returns the slot's fields when it still holds that code.
local slot = redis.call('GET', KEYS[1])
if not slot then return {} end
local m = load(slot)
if m == nil or m.cid ~= ARGV[1] then return {} end
return fields(m)
