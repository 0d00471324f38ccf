"""Faults at the fake server: reads recover or raise typed errors; sends are never doubled."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

FAST = im.RetryPolicy(attempts=3, base=0.0, cap=0.0)

READ_FAULTS = {
    "503": lambda f, n: f.fail("get-balance", status=503, times=n),
    "500-html": lambda f, n: f.malform("get-balance", "html", times=n),
    "reset-before": lambda f, n: f.drop("get-balance", when="before", times=n),
    "reset-after": lambda f, n: f.drop("get-balance", when="after", times=n),
    "timeout": lambda f, n: f.stall("get-balance", 5.0, times=n),
    "malformed-json": lambda f, n: f.malform("get-balance", "invalid_json", times=n),
    "truncated": lambda f, n: f.malform("get-balance", "truncated", times=n),
    "empty": lambda f, n: f.malform("get-balance", "empty", times=n),
}
TYPED = {
    "503": im.ServiceUnavailableError,
    "500-html": im.ServiceUnavailableError,
    "reset-before": im.TransportError,
    "reset-after": im.TransportError,
    "timeout": im.TransportError,
    "malformed-json": im.ResponseFormatError,
    "truncated": im.ResponseFormatError,
    "empty": im.ResponseFormatError,
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi(senders=("APITEST", "ACME")) as f:
        yield f


@pytest.mark.parametrize("fault", sorted(READ_FAULTS))
async def test_read_succeeds_after_one_fault(fake: FakeIletiMerkezi, fault: str) -> None:
    READ_FAULTS[fault](fake, 1)
    async with fake.client(retry=FAST, timeout=0.5) as client:
        balance = await client.account.balance()
    assert balance.sms > 0
    assert len([r for r in fake.requests if r.path == "get-balance"]) == 2


@pytest.mark.parametrize("fault", sorted(READ_FAULTS))
async def test_read_raises_the_typed_error_when_the_fault_persists(
    fake: FakeIletiMerkezi, fault: str
) -> None:
    READ_FAULTS[fault](fake, 10)
    async with fake.client(retry=FAST, timeout=0.5) as client:
        with pytest.raises(TYPED[fault]) as caught:
            await client.account.balance()
    assert isinstance(caught.value, im.IletiMerkeziError)
    assert len(fake.requests) == 3


async def test_send_dropped_after_processing_is_one_order_and_outcome_unknown(
    fake: FakeIletiMerkezi,
) -> None:
    fake.drop("send-sms", when="after", times=1)
    async with fake.client(retry=FAST, default_sender="ACME") as client:
        with pytest.raises(im.SendOutcomeUnknownError) as caught:
            await client.sms.send("5051234567", "Kodunuz 1234")
    assert caught.value.maybe_sent is True
    assert len(fake.account.orders) == 1
    assert len(fake.requests) == 1


async def test_send_timed_out_is_outcome_unknown_and_not_resent(fake: FakeIletiMerkezi) -> None:
    fake.stall("send-sms", 5.0, times=1)
    async with fake.client(retry=FAST, timeout=0.5, default_sender="ACME") as client:
        with pytest.raises(im.SendOutcomeUnknownError):
            await client.sms.send("5051234567", "Kodunuz 1234")
    assert len(fake.requests) == 1


async def test_send_503_before_processing_is_retried_once_into_one_order(
    fake: FakeIletiMerkezi,
) -> None:
    fake.fail("send-sms", status=503, times=1)
    async with fake.client(retry=FAST, default_sender="ACME") as client:
        order = await client.sms.send("5051234567", "Kodunuz 1234")
    assert len(fake.account.orders) == 1 and order.recipients == 1
    assert len(fake.requests) == 2


async def test_send_500_html_after_processing_is_outcome_unknown(fake: FakeIletiMerkezi) -> None:
    fake.malform("send-sms", "html_after", times=1)
    async with fake.client(retry=FAST, default_sender="ACME") as client:
        with pytest.raises(im.SendOutcomeUnknownError):
            await client.sms.send("5051234567", "Kodunuz 1234")
    assert len(fake.account.orders) == 1 and len(fake.requests) == 1


async def test_connection_refused_send_is_retried_and_then_a_plain_transport_error() -> None:
    async with FakeIletiMerkezi() as fake:
        url = fake.url
    async with im.Client("k", "h", base_url=url, retry=FAST, default_sender="ACME") as client:
        with pytest.raises(im.TransportError) as caught:
            await client.sms.send("5051234567", "x")
    assert caught.value.maybe_sent is False
    assert not isinstance(caught.value, im.SendOutcomeUnknownError)


async def test_wrong_content_type_with_a_valid_body_is_accepted(fake: FakeIletiMerkezi) -> None:
    fake.malform("get-balance", "wrong_content_type", times=1)
    async with fake.client(retry=FAST) as client:
        assert (await client.account.balance()).sms > 0
    assert len(fake.requests) == 1
