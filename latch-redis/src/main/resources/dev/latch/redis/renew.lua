-- KEYS: slot (named by the code's index), the subject's member set. ARGV: code id, new expiry, now.
local m = load(KEYS[1])
if m == nil or m.cid ~= ARGV[1] then return {'NOT_FOUND'} end
local now = tonumber(ARGV[3])
if m.st ~= 'P' then return {'NOT_PENDING', unpack(fields(m))} end
if now >= m.exp then return {'EXPIRED', unpack(fields(m))} end
if m.ren <= 0 then return {'NO_RENEWALS_LEFT', unpack(fields(m))} end
m.exp, m.iss, m.ren = tonumber(ARGV[2]), now, m.ren - 1
save(KEYS[1], m)
keep_with(KEYS[2], retain(KEYS[1], now, m))
return {'RENEWED', unpack(fields(m))}
