-- Shared by every latch script. Times are epoch milliseconds from the caller's clock; Redis
-- expiry is always set relative to them (PEXPIRE), never as an absolute Redis time.
local NEVER = 253402300799000
local TOMBSTONE = 3600000
-- A slot (one latch, one subject) is one string packed with struct: a head that an open rewrites
-- in place, then what an open reads, then the rest, in this order:
--   gate   what an open may do without reading further: F when the code is pending and
--          open.lua's common case applies (one digest; no failures, lock, bound request or
--          conditions), else the state letter: P pending, C consumed, B burned, R revoked,
--          '-' no code. save derives it; a revocation writes R over it in place.
--   u1-u6  uses left, six base-64 digits, most significant first, each stored as 48 + digit
--          (the characters '0' to 'o'): text, so that an open replies with the head it wrote
--          and the client reads the count from it, without the server formatting a number.
--   kind   code kind letter: N numeric, B base32, O opaque, '-' no code
--   nbf, exp                      not before, expires (ms as doubles, exact to 2^53; -1 none)
--   dh     SHA-1 (hex, 40 characters) of each hex digest: what an open compares against
--   rt     what an open replies about the code, after the head: <rev>|<tail>, where tail is
--          <bytes of id>:<bytes of policy>:<id><policy><cond> ('' when the slot holds no code)
--   rev    '1' when opening leaves a review due
--   att, fail                     attempts left, failures (int32)
--   lu                            locked until (ms as a double, -1 none)
--   req    hex SHA-256 of the bound request, '' none
--   cond   conditions
--   ren                           renewals left (int32)
--   iss, lf, fa                   issued, last failure, failures forgotten at (ms as doubles)
--   used   one character per digest, '1' once that digest was used ('' none used)
--   cid, latch, subj, pol         code id, latch, subject, policy
--   dig    hex digests, 64 characters each
--   nc     the next acceptable OTP counter, as a decimal string ('' none)
-- gate, dh and rt are derived (save computes them), so that the common open unpacks only what
-- comes before rev (FAST: 12 values, 6 of them small numbers), compares the presented digest's
-- hash (the client sends it) with dh, rewrites the 7-byte head and replies with it and rt: no
-- number is formatted and no reply is built but one concatenation. A layout change renames the
-- slot keys (RedisLatchStore.slotKey), so that no slot is read with another layout.
local SLOT = '>c1BBBBBBc1ddi4c0i4c0c1i4i4di4c0i4c0i4dddi4c0i4c0i4c0i4c0i4c0i4c0i4c0'
local FAST = '>c1BBBBBBc1ddi4c0i4c0'
-- SLOT without its head (gate and uses), which save writes as text (head below).
local REST = '>c1ddi4c0i4c0c1i4i4di4c0i4c0i4dddi4c0i4c0i4c0i4c0i4c0i4c0i4c0'
-- The six uses digits as a number, and back as the head's text (with its gate letter g; n is a
-- whole number from 0 to 2^36 - 1). open.lua's common case does the same inline.
local function uses_of(d1, d2, d3, d4, d5, d6)
  return ((((d1 * 64 + d2) * 64 + d3) * 64 + d4) * 64 + d5) * 64 + d6 - 52357696560
end
local function head(g, n)
  local d6 = n % 64
  n = (n - d6) / 64
  local d5 = n % 64
  n = (n - d5) / 64
  local d4 = n % 64
  n = (n - d4) / 64
  local d3 = n % 64
  n = (n - d3) / 64
  local d2 = n % 64
  return g .. string.char(48 + (n - d2) / 64, 48 + d2, 48 + d3, 48 + d4, 48 + d5, 48 + d6)
end
-- Whether the common open applies to a slot with these values (see gate).
local function fast(st, fail, lu, req, cond, dh)
  return st == 'P' and fail == 0 and lu < 0 and req == '' and cond == '' and #dh == 40
end
local STATE = {P = 'PENDING', C = 'CONSUMED', B = 'BURNED', R = 'REVOKED'}
local KIND = {N = 'NUMERIC', B = 'BASE32', O = 'OPAQUE'}
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
-- Whole milliseconds as a decimal string (tostring would give 2.53402300799e+14 for NEVER).
local function ms(t)
  if t < 0 then return '' end
  return string.format('%.0f', t)
end
local function empty_slot()
  return {st = '-', kind = '-', rev = '0', att = 0, uses = 0, ren = 0, fail = 0, iss = -1, nbf = -1, exp = -1,
    lf = -1, lu = -1, fa = -1, cid = '', latch = '', subj = '', pol = '', cond = '', req = '', dig = '', used = '',
    nc = ''}
end
-- A packed slot as a table.
local function slot_of(s)
  local m = {}
  local gate, d1, d2, d3, d4, d5, d6, rt
  gate, d1, d2, d3, d4, d5, d6, m.kind, m.nbf, m.exp, m.dh, rt, m.rev, m.att, m.fail, m.lu, m.req, m.cond, m.ren,
    m.iss, m.lf, m.fa, m.used, m.cid, m.latch, m.subj, m.pol, m.dig, m.nc = struct.unpack(SLOT, s)
  if gate == 'F' then m.st = 'P' else m.st = gate end
  m.uses = uses_of(d1, d2, d3, d4, d5, d6)
  m.tail = string.sub(rt, 3)
  m.dh_of = m.dig -- the digests dh was made from (strings are interned: == is a reference compare)
  return m
end
-- The slot as a table, or nil when there is none.
local function load(key)
  local s = redis.call('GET', key)
  if not s then return nil end
  return slot_of(s)
end
-- Writes the whole slot, keeping its expiry (retain sets that). Derives tail afresh, and dh when
-- the digests changed since the slot was read (a failure on a set of recovery codes rehashes none).
local function save(key, m)
  local dh = m.dh
  if dh == nil or m.dh_of ~= m.dig then
    dh = ''
    for i = 0, math.floor(#m.dig / 64) - 1 do dh = dh .. redis.sha1hex(string.sub(m.dig, i * 64 + 1, i * 64 + 64)) end
  end
  local tail = ''
  if m.cid ~= '' then tail = string.format('%d:%d:', #m.cid, #m.pol) .. m.cid .. m.pol .. m.cond end
  local gate = m.st
  if fast(m.st, m.fail, m.lu, m.req, m.cond, dh) then gate = 'F' end
  local rt = m.rev .. '|' .. tail
  redis.call('SET', key, head(gate, math.max(m.uses, 0)) .. struct.pack(REST, m.kind, m.nbf, m.exp, #dh, dh, #rt, rt,
    m.rev, m.att, m.fail, m.lu, #m.req, m.req, #m.cond, m.cond, m.ren, m.iss, m.lf, m.fa, #m.used, m.used, #m.cid,
    m.cid, #m.latch, m.latch, #m.subj, m.subj, #m.pol, m.pol, #m.dig, m.dig, #m.nc, m.nc), 'KEEPTTL')
end
-- The code's fields as name/value pairs, in the form the client reads (RedisLatchStore.code).
local function fields(m)
  return {'cid', m.cid, 'latch', m.latch, 'subj', m.subj, 'pol', m.pol, 'kind', KIND[m.kind], 'dig', m.dig,
    'used', m.used, 'st', STATE[m.st], 'iss', ms(m.iss), 'nbf', ms(m.nbf), 'exp', ms(m.exp), 'att', ms(m.att),
    'uses', ms(m.uses), 'ren', ms(m.ren), 'rev', m.rev, 'cond', m.cond, 'req', m.req}
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
  local keep = now
  if m.exp >= 0 then
    if m.exp >= NEVER then keep = NEVER else keep = math.max(keep, m.exp + TOMBSTONE) end
  end
  if m.lu >= 0 then keep = math.max(keep, m.lu) end
  if m.fail > 0 and m.fa >= 0 then keep = math.max(keep, m.fa) end
  if m.nc ~= '' and m.nc ~= '-1' then keep = NEVER end
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
  local t = base
  for i = 1, doublings do
    if t >= max then break end
    t = t * 2
  end
  return now + math.min(t, max)
end
-- Failures, after forgetting them at fa (the time they are forgotten, -1 for none).
local function failures_now(f, fa, now)
  if f > 0 and fa >= 0 and now >= fa then return 0 end
  return f
end
-- Records a failure in m (the caller saves): count, lock, forget time. Returns the failures and
-- the lock end (nil for none).
local function fail(m, now, threshold, base, max, memory)
  local f = failures_now(m.fail, m.fa, now) + 1
  local lu = lock_until(f, now, threshold, base, max)
  m.fail, m.lf, m.lu, m.fa = f, now, lu or -1, now + memory
  return f, lu
end
local function succeed(m)
  m.fail, m.lf, m.lu, m.fa = 0, -1, -1, -1
end
-- Keeps an auxiliary key (index, member set) at least as long as a slot.
local function keep_with(aux, ttl)
  if ttl < 0 then
    redis.call('PERSIST', aux)
  elseif redis.call('PTTL', aux) < ttl and redis.call('PTTL', aux) ~= -1 then
    redis.call('PEXPIRE', aux, ttl)
  end
end
