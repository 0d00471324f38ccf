"""The test Redis itself: a real server that the fixtures start, flush, stop and restart."""

from __future__ import annotations

import asyncio
import sys

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .._redis import RedisServer


async def test_round_trip_on_a_flushed_database(redis: Redis, redis_server: RedisServer) -> None:
    assert await redis.dbsize() == 0
    await redis.set("greeting", "merhaba")
    assert await redis.get("greeting") == b"merhaba"
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"


async def test_each_test_starts_empty(redis: Redis) -> None:
    # Runs after the test above in file order: its key must be gone.
    assert await redis.get("greeting") is None


async def test_stop_then_start_is_an_outage_on_the_same_port(
    private_redis_server: RedisServer,
) -> None:
    server = private_redis_server
    port = server.port
    client = Redis.from_url(server.url, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.set("k", "v")
        server.stop()
        assert not server.running
        with pytest.raises(RedisConnectionError):
            await asyncio.wait_for(client.get("k"), 10)
        server.start()
        assert server.port == port
        # Back, and empty: nothing is persisted across a restart.
        assert await asyncio.wait_for(client.get("k"), 10) is None
        await client.set("k", "again")
        assert await client.get("k") == b"again"
    finally:
        await client.aclose()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP is POSIX-only")
async def test_pause_is_a_hang_not_a_refusal(private_redis_server: RedisServer) -> None:
    server = private_redis_server
    client = Redis.from_url(server.url, socket_timeout=0.3, socket_connect_timeout=0.3)
    try:
        await client.ping()
        server.pause()
        try:
            with pytest.raises((RedisTimeoutError, RedisConnectionError)):
                await asyncio.wait_for(client.get("k"), 10)
        finally:
            server.resume()
        assert await asyncio.wait_for(client.ping(), 10) is True
    finally:
        await client.aclose()
