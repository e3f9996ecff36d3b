-- Shared by every latch script. Times are epoch milliseconds from the caller's clock; Redis
-- expiry is always set relative to them (PEXPIRE), never as an absolute Redis time.
local NEVER = 253402300799000
local TOMBSTONE = 3600000
local function hgetall(key)
  local flat = redis.call('HGETALL', key)
  local m = {}
  for i = 1, #flat, 2 do m[flat[i]] = flat[i + 1] end
  return m, flat
end
local function num(v)
  if v == nil or v == '' then return nil end
  return tonumber(v)
end
-- Compares two hex digests without a timing signal about the secret one: both are hashed
-- again (SHA-1, in C) and the hashes compared, so how long == takes says nothing about how
-- many characters of the digests agree ("double hashing" verification).
local function cteq(a, b)
  if a == nil or b == nil or a == '' or #a ~= #b then return false end
  return redis.sha1hex(a) == redis.sha1hex(b)
end
-- Keeps a slot until nothing in it can matter: an hour after its code expires, after its
-- lock, after its failures are forgotten; for good once it holds an OTP counter.
local function retain(key, now, m)
  if m == nil then m = hgetall(key) end
  local keep = now
  local exp = num(m.exp)
  if exp then
    if exp >= NEVER then keep = NEVER else keep = math.max(keep, exp + TOMBSTONE) end
  end
  local lu = num(m.lu)
  if lu then keep = math.max(keep, lu) end
  local fa = num(m.fa)
  if (num(m.fail) or 0) > 0 and fa then keep = math.max(keep, fa) end
  if m.nc and m.nc ~= '' and m.nc ~= '-1' then keep = NEVER end
  if keep >= NEVER then
    redis.call('PERSIST', key)
    return -1
  end
  local ttl = keep - now + 60000
  redis.call('PEXPIRE', key, ttl)
  return ttl
end
local function lock_until(failures, now, threshold, base, max)
  if failures < threshold then return nil end
  local doublings = math.min(failures - threshold, 40)
  local ms = base
  for i = 1, doublings do
    if ms >= max then break end
    ms = ms * 2
  end
  return now + math.min(ms, max)
end
local function failures_now(m, now)
  local f = num(m.fail) or 0
  local fa = num(m.fa)
  if f > 0 and fa and now >= fa then f = 0 end
  return f
end
-- Records a failure: count, lock, forget time. Returns failures and the lock end (or '').
local function fail(key, m, now, threshold, base, max, memory)
  local f = failures_now(m, now) + 1
  local lu = lock_until(f, now, threshold, base, max)
  redis.call('HSET', key, 'fail', f, 'lf', now, 'lu', lu or '', 'fa', now + memory)
  return f, lu
end
local function succeed(key, now)
  redis.call('HSET', key, 'fail', 0, 'lf', '', 'lu', '', 'fa', '')
end
-- Writes changed fields in one HSET and mirrors them into m.
local function update(key, m, ...)
  local args = {...}
  for i = 1, #args, 2 do m[args[i]] = tostring(args[i + 1]) end
  redis.call('HSET', key, unpack(args))
end
local function flatten(m)
  local out = {}
  for k, v in pairs(m) do
    out[#out + 1] = k
    out[#out + 1] = v
  end
  return out
end
-- Keeps an auxiliary key (index, member set) at least as long as a slot.
local function keep_with(aux, ttl)
  if ttl < 0 then
    redis.call('PERSIST', aux)
  elseif redis.call('PTTL', aux) < ttl and redis.call('PTTL', aux) ~= -1 then
    redis.call('PEXPIRE', aux, ttl)
  end
end
