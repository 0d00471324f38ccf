"""Cancelling calls and iterators at seeded random points leaks nothing.

Each scenario runs an operation in a task against a fake that answers slowly
(``latency``) and through a small, slow-refilling ``TokenBucket`` (so sends
queue in the limiter), cancels the task after a seeded random delay, and then
checks:

* the task ends (cancelled, or finished before the cancel arrived) and no task
  it started is left running (``asyncio.all_tasks()`` before and after; the
  fake's own request handlers are excluded only while the fake is serving);
* no waiter is left queued in the bucket, and once the refill time has passed
  the bucket is full again and a full-capacity acquire is granted at once
  (a cancelled waiter gave its place back);
* the client still works (its connection pool was not poisoned), closes, and
  reports ``closed``; an unclosed session would fail the run through
  ``filterwarnings = error``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

from ._support import fast_retry, guarded, leaked_tasks, settle

RATE, CAPACITY = 200.0, 20.0  # a full refill takes 0.1 s
LATENCY = 0.02
SEEDS = range(6)
MAX_DELAY = 0.12
START, END = date(2025, 5, 1), date(2025, 6, 29)

Scenario = Callable[[im.Client], Coroutine[object, object, None]]


def _numbers(n: int, offset: int = 0) -> list[str]:
    return [f"505{offset + i:07d}" for i in range(n)]


async def _sends(client: im.Client) -> None:
    # Eight orders of five recipients through a 20-token bucket: most wait in the limiter.
    tag = random.random()
    await asyncio.gather(
        *(
            client.sms.send(_numbers(5, 10 * i), f"Duyuru {tag} {i}", sender="ACME")
            for i in range(8)
        )
    )


async def _balance(client: im.Client) -> None:
    for _ in range(5):
        await client.account.balance()


async def _reports_list(client: im.Client) -> None:
    async with client.reports.list(START, END, concurrency=3) as orders:
        async for _ in orders:
            await asyncio.sleep(0.001)


async def _reports_list_bare(client: im.Client) -> None:
    # No ``async with``: the abandoned paginator must still stop its prefetching tasks.
    async for _ in client.reports.list(START, END, concurrency=3):
        await asyncio.sleep(0.001)


async def _inbox_poll(client: im.Client) -> None:
    async with client.inbox.poll(interval=0.01, max_interval=0.02) as poller:
        async for _ in poller:
            await asyncio.sleep(0.002)


async def _send_bulk(client: im.Client) -> None:
    tag = random.random()
    bulk = client.sms.send_bulk(_numbers(100), f"Kampanya {tag}", sender="ACME", chunk_size=10)
    async for _ in bulk:
        await asyncio.sleep(0.001)


async def _mixed(client: im.Client) -> None:
    await asyncio.gather(
        _sends(client),
        _balance(client),
        _reports_list(client),
        _reports_list_bare(client),
        _inbox_poll(client),
        _send_bulk(client),
    )


SCENARIOS: dict[str, Scenario] = {
    "send": _sends,
    "balance": _balance,
    "reports_list": _reports_list,
    "reports_list_bare": _reports_list_bare,
    "inbox_poll": _inbox_poll,
    "send_bulk": _send_bulk,
    "mixed": _mixed,
}


def _not_the_fakes(tasks: set[asyncio.Task[object]]) -> set[asyncio.Task[object]]:
    """Without the fake server's connection handlers (it is still serving)."""
    return {t for t in tasks if not t.get_coro().__qualname__.startswith("RequestHandler.")}  # type: ignore[union-attr]


def _seeded() -> FakeIletiMerkezi:
    """A slow fake with orders to walk and inbound messages to poll."""
    fake = FakeIletiMerkezi(senders=("ACME",), rate_limit=None, latency=LATENCY)
    rng = random.Random(3)
    first = datetime(2025, 5, 1)
    fake.add_orders(first + timedelta(seconds=rng.randrange(60 * 86400)) for _ in range(300))
    for i in range(40):
        fake.add_inbound(f"Mesaj {i}")
    return fake


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_cancelling_at_random_points_leaks_nothing(name: str) -> None:
    before = asyncio.all_tasks()
    bucket = im.TokenBucket(rate=RATE, per=1.0, capacity=CAPACITY)
    cancelled = 0
    async with (
        _seeded() as fake,
        fake.client(send_limiter=bucket, retry=fast_retry(), timeout=5.0) as client,
    ):
        serving = asyncio.all_tasks()  # with the fake's own background tasks
        for seed in SEEDS:
            delay = random.Random(f"{name}-{seed}").uniform(0.0, MAX_DELAY)
            task = asyncio.create_task(SCENARIOS[name](client))
            await asyncio.sleep(delay)
            task.cancel()
            try:
                await guarded(task)
            except asyncio.CancelledError:
                cancelled += 1
            assert task.done()
            await settle()
            assert _not_the_fakes(leaked_tasks(serving)) == set(), f"seed {seed}"
            assert "waiting=0" in repr(bucket), f"seed {seed}: {bucket!r}"
            # Still usable: nothing half-read is left in the connection pool.
            assert (await guarded(client.account.balance())).sms > 0
        await client.close()
        assert client.closed
        with pytest.raises(im.ClientClosedError):
            await client.account.balance()

        # Every token taken by a cancelled waiter was either spent on a request or given
        # back: after a full refill period the bucket is full, and a full-capacity
        # acquire is granted without queueing.
        await asyncio.sleep(CAPACITY / RATE + 0.05)
        assert bucket.available() == pytest.approx(CAPACITY)
        await guarded(bucket.acquire(CAPACITY), 1.0)
        assert bucket.available() < 1
        assert "waiting=0" in repr(bucket)
    await settle()
    assert leaked_tasks(before) == set()
    # The delays really interrupted work in flight (not every run finished first).
    assert cancelled >= len(SEEDS) // 2, cancelled
