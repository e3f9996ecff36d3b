-- KEYS: event times (list, newest first), cooldown end. ARGV: now, threshold, window ms, cooldown ms.
-- Keeps at most threshold times; fires when all of them fall in (now - window, now] outside a
-- cooldown; firing forgets the times and starts the cooldown. Returns {in window, fired, cooling}.
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local win = tonumber(ARGV[3])
local cd = tonumber(ARGV[4])
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, n - 1)
local times = redis.call('LRANGE', KEYS[1], 0, n - 1)
local from = now - win
local c = 0
for i = 1, #times do
  local t = tonumber(times[i])
  if t > from and t <= now then c = c + 1 end
end
local until_ = num(redis.call('GET', KEYS[2]))
local fired, cooling = 0, 0
if c >= n then
  if until_ and now < until_ then
    cooling = 1
  else
    fired = 1
    redis.call('DEL', KEYS[1])
    until_ = now + cd
    redis.call('SET', KEYS[2], tostring(until_), 'PX', math.max(1, until_ - now) + 60000)
  end
end
if fired == 0 then redis.call('PEXPIRE', KEYS[1], win + 60000) end
return {c, fired, cooling}
