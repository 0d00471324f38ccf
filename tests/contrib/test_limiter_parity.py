"""The in-process TokenBucket and RedisTokenBucket grant the same waits (design §1).

The scenario runs through Redis first: each ``acquire`` is one script run whose
wait is computed on the Redis server's clock and slept on a ``VirtualClock``
(which records it), and the server time of each call is read back from the
bucket's hash.  The same costs then arrive at the same (server) times at an
in-process ``TokenBucket`` on a virtual-time loop.  Both must answer the same
waits: no wall-clock tolerance, only float rounding.
"""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

import iletimerkezi_async as im
from iletimerkezi_async.contrib.redis import RedisTokenBucket
from iletimerkezi_async.testing import VirtualClock

from .._redis import RedisServer
from .._virtual_time import run

RATE = 100
SCENARIOS = {
    # The case: after an order of 5 × capacity, the next caller waits for
    # one token (0.01 s), not for the 400 over the capacity (4.01 s).
    "over-capacity-then-one": [500, 1],
    "partial-then-over-capacity": [30, 500, 1, 1],
    "two-over-capacity-in-a-row": [250, 101, 1],
    "under-capacity-only": [60, 60, 1],
}


async def through_redis(url: str, costs: list[int]) -> list[tuple[float, float]]:
    """(server time of the call, wait slept) for each cost, one caller after another."""
    redis = Redis.from_url(url)
    try:
        await redis.delete("parity")
        clock = VirtualClock()
        bucket = RedisTokenBucket(redis, "parity", rate=RATE, clock=clock)
        out = []
        for cost in costs:
            before = len(clock.sleeps)
            await bucket.acquire(cost)
            wait = clock.sleeps[-1] if len(clock.sleeps) > before else 0.0
            ts = await redis.hget("parity", "ts")
            assert ts is not None
            out.append((float(ts), wait))
        return out
    finally:
        await redis.aclose()


async def in_process(arrivals: list[tuple[float, int]]) -> list[float]:
    """The wait of each cost arriving at its offset (seconds) at one TokenBucket."""
    loop = asyncio.get_running_loop()
    bucket = im.TokenBucket(rate=RATE)
    start = loop.time()
    waits: list[float] = [0.0] * len(arrivals)

    async def caller(i: int, cost: int) -> None:
        arrived = loop.time()
        await bucket.acquire(cost)
        waits[i] = loop.time() - arrived

    tasks = []
    for i, (offset, cost) in enumerate(arrivals):
        await asyncio.sleep(max(0.0, start + offset - loop.time()))
        tasks.append(asyncio.create_task(caller(i, cost)))
        await asyncio.sleep(0)  # it queues before the next one arrives
    await asyncio.gather(*tasks)
    return waits


@pytest.mark.parametrize("costs", list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_in_process_and_redis_buckets_agree(redis_server: RedisServer, costs: list[int]) -> None:
    redis_server.start()
    calls = asyncio.run(through_redis(redis_server.url, costs))
    first = calls[0][0]
    arrivals = [(ts - first, cost) for (ts, _), cost in zip(calls, costs, strict=True)]
    local = run(in_process(arrivals))
    remote = [wait for _, wait in calls]
    assert remote == pytest.approx(local, abs=1e-6), (arrivals, remote, local)


def test_after_an_over_capacity_order_the_next_caller_waits_for_its_own_tokens() -> None:
    """The design's rule on the in-process bucket, exactly: a full bucket, then drained."""
    assert run(in_process([(0.0, 500), (0.0, 1), (0.0, 2)])) == pytest.approx([0.0, 0.01, 0.03])
