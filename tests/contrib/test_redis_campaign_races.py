"""Campaign runs that meet on one RedisLedger, interleaved at the worst moments.

Each worker is a ``Campaign.run`` of its own (its own client and ledger
object) in this process; a ledger subclass stops one at a chosen call, as a
SIGSTOP or SIGKILL would, or lets another worker run first.  A stopped
worker's ledger clock is frozen, so its renewals stop and its lease runs out
in Redis (a short TTL, polled, no speed asserted).  test_redis_campaign_workers.py
does the same to real processes with real signals.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import pytest
from redis.asyncio import Redis

from iletimerkezi_async import Client
from iletimerkezi_async.campaigns import Campaign, ChunkRecord, ChunkResult, Claim, _chunks
from iletimerkezi_async.contrib.redis import RedisLedger
from iletimerkezi_async.resources._resolve import MAX_CANDIDATES
from iletimerkezi_async.testing import FakeIletiMerkezi

from .test_redis_lease_deadline import FrozenClock

TTL = 0.5
TEXT = "Bahar indirimi"


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"505{i:07d}" for i in range(start, start + count)]


async def run(client: Client, ledger: RedisLedger, source: Iterable[str], size: int) -> list[Any]:
    campaign = Campaign(client, "c", ledger=ledger, settle=0.5)
    return [r async for r in campaign.run(source, TEXT, chunk_size=size)]


def sent(fake: FakeIletiMerkezi) -> Counter[str]:
    return Counter(n for o in fake.account.orders.values() for n in o.recipients)


class Stops(RedisLedger):
    """A worker that freezes for good (SIGSTOP) right after ``when(call, args)`` is true.

    Its ledger clock stops, so it renews nothing: its lease runs out in Redis.
    ``stopped`` is set once it hangs.
    """

    def __init__(self, redis: Redis, when: Callable[[str, tuple[Any, ...]], bool]) -> None:
        self.frozen = FrozenClock()
        super().__init__(redis, "k", lease_ttl=TTL, clock=self.frozen)
        self.when = when
        self.stopped = asyncio.Event()

    async def _maybe_stop(self, call: str, *args: Any) -> None:
        if self.when(call, args):
            self.frozen.freeze()
            self.stopped.set()
            await asyncio.Event().wait()  # never set: cancelled at the end of the test

    async def claim(self, campaign: str, index: int) -> Claim | None:
        claim = await super().claim(campaign, index)
        if claim is not None:
            await self._maybe_stop("claim", index)
        return claim

    async def put(self, campaign: str, record: ChunkRecord, claim: Claim) -> None:
        await super().put(campaign, record, claim)
        await self._maybe_stop("put", record)


class Before(RedisLedger):
    """A worker that lets ``first()`` happen right before its first claim of chunk ``index``,
    then waits (polling, bounded) until that claim is granted."""

    def __init__(self, redis: Redis, index: int, first: Callable[[], Awaitable[None]]) -> None:
        super().__init__(redis, "k", lease_ttl=TTL)
        self.index = index
        self.first: Callable[[], Awaitable[None]] | None = first

    async def claim(self, campaign: str, index: int) -> Claim | None:
        if index != self.index or self.first is None:
            return await super().claim(campaign, index)
        first, self.first = self.first, None
        await first()
        deadline = time.monotonic() + 30
        while (claim := await super().claim(campaign, index)) is None:
            assert time.monotonic() < deadline, "the chunk was never free again"
            await asyncio.sleep(0.05)
        return claim


@contextlib.asynccontextmanager
async def worker(
    fake: FakeIletiMerkezi, ledger: RedisLedger
) -> AsyncIterator[tuple[Client, RedisLedger]]:
    async with fake.client(default_sender="APITEST", send_limiter=None) as client:
        try:
            yield client, ledger
        finally:
            await ledger.close()


async def stop_and_wait(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_a_chunk_done_by_another_between_read_and_claim_is_not_sent_again(
    redis: Redis,
) -> None:
    """The record read before the claim is stale once the claim is granted."""
    source = numbers(5)
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        async with worker(fake, RedisLedger(redis, "k", lease_ttl=TTL)) as (one, one_ledger):

            async def first_finishes() -> None:
                assert [r.state for r in await run(one, one_ledger, source, 10)] == ["sent"]

            async with worker(fake, Before(redis, 0, first_finishes)) as (two, two_ledger):
                results: list[ChunkResult] = await run(two, two_ledger, source, 10)
        counts = sent(fake)
    assert [r.state for r in results] == ["skipped"]
    assert len(fake.account.orders) == 1 and max(counts.values()) == 1


async def test_a_worker_stopped_right_after_its_claim_leaves_no_number_to_two_chunks(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk 0 is claimed but its numbers are never recorded by its (stopped) holder; a
    repeat of one of them after the next read batch must still be a duplicate."""
    monkeypatch.setattr(_chunks, "READ_BATCH", 7)
    source = [*numbers(9), numbers(1)[0], *numbers(3, start=9)]  # batch 2 repeats chunk 0's
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        stops = Stops(redis, lambda call, args: call == "claim" and args == (0,))
        async with worker(fake, stops) as (one, one_ledger):
            stuck = asyncio.create_task(run(one, one_ledger, source, 3))
            try:
                await asyncio.wait_for(stops.stopped.wait(), 30)
                async with worker(fake, RedisLedger(redis, "k", lease_ttl=TTL)) as (two, ledger):
                    results = await asyncio.wait_for(run(two, ledger, source, 3), 60)
            finally:
                await stop_and_wait(stuck)
        counts = sent(fake)
    assert set(counts) == {f"+90{n}" for n in numbers(12)}
    assert max(counts.values()) == 1, {n: c for n, c in counts.items() if c > 1}
    states = Counter(r.state for r in results)
    assert states["sent"] == 4 and set(states) <= {"sent", "skipped"}  # skipped: a 2nd pass


async def test_a_taken_over_chunk_is_resolved_among_many_orders_of_other_workers(
    redis: Redis,
) -> None:
    """More orders than resolve reads (MAX_CANDIDATES) were sent by another worker after
    this run read the ledger; resolving the chunk a stopped worker left "sending" must
    not count them as candidates: the ledger knows whose they are."""
    many = MAX_CANDIDATES + 2
    source = numbers(many)
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        stops = Stops(redis, lambda call, args: call == "put" and args[0].index == 0)
        async with worker(fake, stops) as (one, one_ledger):
            stuck = asyncio.create_task(run(one, one_ledger, source, 1))
            try:
                await asyncio.wait_for(stops.stopped.wait(), 30)

                async def others_send() -> None:
                    async with worker(fake, RedisLedger(redis, "k", lease_ttl=TTL)) as third:
                        # One pass (an iterator): it passes over chunk 0, held by the first.
                        done = await run(*third, iter(source), 1)
                    assert len(done) == many - 1

                async with worker(fake, Before(redis, 0, others_send)) as (two, two_ledger):
                    results = await asyncio.wait_for(run(two, two_ledger, source, 1), 60)
            finally:
                await stop_and_wait(stuck)
        counts = sent(fake)
    assert results[0].state == "resent"  # proven absent (the first stopped before its POST)
    assert [r.state for r in results[1:]] == ["skipped"] * (many - 1)
    assert set(counts) == {f"+90{n}" for n in source} and max(counts.values()) == 1
