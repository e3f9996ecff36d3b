-- KEYS: slot, rate window, new code index, latch member set, subject member set
-- ARGV: now, limit count (0 = none), window ms, index prefix, then field/value pairs of the code
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local prefix = ARGV[4]
local cid = ARGV[6]
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  if redis.call('ZCARD', KEYS[2]) >= limit then return {'RATE_LIMITED', ''} end
  redis.call('ZADD', KEYS[2], now, now .. ':' .. cid)
  redis.call('PEXPIRE', KEYS[2], window + 60000)
end
local old = redis.call('HMGET', KEYS[1], 'cid', 'st')
local replaced = ''
if old[1] then
  if old[2] == 'PENDING' then replaced = old[1] end
  redis.call('DEL', prefix .. old[1])
end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('SET', KEYS[3], KEYS[1])
redis.call('SADD', KEYS[4], KEYS[1])
redis.call('SADD', KEYS[5], KEYS[1])
local ttl = retain(KEYS[1], now)
if ttl < 0 then redis.call('PERSIST', KEYS[3]) else redis.call('PEXPIRE', KEYS[3], ttl) end
keep_with(KEYS[4], ttl)
keep_with(KEYS[5], ttl)
return {'ISSUED', replaced}
