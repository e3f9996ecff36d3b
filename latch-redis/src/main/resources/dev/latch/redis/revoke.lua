-- KEYS: code index. ARGV: code id, now.
local slot = redis.call('GET', KEYS[1])
if not slot then return 0 end
local m = load(slot)
if m == nil or m.cid ~= ARGV[1] or m.st ~= 'P' then return 0 end
redis.call('SETRANGE', slot, '0', 'R')
return 1
