"""The resolve-then-resume recipe of docs/exactly-once.md, run as documented.

A ``send_bulk`` whose chunks hit a drop after processing (the order exists)
and a drop before processing (it does not): resolving each unknown chunk and
resuming from ``err.resume_index(resolved)`` puts every recipient in exactly
one order at the fake, and the recipe's own list of orders is exactly the
fake's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

NUMBERS = [f"+90505{i:07d}" for i in range(1, 23)]  # 22 recipients, chunks of 4
TEXT = "Bahar indirimi başladı"


async def send_all(
    client: im.Client,
    numbers: list[str],
    text: str,
    *,
    chunk_size: int,
    on_order: Callable[[int], object] = lambda _: None,
) -> list[im.Order]:
    """The recipe, as docs/exactly-once.md shows it (plus a hook for the test's faults)."""
    orders: list[im.Order] = []
    start = 0
    while True:
        try:
            async for order in client.sms.send_bulk(numbers[start:], text, chunk_size=chunk_size):
                orders.append(order)
                on_order(len(orders))
            return orders
        except im.BulkSendError as err:
            if not err.maybe_sent:
                raise
            resolved = await client.sms.resolve(err.pending)  # type: ignore[arg-type]
            if resolved is not None:
                orders.append(resolved)
            start += err.resume_index(resolved)


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi(rate_limit=None) as f:
        yield f


@pytest.mark.parametrize("first", ["after", "before"])
async def test_every_recipient_ends_in_exactly_one_order(
    fake: FakeIletiMerkezi, first: str
) -> None:
    clock = VirtualClock(start=fake.clock.now(), on_advance=fake.advance)
    second = "before" if first == "after" else "after"
    faults = {1: first, 3: second}  # after the 1st and the 3rd order: the next chunk's fate

    def inject(count: int) -> None:
        when = faults.pop(count, None)
        if when is not None:
            fake.drop("send-sms", when=when)  # type: ignore[arg-type]

    async with fake.client(
        timeout=0.5, send_limiter=None, default_sender="APITEST", clock=clock
    ) as client:
        orders = await send_all(client, NUMBERS, TEXT, chunk_size=4, on_order=inject)

    assert faults == {}  # both faults were met
    received = Counter(n for snap in fake.account.orders.values() for n in snap.recipients)
    assert received == Counter(NUMBERS)  # each recipient exactly once, none missing
    assert sorted(o.id for o in orders) == sorted(fake.account.orders)
    assert sum(o.recipients for o in orders) == len(NUMBERS)
    # The chunk dropped before processing was proven absent and sent again, once.
    dropped = [r for r in fake.requests if r.path == "send-sms" and r.fault == "drop:before"]
    assert len(dropped) == 1


async def test_next_index_alone_would_have_lost_the_absent_chunk(
    fake: FakeIletiMerkezi,
) -> None:
    """Why the recipe resolves: the old resume point skips a chunk that never went out."""
    async with fake.client(timeout=0.5, send_limiter=None, default_sender="APITEST") as client:
        fake.drop("send-sms", when="before")
        with pytest.raises(im.BulkSendError) as caught:
            async for _ in client.sms.send_bulk(NUMBERS[:8], TEXT, chunk_size=4):
                pass
    err = caught.value
    assert err.maybe_sent and err.pending is not None
    assert (err.maybe_sent_index, err.next_index) == (0, 4)
    assert err.pending.recipients == tuple(NUMBERS[:4])
    assert err.resume_index(None) == 0  # proven absent: the chunk is sent again
    assert err.resume_index(im.Order(id="1", recipients=4)) == 4
    assert not fake.account.orders
