-- KEYS: slot, rate window, subject member set (all under the subject's hash tag). The code's
-- index and its latch's member set live on other slots: the client writes them (index.lua).
-- ARGV: now, limit count (0 = none), window ms, then the code: id, latch, subject, policy, kind
--       letter, digests hex, used ('0'/'1' per digest), state letter, issued, not before,
--       expires, attempts, uses, renewals, review (0/1), conditions, request hex
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local cid = ARGV[4]
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  if redis.call('ZCARD', KEYS[2]) >= limit then return {'RATE_LIMITED', ''} end
  redis.call('ZADD', KEYS[2], now, now .. ':' .. cid)
  redis.call('PEXPIRE', KEYS[2], window + 60000)
end
-- The new code replaces the slot's old one; failures, lock and OTP counter stay. The old code's
-- index now names a slot that holds another code, which every lookup by id checks.
local m = load(KEYS[1])
local replaced = ''
if m == nil then
  m = empty_slot()
elseif m.cid ~= '' and m.st == 'P' then
  replaced = m.cid
end
m.cid, m.latch, m.subj, m.pol, m.kind, m.dig, m.used, m.st = cid, ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9],
  ARGV[10], ARGV[11]
m.iss, m.nbf, m.exp = tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])
m.att, m.uses, m.ren = tonumber(ARGV[15]), tonumber(ARGV[16]), tonumber(ARGV[17])
m.rev, m.cond, m.req = ARGV[18], ARGV[19], ARGV[20]
save(KEYS[1], m)
redis.call('SADD', KEYS[3], KEYS[1])
keep_with(KEYS[3], retain(KEYS[1], now, m))
return {'ISSUED', replaced}
