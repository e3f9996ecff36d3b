-- KEYS: slot, rate window, new code index, latch member set, subject member set
-- ARGV: now, limit count (0 = none), window ms, index prefix, then the code: id, latch, subject,
--       policy, kind letter, digests hex, used ('0'/'1' per digest), state letter, issued,
--       not before, expires, attempts, uses, renewals, review (0/1), conditions, request hex
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local prefix = ARGV[4]
local cid = ARGV[5]
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  if redis.call('ZCARD', KEYS[2]) >= limit then return {'RATE_LIMITED', ''} end
  redis.call('ZADD', KEYS[2], now, now .. ':' .. cid)
  redis.call('PEXPIRE', KEYS[2], window + 60000)
end
-- The new code replaces the slot's old one; failures, lock and OTP counter stay.
local m = load(KEYS[1])
local replaced = ''
if m == nil then
  m = empty_slot()
elseif m.cid ~= '' then
  if m.st == 'P' then replaced = m.cid end
  redis.call('DEL', prefix .. m.cid)
end
m.cid, m.latch, m.subj, m.pol, m.kind, m.dig, m.used, m.st = cid, ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10],
  ARGV[11], ARGV[12]
m.iss, m.nbf, m.exp = tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15])
m.att, m.uses, m.ren = tonumber(ARGV[16]), tonumber(ARGV[17]), tonumber(ARGV[18])
m.rev, m.cond, m.req = ARGV[19], ARGV[20], ARGV[21]
save(KEYS[1], m)
redis.call('SET', KEYS[3], KEYS[1])
redis.call('SADD', KEYS[4], KEYS[1])
redis.call('SADD', KEYS[5], KEYS[1])
local ttl = retain(KEYS[1], now, m)
if ttl < 0 then redis.call('PERSIST', KEYS[3]) else redis.call('PEXPIRE', KEYS[3], ttl) end
keep_with(KEYS[4], ttl)
keep_with(KEYS[5], ttl)
return {'ISSUED', replaced}
