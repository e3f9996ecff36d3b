-- KEYS: code index. ARGV: code id, new expiry, now.
local slot = redis.call('GET', KEYS[1])
if not slot then return {'NOT_FOUND'} end
local m = load(slot)
if m == nil or m.cid ~= ARGV[1] then return {'NOT_FOUND'} end
local now = tonumber(ARGV[3])
if m.st ~= 'P' then return {'NOT_PENDING', unpack(fields(m))} end
if now >= m.exp then return {'EXPIRED', unpack(fields(m))} end
if m.ren <= 0 then return {'NO_RENEWALS_LEFT', unpack(fields(m))} end
m.exp, m.iss, m.ren = tonumber(ARGV[2]), now, m.ren - 1
save(slot, m)
local ttl = retain(slot, now, m)
if ttl < 0 then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ttl) end
return {'RENEWED', unpack(fields(m))}
