"""``client.with_options(timeout=..., retry=...)``: a cheap view with its own call options.

Over loopback against the fake: the view's timeout and retry policy apply to
its calls only, it shares the parent's session, limiter, clock and settings,
and closing it leaves the parent open (design §6.2).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

STALL = 1.0
"""Longer than the view's timeout, far shorter than the parent's 30 s."""


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi(rate_limit=None) as f:
        yield f


@pytest.fixture
async def client(fake: FakeIletiMerkezi) -> AsyncIterator[im.Client]:
    async with fake.client(retry=im.RetryPolicy(attempts=3, base=0, cap=0)) as c:
        yield c


async def test_the_view_times_out_a_stalled_read_and_the_parent_does_not(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    quick = client.with_options(timeout=0.2, retry=im.RetryPolicy.none())
    fake.stall("get-balance", STALL)
    with pytest.raises(im.TransportError, match="timed out") as caught:
        await quick.account.balance()
    assert type(caught.value) is im.TransportError and caught.value.maybe_sent is True
    fake.stall("get-balance", STALL)
    assert (await client.account.balance()).sms == fake.account.sms_credits


async def test_the_view_times_out_a_stalled_send_as_outcome_unknown(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    quick = client.with_options(timeout=0.2)
    fake.stall("send-sms", STALL, when="after")
    with pytest.raises(im.SendOutcomeUnknownError, match="not sent again"):
        await quick.sms.send("5051234567", "Kodunuz 1234", sender="APITEST")
    assert len(fake.sent_requests("send-sms")) == 1  # never resent


async def test_the_view_has_its_own_retry_policy(fake: FakeIletiMerkezi, client: im.Client) -> None:
    once = client.with_options(retry=im.RetryPolicy.none())
    fake.fail("get-balance", status=503, times=1)
    with pytest.raises(im.ServiceUnavailableError):
        await once.account.balance()
    fake.fail("get-balance", status=503, times=1)
    await client.account.balance()  # the parent retries it
    assert len(fake.sent_requests("get-balance")) == 3
    assert once.retry == im.RetryPolicy.none() and client.retry.attempts == 3


async def test_the_view_shares_what_it_should(client: im.Client) -> None:
    view = client.with_options(timeout=aiohttp.ClientTimeout(total=5))
    assert view.send_limiter is client.send_limiter
    assert view.clock is client.clock
    assert view.base_url == client.base_url and view.default_sender == client.default_sender
    assert view.retry is client.retry  # not given: kept
    await view.account.balance()
    await client.account.balance()


async def test_closing_the_view_leaves_the_parent_open(client: im.Client) -> None:
    async with client.with_options(timeout=5) as view:
        await view.account.balance()
    assert view.closed and not client.closed
    with pytest.raises(im.ClientClosedError):
        await view.account.balance()
    await client.account.balance()


async def test_closing_the_parent_ends_its_views(fake: FakeIletiMerkezi) -> None:
    parent = fake.client()
    view = parent.with_options(timeout=5)
    await view.account.balance()  # the session is made lazily, and it is the parent's
    await parent.close()
    assert view.closed
    with pytest.raises(im.ClientClosedError):
        await view.account.balance()
    await view.close()  # idempotent, and closes nothing else


@pytest.mark.parametrize(
    "options",
    [{"timeout": 0}, {"timeout": -1}, {"timeout": float("nan")}, {"timeout": "5"}, {"retry": 3}],
)
async def test_bad_options_are_refused_before_any_request(
    fake: FakeIletiMerkezi, client: im.Client, options: dict[str, object]
) -> None:
    with pytest.raises(im.ConfigurationError):
        client.with_options(**options)  # type: ignore[arg-type]
    assert fake.requests == []


class _Counting:
    """A send limiter that records what it granted."""

    def __init__(self) -> None:
        self.granted: list[float] = []

    async def acquire(self, cost: float = 1) -> None:
        self.granted.append(cost)


async def test_a_view_can_send_through_its_own_limiter_or_none(fake: FakeIletiMerkezi) -> None:
    shared, own = _Counting(), _Counting()
    async with fake.client(send_limiter=shared, default_sender="APITEST") as client:
        await client.with_options(send_limiter=own).sms.send(["5051234567", "5321234567"], "A")
        await client.with_options(send_limiter=None).sms.send("5051234567", "B")
        await client.with_options(timeout=5).sms.send("5051234567", "C")  # left out: shared
        assert client.with_options(send_limiter=None).send_limiter is None
        with pytest.raises(im.ConfigurationError, match="send_limiter"):
            client.with_options(send_limiter=object())  # type: ignore[arg-type]
    assert own.granted == [2] and shared.granted == [1]
    assert len(fake.account.orders) == 3
