-- KEYS: queue. ARGV: now, lease ms, max, item key prefix. Claims due items that no live lease
-- holds: each gets a new token and is next available when its lease ends.
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
local until_ms = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, m in ipairs(members) do
  local k = ARGV[4] .. m
  if redis.call('EXISTS', k) == 0 then
    redis.call('ZREM', KEYS[1], m)
  else
    local tok = redis.call('HINCRBY', k, 'token', 1)
    local att = redis.call('HINCRBY', k, 'attempts', 1)
    redis.call('ZADD', KEYS[1], until_ms, m)
    local f = redis.call('HMGET', k, 'v', 'id', 'kind', 'payload', 'due')
    table.insert(out, {f[1] or '', f[2] or '', f[3] or '', f[4] or '', f[5] or '', tok, att})
  end
end
return out
