-- claude-worker: reserve one Messages API request and max_tokens output tokens, shared by all replicas.
-- Time is Redis' own clock (TIME), so replicas with skewed clocks agree.
-- KEYS[1] req-tat   (string) GCRA theoretical arrival time of the next request, ms
-- KEYS[2] req-log   (zset)   reservation id -> reserved at (ms), last window
-- KEYS[3] tok-log   (zset)   reservation id -> reserved at (ms), last window
-- KEYS[4] tok       (hash)   reservation id -> output tokens (max_tokens, corrected after the call)
-- KEYS[5] blocked   (string) ms until which the API told us to wait (retry-after, ratelimit reset)
-- ARGV: id, tokens, requests per window, tokens per window, window ms, spacing ms
-- returns {granted 1|0|-1, wait ms, requests in window, tokens in window, now ms}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local tokens = tonumber(ARGV[2])
local rpw = tonumber(ARGV[3])
local tpw = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local spacing = tonumber(ARGV[6])

local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - window)
for _, m in ipairs(old) do redis.call('HDEL', KEYS[4], m) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)

local count = redis.call('ZCARD', KEYS[2])
local used = 0
for _, v in ipairs(redis.call('HVALS', KEYS[4])) do used = used + tonumber(v) end

if tokens > tpw then return {-1, 0, count, used, now} end

local wait = 0
local blocked = tonumber(redis.call('GET', KEYS[5]) or '0')
if blocked > now then wait = blocked - now end

-- requests: evenly spaced (GCRA without burst) ...
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat > now then wait = math.max(wait, tat - now) end
-- ... and never more than the limit in any window (holds even if the spacing is configured shorter)
if count >= rpw then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(first[2]) + window - now + 1)
end

-- output tokens: a sliding log; wait until enough old reservations leave the window
if used + tokens > tpw then
  local entries = redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')
  local freed = 0
  local free_at = now + window
  for i = 1, #entries, 2 do
    freed = freed + tonumber(redis.call('HGET', KEYS[4], entries[i]) or '0')
    if used - freed + tokens <= tpw then
      free_at = tonumber(entries[i + 1]) + window + 1
      break
    end
  end
  wait = math.max(wait, free_at - now)
end

if wait > 0 then return {0, wait, count, used, now} end

redis.call('SET', KEYS[1], tostring(math.max(tat, now) + spacing), 'PX', window * 2)
redis.call('ZADD', KEYS[2], now, id)
redis.call('ZADD', KEYS[3], now, id)
redis.call('HSET', KEYS[4], id, tokens)
redis.call('PEXPIRE', KEYS[2], window * 2)
redis.call('PEXPIRE', KEYS[3], window * 2)
redis.call('PEXPIRE', KEYS[4], window * 2)
return {1, 0, count + 1, used + tokens, now}
