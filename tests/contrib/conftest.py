"""A real ``redis-server`` for the contrib tests: one per session, flushed per test.

Without ``redis-server`` on PATH these tests skip locally (with how to install
it) but fail when ``CI`` is set: a CI run that silently skips the shared-budget
tests would look green while proving nothing.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from .._redis import INSTALL_HINT, RedisServer


def _require_redis_server() -> str:
    executable = RedisServer.find()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {INSTALL_HINT} (.ci/run installs it with apt-get)")
        pytest.skip(INSTALL_HINT)
    return executable


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """The session's server.  A test may stop() it; the ``redis`` fixture restarts it."""
    with RedisServer(_require_redis_server()) as server:
        yield server


@pytest.fixture
def private_redis_server() -> Iterator[RedisServer]:
    """A server of this test's own, for outage tests that stop/start/pause it."""
    with RedisServer(_require_redis_server()) as server:
        yield server


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    """A ``redis.asyncio.Redis`` on the session server, on an empty database."""
    redis_server.start()  # back up if an earlier test left it stopped
    client = Redis.from_url(redis_server.url)
    try:
        await client.flushdb()
        yield client
    finally:
        await client.aclose()
