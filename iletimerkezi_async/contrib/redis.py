"""One send budget and one inbox cursor for many processes, kept in Redis (extra ``[redis]``).

iletiMerkezi allows 100 recipients per second per *account*, however many
workers send.  :class:`RedisTokenBucket` keeps that budget in one Redis hash
that a Lua script refills and charges atomically on the Redis server's clock,
so worker clocks never matter.  :class:`RedisCursor` keeps the inbox position
and, in leased mode, lets exactly one of several pollers poll at a time.

Keys are the caller's; :func:`account_key` derives per-account keys from a
hash of the API key, so the key itself is never stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis

from .._log import get_logger
from ..clock import SYSTEM_CLOCK, Clock
from ..cursors import LeaseLostError
from ._redis_ledger import RedisLedger
from ._redis_otp import RedisOtpStore
from ._redis_rules import LEASE_MARGIN as _LEASE_MARGIN
from ._redis_rules import RETRY_FIRST as _RETRY_FIRST
from ._redis_rules import RETRY_MAX as _RETRY_MAX
from ._redis_rules import UNAVAILABLE
from ._redis_scripts import FENCED_SET, REFUND, RELEASE, RENEW, RESERVE, TAKE

__all__ = ["RedisCursor", "RedisLedger", "RedisOtpStore", "RedisTokenBucket", "account_key"]

T = TypeVar("T")

log = get_logger("iletimerkezi_async.contrib.redis")


def _check_clock(clock: object) -> None:
    if not isinstance(clock, Clock):
        raise TypeError("clock must be a Clock (monotonic(), now(), async sleep())")


def account_key(api_key: str, name: str, *, prefix: str = "iletimerkezi") -> str:
    """``prefix:<16 hex of SHA-256 of the API key>:name``: per account, key not stored.

    The API key is a long random secret, so its hash reveals nothing and
    cannot be reversed; two services on one account meet on the same keys.
    """
    if not api_key or not api_key.strip():
        raise ValueError("api_key must be a non-empty string")
    if not name:
        raise ValueError("name must be a non-empty string")
    digest = hashlib.sha256(b"iletimerkezi-async:" + api_key.strip().encode()).hexdigest()
    return f"{prefix}:{digest[:16]}:{name}"


class RedisTokenBucket:
    """The :class:`~iletimerkezi_async.RateLimiter` for many processes: one bucket in Redis.

    ``rate`` tokens every ``per`` seconds, at most ``capacity`` (default
    ``rate``) saved.  Each ``acquire`` is one round trip: the script reserves
    the tokens and answers how long to wait for them.  A cost above
    ``capacity`` waits for a full bucket and drains it, as in
    :class:`~iletimerkezi_async.TokenBucket`.  While Redis is
    unreachable, ``acquire`` keeps retrying (fail closed: nothing is sent
    over the budget) unless ``fail_open=True``, which lets sends through
    unmetered and logs a warning.  A caller cancelled while waiting gives
    its reservation back.  The wait for reserved tokens and the retries
    through an outage sleep on ``clock`` (the refill itself runs on the Redis
    server's clock).
    """

    def __init__(
        self,
        redis: Redis,
        key: str,
        rate: float = 100,
        per: float = 1.0,
        capacity: float | None = None,
        *,
        fail_open: bool = False,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        if not (math.isfinite(rate) and math.isfinite(per)) or rate <= 0 or per <= 0:
            raise ValueError("rate and per must be positive and finite")
        if capacity is not None and (not math.isfinite(capacity) or capacity <= 0):
            raise ValueError("capacity must be positive and finite")
        if not key:
            raise ValueError("key must be a non-empty string")
        _check_clock(clock)
        self.redis = redis
        self.key = key
        self.rate = float(rate)
        self.per = float(per)
        self.capacity = float(capacity) if capacity is not None else float(rate)
        self.fail_open = fail_open
        self._reserve = redis.register_script(RESERVE)
        self._refund = redis.register_script(REFUND)
        self.clock = clock

    @classmethod
    def for_account(
        cls, redis: Redis, api_key: str, name: str = "send-budget", **kw: Any
    ) -> RedisTokenBucket:
        """A bucket on :func:`account_key` ``(api_key, name)``."""
        return cls(redis, account_key(api_key, name), **kw)

    @property
    def tokens_per_second(self) -> float:
        return self.rate / self.per

    def __repr__(self) -> str:
        return (
            f"RedisTokenBucket(key={self.key!r}, rate={self.rate:g}, per={self.per:g}, "
            f"capacity={self.capacity:g}, fail_open={self.fail_open})"
        )

    def _args(self, cost: float) -> list[str]:
        return [repr(self.tokens_per_second), repr(self.capacity), repr(cost)]

    async def reserve(self, cost: float = 1) -> float | None:
        """Take ``cost`` tokens now and return the seconds to wait before using them.

        ``None`` means Redis was unreachable and ``fail_open`` let the caller
        through unmetered.  Most callers want :meth:`acquire`.
        """
        delay = _RETRY_FIRST
        failing = False
        while True:
            try:
                answer = await self._reserve(keys=[self.key], args=self._args(cost))
            except UNAVAILABLE as exc:
                if self.fail_open:
                    log.warning(
                        "Redis unavailable (%s): sending without the shared budget",
                        type(exc).__name__,
                    )
                    return None
                if not failing:
                    log.warning(
                        "Redis unavailable (%s): sends wait until it is back",
                        type(exc).__name__,
                    )
                    failing = True
                await self.clock.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX)
                continue
            if failing:
                log.info("Redis is back: sends are metered again")
            return float(answer.decode() if isinstance(answer, bytes) else answer)

    async def acquire(self, cost: float = 1) -> None:
        """Wait until ``cost`` tokens are this caller's (one Redis round trip, then a sleep)."""
        if math.isnan(cost) or cost < 0:
            raise ValueError("cost must be a non-negative number")
        if cost == 0:
            return
        cost = float(cost)
        wait = await self.reserve(cost)
        if not wait:
            return
        try:
            await self.clock.sleep(wait)
        except asyncio.CancelledError:
            # Not used: hand the tokens back so the budget is not lost.  Shielded,
            # since the caller's cancellation must not cancel the refund too.
            with contextlib.suppress(*UNAVAILABLE):
                await asyncio.shield(self._refund(keys=[self.key], args=self._args(cost)))
            raise


class RedisCursor:
    """A :class:`~iletimerkezi_async.CursorStore` in one Redis string, optionally leased.

    Plain (``lease_ttl=None``): ``load``/``save`` a token at ``key``; one
    poller at a time is your business.  Leased (``lease_ttl`` seconds): the
    store is a :class:`~iletimerkezi_async.cursors.SharedCursorStore`: a
    poller polls only while it holds ``key + ":lease"`` (``SET NX PX``,
    renewed every third of the TTL), the others wait and retry every quarter
    of the TTL, so a dead holder is replaced within about ``1.25 × lease_ttl``.
    A holder also keeps a local deadline on ``clock.monotonic()`` (last
    successful take or renewal + ``0.8 × lease_ttl``): past it
    (a frozen or starved process) :attr:`held` is False and :meth:`turn` takes
    the lease again before the poller polls or hands out a buffered message,
    so a holder that was stopped past its TTL never polls beside the one that
    replaced it.  Saves are fenced: a poller whose lease was taken over cannot
    move the cursor (it gets :class:`~iletimerkezi_async.cursors.LeaseLostError`).
    Renewals, retries for the lease and retries through an outage sleep on
    ``clock`` (the lease itself expires on the Redis server's clock).
    """

    def __init__(
        self,
        redis: Redis,
        key: str,
        *,
        lease_ttl: float | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        if not key:
            raise ValueError("key must be a non-empty string")
        _check_clock(clock)
        if lease_ttl is not None and (not math.isfinite(lease_ttl) or lease_ttl < 0.05):
            raise ValueError("lease_ttl must be at least 0.05 seconds")
        self.redis = redis
        self.key = key
        self.lease_key = f"{key}:lease"
        self.lease_ttl = lease_ttl
        self.owner = uuid.uuid4().hex
        self._take = redis.register_script(TAKE)
        self._renew = redis.register_script(RENEW)
        self._release = redis.register_script(RELEASE)
        self._fenced_set = redis.register_script(FENCED_SET)
        self._held = False
        self._lost = False
        self._deadline = -math.inf
        self._renewer: asyncio.Task[None] | None = None
        self.clock = clock

    @classmethod
    def for_account(
        cls, redis: Redis, api_key: str, name: str = "inbox-cursor", **kw: Any
    ) -> RedisCursor:
        """A cursor on :func:`account_key` ``(api_key, name)``."""
        return cls(redis, account_key(api_key, name), **kw)

    def __repr__(self) -> str:
        lease = "" if self.lease_ttl is None else f", lease_ttl={self.lease_ttl:g}"
        return f"RedisCursor(key={self.key!r}{lease})"

    @property
    def held(self) -> bool:
        """True while this store holds the lease by its local deadline (False in plain mode).

        False once a renewal found the lease taken over, and also once
        ``clock.monotonic()`` passes the deadline the last successful take or
        renewal set, whatever Redis says: a process that was frozen (SIGSTOP,
        a VM pause, a long stall) may have lost the lease without knowing.
        """
        return self._owned and self.clock.monotonic() < self._deadline

    @property
    def _owned(self) -> bool:
        """Taken and not known to be lost (the deadline aside): what release and save need."""
        return self._held and not self._lost

    async def _until_available(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        """Retry ``call`` through a Redis outage: a poller waits rather than ends or skips.

        Reads and (fenced) writes of the cursor are idempotent, so repeating
        one is safe; if the lease runs out meanwhile, the fenced write says so.
        """
        delay = _RETRY_FIRST
        while True:
            try:
                return await call()
            except UNAVAILABLE as exc:
                log.warning(
                    "Redis unavailable (%s) while %s the inbox cursor", type(exc).__name__, what
                )
                await self.clock.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX)

    async def load(self) -> str | None:
        value = await self._until_available("reading", lambda: self.redis.get(self.key))
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def save(self, token: str) -> None:
        if self.lease_ttl is None:
            await self._until_available("saving", lambda: self.redis.set(self.key, token))
            return
        # Past the local deadline the fenced write still tells: if the lease is
        # still ours in Redis nobody else moved the cursor, and the commit stands.
        if not self._owned:
            raise LeaseLostError("the inbox cursor lease is held by another poller")
        done = await self._until_available(
            "saving",
            lambda: self._fenced_set(keys=[self.lease_key, self.key], args=[self.owner, token]),
        )
        if not int(done):
            self._lose()
            raise LeaseLostError("the inbox cursor lease was taken over by another poller")

    async def turn(self) -> bool:
        """Return once this store holds the lease; True when it was just (re)gained.

        A holder past its local deadline takes the lease again (at once if
        Redis still has it as ours, else once it is free) and answers True, so
        the poller drops what it fetched and reloads the position.
        """
        if self.lease_ttl is None or self.held:
            return False
        if self._owned:
            log.warning(
                "inbox cursor lease past its local deadline (a stall or a frozen process?): "
                "taking it again before polling"
            )
        self._stop_renewer()
        self._held = self._lost = False
        ttl_ms = max(1, round(self.lease_ttl * 1000))
        while True:
            sent = self.clock.monotonic()
            taken = await self._until_available(
                "taking the lease of",
                lambda: self._take(keys=[self.lease_key], args=[self.owner, ttl_ms]),
            )
            if int(taken):
                break
            await self.clock.sleep(self.lease_ttl / 4)
        self._held = True
        self._deadline = sent + self._lease_span()
        self._renewer = asyncio.create_task(self._keep(ttl_ms), name="redis-cursor-lease")
        log.info("inbox cursor lease taken")
        return True

    def _lease_span(self) -> float:
        assert self.lease_ttl is not None
        return self.lease_ttl * (1 - _LEASE_MARGIN)

    async def release(self) -> None:
        """Give the lease up now (a closing poller), so another takes over at once."""
        renewer = self._stop_renewer()
        if renewer is not None:
            await asyncio.wait([renewer])  # unlike awaiting it, keeps our own cancellation
        if self.lease_ttl is not None and self._owned:
            self._held = False
            await self._release(keys=[self.lease_key], args=[self.owner])

    def _lose(self) -> None:
        if not self._lost:
            log.warning("inbox cursor lease lost to another poller")
        self._lost = True
        self._stop_renewer()

    def _stop_renewer(self) -> asyncio.Task[None] | None:
        task, self._renewer = self._renewer, None
        if task is None or task is asyncio.current_task():
            return None
        task.cancel()
        return task

    async def _keep(self, ttl_ms: int) -> None:
        """Renew the lease every third of its TTL until it is released or lost."""
        assert self.lease_ttl is not None
        me = asyncio.current_task()
        while True:
            await self.clock.sleep(self.lease_ttl / 3)
            if self._renewer is not me:
                return  # replaced by a newer turn (a clock that swallowed our cancel)
            sent = self.clock.monotonic()
            try:
                renewed = await self._renew(keys=[self.lease_key], args=[self.owner, ttl_ms])
            except UNAVAILABLE as exc:
                # The lease may still be ours; the next renewal (or a fenced
                # save) tells.  If Redis stays away past the TTL, another
                # poller can take over and our saves will be refused.
                log.warning("Redis unavailable (%s) while renewing the lease", type(exc).__name__)
                continue
            if self._renewer is not me:
                return
            if not int(renewed):
                self._lose()
                return
            # Still ours in Redis, so nobody held it meanwhile: the deadline moves on.
            self._deadline = max(self._deadline, sent + self._lease_span())
