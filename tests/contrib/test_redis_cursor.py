"""RedisCursor against a real redis-server: plain store, lease, fencing, poller takeover."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from redis.asyncio import Redis

from iletimerkezi_async import CursorStore, InboundMessage
from iletimerkezi_async.clock import SystemClock
from iletimerkezi_async.contrib.redis import RedisCursor, account_key
from iletimerkezi_async.cursors import LeaseLostError, SharedCursorStore
from iletimerkezi_async.polling import InboxPoller
from iletimerkezi_async.testing import FakeIletiMerkezi

from .._redis import RedisServer

TTL = 1.0
"""Long enough that a loaded machine's loop stalls stay well inside 0.8 × TTL."""
KEY = "k3y-SECRET-5e1f0c2a9b"


async def blocked(turn: asyncio.Task[Any], seconds: float) -> bool:
    """True when ``turn`` is still waiting after ``seconds``."""
    await asyncio.sleep(seconds)
    return not turn.done()


async def die(cursor: RedisCursor) -> None:
    """Simulate a crashed holder: renewals stop, nothing is released.

    In-process, what a SIGKILL does to the holder (test_redis_workers.py does it to a
    real process); no public call stops renewing without releasing, on purpose.
    """
    renewer = cursor._renewer  # noqa: SLF001 (a crash has no public API)
    assert renewer is not None
    renewer.cancel()
    # Let the cancellation land: a renewal cut off mid-command must have dropped
    # its connection before the next holder's commands share the pool.
    with contextlib.suppress(asyncio.CancelledError):
        await renewer


async def test_plain_store_round_trip(redis: Redis) -> None:
    cursor = RedisCursor.for_account(redis, KEY)
    assert isinstance(cursor, CursorStore)
    assert cursor.key == account_key(KEY, "inbox-cursor") and KEY not in repr(cursor)
    assert await cursor.load() is None
    await cursor.save('{"v": 1}')
    assert await RedisCursor.for_account(redis, KEY).load() == '{"v": 1}'
    assert await cursor.turn() is False  # no lease: every poller may poll
    assert not cursor.held


def test_lease_ttl_must_be_sensible() -> None:
    with pytest.raises(ValueError, match="lease_ttl"):
        RedisCursor(None, "c", lease_ttl=0)  # type: ignore[arg-type]


async def test_one_holder_at_a_time_and_release_hands_over(redis: Redis) -> None:
    first = RedisCursor(redis, "c", lease_ttl=TTL)
    second = RedisCursor(redis, "c", lease_ttl=TTL)
    assert isinstance(first, SharedCursorStore)
    assert await first.turn() is True and first.held
    assert await first.turn() is False  # still ours: nothing to reload
    waiting = asyncio.create_task(second.turn())
    assert await blocked(waiting, 3 * TTL)  # renewals keep the lease past its TTL
    await first.release()
    assert await asyncio.wait_for(waiting, 2 * TTL) is True
    assert second.held and not first.held
    assert await redis.get("c:lease") == second.owner.encode()
    await second.release()
    assert await redis.get("c:lease") is None


class RecordingClock(SystemClock):
    """The real clock, noting every sleep: the lease waits really pass (they expire in Redis)."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await super().sleep(seconds)


async def test_lease_retries_and_renewals_sleep_on_the_given_clock(redis: Redis) -> None:
    clock = RecordingClock()
    holder = RedisCursor(redis, "c", lease_ttl=TTL)
    standby = RedisCursor(redis, "c", lease_ttl=TTL, clock=clock)
    assert standby.clock is clock
    assert await holder.turn() is True
    waiting = asyncio.create_task(standby.turn())
    assert await blocked(waiting, TTL)
    assert clock.sleeps
    assert set(clock.sleeps) == {TTL / 4}  # a retry every quarter of the TTL
    await holder.release()
    assert await asyncio.wait_for(waiting, 2 * TTL) is True
    await asyncio.sleep(0)  # the renewer starts
    assert standby.held
    assert clock.sleeps[-1] == TTL / 3  # it renews every third of the TTL, on the clock too
    await standby.release()
    assert await redis.get("c:lease") is None


def test_a_clock_must_be_a_clock() -> None:
    with pytest.raises(TypeError, match="Clock"):
        RedisCursor(None, "c", clock=object())  # type: ignore[arg-type]


async def test_a_dead_holder_is_replaced_within_the_ttl(redis: Redis) -> None:
    holder = RedisCursor(redis, "c", lease_ttl=TTL)
    clock = RecordingClock()
    standby = RedisCursor(redis, "c", lease_ttl=TTL, clock=clock)
    await holder.turn()
    waiting = asyncio.create_task(standby.turn())
    await asyncio.sleep(TTL / 2)
    await die(holder)
    before = len(clock.sleeps)
    assert await asyncio.wait_for(waiting, 10) is True  # a hang guard, not a timing claim
    # Bounded takeover, counted in retries so a busy machine cannot fail it: the lease
    # runs out within a TTL of the last renewal (before the death), and every retry
    # waits at least TTL / 4, so at most five retries come before the one that wins.
    retries = [s for s in clock.sleeps[before:] if s == TTL / 4]  # not the new renewals
    assert len(retries) <= 5, clock.sleeps
    await standby.release()


async def test_saves_are_fenced_after_the_lease_is_lost(redis: Redis) -> None:
    old = RedisCursor(redis, "c", lease_ttl=TTL)
    new = RedisCursor(redis, "c", lease_ttl=TTL)
    await old.turn()
    await old.save("A")
    await die(old)
    await redis.delete("c:lease")  # as if it expired during a long pause
    await new.turn()
    await new.save("B")
    with pytest.raises(LeaseLostError):
        await old.save("stale")
    assert await redis.get("c") == b"B"
    assert not old.held
    with pytest.raises(LeaseLostError):
        await old.save("again")  # refused locally too, without touching Redis
    # The old one gets a turn again only after the new one lets go.
    waiting = asyncio.create_task(old.turn())
    assert await blocked(waiting, TTL)
    await new.release()
    assert await asyncio.wait_for(waiting, 2 * TTL) is True
    await old.release()


async def test_renewer_notices_a_lost_lease(redis: Redis) -> None:
    cursor = RedisCursor(redis, "c", lease_ttl=TTL)
    await cursor.turn()
    await redis.set("c:lease", "someone-else")
    for _ in range(50):
        if not cursor.held:
            break
        await asyncio.sleep(TTL / 10)
    assert not cursor.held
    with pytest.raises(LeaseLostError):
        await cursor.save("x")


async def collect(poller: InboxPoller, count: int, into: list[InboundMessage]) -> None:
    async for message in poller:
        into.append(message)
        if len(into) == count:
            return


async def test_pollers_take_over_from_a_dead_one_without_losing_a_message(redis: Redis) -> None:
    async with FakeIletiMerkezi() as fake, fake.client() as client:
        ids = [fake.add_inbound(f"mesaj {i}", sender=f"+9050500000{i:02d}") for i in range(6)]
        first_cursor = RedisCursor(redis, "inbox", lease_ttl=TTL)
        second_cursor = RedisCursor(redis, "inbox", lease_ttl=TTL)
        first = client.inbox.poll(cursor=first_cursor, interval=0.02, max_interval=0.05)
        second = client.inbox.poll(cursor=second_cursor, interval=0.02, max_interval=0.05)
        got_first: list[InboundMessage] = []
        got_second: list[InboundMessage] = []
        # The first poller takes the lease and handles three; the third is
        # handed out but not committed when it "dies".
        await asyncio.wait_for(collect(first, 3, got_first), 30)
        standby = asyncio.create_task(collect(second, 4, got_second))
        assert await blocked(standby, 2 * TTL)  # it waits while the first holds
        assert got_second == []
        await die(first_cursor)
        await asyncio.wait_for(standby, 30)
        await first.aclose()
        await second.aclose()

    assert [m.id for m in got_first] == ids[:3]
    # The second reloads what the first committed (two) and redelivers the third.
    assert [m.id for m in got_second] == ids[2:]
    assert await redis.get("inbox:lease") is None  # aclose released it


async def test_a_poller_that_lost_its_lease_becomes_a_standby(redis: Redis) -> None:
    async with FakeIletiMerkezi() as fake, fake.client() as client:
        ids = [fake.add_inbound(f"mesaj {i}", sender=f"+9050500000{i:02d}") for i in range(4)]
        old_cursor = RedisCursor(redis, "inbox", lease_ttl=TTL)
        old = client.inbox.poll(cursor=old_cursor, interval=0.02, max_interval=0.05)
        got_old: list[InboundMessage] = []
        await asyncio.wait_for(collect(old, 2, got_old), 30)
        # A long pause: the lease expires and another poller takes it.
        await die(old_cursor)
        await redis.delete("inbox:lease")
        new_cursor = RedisCursor(redis, "inbox", lease_ttl=TTL)
        new = client.inbox.poll(cursor=new_cursor, interval=0.02, max_interval=0.05)
        got_new: list[InboundMessage] = []
        await asyncio.wait_for(collect(new, 3, got_new), 30)
        # The old one wakes up: its commit is refused, it drops its message and
        # waits for a turn instead of polling beside the new holder.
        resumed = asyncio.create_task(collect(old, 4, got_old))
        assert await blocked(resumed, 2 * TTL)
        assert [m.id for m in got_old] == ids[:2]
        await new.aclose()  # the new one stops and lets go of the lease
        fake.add_inbound("yeni", sender="+905050000099")
        await asyncio.wait_for(resumed, 30)
        await old.aclose()

    assert [m.id for m in got_new] == ids[1:]
    # It went on from what the new holder committed: the new one's last message
    # was handed out but never committed, so it comes again, then the fresh one.
    assert [m.text for m in got_old[2:]] == ["mesaj 3", "yeni"]


async def test_a_redis_outage_makes_the_cursor_wait_not_fail(
    private_redis_server: RedisServer,
) -> None:
    redis = Redis.from_url(private_redis_server.url)
    try:
        cursor = RedisCursor(redis, "c")
        await cursor.save("before")
        private_redis_server.stop()
        saving = asyncio.create_task(cursor.save("during"))
        await asyncio.sleep(0.3)
        assert not saving.done()  # a commit is not skipped, it waits
        private_redis_server.start()  # back, and empty: nothing is persisted
        await asyncio.wait_for(saving, 10)
        assert await asyncio.wait_for(cursor.load(), 10) == "during"
    finally:
        await redis.aclose()
