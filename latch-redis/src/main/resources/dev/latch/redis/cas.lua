-- KEYS: record. ARGV: now, expected version, expires at, ttl ms, value.
-- A record is "r1|version|expires at|value" ("r1" names this layout). 1 when written, 0 when
-- the live version is not the expected one.
local v = redis.call('GET', KEYS[1])
local cur = 0
if v then
  local b1 = string.find(v, '|', 1, true)
  local b2 = string.find(v, '|', b1 + 1, true)
  local b3 = string.find(v, '|', b2 + 1, true)
  if tonumber(ARGV[1]) < tonumber(string.sub(v, b2 + 1, b3 - 1)) then
    cur = tonumber(string.sub(v, b1 + 1, b2 - 1))
  end
end
if cur ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], 'r1|' .. (cur + 1) .. '|' .. ARGV[3] .. '|' .. ARGV[5], 'PX', ARGV[4])
return 1
