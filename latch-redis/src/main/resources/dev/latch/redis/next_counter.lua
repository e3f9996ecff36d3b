-- KEYS: slot. Returns the next acceptable OTP counter as a decimal string, '' for none.
local m = load(KEYS[1])
if m == nil then return '' end
return m.nc
