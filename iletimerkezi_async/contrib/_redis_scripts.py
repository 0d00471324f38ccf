"""The Lua scripts of :mod:`iletimerkezi_async.contrib.redis`, each one atomic on the server.

Numbers cross as strings: Redis truncates Lua numbers to integers.
"""

from __future__ import annotations

from typing import Final

# Refill on the server clock, then reserve: the caller is told how long to wait
# for its tokens and the bucket goes into debt for them at once, so later
# callers queue behind it (a large cost cannot be starved by small ones).  A
# cost above the capacity counts as the capacity, as in the in-process
# TokenBucket (design §1): it waits for a full bucket and drains it, and the next
# caller waits for its own tokens only.  Numbers cross as strings: Redis
# truncates Lua numbers.
RESERVE: Final = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
local need = math.min(cost, capacity)
local wait = 0
if tokens < need then
  wait = (need - tokens) / rate
end
tokens = tokens - need
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
           'ts', string.format('%.17g', ts))
redis.call('PEXPIRE', KEYS[1], math.ceil(((capacity - tokens) / rate + 1) * 1000))
return string.format('%.17g', wait)
"""

# Give back a reservation whose holder was cancelled before using it: what
# RESERVE charged, i.e. at most the capacity.
REFUND: Final = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
if tokens == nil then
  return 0
end
tokens = math.min(capacity, tokens + math.min(cost, capacity))
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens))
return 1
"""

# Take the lease if free, or keep it if it is still ours (a holder past its
# local deadline whose lease did not run out in Redis: nobody else held it).
TAKE: Final = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""

# Lease renewal and release only by the owner; cursor writes only by the owner.
RENEW: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
FENCED_SET: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2])
  return 1
end
return 0
"""
