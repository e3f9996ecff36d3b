-- KEYS: slot, then the sources of the subject when there is a source (ARGV[6])
-- ARGV: <now>|<kinds>|<lockout>, folded check, exact check, request hex, conditions cleared
--       ('1'), source. Each is left off with those after it when it and they are empty: the
--       server makes a string of every argument on every call (about 1,400 instructions each).
--       now is in milliseconds, in hex (strtoul, where a decimal takes glibc's strtod), with a
--       '-' after it when negative; kinds are the letters N B O; lockout is threshold:base
--       ms:max ms:memory ms, read only to count a failure. A check is the SHA-1 (hex) of a
--       presented digest's hex: what the slot's dh holds for each stored digest (the client
--       hashes it).
-- Reply: one string, outcome|failures|locked until|locked now|burned now|sighting|uses left|
-- review|<bytes of id>:<bytes of policy>:<id><policy><conditions>. It carries what the core
-- needs of the code (its CodeSummary), never the digests. (One string because a table reply
-- costs the server about 1.5 microseconds more. Numbers are formatted with '%d': Lua's own
-- conversion, '%.14g', takes glibc's floating-point path, about 0.4 microseconds per number.)
local key = KEYS[1]
local meta = ARGV[1]
local bar = string.find(meta, '|', 1, true)
local now = tonumber(string.sub(meta, 1, bar - 1), 16) or -tonumber(string.sub(meta, 1, bar - 2), 16)
local s = redis.call('GET', key)
if not s then return 'NO_CODE|0||0|0||0|0|0:0:' end
-- Only what an open reads (OPEN); the rest of the slot stays packed.
local st, kind, rev, att, uses, failed, nbf, exp, lu, dh, req, cond, tail = struct.unpack(OPEN, s)
local presented = nil
if string.find(meta, kind, bar + 1, true) then
  if kind == 'O' then presented = ARGV[3] else presented = ARGV[2] end
  if presented == '' then presented = nil end
end
-- The presented digest arrives hashed again (SHA-1 of its hex, by the client) and is compared
-- with the stored digests' hashes, so how long the comparison takes says nothing about how many
-- characters of the digests agree ("double hashing" verification). Lua compares strings by
-- reference (they are interned), and every stored hash is compared, matched or not.
-- What an open consumes, on either path: a use, and the code with its last one.
local left = uses - 1
local after = st
if left <= 0 then after = 'C' end
local whole = false -- the general path wrote the whole slot
-- The common case, a pending code's only digest presented with nothing in its way (no lock,
-- failures, bound request or conditions), opens without the general path below, which decides
-- it the same way but makes closures for its helpers. (#dh == 40 and lu < 0 follow from the
-- rest, as a lock comes with failures and a longer dh is never one hash; they are kept so that
-- the test reads as the general path's.)
if not (#dh == 40 and presented == dh and st == 'P' and uses > 0 and now >= nbf and now < exp and req == ''
    and cond == '' and failed == 0 and lu < 0) then
  -- Every case. It returns unless the code opens. The helpers it uses are defined between the
  -- two marker lines (RedisLatchStore.assemble), so the common case does not make them.
  --@helpers
  local function reply(outcome, failures, until_, locked, burned, sighting)
    return string.format('%s|%d|%s|%d|%d|%s|%d|%s|', outcome, failures, ms(until_), locked, burned, sighting, uses,
      rev) .. tail
  end
  local n = math.floor(#dh / 40)
  -- The whole slot, from the string already read (no second GET): fa and used lie past what
  -- the common case unpacks. This path is rare: failures, refusals, several digests.
  local m = slot_of(s)
  local failures = failures_now(failed, m.fa, now)
  if lu >= 0 and now < lu then
    return reply('LOCKED', failures, lu, 0, 0, '')
  end
  if tail == '' then return string.format('NO_CODE|%d||0|0||0|0|0:0:', failures) end
  local match = -1
  if presented ~= nil and #presented == 40 then
    if n == 1 then
      if presented == dh then match = 0 end
    else
      for i = 0, n - 1 do
        if presented == string.sub(dh, i * 40 + 1, i * 40 + 40) and match < 0 then match = i end
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
    whole = true
  end
  --@end
end
if not whole then -- only the head changes, rewritten in place
  redis.call('SETRANGE', key, '0', struct.pack(HEAD, after, kind, rev, att, left))
end
uses = left
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
return 'OPENED|0||0|0|' .. sighting .. '|' .. string.format('%d', uses) .. '|' .. rev .. '|' .. tail
