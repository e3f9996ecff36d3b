-- KEYS: key record. ARGV: old digest hex, new digest hex, pepper id. 1 when the digest was still
-- the old one and is now the new one.
local d = redis.call('HGET', KEYS[1], 'dig')
if not d or not cteq(d, ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'dig', ARGV[2], 'pep', ARGV[3])
return 1
