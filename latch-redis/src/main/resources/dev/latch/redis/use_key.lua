-- KEYS: key record. ARGV: digest hex, now, source.
local m, flat = hgetall(KEYS[1])
if m.id == nil then return {'NO_KEY'} end
-- 'v' names the key hash's layout; keys stored before it existed have none and read as 1
if m.v and m.v ~= '1' then return {'LAYOUT'} end
if not cteq(m.dig, ARGV[1]) then return {'WRONG_SECRET', unpack(flat)} end
local now = tonumber(ARGV[2])
if m.st == 'REVOKED' then return {'REVOKED', unpack(flat)} end
if (num(m.exp) and now >= num(m.exp)) or (num(m.vu) and now >= num(m.vu)) then return {'EXPIRED', unpack(flat)} end
redis.call('HSET', KEYS[1], 'lu', now, 'lfrom', ARGV[3])
local _, after = hgetall(KEYS[1])
return {'OK', unpack(after)}
