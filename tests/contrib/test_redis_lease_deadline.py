"""RedisCursor's local lease deadline: a holder frozen past its TTL must not poll on.

A frozen process (SIGSTOP, a VM pause) sees no time pass, then all of it at
once.  ``FrozenClock`` does that to one cursor: its time stands still (so its
renewals stop, as in a stopped process) until the test moves it.  The lease
itself expires in Redis in real time.  ``test_redis_workers.py`` does the same
to real processes with real signals.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest
from redis.asyncio import Redis

from iletimerkezi_async.clock import ISTANBUL
from iletimerkezi_async.contrib.redis import RedisCursor
from iletimerkezi_async.cursors import LeaseLostError

TTL = 1.0
"""Real seconds where the lease must really run out in Redis (long enough that a
stall of this loaded test process does not expire the other holder's lease)."""
LONG_TTL = 30.0
"""Where only the cursor's own clock should pass the deadline, never Redis's TTL."""


class FrozenClock:
    """A Clock that can stand still: real time while running, none while frozen.

    ``freeze()`` stops it (sleepers wait, as in a stopped process); ``thaw()``
    makes all the real time since then pass at once, and it runs on.
    ``advance`` moves it on by hand while frozen.
    """

    def __init__(self) -> None:
        self._offset = 1000.0 - time.monotonic()
        self._frozen_at: float | None = None
        self._moved = asyncio.Event()

    def monotonic(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at
        return time.monotonic() + self._offset

    def now(self) -> datetime:
        return datetime(2026, 1, 1, 12, 0, tzinfo=ISTANBUL)

    def freeze(self) -> None:
        self._frozen_at = self.monotonic()

    def advance(self, seconds: float) -> None:
        assert self._frozen_at is not None, "advance a frozen clock"
        self._frozen_at += seconds
        self._wake()

    def thaw(self) -> None:
        assert self._frozen_at is not None
        # Never back: what ``advance`` added stays added.
        self._offset = max(self._offset, self._frozen_at - time.monotonic())
        self._frozen_at = None
        self._wake()

    def _wake(self) -> None:
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    async def sleep(self, seconds: float) -> None:
        until = self.monotonic() + seconds
        while (left := until - self.monotonic()) > 0:
            if self._frozen_at is not None:
                await self._moved.wait()
                continue
            await asyncio.sleep(left)  # then look again: it may have been frozen meanwhile


async def lease_holder(redis: Redis) -> bytes | None:
    value = await redis.get("c:lease")
    assert value is None or isinstance(value, bytes)
    return value


async def test_a_holder_frozen_past_its_ttl_no_longer_holds_when_it_wakes(redis: Redis) -> None:
    clock = FrozenClock()
    frozen = RedisCursor(redis, "c", lease_ttl=TTL, clock=clock)
    other = RedisCursor(redis, "c", lease_ttl=TTL)
    try:
        assert await frozen.turn() is True and frozen.held
        await frozen.save("A")
        clock.freeze()
        # Frozen: no renewal runs, the lease runs out in Redis, the other takes it.
        assert await asyncio.wait_for(other.turn(), 10) is True
        await other.save("B")
        assert await lease_holder(redis) == other.owner.encode()
        # It wakes up with all that time passed at once, before its renewer has
        # run: it must not count itself the holder (the split brain of issue 11).
        clock.thaw()
        assert not frozen.held
        # Its turn waits for the other to let go instead of answering "still yours".
        waiting = asyncio.create_task(frozen.turn())
        await asyncio.sleep(2 * TTL)
        assert not waiting.done() and not frozen.held
        with pytest.raises(LeaseLostError):
            await frozen.save("stale")
        assert await redis.get("c") == b"B"
        await other.release()
        assert await asyncio.wait_for(waiting, 10) is True  # newly gained: reload
        assert frozen.held
    finally:
        await frozen.release()
        await other.release()


async def test_the_deadline_comes_before_the_ttl(redis: Redis) -> None:
    clock = FrozenClock()
    cursor = RedisCursor(redis, "c", lease_ttl=LONG_TTL, clock=clock)
    try:
        await cursor.turn()
        clock.freeze()
        clock.advance(LONG_TTL * 0.79)
        assert cursor.held
        clock.advance(LONG_TTL * 0.02)  # 0.81 × the TTL since the lease was taken
        assert not cursor.held
    finally:
        await cursor.release()


async def test_a_holder_past_its_deadline_whose_lease_is_still_its_own_takes_it_back(
    redis: Redis,
) -> None:
    """A slow renewal, not a takeover: the lease is taken back at once, not after the TTL."""
    clock = FrozenClock()
    cursor = RedisCursor(redis, "c", lease_ttl=LONG_TTL, clock=clock)
    try:
        await cursor.turn()
        await cursor.save("mine")
        # Its renewals are stuck (a starved loop) and its clock passes the deadline,
        # while in Redis the lease is still its own (less than the TTL passed really).
        renewer = cursor._renewer  # noqa: SLF001 (a stuck renewal has no public API)
        assert renewer is not None
        renewer.cancel()
        clock.freeze()
        clock.advance(LONG_TTL)
        assert not cursor.held
        assert await lease_holder(redis) == cursor.owner.encode()
        # The fenced write is the truth for a commit: the lease is still ours.
        await cursor.save("still mine")
        assert await redis.get("c") == b"still mine"
        clock.thaw()
        assert await asyncio.wait_for(cursor.turn(), 10) is True
        assert cursor.held
        assert await lease_holder(redis) == cursor.owner.encode()
        assert 0 < await redis.pttl("c:lease") <= LONG_TTL * 1000
    finally:
        await cursor.release()
    assert await lease_holder(redis) is None
