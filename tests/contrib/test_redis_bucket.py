"""RedisTokenBucket against a real redis-server: the Lua reservation, sharing, outages."""

from __future__ import annotations

import asyncio
import logging
import math

import pytest
from redis.asyncio import Redis

from iletimerkezi_async import RateLimiter
from iletimerkezi_async.contrib.redis import RedisTokenBucket, account_key
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

from .._redis import RedisServer

KEY = "k3y-SECRET-5e1f0c2a9b"


async def tokens(redis: Redis, key: str) -> float:
    value = await redis.hget(key, "tokens")
    assert value is not None
    return float(value)


def test_account_key_is_a_hash_not_the_key() -> None:
    key = account_key(KEY, "send-budget")
    assert key.startswith("iletimerkezi:") and key.endswith(":send-budget")
    assert KEY not in key and "SECRET" not in key
    assert key == account_key(f" {KEY} ", "send-budget")  # stable, whitespace-insensitive
    assert key != account_key(KEY + "x", "send-budget")
    assert account_key(KEY, "inbox", prefix="acme").startswith("acme:")
    with pytest.raises(ValueError, match="api_key"):
        account_key(" ", "send-budget")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rate": 0}, "rate"),
        ({"rate": math.inf}, "rate"),
        ({"per": -1}, "per"),
        ({"capacity": 0}, "capacity"),
        ({"key": ""}, "key"),
    ],
)
async def test_bad_settings_are_refused(
    redis: Redis, kwargs: dict[str, object], match: str
) -> None:
    settings: dict[str, object] = {"key": "b"} | kwargs
    with pytest.raises(ValueError, match=match):
        RedisTokenBucket(redis, **settings)  # type: ignore[arg-type]


async def test_is_a_rate_limiter_and_repr_hides_nothing_secret(redis: Redis) -> None:
    bucket = RedisTokenBucket.for_account(redis, KEY, rate=100)
    assert isinstance(bucket, RateLimiter)
    assert KEY not in repr(bucket) and bucket.key in repr(bucket)


async def test_full_bucket_then_one_token_per_interval(redis: Redis) -> None:
    bucket = RedisTokenBucket(redis, "b", rate=10)
    waits = [await bucket.reserve() for _ in range(12)]
    assert waits[:10] == [0.0] * 10
    # The 11th and 12th queue behind the empty bucket: ~0.1 s and ~0.2 s (less
    # the few milliseconds the calls themselves took).
    assert waits[10] is not None and 0.05 < waits[10] <= 0.1
    assert waits[11] is not None and 0.15 < waits[11] <= 0.2


async def test_two_buckets_on_one_key_share_one_budget(redis: Redis) -> None:
    one = RedisTokenBucket(redis, "shared", rate=5)
    other = RedisTokenBucket(redis, "shared", rate=5)
    assert [await one.reserve() for _ in range(5)] == [0.0] * 5
    wait = await other.reserve()
    assert wait is not None and wait > 0.1
    separate = RedisTokenBucket(redis, "another-account", rate=5)
    assert await separate.reserve() == 0.0


async def test_a_large_cost_waits_for_a_full_bucket_and_drains_it(redis: Redis) -> None:
    bucket = RedisTokenBucket(redis, "b", rate=10)
    assert await bucket.reserve(5) == 0.0
    big = await bucket.reserve(50)  # more than the capacity of 10
    assert big is not None and 0.45 < big <= 0.5  # until the bucket is full again
    small = await bucket.reserve(1)
    # Queued behind the big one, which takes the full bucket (10, not 50): the
    # small one waits for the 5 still missing when it called plus its own one,
    # at 10/s, as in the in-process TokenBucket (test_limiter_parity.py).  It
    # cannot overtake (no starvation of large costs).
    assert small is not None and 0.55 < small <= 0.6
    assert -6 < await tokens(redis, "b") <= -5


async def test_a_cancelled_large_cost_gives_back_what_it_took(redis: Redis) -> None:
    bucket = RedisTokenBucket(redis, "b", rate=1, capacity=10)
    await bucket.acquire(10)
    waiting = asyncio.create_task(bucket.acquire(500))  # charged as 10, waits ~10 s
    for _ in range(100):
        if await redis.hget("b", "tokens") is not None and await tokens(redis, "b") < -9:
            break
        await asyncio.sleep(0.01)
    assert -11 < await tokens(redis, "b") < -9
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    # The 10 it was charged came back, not 500 (capped at a full bucket of 10).
    assert -1 < await tokens(redis, "b") <= 1


async def test_acquire_sleeps_exactly_the_reserved_wait(redis: Redis) -> None:
    clock = VirtualClock()  # records the waits instead of sleeping them
    bucket = RedisTokenBucket(redis, "b", rate=1, capacity=2, clock=clock)
    calls = []  # the server time of each script run, read back from the bucket
    for _ in range(4):
        await bucket.acquire()
        calls.append(float(await redis.hget("b", "ts") or 0))
    assert len(clock.sleeps) == 2  # the first two found tokens
    # Exactly what the bucket owed at those server times: one token, then two,
    # at 1/s, less the server time the calls themselves took (no wall-clock bound).
    first = calls[0]
    assert clock.sleeps == pytest.approx([1 - (calls[2] - first), 2 - (calls[3] - first)])
    await bucket.acquire(0)  # free, not even a round trip
    assert len(clock.sleeps) == 2
    with pytest.raises(ValueError, match="cost"):
        await bucket.acquire(math.nan)


async def test_a_clock_must_be_a_clock(redis: Redis) -> None:
    with pytest.raises(TypeError, match="Clock"):
        RedisTokenBucket(redis, "b", clock=object())  # type: ignore[arg-type]
    clock = VirtualClock()
    assert RedisTokenBucket.for_account(redis, KEY, clock=clock).clock is clock


async def test_the_key_expires_once_the_bucket_would_be_full_again(redis: Redis) -> None:
    bucket = RedisTokenBucket(redis, "b", rate=10)
    await bucket.reserve(10)
    ttl = await redis.pttl("b")
    assert 1_000 < ttl <= 2_000  # one second to refill 10 at 10/s, plus a second


async def test_cancelled_waiter_gives_its_tokens_back(redis: Redis) -> None:
    bucket = RedisTokenBucket(redis, "b", rate=1, capacity=10)
    await bucket.acquire(10)
    waiting = asyncio.create_task(bucket.acquire(5))
    for _ in range(100):
        if await redis.hget("b", "tokens") is not None and await tokens(redis, "b") < -4:
            break
        await asyncio.sleep(0.01)
    assert await tokens(redis, "b") < -4  # reserved while waiting
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert -1 < await tokens(redis, "b") <= 1  # the 5 came back


async def test_fail_closed_waits_for_redis_to_come_back(
    private_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    redis = Redis.from_url(private_redis_server.url)
    try:
        bucket = RedisTokenBucket(redis, "b", rate=100)
        await bucket.acquire()
        private_redis_server.stop()
        with caplog.at_level(logging.INFO, logger="iletimerkezi_async.contrib.redis"):
            waiting = asyncio.create_task(bucket.acquire())
            await asyncio.sleep(0.3)
            assert not waiting.done()  # nothing goes out unmetered
            private_redis_server.start()
            await asyncio.wait_for(waiting, 10)
        messages = [r.getMessage() for r in caplog.records]
        assert any("sends wait until it is back" in m for m in messages)
        assert any("metered again" in m for m in messages)
        assert await redis.exists("b")  # the restarted server holds the bucket again
    finally:
        await redis.aclose()


async def test_fail_open_lets_sends_through_and_says_so(
    private_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    redis = Redis.from_url(private_redis_server.url)
    try:
        bucket = RedisTokenBucket(redis, "b", rate=1, fail_open=True)
        private_redis_server.stop()
        with caplog.at_level(logging.WARNING, logger="iletimerkezi_async.contrib.redis"):
            assert await bucket.reserve() is None
            await asyncio.wait_for(bucket.acquire(), 5)
        assert any("without the shared budget" in r.getMessage() for r in caplog.records)
    finally:
        await redis.aclose()


async def test_client_sends_through_the_shared_bucket(redis: Redis) -> None:
    bucket = RedisTokenBucket(redis, "b", rate=100)
    async with FakeIletiMerkezi() as fake, fake.client(send_limiter=bucket) as client:
        await client.sms.send(
            ["5051234567", "5051234568", "5051234569"], "Merhaba", sender="APITEST"
        )
    # One token per recipient was charged to the Redis bucket.
    assert 96 < await tokens(redis, "b") <= 97
