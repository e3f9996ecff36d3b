-- KEYS: slot (named by the code's index). ARGV: code id. Returns the slot's fields when it still holds that code.
local m = load(KEYS[1])
if m == nil or m.cid ~= ARGV[1] then return {} end
return fields(m)
