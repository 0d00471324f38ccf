"""``RedisLedger``: a campaign's memory in Redis, shared by many workers (extra ``[redis]``).

Each campaign lives under ``<key>:{<16 hex of SHA-256 of its name>}`` (one
hash tag, so every key of a campaign is in one Redis Cluster slot):

* ``…:settings``: hash, the campaign's settings (first writer wins);
* ``…:seen``: hash, 16-byte number digest → chunk index (first chunk wins);
* ``…:chunks``: hash, chunk index → the chunk record as JSON;
* ``…:fence``: hash, chunk index → how many claims of it were ever granted;
* ``…:lease:<index>``: string ``<token>:<fence>`` with a PX expiry, the holder.

No phone number and no message text: the campaign hands over digests and
records only.  A claim is a lease, taken with a new fence in one script,
renewed every third of ``lease_ttl`` while held and deleted on release only
by its holder.  It is ``valid()`` only until a local deadline on
``clock.monotonic()``: the time the taking (or last renewing) command was
sent, plus ``0.8 × lease_ttl``.  Redis expires the lease no sooner than
``lease_ttl`` after that command arrived, so a holder stops sending before
anyone else may start, even when frozen (SIGSTOP, a VM pause) with no chance
to notice.  Records are written by a script that checks the lease first, so
a holder that lost its lease cannot overwrite its successor's record.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import math
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar

from redis.asyncio import Redis

from .._convert import from_dict, to_dict
from .._log import get_logger
from ..campaigns import ChunkRecord, Claim, Ledger
from ..clock import SYSTEM_CLOCK, Clock
from ..errors import ChunkClaimLostError
from ._redis_ledger_scripts import ASSIGN, FENCED_PUT, OPEN, TAKE_CHUNK
from ._redis_rules import LEASE_MARGIN, RETRY_FIRST, RETRY_MAX, UNAVAILABLE
from ._redis_scripts import RELEASE, RENEW

if TYPE_CHECKING:
    from redis.commands.core import AsyncScript

__all__ = ["RedisLedger"]

T = TypeVar("T")

log = get_logger("iletimerkezi_async.contrib.redis")

_BATCH: Final = 1000
"""Digests per HMGET and per assign script call."""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _Keys(NamedTuple):
    settings: str
    seen: str
    chunks: str
    fence: str
    lease: str
    """The prefix of the per-chunk lease keys (``lease + str(index)``)."""


class _RedisClaim(Claim):
    """One chunk's lease: ``fence`` is its number among the chunk's claims (1 for the first)."""

    def __init__(
        self,
        ledger: RedisLedger,
        campaign: str,
        index: int,
        lease_key: str,
        value: str,
        scripts: tuple[AsyncScript, AsyncScript],
    ) -> None:
        self.ledger = ledger
        self.campaign = campaign
        self.index = index
        self.lease_key = lease_key
        self.value = value
        self.fence = int(value.rpartition(":")[2])
        self._clock = ledger.clock
        self._every = ledger.lease_ttl / 3
        self._span = ledger.lease_ttl * (1 - LEASE_MARGIN)
        self._args: list[str | int] = [value, max(1, round(ledger.lease_ttl * 1000))]
        self._renew, self._release = scripts
        self._deadline = -math.inf
        self._lost = False
        self._released = False
        self._renewer: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<RedisClaim {self.campaign!r} chunk {self.index} fence {self.fence}>"

    @property
    def held(self) -> bool:
        """Not released and not known to be lost (the deadline aside): what ``put`` needs."""
        return not (self._lost or self._released)

    def valid(self) -> bool:
        return self.held and self._clock.monotonic() < self._deadline

    async def release(self) -> None:
        renewer = self._stop()
        if renewer is not None:
            await asyncio.wait([renewer])  # unlike awaiting it, keeps our own cancellation
        if not self.held:
            return
        self._released = True
        self.ledger._claims.discard(self)  # noqa: SLF001 (the ledger's own claims)
        try:
            await self._release(keys=[self.lease_key], args=[self.value])
        except UNAVAILABLE as exc:  # it runs out by itself within lease_ttl
            log.warning("Redis unavailable (%s) while releasing %r", type(exc).__name__, self)

    def start(self, sent: float) -> None:
        """Held from the command sent at ``sent`` (monotonic): set the deadline, renew."""
        self._deadline = sent + self._span
        self._renewer = asyncio.create_task(self._keep(), name=f"redis-ledger-lease-{self.index}")

    def lose(self) -> None:
        """Redis says the lease is no longer ours."""
        if self.held:
            log.warning("%r: the lease was lost (another worker may hold the chunk now)", self)
        self._lost = True
        self._stop()
        self.ledger._claims.discard(self)  # noqa: SLF001

    def _stop(self) -> asyncio.Task[None] | None:
        task, self._renewer = self._renewer, None
        if task is None or task is asyncio.current_task():
            return None
        task.cancel()
        return task

    async def _keep(self) -> None:
        """Renew every third of the TTL until released or lost."""
        me = asyncio.current_task()
        while True:
            await self._clock.sleep(self._every)
            if self._renewer is not me:
                return
            sent = self._clock.monotonic()
            try:
                renewed = await self._renew(keys=[self.lease_key], args=self._args)
            except UNAVAILABLE as exc:
                # Still ours, maybe: the next renewal or the fenced put tells.  The
                # local deadline runs on meanwhile, so nothing is sent blind.
                log.warning("Redis unavailable (%s) while renewing %r", type(exc).__name__, self)
                continue
            if self._renewer is not me:
                return
            if not int(renewed):
                self.lose()
                return
            # Ours all along in Redis (nobody else held it): the deadline moves on.
            self._deadline = max(self._deadline, sent + self._span)


class RedisLedger(Ledger):
    """Campaign state in Redis under ``key``, for any number of workers at once.

    ``lease_ttl`` seconds is how long a chunk stays claimed by a worker that
    stopped renewing (died, froze): another takes it over after that.  The
    renewals and the retries through an outage sleep on ``clock``; the lease
    itself expires on the Redis server's clock.  While Redis is unreachable,
    every call but ``release`` retries until it is back (a campaign waits, it
    never guesses); ``release`` gives up, and the lease then runs out.  The
    ``redis`` client stays the caller's: ``close`` gives up the claims still
    held and stops their renewals, it does not close the connection.
    Durable means what the server makes of a write: a ledger that must survive
    a Redis crash needs ``appendonly yes`` with ``appendfsync always``, and a
    failover to a replica may lose the last acknowledged writes.
    """

    def __init__(
        self, redis: Redis, key: str, *, lease_ttl: float = 30.0, clock: Clock | None = None
    ) -> None:
        if not key:
            raise ValueError("key must be a non-empty string")
        if not isinstance(lease_ttl, int | float) or not (
            math.isfinite(lease_ttl) and lease_ttl >= 0.05
        ):
            raise ValueError("lease_ttl must be at least 0.05 seconds")
        clock = SYSTEM_CLOCK if clock is None else clock
        if not isinstance(clock, Clock):
            raise TypeError("clock must be a Clock (monotonic(), now(), async sleep())")
        self.redis = redis
        self.key = key
        self.lease_ttl = float(lease_ttl)
        self.clock = clock
        self._ttl_ms = max(1, round(self.lease_ttl * 1000))
        self._open = redis.register_script(OPEN)
        self._assign = redis.register_script(ASSIGN)
        self._take = redis.register_script(TAKE_CHUNK)
        self._put = redis.register_script(FENCED_PUT)
        self._holder = (redis.register_script(RENEW), redis.register_script(RELEASE))
        self._claims: set[_RedisClaim] = set()

    def __repr__(self) -> str:
        return f"RedisLedger(key={self.key!r}, lease_ttl={self.lease_ttl:g})"

    def _keys(self, campaign: str) -> _Keys:
        base = f"{self.key}:{{{hashlib.sha256(campaign.encode()).hexdigest()[:16]}}}"
        return _Keys(
            f"{base}:settings", f"{base}:seen", f"{base}:chunks", f"{base}:fence", f"{base}:lease:"
        )

    async def _until_available(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        """Retry ``call`` through an outage: every call retried here is safe to repeat."""
        delay = RETRY_FIRST
        while True:
            try:
                return await call()
            except UNAVAILABLE as exc:
                log.warning("Redis unavailable (%s) while %s", type(exc).__name__, what)
                await self.clock.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)

    async def open(self, campaign: str, settings: Mapping[str, str]) -> Mapping[str, str]:
        flat = [part for item in settings.items() for part in item]
        keys = [self._keys(campaign).settings]
        stored = await self._until_available(
            "opening a campaign", lambda: self._open(keys=keys, args=flat)
        )
        pairs = [_text(v) for v in stored]
        return dict(zip(pairs[::2], pairs[1::2], strict=True))

    async def owners(self, campaign: str, digests: Sequence[bytes]) -> list[int | None]:
        seen = self._keys(campaign).seen

        async def look() -> list[Any]:
            pipe = self.redis.pipeline(transaction=False)
            for start in range(0, len(digests), _BATCH):
                pipe.hmget(seen, list(digests[start : start + _BATCH]))
            return list(await pipe.execute())

        if not digests:
            return []
        found = await self._until_available("reading number digests", look)
        return [None if v is None else int(_text(v)) for part in found for v in part]

    async def assign(self, campaign: str, index: int, digests: Sequence[bytes]) -> None:
        keys = [self._keys(campaign).seen]
        for start in range(0, len(digests), _BATCH):
            args: list[Any] = [str(index), *digests[start : start + _BATCH]]
            call = functools.partial(self._assign, keys=keys, args=args)
            await self._until_available("assigning number digests", call)

    async def claim(self, campaign: str, index: int) -> Claim | None:
        keys = self._keys(campaign)
        lease_key = f"{keys.lease}{index}"
        token = uuid.uuid4().hex
        sent = 0.0

        async def take() -> Any:
            nonlocal sent
            sent = self.clock.monotonic()  # the deadline counts from the command that took it
            return await self._take(
                keys=[lease_key, keys.fence], args=[token, self._ttl_ms, str(index)]
            )

        fence = await self._until_available("claiming a chunk", take)
        if not int(fence):
            return None
        value = f"{token}:{int(fence)}"
        claim = _RedisClaim(self, campaign, index, lease_key, value, self._holder)
        claim.start(sent)
        self._claims.add(claim)
        return claim

    async def get(self, campaign: str, index: int) -> ChunkRecord | None:
        chunks = self._keys(campaign).chunks
        raw = await self._until_available(
            "reading a chunk record", lambda: self.redis.hget(chunks, str(index))
        )
        return None if raw is None else _record(raw)

    async def put(self, campaign: str, record: ChunkRecord, claim: Claim) -> None:
        if not isinstance(claim, _RedisClaim) or claim.ledger is not self:
            raise TypeError("claim must come from this RedisLedger's claim()")
        if claim.campaign != campaign or claim.index != record.index:
            raise ValueError(f"{claim!r} does not hold chunk {record.index} of {campaign!r}")
        if not claim.held:
            raise ChunkClaimLostError(f"{claim!r} is no longer held; another worker resolves it")
        keys = [claim.lease_key, self._keys(campaign).chunks]
        args = [claim.value, str(record.index), json.dumps(to_dict(record), separators=(",", ":"))]
        # Past the local deadline the fenced write still tells: if the lease is
        # still ours in Redis, nobody else wrote the chunk meanwhile.
        done = await self._until_available(
            "writing a chunk record", lambda: self._put(keys=keys, args=args)
        )
        if not int(done):
            claim.lose()
            raise ChunkClaimLostError(
                f"campaign {campaign!r}: the lease on chunk {record.index} ran out or passed "
                "to another worker; its record was left alone (whoever takes the chunk next "
                "resolves it)"
            )

    async def records(self, campaign: str) -> list[ChunkRecord]:
        chunks = self._keys(campaign).chunks
        raw = await self._until_available(
            "reading chunk records", lambda: self.redis.hgetall(chunks)
        )
        return [_record(v) for _, v in sorted(raw.items(), key=lambda kv: int(_text(kv[0])))]

    async def close(self) -> None:
        claims, self._claims = list(self._claims), set()
        for claim in claims:
            await claim.release()


def _record(raw: bytes | str) -> ChunkRecord:
    data: Any = json.loads(raw)
    return from_dict(ChunkRecord, data)
