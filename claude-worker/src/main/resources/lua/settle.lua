-- claude-worker: correct a reservation to the output tokens actually used (while it is in the window).
-- KEYS[1] tok-log, KEYS[2] tok; ARGV: id, tokens
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  return 1
end
return 0
