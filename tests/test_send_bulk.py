"""sms.send_bulk against the fake: chunking, streaming, the limiter, and resuming after failures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi


def number(i: int) -> str:
    return f"5{i:09d}"


def e164(i: int) -> str:
    return f"+905{i:09d}"


class CountingLimiter:
    """A RateLimiter that grants at once and notes every charge."""

    def __init__(self) -> None:
        self.costs: list[float] = []

    async def acquire(self, cost: float = 1) -> None:
        self.costs.append(cost)


class Source:
    """A sync generator of numbers that counts how far it was read."""

    def __init__(self, n: int, bad: dict[int, str] | None = None) -> None:
        self.n, self.bad, self.read = n, bad or {}, 0

    def __iter__(self) -> Iterator[str]:
        for i in range(self.n):
            self.read += 1
            yield self.bad.get(i, number(i))


async def agen(n: int) -> AsyncIterator[str]:
    for i in range(n):
        yield number(i)


async def consume(
    orders: AsyncIterator[im.Order], seen: list[im.Order], after_two: Callable[[], object]
) -> None:
    """Collect orders into ``seen``; run ``after_two`` once the second one arrived."""
    async for order in orders:
        seen.append(order)
        if len(seen) == 2:
            after_two()


def sent_numbers(fake: FakeIletiMerkezi) -> list[list[str]]:
    out: list[list[str]] = []
    for r in fake.requests:
        if r.path == "send-sms" and r.status == 200:
            body: Any = r.body
            out.append(body["request"]["order"]["message"]["receipents"]["number"])
    return out


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi(rate_limit=None, sms_credits=1_000_000) as f:
        yield f


@pytest.fixture
def limiter() -> CountingLimiter:
    return CountingLimiter()


@pytest.fixture
async def client(fake: FakeIletiMerkezi, limiter: CountingLimiter) -> AsyncIterator[im.Client]:
    async with fake.client(
        send_limiter=limiter, retry=im.RetryPolicy(attempts=1), default_sender="APITEST"
    ) as c:
        yield c


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_chunks_of_1000_over_3500_numbers(
    fake: FakeIletiMerkezi, client: im.Client, limiter: CountingLimiter, kind: str
) -> None:
    numbers = Source(3500) if kind == "sync" else agen(3500)
    orders = [o async for o in client.sms.send_bulk(numbers, "Duyuru", chunk_size=1000)]
    assert [o.recipients for o in orders] == [1000, 1000, 1000, 500]
    assert len({o.id for o in orders}) == 4
    assert all(fake.account.orders[o.id].status in (113, 114) for o in orders)
    # One limiter charge per chunk, one token per recipient.
    assert limiter.costs == [1000, 1000, 1000, 500]
    # Every number exactly once, in input order.
    assert [n for chunk in sent_numbers(fake) for n in chunk] == [e164(i) for i in range(3500)]


async def test_streams_lazily_and_stops_when_the_consumer_stops(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    source = Source(10_000)
    async for order in client.sms.send_bulk(source, "Duyuru", chunk_size=1000):
        assert order.recipients == 1000
        # The chunk went out as soon as it was full, before the next number was read.
        assert source.read == 1000
        assert len(sent_numbers(fake)) == 1
        break
    assert len(sent_numbers(fake)) == 1


async def test_failed_third_chunk_reports_orders_and_resume_index(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    numbers = [number(i) for i in range(3500)]
    seen: list[im.Order] = []
    bulk = client.sms.send_bulk(numbers, "Duyuru", chunk_size=1000)
    with pytest.raises(im.BulkSendError) as caught:
        await consume(bulk, seen, lambda: fake.fail("send-sms", status=402))
    err = caught.value
    assert err.orders == tuple(seen)
    assert len(err.orders) == 2
    assert err.next_index == 2000
    assert not err.maybe_sent
    assert err.maybe_sent_index is None
    assert isinstance(err.__cause__, im.InsufficientBalanceError)

    # Resuming from next_index sends the rest; every number went out exactly once.
    rest = [
        o async for o in client.sms.send_bulk(numbers[err.next_index :], "Duyuru", chunk_size=1000)
    ]
    assert [o.recipients for o in rest] == [1000, 500]
    assert [n for chunk in sent_numbers(fake) for n in chunk] == [e164(i) for i in range(3500)]


async def test_chunk_with_unknown_outcome_is_never_resent(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    seen: list[im.Order] = []
    bulk = client.sms.send_bulk(agen(3500), "Duyuru", chunk_size=1000)
    with pytest.raises(im.BulkSendError) as caught:
        # The third chunk is processed, then its answer is lost.
        await consume(bulk, seen, lambda: fake.drop("send-sms", when="after"))
    err = caught.value
    assert isinstance(err.__cause__, im.SendOutcomeUnknownError)
    assert err.orders == tuple(seen)
    assert err.maybe_sent
    assert (err.maybe_sent_index, err.next_index) == (2000, 3000)
    assert "may have been sent" in str(err)
    # The fake did create the third order, and the SDK sent it only once.
    assert len(fake.account.orders) == 3
    assert len([r for r in fake.requests if r.path == "send-sms"]) == 3


async def test_invalid_number_mid_stream_fails_its_chunk_before_sending(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    source = Source(3500, bad={2500: "12345"})
    bulk = client.sms.send_bulk(source, "Duyuru", chunk_size=1000)
    with pytest.raises(im.BulkSendError) as caught:
        await consume(bulk, [], lambda: None)
    err = caught.value
    assert len(err.orders) == 2
    assert err.next_index == 2000
    assert isinstance(err.__cause__, im.InvalidRequestError)
    assert err.__cause__.field == "numbers[2500]"
    assert len(sent_numbers(fake)) == 2
    assert source.read == 2501


async def test_duplicates_are_dropped_within_a_chunk_only(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    a, b, c = number(1), number(2), number(3)
    orders = [o async for o in client.sms.send_bulk([a, "0" + a, b, c, a], "Duyuru", chunk_size=2)]
    assert [o.recipients for o in orders] == [2, 2]
    assert sent_numbers(fake) == [[e164(1), e164(2)], [e164(3), e164(1)]]


async def test_empty_input_sends_nothing(fake: FakeIletiMerkezi, client: im.Client) -> None:
    assert [o async for o in client.sms.send_bulk([], "Duyuru")] == []
    assert sent_numbers(fake) == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": ""}, "text"),
        ({"sender": "x" * 12}, "sender"),
        ({"iys": "NOPE"}, "iys"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"chunk_size": 50_001}, "chunk_size"),
        ({"chunk_size": True}, "chunk_size"),
        ({"numbers": b"5051234567"}, "numbers"),
    ],
)
async def test_settings_are_checked_before_anything_is_read(
    fake: FakeIletiMerkezi, client: im.Client, kwargs: dict[str, Any], field: str
) -> None:
    source = Source(10)
    args: dict[str, Any] = {"numbers": source, "text": "Duyuru", **kwargs}
    with pytest.raises(im.InvalidRequestError) as caught:
        client.sms.send_bulk(**args)
    assert caught.value.field == field
    assert source.read == 0
    assert fake.requests == []


async def test_full_size_chunks_over_120000_numbers() -> None:
    async with FakeIletiMerkezi(rate_limit=None, sms_credits=200_000) as fake:
        async with fake.client(send_limiter=None, default_sender="APITEST") as client:
            orders = [o async for o in client.sms.send_bulk(Source(120_000), "Duyuru")]
        assert [o.recipients for o in orders] == [50_000, 50_000, 20_000]
        assert [fake.account.orders[o.id].total for o in orders] == [50_000, 50_000, 20_000]
