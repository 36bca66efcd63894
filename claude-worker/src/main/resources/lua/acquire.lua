-- claude-worker: reserve one Messages API request slot and max_tokens output tokens, shared by all replicas.
-- Time is Redis' own clock (TIME), so replicas with skewed clocks agree.
-- Reserve-ahead GCRA: the slot is T = max(now, TAT) (later if the sliding window is full), TAT moves to
-- T + spacing at once, and the caller sleeps until T and sends then. So slot times do not depend on when
-- the waiters ask; a slot further ahead than the horizon is not reserved (the caller backs off).
-- KEYS[1] req-tat   (string) GCRA theoretical arrival time of the next request, ms
-- KEYS[2] req-log   (zset)   reservation id -> reserved at (ms), last window
-- KEYS[3] tok-log   (zset)   reservation id -> reserved at (ms), last window
-- KEYS[4] tok       (hash)   reservation id -> output tokens (max_tokens, corrected after the call)
-- KEYS[5] blocked   (string) ms until which the API told us to wait (retry-after, ratelimit reset)
-- ARGV: id, tokens, requests per window, tokens per window, window ms, spacing ms, horizon ms
-- returns {granted 1|0|-1, wait ms (granted: until the slot; else: before asking again),
--          requests in window, tokens in window, slot ms (granted) or now ms}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local tokens = tonumber(ARGV[2])
local rpw = tonumber(ARGV[3])
local tpw = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local spacing = tonumber(ARGV[6])
local horizon = tonumber(ARGV[7])

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

-- output tokens: a sliding log (reservations scored at their slot time); wait until enough old
-- reservations leave the window
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

-- requests: the next free slot of the even spacing (GCRA without burst) ...
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, tat)
-- ... and never more than the limit in any window ending at a slot (the log holds reserved slot times,
-- so also future ones; holds even if the spacing is configured shorter)
if count >= rpw then
  local nth = redis.call('ZRANGE', KEYS[2], count - rpw, count - rpw, 'WITHSCORES')
  slot = math.max(slot, tonumber(nth[2]) + window + 1)
end
if slot - now > horizon then
  return {0, slot - now - horizon, count, used, now}
end

redis.call('SET', KEYS[1], tostring(slot + spacing), 'PX', window * 2 + (slot - now))
redis.call('ZADD', KEYS[2], slot, id)
redis.call('ZADD', KEYS[3], slot, id)
redis.call('HSET', KEYS[4], id, tokens)
redis.call('PEXPIRE', KEYS[2], window * 2 + (slot - now))
redis.call('PEXPIRE', KEYS[3], window * 2 + (slot - now))
redis.call('PEXPIRE', KEYS[4], window * 2 + (slot - now))
return {1, slot - now, count + 1, used + tokens, slot}
