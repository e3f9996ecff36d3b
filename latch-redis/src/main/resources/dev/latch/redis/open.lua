-- KEYS: slot, then the sources of the subject when there is a source (ARGV[6])
-- ARGV: <now>|<kinds>|<lockout>, folded check, exact check, request hex, conditions cleared
--       ('1'), source, and while peppers rotate the folded and exact checks under the previous
--       pepper (a stored digest matching either check matches; the common case below then does
--       not apply, as ARGV[6] is set). Each is left off with those after it when it and they are empty: the
--       server makes a string of every argument on every call (about 1,400 instructions each).
--       now is 13 hex digits of the time in milliseconds plus 2^51 (read at a fixed place with
--       strtoul: a decimal takes glibc's strtod); kinds are the letters N B O; lockout is
--       threshold:base ms:max ms:memory ms, read only to count a failure. A check is the SHA-1
--       (hex) of a presented digest's hex: what the slot's dh holds for each stored digest (the
--       client hashes it).
-- Reply, when the common case below opens the code: '+', the head it wrote (gate letter and the
-- six digits of the uses left, common.lua), then rt (<rev>|<tail>). Otherwise one string,
-- outcome|failures|locked until|locked now|burned now|sighting|uses left|review|<tail>. Either
-- carries what the core needs of the code (its CodeSummary), never the digests. (One string
-- because a table reply costs the server more; numbers in the second form are formatted with
-- '%d': Lua's own conversion, '%.14g', takes glibc's floating-point path.)
local key = KEYS[1]
local meta = ARGV[1]
local now = tonumber(string.sub(meta, 1, 13), 16) - 2251799813685248
local s = redis.call('GET', key)
if not s then return 'NO_CODE|0||0|0||0|0|0:0:' end
-- Only what the common case reads (FAST); the rest of the slot stays packed.
local gate, d1, d2, d3, d4, d5, d6, kind, nbf, exp, dh, rt = struct.unpack(FAST, s)
local presented = nil
if string.find(meta, kind, 15, true) then
  if kind == 'O' then presented = ARGV[3] else presented = ARGV[2] end
  if presented == '' then presented = nil end
end
-- The presented digest arrives hashed again (SHA-1 of its hex, by the client) and is compared
-- with the stored digests' hashes, so how long the comparison takes says nothing about how many
-- characters of the digests agree ("double hashing" verification). Lua compares strings by
-- reference (they are interned), and every stored hash is compared, matched or not.
local uses = ((((d1 * 64 + d2) * 64 + d3) * 64 + d4) * 64 + d5) * 64 + d6 - 52357696560
-- The common case: gate F (a pending code with one digest and nothing in its way: no lock,
-- failures, bound request or conditions), its digest presented, within its time, and no source
-- to record. It consumes a use by rewriting the 7-byte head in place, and replies with that
-- head and rt, as they are: no helper is made, no number formatted. Every other case takes the
-- general path below, which decides the same way.
if gate == 'F' and presented == dh and uses > 0 and now >= nbf and now < exp and ARGV[6] == nil then
  local n = uses - 1
  local g = 70 -- F; C (67) once the last use is gone
  if n == 0 then g = 67 end
  local u6 = n % 64
  n = (n - u6) / 64
  local u5 = n % 64
  n = (n - u5) / 64
  local u4 = n % 64
  n = (n - u4) / 64
  local u3 = n % 64
  n = (n - u3) / 64
  local u2 = n % 64
  local h = string.char(g, 48 + (n - u2) / 64, 48 + u2, 48 + u3, 48 + u4, 48 + u5, 48 + u6)
  redis.call('SETRANGE', key, '0', h)
  return '+' .. h .. rt
end
-- Every other case, to the end. It returns a refusal, or opens the code. The helpers it uses are
-- defined at the marker line below (RedisLatchStore.assemble), so the common case does not make
-- them.
--@helpers
-- The whole slot, from the string already read (no second GET).
local m = slot_of(s)
local st, rev, failed, lu, req, cond, tail = m.st, m.rev, m.fail, m.lu, m.req, m.cond, m.tail
local function reply(outcome, failures, until_, locked, burned, sighting)
  return string.format('%s|%d|%s|%d|%d|%s|%d|%s|', outcome, failures, ms(until_), locked, burned, sighting, uses,
    rev) .. tail
end
local n = math.floor(#dh / 40)
local failures = failures_now(failed, m.fa, now)
if lu >= 0 and now < lu then
  return reply('LOCKED', failures, lu, 0, 0, '')
end
if tail == '' then return string.format('NO_CODE|%d||0|0||0|0|0:0:', failures) end
local match = -1
-- while peppers rotate, the presented code's check under the previous pepper matches too
local previous = nil
if presented ~= nil and ARGV[7] ~= nil then
  if kind == 'O' then previous = ARGV[8] else previous = ARGV[7] end
  if previous == '' then previous = nil end
end
if presented ~= nil and #presented == 40 then
  if n == 1 then
    if presented == dh or previous == dh then match = 0 end
  else
    for i = 0, n - 1 do
      local stored = string.sub(dh, i * 40 + 1, i * 40 + 40)
      if (presented == stored or previous == stored) and match < 0 then match = i end
    end
  end
end
if match < 0 then
  local outcome = 'WRONG_CODE'
  if presented == nil then outcome = 'MALFORMED' end
  local burned = 0
  if m.st == 'P' and m.att < 2147483647 then
    m.att = m.att - 1
    if m.att <= 0 then
      m.st = 'B'
      burned = 1
    end
  end
  local threshold, base, max, memory = string.match(meta, '|(%d+):(%d+):(%d+):(%d+)$')
  local f, until_ = fail(m, now, tonumber(threshold), tonumber(base), tonumber(max), tonumber(memory))
  save(key, m)
  retain(key, now, m)
  local locked = 0
  if until_ then locked = 1 end
  return reply(outcome, f, until_ or -1, locked, burned, '')
end
local slot_used = n > 1 and string.sub(m.used, match + 1, match + 1) == '1'
local refusal = nil
if st == 'B' then refusal = 'BURNED'
elseif st == 'R' then refusal = 'REVOKED'
elseif st == 'C' or uses <= 0 or slot_used then refusal = 'USED'
elseif now < nbf then refusal = 'NOT_YET_VALID'
elseif now >= exp then refusal = 'EXPIRED'
elseif req ~= '' and not cteq(req, ARGV[4]) then refusal = 'REQUEST_MISMATCH'
elseif cond ~= '' and ARGV[5] ~= '1' then refusal = 'CONDITIONS_PENDING'
end
if refusal then
  return reply(refusal, failures, -1, 0, 0, '')
end
-- It opens: a use is consumed, and the code with its last one.
local left = uses - 1
local after = st
if left <= 0 then after = 'C' end
if failed > 0 or lu >= 0 or n > 1 then
  -- Failures to forget or a digest to mark: the whole slot is written.
  m.uses, m.st = left, after
  if n > 1 then
    local u = m.used
    if #u < n then u = u .. string.rep('0', n - #u) end
    m.used = string.sub(u, 1, match) .. '1' .. string.sub(u, match + 2)
  end
  if failed > 0 or lu >= 0 then
    succeed(m)
    save(key, m)
    retain(key, now, m) -- success can only shorten what must be kept
  else
    save(key, m)
  end
else
  -- Only the head changes, rewritten in place (its gate as save would derive it).
  local g = after
  if fast(after, 0, -1, req, cond, dh) then g = 'F' end
  redis.call('SETRANGE', key, '0', head(g, left))
end
local sighting = ''
local source = ARGV[6]
if source ~= nil and source ~= '' then
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
return 'OPENED|0||0|0|' .. sighting .. '|' .. string.format('%d', left) .. '|' .. rev .. '|' .. tail
--@end
