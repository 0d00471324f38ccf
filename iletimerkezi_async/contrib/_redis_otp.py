"""``RedisOtpStore``: one-time-password challenges shared by many workers (extra ``[redis]``).

Per number key (an HMAC of the number, made by ``OtpService``; never the
number), under one hash tag so both keys sit in one Redis Cluster slot:

* ``<prefix>:{<key>}:c``: hash ``d`` (code digest, ``""`` once used),
  ``e`` (expires at), ``r`` (resend at), ``a`` (wrong attempts);
* ``<prefix>:{<key>}:n:<YYYY-MM-DD>``: the Istanbul day's send count.

Each operation is one Lua script, so concurrent sends see one cooldown and
concurrent verifies of one code succeed once.  Times are the service's clock
(POSIX seconds, passed in), so a virtual clock in tests decides expiry; the
Redis key expiry only cleans up.  Digests are compared in Lua with ``==``:
they are HMACs under a secret the caller does not know, so timing reveals
nothing usable.
"""

from __future__ import annotations

import math
from typing import Any

from redis.asyncio import Redis

from ..otp import Attempt, Issue, OtpStore

__all__ = ["RedisOtpStore"]

_DAY_TTL = 2 * 86400
"""Seconds a day's count is kept: past any Istanbul day it can belong to."""

ISSUE = """
local r = redis.call('HGET', KEYS[1], 'r')
if r and tonumber(r) > tonumber(ARGV[2]) then return {'cooldown', r} end
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
if n >= tonumber(ARGV[5]) then return {'limited', '0'} end
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[7]))
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'e', ARGV[3], 'r', ARGV[4], 'a', '0')
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[6]))
return {'issued', '0'}
"""

ATTEMPT = """
local h = redis.call('HMGET', KEYS[1], 'd', 'e', 'a')
if not h[1] or h[1] == '' or tonumber(h[2]) <= tonumber(ARGV[2]) then return 'missing' end
if tonumber(h[3]) >= tonumber(ARGV[3]) then return 'locked' end
if h[1] == ARGV[1] then
  redis.call('HSET', KEYS[1], 'd', '')
  return 'ok'
end
redis.call('HINCRBY', KEYS[1], 'a', 1)
return 'wrong'
"""

DISCARD = """
if redis.call('HGET', KEYS[1], 'd') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
if n > 1 then redis.call('DECR', KEYS[2]) else redis.call('DEL', KEYS[2]) end
return 1
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisOtpStore(OtpStore):
    """:class:`~iletimerkezi_async.otp.OtpStore` in Redis: every worker sees one challenge.

    ``prefix`` namespaces the keys (one per app or environment).
    """

    def __init__(self, redis: Redis, prefix: str = "iletimerkezi:otp") -> None:
        if not isinstance(prefix, str) or not prefix:
            raise ValueError("prefix must be a non-empty string")
        self._prefix = prefix
        self._issue = redis.register_script(ISSUE)
        self._attempt = redis.register_script(ATTEMPT)
        self._discard = redis.register_script(DISCARD)

    def _keys(self, key: str, day: str) -> list[str]:
        base = f"{self._prefix}:{{{key}}}"
        return [f"{base}:c", f"{base}:n:{day}"]

    async def issue(
        self,
        key: str,
        digest: str,
        *,
        now: float,
        expires_at: float,
        resend_at: float,
        day: str,
        daily_limit: int,
    ) -> Issue:
        lifetime_ms = max(1, math.ceil((max(expires_at, resend_at) - now) * 1000))
        status, resend = await self._issue(
            keys=self._keys(key, day),
            args=[
                digest,
                repr(now),
                repr(expires_at),
                repr(resend_at),
                daily_limit,
                lifetime_ms,
                _DAY_TTL,
            ],
        )
        kind = _text(status)
        if kind == "cooldown":
            return Issue(status="cooldown", retry_after=float(_text(resend)) - now)
        if kind == "limited":
            return Issue(status="limited")
        return Issue(status="issued")

    async def attempt(self, key: str, digest: str, *, now: float, max_attempts: int) -> Attempt:
        keys = self._keys(key, "-")[:1]
        outcome = _text(await self._attempt(keys=keys, args=[digest, repr(now), max_attempts]))
        if outcome == "ok":
            return "ok"
        if outcome == "wrong":
            return "wrong"
        if outcome == "locked":
            return "locked"
        return "missing"

    async def discard(self, key: str, digest: str, *, day: str) -> None:
        await self._discard(keys=self._keys(key, day), args=[digest])

    def __repr__(self) -> str:
        return f"RedisOtpStore(prefix={self._prefix!r})"
