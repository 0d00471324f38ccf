"""``RedisOtpStore`` on a real redis-server: the rules of ``tests/test_otp.py``, and races."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

import iletimerkezi_async as im
from iletimerkezi_async.contrib.redis import RedisOtpStore
from iletimerkezi_async.otp import OtpStore

from .._redis import RedisServer
from ..test_otp import NATIONAL, PHONE, SECRET, SHARED, rig


@pytest.mark.parametrize("check", SHARED, ids=lambda c: c.__name__)
async def test_redis_store_rules(redis: Redis, check: Callable[[OtpStore], Any]) -> None:
    await check(RedisOtpStore(redis, prefix="test:otp"))


async def test_redis_holds_no_number_code_or_secret(redis: Redis) -> None:
    async with rig() as r:
        otp = r.service(RedisOtpStore(redis, prefix="test:otp"))
        code = r.code(await otp.send(PHONE))
        dump = []
        async for key in redis.scan_iter("*"):
            dump.append(key)
            if await redis.type(key) == b"hash":
                dump.append(repr(await redis.hgetall(key)).encode())
            else:
                dump.append(await redis.get(key))
        blob = b" ".join(dump)
        assert len(await redis.keys("test:otp:*")) == 2  # the challenge and the day's count
        for secret in (code.encode(), NATIONAL.encode(), SECRET):
            assert secret not in blob
        assert "test:otp" in repr(otp)


async def test_concurrent_sends_send_once(redis: Redis) -> None:
    async with rig() as r:
        otp = r.service(RedisOtpStore(redis, prefix="test:otp"))
        results = await asyncio.gather(
            *(otp.send(PHONE) for _ in range(10)), return_exceptions=True
        )
        assert sum(not isinstance(x, BaseException) for x in results) == 1
        assert all(isinstance(x, im.OtpCooldownError) for x in results if isinstance(x, Exception))
        assert len(r.fake.sent_requests("send-sms")) == 1


async def test_two_hundred_concurrent_verifies_of_the_right_code_succeed_once(
    redis_server: RedisServer, redis: Redis
) -> None:
    connections = [Redis.from_url(redis_server.url) for _ in range(10)]
    try:
        async with rig() as r:
            code = r.code(await r.service(RedisOtpStore(redis, prefix="test:otp")).send(PHONE))
            services = [
                r.service(RedisOtpStore(conn, prefix="test:otp"), max_attempts=1000)
                for conn in connections
            ]
            results = await asyncio.gather(
                *(services[i % len(services)].verify(PHONE, code) for i in range(200))
            )
            assert results.count(True) == 1
            assert results.count(False) == 199
    finally:
        for conn in connections:
            await conn.aclose()


async def test_concurrent_wrong_codes_never_exceed_max_attempts(redis: Redis) -> None:
    async with rig() as r:
        otp = r.service(RedisOtpStore(redis, prefix="test:otp"), max_attempts=5)
        code = r.code(await otp.send(PHONE))
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        results = await asyncio.gather(
            *(otp.verify(PHONE, wrong) for _ in range(20)), return_exceptions=True
        )
        assert results.count(False) == 5
        assert sum(isinstance(x, im.OtpLockedError) for x in results) == 15
        with pytest.raises(im.OtpLockedError):
            await otp.verify(PHONE, code)


async def test_two_processes_verifying_one_code_succeed_once(
    redis_server: RedisServer, redis: Redis
) -> None:
    worker = Path(__file__).with_name("_otp_worker.py")
    async with rig() as r:
        code = r.code(await r.service(RedisOtpStore(redis, prefix="test:otp")).send(PHONE))
        args = [redis_server.url, "test:otp", SECRET.hex(), PHONE, code, "test:otp:go", "25"]
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable, str(worker), *args, stdout=asyncio.subprocess.PIPE
            )
            for _ in range(2)
        ]
        try:
            async with asyncio.timeout(60):  # a hang guard, not a timing assertion
                for proc in procs:
                    assert proc.stdout is not None
                    assert (await proc.stdout.readline()).strip() == b"READY"
                await redis.rpush("test:otp:go", "1", "1")
                outputs = [await proc.communicate() for proc in procs]
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
        assert [p.returncode for p in procs] == [0, 0]
        assert sum(int(out.strip()) for out, _ in outputs) == 1
