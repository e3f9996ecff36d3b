-- KEYS: slot, sources of the subject
-- ARGV: now, threshold, base ms, max ms, memory ms, kinds (letters N B O), folded hex, exact hex,
--       request hex, conditions cleared (0/1), source
local now = tonumber(ARGV[1])
local threshold, base, max, memory = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local kinds, folded, exact, request, cleared, source = ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local key = KEYS[1]
local m, flat = hgetall(key)
if #flat == 0 then return {'NO_CODE', 0, '', 0, 0, ''} end
-- The reply carries what the core needs of the code (its CodeSummary), never the digests.
local function summary(outcome, failures, lu, locked, burned, sighting)
  return {outcome, failures, lu, locked, burned, sighting, m.cid or '', m.pol or '', m.uses or '0', m.rev or '0', m.cond or ''}
end
local failures = failures_now(m, now)
local lu = num(m.lu)
if lu and now < lu then
  return summary('LOCKED', failures, m.lu, 0, 0, '')
end
if m.cid == nil or m.cid == '' then return {'NO_CODE', failures, '', 0, 0, ''} end
local letter = nil
if m.kind == 'NUMERIC' then letter = 'N' elseif m.kind == 'BASE32' then letter = 'B' elseif m.kind == 'OPAQUE' then letter = 'O' end
local presented = nil
if letter and string.find(kinds, letter, 1, true) then
  if m.kind == 'OPAQUE' then presented = exact else presented = folded end
  if presented == '' then presented = nil end
end
local match = -1
local n = math.floor(#m.dig / 64)
for i = 0, n - 1 do
  local eq = cteq(presented, string.sub(m.dig, i * 64 + 1, i * 64 + 64))
  if eq and match < 0 then match = i end
end
if match < 0 then
  local outcome = 'WRONG_CODE'
  if presented == nil then outcome = 'MALFORMED' end
  local burned = 0
  local att = tonumber(m.att)
  local st = m.st
  if m.st == 'PENDING' and att < 2147483647 then
    att = att - 1
    if att <= 0 then
      st = 'BURNED'
      burned = 1
    end
  end
  local f = failures + 1
  local until_ = lock_until(f, now, threshold, base, max)
  update(key, m, 'att', att, 'st', st, 'fail', f, 'lf', now, 'lu', until_ or '', 'fa', now + memory)
  retain(key, now, m)
  local locked = 0
  if until_ then locked = 1 end
  return summary(outcome, f, until_ or '', locked, burned, '')
end
local used = tonumber(m.used) or 0
local slot_used = n > 1 and bit.band(used, bit.lshift(1, match)) ~= 0
local refusal = nil
if m.st == 'BURNED' then refusal = 'BURNED'
elseif m.st == 'REVOKED' then refusal = 'REVOKED'
elseif m.st == 'CONSUMED' or tonumber(m.uses) <= 0 or slot_used then refusal = 'USED'
elseif now < tonumber(m.nbf) then refusal = 'NOT_YET_VALID'
elseif now >= tonumber(m.exp) then refusal = 'EXPIRED'
elseif m.req ~= nil and m.req ~= '' and not cteq(m.req, request) then refusal = 'REQUEST_MISMATCH'
elseif m.cond ~= nil and m.cond ~= '' and cleared ~= '1' then refusal = 'CONDITIONS_PENDING'
end
if refusal then
  return summary(refusal, failures, '', 0, 0, '')
end
local uses = tonumber(m.uses) - 1
if n > 1 then used = bit.bor(used, bit.lshift(1, match)) end
local st = m.st
if uses <= 0 then st = 'CONSUMED' end
local had_failures = (num(m.fail) or 0) > 0 or (m.lu ~= nil and m.lu ~= '')
-- Writes only what changed: the common case (a multi-use code, no failures) is one field.
if had_failures then
  update(key, m, 'uses', uses, 'used', used, 'st', st, 'fail', 0, 'lf', '', 'lu', '', 'fa', '')
  retain(key, now, m) -- success can only shorten what must be kept
elseif n > 1 or st ~= m.st then
  update(key, m, 'uses', uses, 'used', used, 'st', st)
else
  update(key, m, 'uses', uses)
end
local sighting = ''
if source ~= '' then
  if redis.call('SCARD', KEYS[2]) == 0 then
    sighting = 'FIRST'
    redis.call('SADD', KEYS[2], source)
  elseif redis.call('SISMEMBER', KEYS[2], source) == 1 then
    sighting = 'KNOWN'
  else
    sighting = 'NEW'
    redis.call('SADD', KEYS[2], source)
    if redis.call('SCARD', KEYS[2]) > 32 then redis.call('SPOP', KEYS[2]) end
  end
  redis.call('PEXPIRE', KEYS[2], 7776000000)
end
return summary('OPENED', 0, '', 0, 0, sighting)
