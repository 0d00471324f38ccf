"""RedisLedger on a real redis-server: the Ledger contract, leases, fencing, a campaign.

The contract tests run on SqliteLedger too, so both ledgers answer alike.  The
local deadline is judged on a VirtualClock (no time passes but what the test
moves); where Redis's own expiry must pass, the lease is short and the test
polls with generous bounds, asserting what happened, never how fast.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path

import attrs
import pytest
from redis.asyncio import Redis

from iletimerkezi_async.campaigns import (
    Campaign,
    ChunkClaimLostError,
    ChunkRecord,
    Ledger,
    SqliteLedger,
)
from iletimerkezi_async.clock import ISTANBUL
from iletimerkezi_async.contrib import _redis_ledger
from iletimerkezi_async.contrib.redis import RedisLedger
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

from .._redis import RedisServer
from .test_redis_lease_deadline import FrozenClock

SHORT_TTL = 0.5
"""Where Redis must really expire a lease: short, and every wait for it is polled."""


async def until(what: str, check: Callable[[], Awaitable[object]], within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.02)


def record(index: int, state: str = "sending", **kw: object) -> ChunkRecord:
    return ChunkRecord(index=index, digest=f"d{index}", state=state, **kw)  # type: ignore[arg-type]


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def digests(start: int, stop: int) -> list[bytes]:
    return [i.to_bytes(16, "big") for i in range(start, stop)]


# ------------------------------------------------------------------------- the contract


@pytest.fixture(params=["redis", "sqlite"])
async def ledger(
    request: pytest.FixtureRequest, redis: Redis, tmp_path: Path
) -> AsyncIterator[Ledger]:
    made: Ledger = (
        RedisLedger(redis, "t") if request.param == "redis" else SqliteLedger(tmp_path / "l.db")
    )
    try:
        yield made
    finally:
        await made.close()


async def test_open_keeps_the_first_settings(ledger: Ledger) -> None:
    assert await ledger.open("c", {"sender": "A", "chunk_size": "10"}) == {
        "sender": "A",
        "chunk_size": "10",
    }
    assert await ledger.open("c", {"sender": "B", "text": "x"}) == {
        "sender": "A",
        "chunk_size": "10",
    }
    assert await ledger.open("other", {"sender": "B"}) == {"sender": "B"}


async def test_a_digest_keeps_its_first_chunk(ledger: Ledger) -> None:
    # 2,500 digests: more than one batch of HMGET / of the assign script.
    assert await ledger.owners("c", []) == []
    assert await ledger.owners("c", digests(0, 3)) == [None, None, None]
    await ledger.assign("c", 0, digests(0, 1500))
    await ledger.assign("c", 1, digests(1000, 2500))
    owners = await ledger.owners("c", digests(0, 2600))
    assert owners == [0] * 1500 + [1] * 1000 + [None] * 100
    assert await ledger.owners("other", digests(0, 2)) == [None, None]


async def test_records_round_trip_by_index(ledger: Ledger) -> None:
    claim = await ledger.claim("c", 10)
    assert claim is not None and claim.index == 10 and claim.valid()
    assert await ledger.get("c", 10) is None
    when = datetime(2026, 3, 1, 9, 30, 15, 250_000, tzinfo=ISTANBUL)
    full = record(10, "sent", attempt=2, recipients=7, invalid=1, duplicates=2, order_id="42")
    full = attrs.evolve(full, submitted_after=when, submitted_before=when)
    await ledger.put("c", record(10), claim)
    await ledger.put("c", full, claim)
    await claim.release()
    for index in (2, 0):
        other = await ledger.claim("c", index)
        assert other is not None
        await ledger.put("c", record(index), other)
        await other.release()
    assert await ledger.get("c", 10) == full
    assert [r.index for r in await ledger.records("c")] == [0, 2, 10]  # numeric order
    assert (await ledger.records("c"))[-1] == full
    assert await ledger.records("other") == []


# ------------------------------------------------------------------------- Redis specifics


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="lease_ttl"):
        RedisLedger(None, "k", lease_ttl=0.01)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="key"):
        RedisLedger(None, "")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="clock"):
        RedisLedger(None, "k", clock=object())  # type: ignore[arg-type]


async def test_keys_are_under_key_with_the_name_hashed(redis: Redis) -> None:
    ledger = RedisLedger(redis, "app:ledger")
    await ledger.open("Bahar kampanyası", {"sender": "A"})
    await ledger.assign("Bahar kampanyası", 0, digests(0, 2))
    claim = await ledger.claim("Bahar kampanyası", 0)
    assert claim is not None
    await ledger.put("Bahar kampanyası", record(0), claim)
    keys = sorted(_bytes(k).decode() for k in await redis.keys("*"))
    await ledger.close()
    assert len(keys) == 5 and all(k.startswith("app:ledger:{") for k in keys)
    assert len({k.split("}")[0] for k in keys}) == 1  # one hash tag: one cluster slot
    assert {k.split("}:")[1] for k in keys} == {"settings", "seen", "chunks", "fence", "lease:0"}
    assert not any("Bahar" in k for k in keys)


async def test_one_worker_at_a_time_holds_a_chunk(redis: Redis) -> None:
    one, two = RedisLedger(redis, "t"), RedisLedger(redis, "t")
    try:
        first = await one.claim("c", 0)
        assert first is not None and first.valid()
        assert await two.claim("c", 0) is None
        assert await one.claim("c", 0) is None  # a second claim of the same ledger, too
        elsewhere = await two.claim("c", 1)
        assert elsewhere is not None
        await first.release()
        assert not first.valid()
        second = await two.claim("c", 0)
        assert second is not None
        fences = [getattr(c, "fence", None) for c in (first, elsewhere, second)]
        assert fences == [1, 1, 2]
        await first.release()  # again: no-op, and never the new holder's lease
        assert await one.claim("c", 0) is None
    finally:
        await one.close()
        await two.close()


async def test_the_local_deadline_comes_before_the_ttl(redis: Redis) -> None:
    """No renewal can run between two lines without an await: as in a frozen process."""
    ttl = 30.0
    clock = VirtualClock()
    ledger = RedisLedger(redis, "t", lease_ttl=ttl, clock=clock)
    try:
        claim = await ledger.claim("c", 0)
        assert claim is not None
        clock.advance(ttl * 0.79)
        assert claim.valid()
        clock.advance(ttl * 0.02)  # 0.81 × the TTL since the command that took it was sent
        assert not claim.valid()
        # Still its own in Redis (30 real seconds have not passed): the fenced put stands,
        # and the next renewal, finding the lease its own, makes it valid again.
        await ledger.put("c", record(0), claim)
        assert await ledger.get("c", 0) == record(0)

        async def renewed() -> bool:
            return claim.valid()

        await until("a renewal", renewed)
        assert 0 < await redis.pttl(_lease(ledger, "c", 0)) <= ttl * 1000
    finally:
        await ledger.close()


def _lease(ledger: RedisLedger, campaign: str, index: int) -> str:
    return f"{ledger._keys(campaign).lease}{index}"  # noqa: SLF001


async def test_renewals_keep_the_lease_and_a_lost_one_is_noticed(redis: Redis) -> None:
    ledger = RedisLedger(redis, "t", lease_ttl=1.0)
    try:
        claim = await ledger.claim("c", 0)
        assert claim is not None
        key = _lease(ledger, "c", 0)
        lowest = await redis.pttl(key)

        async def renewed() -> bool:
            nonlocal lowest
            left = await redis.pttl(key)
            lowest = min(lowest, left)
            return left > lowest

        await until("the lease's TTL to go back up", renewed)
        await redis.set(key, "someone-else:9", px=30_000)

        async def lost() -> bool:
            return not claim.valid()

        await until("the renewer to find the lease gone", lost)
        with pytest.raises(ChunkClaimLostError):
            await ledger.put("c", record(0), claim)
        await claim.release()
        assert await redis.get(key) == b"someone-else:9"
    finally:
        await ledger.close()


async def test_a_stopped_holder_is_taken_over_and_fenced_off(redis: Redis) -> None:
    frozen_clock = FrozenClock()
    stopped = RedisLedger(redis, "t", lease_ttl=SHORT_TTL, clock=frozen_clock)
    other = RedisLedger(redis, "t", lease_ttl=SHORT_TTL)
    try:
        old = await stopped.claim("c", 0)
        assert old is not None
        await stopped.put("c", record(0), old)
        frozen_clock.freeze()  # no renewal from now on: the lease runs out in Redis
        taken: list[object] = []

        async def took_over() -> bool:
            claim = await other.claim("c", 0)
            if claim is not None:
                taken.append(claim)
            return claim is not None

        await until("the other worker to take the chunk over", took_over)
        (new,) = taken
        assert isinstance(new, _redis_ledger._RedisClaim)  # noqa: SLF001
        assert new.fence == 2
        mine = record(0, "sent", order_id="7")
        await other.put("c", mine, new)
        frozen_clock.thaw()  # wakes with all that time passed at once
        assert not old.valid()
        with pytest.raises(ChunkClaimLostError):
            await stopped.put("c", record(0, "unknown"), old)
        await old.release()
        assert await other.get("c", 0) == mine
        assert new.valid()
        assert await redis.get(_lease(other, "c", 0)) == new.value.encode()
    finally:
        await stopped.close()
        await other.close()


async def test_puts_are_refused_for_a_claim_not_held(redis: Redis) -> None:
    ledger, other = RedisLedger(redis, "t"), RedisLedger(redis, "t")
    try:
        claim = await ledger.claim("c", 0)
        assert claim is not None
        with pytest.raises(ValueError, match="does not hold chunk 1"):
            await ledger.put("c", record(1), claim)
        with pytest.raises(TypeError):
            await other.put("c", record(0), claim)
        await claim.release()
        with pytest.raises(ChunkClaimLostError):
            await ledger.put("c", record(0), claim)
        assert await ledger.get("c", 0) is None
    finally:
        await ledger.close()
        await other.close()


async def test_close_gives_up_the_claims_and_stops_renewing(redis: Redis) -> None:
    ledger = RedisLedger(redis, "t")
    claims = [await ledger.claim("c", i) for i in range(3)]
    assert all(c is not None and c.valid() for c in claims)
    await ledger.close()
    await asyncio.sleep(0)
    assert not any(c is not None and c.valid() for c in claims)
    assert await redis.keys("*:lease:*") == []
    names = [t.get_name() for t in asyncio.all_tasks()]
    assert not any(n.startswith("redis-ledger-lease") for n in names)


async def test_through_an_outage_claims_wait_and_release_gives_up(
    private_redis_server: RedisServer,
) -> None:
    redis = Redis.from_url(private_redis_server.url)
    ledger = RedisLedger(redis, "t", lease_ttl=SHORT_TTL)
    try:
        held = await ledger.claim("c", 0)
        assert held is not None
        private_redis_server.stop()
        await held.release()  # logged, not raised: the lease runs out by itself
        waiting = asyncio.create_task(ledger.claim("c", 1))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        private_redis_server.start()
        claim = await asyncio.wait_for(waiting, 30)
        assert claim is not None and claim.valid()
    finally:
        await ledger.close()
        await redis.aclose()


# ------------------------------------------------------------------------- a campaign


NUMBERS = [f"505{i:07d}" for i in range(1, 451)]
SOURCE = [*NUMBERS[:200], "0" + NUMBERS[5], "123", *NUMBERS[200:], "+90" + NUMBERS[400], "x"]
TEXT = "Bahar indirimi: kod BAHAR26"


async def test_a_campaign_on_a_redis_ledger_sends_once_and_resumes(redis: Redis) -> None:
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        async with fake.client(default_sender="APITEST", send_limiter=None) as client:
            ledger = RedisLedger(redis, "k")
            campaign = Campaign(client, "c", ledger=ledger, settle=0.5)
            first = [r async for r in campaign.run(SOURCE, TEXT, chunk_size=100)]
            again = [r async for r in campaign.run(SOURCE, TEXT, chunk_size=100)]
            await ledger.close()
            status = await Campaign(client, "c", ledger=RedisLedger(redis, "k")).status()
        orders = list(fake.account.orders.values())
    assert [r.state for r in first] == ["sent"] * 5
    assert [r.state for r in again] == ["skipped"] * 5
    assert [r.order.id for r in again] == [r.order.id for r in first]
    sent = Counter(n for o in orders for n in o.recipients)
    assert set(sent) == {f"+90{n}" for n in NUMBERS} and max(sent.values()) == 1
    assert status.chunks == status.sent == 5 and status.unknown == 0
    assert (status.invalid, status.duplicates, status.recipients_sent) == (2, 2, 450)
    assert sorted(status.orders) == sorted(o.id for o in orders)
    # The ledger holds no number and no text, in any form.
    stored = b""
    for key in await redis.keys("*"):
        kind = _bytes(await redis.type(key))
        values = await redis.hgetall(key) if kind == b"hash" else {b"": await redis.get(key)}
        stored += _bytes(key) + b"".join(_bytes(k) + _bytes(v or b"") for k, v in values.items())
    assert not any(n.encode() in stored for n in NUMBERS)  # any 10 digits would show
    assert b"BAHAR" not in stored and b"indirim" not in stored
