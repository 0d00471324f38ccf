"""The inbox poller on a shared store: it takes a turn before every poll and every hand-out.

A ``SharedCursorStore`` whose turn ran out while the poller still held fetched
messages (a process frozen past its lease, then woken) answers the next
``turn()`` with True (newly gained).  What was fetched in the old turn may have
been handled by another holder meanwhile, so it must not be handed out: the
poller reloads the position and polls again.  Redis-free: the store is scripted
and the clock virtual (``tests/contrib`` does it with RedisCursor and processes).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.cursors import SharedCursorStore
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

T0 = datetime(2026, 4, 9, 11, 0, 0)


class LapsingStore:
    """A shared store whose turn lapses once ``lapse_after`` is committed.

    On the first ``turn()`` after that, "another holder" has meanwhile handled
    and committed ``taken_meanwhile``: the token says so, and the turn is newly
    gained again (True).
    """

    def __init__(self, lapse_after: str, taken_meanwhile: list[str]) -> None:
        self.token: str | None = None
        self.lapse_after = lapse_after
        self.taken_meanwhile = taken_meanwhile
        self.turns: list[bool] = []
        self.lapsed = False
        self._held = False

    def _seen(self) -> list[str]:
        if self.token is None:
            return []
        seen = json.loads(self.token)["seen"]
        assert isinstance(seen, list)
        return [str(s) for s in seen]

    async def load(self) -> str | None:
        return self.token

    async def save(self, token: str) -> None:
        self.token = token

    async def turn(self) -> bool:
        gained = not self._held
        if not self.lapsed and self.lapse_after in self._seen():
            self.lapsed = True
            seen = self._seen() + self.taken_meanwhile
            self.token = json.dumps({"v": 1, "last_id": max(seen, key=int), "seen": seen})
            gained = True
        self._held = True
        self.turns.append(gained)
        return gained

    async def release(self) -> None:
        self._held = False


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi() as f:
        yield f


async def test_messages_fetched_in_a_lapsed_turn_are_not_handed_out(
    fake: FakeIletiMerkezi,
) -> None:
    ids = [fake.add_inbound(f"m{i}", received_at=T0 + timedelta(seconds=i)) for i in range(5)]
    # The poller fetches all five and hands out ids[0]; while it handles it, its
    # turn lapses and another holder handles and commits ids[1] and ids[2].
    store = LapsingStore(lapse_after=ids[0], taken_meanwhile=ids[1:3])
    assert isinstance(store, SharedCursorStore)
    clock = VirtualClock()
    async with fake.client(clock=clock) as client:
        poller = im.InboxPoller(client.inbox.list, cursor=store, clock=clock, interval=1.0)
        got: list[str] = []
        async with poller:
            async for message in poller:
                got.append(message.id)
                if len(got) == 3:
                    break
    # Not ids[1] and ids[2] from the buffer of the lapsed turn: the other holder
    # handled those; after the reload the poller goes on from its position.
    assert got == [ids[0], ids[3], ids[4]]
    assert store.lapsed
    assert True in store.turns[1:]  # the lapse was seen before a hand-out


async def test_a_turn_is_taken_before_every_hand_out(fake: FakeIletiMerkezi) -> None:
    ids = [fake.add_inbound(f"m{i}", received_at=T0 + timedelta(seconds=i)) for i in range(3)]
    store = LapsingStore(lapse_after="never", taken_meanwhile=[])
    clock = VirtualClock()
    async with fake.client(clock=clock) as client:
        poller = im.InboxPoller(client.inbox.list, cursor=store, clock=clock)
        got: list[str] = []
        async for message in poller:
            got.append(message.id)
            if len(got) == 3:
                break
        await poller.aclose()
    assert got == ids
    # One turn before the poll (gained), then one before each of the 3 hand-outs.
    assert store.turns == [True, False, False, False]
