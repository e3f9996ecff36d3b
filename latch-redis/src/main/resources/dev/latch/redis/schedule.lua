-- KEYS: queue (sorted set of members by the time they are next available), item (hash).
-- ARGV: member, id, kind, payload, due. Replaces an item with the same id; its claim is dropped
-- but its token is kept, so a stale claim cannot complete the new item.
local tok = redis.call('HGET', KEYS[2], 'token') or '0'
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'v', '1', 'id', ARGV[2], 'kind', ARGV[3], 'payload', ARGV[4], 'due', ARGV[5],
  'token', tok, 'attempts', '0')
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
return 1
