-- KEYS: a code's index or a member set. ARGV: 'S' (the index: set it to ARGV[3]) or 'A' (the set:
-- add ARGV[3]) or 'K' (only keep it), then the time to keep it in ms (-1: for good).
-- An index or set is never shortened: it lives at least as long as any code it leads to.
local ttl = tonumber(ARGV[2])
if ARGV[1] == 'S' then
  local old = redis.call('PTTL', KEYS[1])
  redis.call('SET', KEYS[1], ARGV[3])
  if ttl >= 0 and old ~= -1 then redis.call('PEXPIRE', KEYS[1], math.max(ttl, old)) end
  return 1
end
if ARGV[1] == 'A' then
  local fresh = redis.call('EXISTS', KEYS[1]) == 0
  redis.call('SADD', KEYS[1], ARGV[3])
  if fresh then
    if ttl >= 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
    return 1
  end
elseif redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
keep_with(KEYS[1], ttl)
return 1
