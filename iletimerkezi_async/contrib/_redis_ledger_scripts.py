"""The Lua scripts of ``RedisLedger``, each one atomic on the server.

A chunk's lease holds ``<token>:<fence>``: ``token`` is fresh for every
``claim`` call, ``fence`` counts the claims of that chunk ever granted (kept
in the campaign's fence hash, never reset).  Renewal and release only by the
holder are ``RENEW`` and ``RELEASE`` of ``_redis_scripts``.
"""

from __future__ import annotations

from typing import Final

# Store the settings unless some are stored already; answer what is stored
# (first writer wins, as a whole: two runs never mix their settings).
OPEN: Final = """
if #ARGV > 0 and redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV))
end
return redis.call('HGETALL', KEYS[1])
"""

# Each digest keeps the first chunk it was assigned to.
ASSIGN: Final = """
local added = 0
for i = 2, #ARGV do
  added = added + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1])
end
return added
"""

# Take a free lease: a new fence (HINCRBY) and the lease "<token>:<fence>" with a
# PX expiry, in one step; 0 while another holds it.  The token is fresh per claim
# call, so a retry after a lost reply finds its own take and answers its fence.
TAKE_CHUNK: Final = """
local holder = redis.call('GET', KEYS[1])
if holder then
  local mine = ARGV[1] .. ':'
  if string.sub(holder, 1, #mine) == mine then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(string.sub(holder, #mine + 1))
  end
  return 0
end
local fence = redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
return fence
"""

# Write a chunk record only while the chunk's lease is still this claim's: a
# worker paused past its lease can never overwrite the new holder's record.
FENCED_PUT: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  return 1
end
return 0
"""
