-- KEYS: slot. ARGV: now, threshold, base ms, max ms, memory ms, well-formed (0/1),
-- then pairs of decimal strings (counter, counter + 1), counters ascending.
local now = tonumber(ARGV[1])
local threshold, base, max, memory = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local key = KEYS[1]
local m = load(key) or empty_slot()
local failures = failures_now(m.fail, m.fa, now)
if m.lu >= 0 and now < m.lu then return {'LOCKED', '', failures, ms(m.lu), 0} end
if ARGV[6] ~= '1' or #ARGV < 8 then
  local f, until_ = fail(m, now, threshold, base, max, memory)
  save(key, m)
  retain(key, now, m)
  local outcome = 'WRONG_CODE'
  if ARGV[6] ~= '1' then outcome = 'MALFORMED' end
  local locked = 0
  if until_ then locked = 1 end
  return {outcome, '', f, ms(until_ or -1), locked}
end
-- Counters may exceed 2^53, so they are compared as decimal strings (no leading zeros).
local function ge(a, b)
  if #a ~= #b then return #a > #b end
  return a >= b
end
local next = m.nc
if next == '' or next == '-1' then next = '0' end
for i = 7, #ARGV, 2 do
  if ge(ARGV[i], next) then
    m.nc = ARGV[i + 1]
    succeed(m)
    save(key, m)
    retain(key, now, m)
    return {'ACCEPTED', ARGV[i], 0, '', 0}
  end
end
return {'REPLAYED', '', failures, '', 0}
