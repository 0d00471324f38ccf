"""The send limiters: what sharing the budget through Redis costs, and how exact it is.

* ``limiter.acquire``: the latency one ``RedisTokenBucket.acquire`` adds over the
  in-process ``TokenBucket`` when nobody has to wait (a huge rate), sequentially
  and with 50 callers at once, and the Redis bucket's throughput.
* ``limiter.fidelity``: the rate a ``RedisTokenBucket(rate=100)`` actually grants
  to 4 concurrent callers from an empty bucket, as a share of the cap.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import time
import uuid

from _registry import Context, Figure, benchmark, summary
from redis.asyncio import Redis

from iletimerkezi_async import RateLimiter, TokenBucket
from iletimerkezi_async.contrib.redis import RedisTokenBucket

HUGE = 1e9
"""A rate nobody waits for: only the cost of asking is measured."""

ADDED_TARGET_US = 1000.0
"""An acquire is followed by an HTTP send of tens of ms: 1 ms more is noise."""

THROUGHPUT_TARGET = 1000.0
"""Acquires per second at concurrency 50: ten times the account's 100/s budget."""


async def _measure(limiter: RateLimiter, total: int, concurrency: int) -> tuple[list[int], float]:
    """Per-acquire latencies (ns) of ``total`` acquires from ``concurrency`` tasks; wall s."""
    samples: list[int] = []
    per_task = total // concurrency

    async def caller() -> None:
        for _ in range(per_task):
            start = time.perf_counter_ns()
            await limiter.acquire(1)
            samples.append(time.perf_counter_ns() - start)

    gc.collect()
    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return samples, time.perf_counter() - started


@benchmark("limiter.acquire", needs={"redis"})
async def acquire_latency(ctx: Context) -> list[Figure]:
    """Added latency per acquire: RedisTokenBucket vs TokenBucket, nobody waiting."""
    assert ctx.redis_url is not None
    total = ctx.scaled(5000, 1000)
    key = f"bench:limiter:{uuid.uuid4().hex}"
    redis = Redis.from_url(ctx.redis_url)
    figures: list[Figure] = []
    try:
        memory = TokenBucket(rate=HUGE)
        shared = RedisTokenBucket(redis, key, rate=HUGE)
        for limiter in (memory, shared):  # warm: script loaded, connections open
            await _measure(limiter, 500, 50)
        for mode, concurrency in (("sequential", 1), ("concurrency 50", 50)):
            mem_samples, _ = await _measure(memory, total, concurrency)
            red_samples, red_wall = await _measure(shared, total, concurrency)
            mem, red = summary(mem_samples), summary(red_samples)
            figures.append(
                Figure(
                    f"{mode}: TokenBucket.acquire",
                    mem["mean"],
                    "µs",
                    details={"p50": mem["p50"], "p99": mem["p99"], "n": mem["n"]},
                )
            )
            figures.append(
                Figure(
                    f"{mode}: RedisTokenBucket.acquire",
                    red["mean"],
                    "µs",
                    details={"p50": red["p50"], "p99": red["p99"], "n": red["n"]},
                )
            )
            added = red["mean"] - mem["mean"]
            details: dict[str, float | int | str] = {
                "p50": red["p50"] - mem["p50"],
                "p99": red["p99"] - mem["p99"],
                "ratio": red["mean"] / mem["mean"],
            }
            if concurrency == 1:
                figures.append(
                    Figure(
                        f"{mode}: Redis added per acquire",
                        added,
                        "µs",
                        target=f"< {ADDED_TARGET_US:,.0f} µs (loopback)",
                        ok=added < ADDED_TARGET_US,
                        details=details,
                    )
                )
            else:
                # 50 callers queue on Redis, so each waits for the others' round
                # trips: the per-call latency grows with the queue and throughput
                # is the figure that matters.
                figures.append(
                    Figure(f"{mode}: Redis added per acquire", added, "µs", details=details)
                )
                rate = len(red_samples) / red_wall
                figures.append(
                    Figure(
                        f"{mode}: RedisTokenBucket throughput",
                        rate,
                        "acquires/s",
                        target=f"≥ {THROUGHPUT_TARGET:,.0f} /s",
                        ok=rate >= THROUGHPUT_TARGET,
                    )
                )
    finally:
        await redis.delete(key)
        await redis.aclose()
    return figures


@benchmark("limiter.fidelity", needs={"redis"})
async def fidelity(ctx: Context) -> list[Figure]:
    """Achieved rate / cap of RedisTokenBucket(rate=100), 4 callers, from an empty bucket."""
    assert ctx.redis_url is not None
    total = ctx.scaled(1000, 300)
    callers = 4
    rate = 100.0
    key = f"bench:fidelity:{uuid.uuid4().hex}"
    redis = Redis.from_url(ctx.redis_url)
    try:
        bucket = RedisTokenBucket(redis, key, rate=rate)
        # Drain the full bucket first, so every measured grant is paid for by refill:
        # ``total`` grants should then take total / rate seconds.
        await bucket.acquire(bucket.capacity)
        started = time.perf_counter()
        grants: list[float] = []

        async def caller() -> None:
            for _ in range(total // callers):
                await bucket.acquire(1)
                grants.append(time.perf_counter())

        await asyncio.gather(*(caller() for _ in range(callers)))
    finally:
        await redis.delete(key)
        await redis.aclose()
    grants.sort()
    achieved = len(grants) / (grants[-1] - started)
    ratio = achieved / rate
    window = max(bisect.bisect_left(grants, g + 1.0) - i for i, g in enumerate(grants))
    return [
        Figure(
            "RedisTokenBucket(rate=100) fidelity",
            ratio,
            "× cap",
            target="0.98 – 1.00",
            ok=0.98 <= ratio <= 1.00,  # unrounded: 1.004 is over the cap
            peer="the bucket's rate, 100/s",
            details={
                "achieved": achieved,
                "max in 1 s": window,
                "grants": len(grants),
                "seconds": grants[-1] - started,
            },
        )
    ]
