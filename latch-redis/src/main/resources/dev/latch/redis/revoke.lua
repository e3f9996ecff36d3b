-- KEYS: slot (named by the code's index). ARGV: code id.
local m = load(KEYS[1])
if m == nil or m.cid ~= ARGV[1] or m.st ~= 'P' then return 0 end
redis.call('SETRANGE', KEYS[1], '0', 'R')
return 1
