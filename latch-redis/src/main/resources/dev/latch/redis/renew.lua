-- KEYS: code index. ARGV: code id, new expiry, now.
local slot = redis.call('GET', KEYS[1])
if not slot then return {'NOT_FOUND'} end
local m, flat = hgetall(slot)
if m.cid ~= ARGV[1] then return {'NOT_FOUND'} end
local now = tonumber(ARGV[3])
if m.st ~= 'PENDING' then return {'NOT_PENDING', unpack(flat)} end
if now >= tonumber(m.exp) then return {'EXPIRED', unpack(flat)} end
if tonumber(m.ren) <= 0 then return {'NO_RENEWALS_LEFT', unpack(flat)} end
redis.call('HSET', slot, 'exp', ARGV[2], 'iss', now, 'ren', tonumber(m.ren) - 1)
local ttl = retain(slot, now)
if ttl < 0 then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ttl) end
local _, after = hgetall(slot)
return {'RENEWED', unpack(after)}
