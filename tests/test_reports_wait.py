"""reports.wait against the fake, on a virtual clock: the fake's time moves only when wait sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi(rate_limit=None, delivery_delay=5.0) as f:
        yield f


@pytest.fixture
def clock(fake: FakeIletiMerkezi) -> VirtualClock:
    """Wait's clock: it starts at the fake's now and every sleep advances the fake too."""
    return VirtualClock(start=fake.clock.now(), on_advance=fake.advance)


@pytest.fixture
async def client(fake: FakeIletiMerkezi, clock: VirtualClock) -> AsyncIterator[im.Client]:
    async with fake.client(
        send_limiter=None, retry=im.RetryPolicy(attempts=1), default_sender="APITEST", clock=clock
    ) as c:
        yield c


def _report_polls(fake: FakeIletiMerkezi) -> list[tuple[int | None, dict[str, object]]]:
    return [(r.status, r.body["request"]["order"]) for r in fake.requests if r.path == "get-report"]


async def test_returns_the_final_report_after_backing_off(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    order = await client.sms.send("5051234567", "Kodunuz 1234")
    final = await client.reports.wait(order.id, timeout=60, interval=2, max_interval=30)
    assert final.status is im.OrderStatus.COMPLETED
    assert (final.total, final.delivered, final.waiting) == (1, 1, 0)
    assert clock.sleeps == [2, 4]  # final once 5 s have passed: polls at 0, 2 and 6
    polls = _report_polls(fake)
    assert len(polls) == 3
    # Only the counters matter: every poll asks for a one-row first page.
    assert all(int(o["page"]) == 1 and int(o["rowCount"]) == 1 for _, o in polls)  # type: ignore[call-overload]


async def test_interval_doubles_up_to_max_interval(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    fake.options.delivery_delay = 100.0
    order = await client.sms.send("5051234567", "Kodunuz 1234")
    final = await client.reports.wait(order.id, timeout=1000, interval=1, max_interval=8)
    assert final.status.is_final
    assert clock.sleeps == [1, 2, 4] + [8] * 12  # 7 + 8 * 12 = 103 s >= 100 s
    assert sum(clock.sleeps[:-1]) < 100 <= sum(clock.sleeps)


async def test_scheduled_order_456_counts_as_not_yet(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    send_at = clock.now() + timedelta(minutes=10)
    order = await client.sms.send("5051234567", "Kampanya", send_at=send_at)
    final = await client.reports.wait(order.id, timeout=3600, interval=60, max_interval=120)
    assert final.status is im.OrderStatus.COMPLETED
    statuses = [status for status, _ in _report_polls(fake)]
    assert statuses[0] == 456
    assert statuses[-1] == 200
    assert clock.sleeps[:3] == [60, 120, 120]


async def test_cancelled_order_is_final_as_115(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    send_at = clock.now() + timedelta(minutes=30)
    order = await client.sms.send("5051234567", "Kampanya", send_at=send_at)
    await client.sms.cancel(order.id)
    final = await client.reports.wait(order.id, timeout=10)
    assert final.status is im.OrderStatus.FAILED
    assert clock.sleeps == []


async def test_timeout_carries_the_last_report_and_is_a_timeout_error(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    fake.options.delivery_delay = 1000.0
    order = await client.sms.send("5051234567", "Kodunuz 1234")
    with pytest.raises(asyncio.TimeoutError) as caught:
        await client.reports.wait(order.id, timeout=10, interval=2, max_interval=30)
    err = caught.value
    assert isinstance(err, im.WaitTimeoutError)
    assert isinstance(err, im.IletiMerkeziError)
    assert err.report is not None
    assert err.report.status is im.OrderStatus.SENDING
    assert err.order_id == order.id
    # Never sleeps past the deadline; one last poll at it.
    assert clock.sleeps == [2, 4, 4]
    assert len(_report_polls(fake)) == 4


async def test_timeout_before_a_scheduled_order_starts_has_no_report(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    send_at = clock.now() + timedelta(hours=2)
    order = await client.sms.send("5051234567", "Kampanya", send_at=send_at)
    with pytest.raises(im.WaitTimeoutError) as caught:
        await client.reports.wait(order.id, timeout=300)
    assert caught.value.report is None
    assert "456" in str(caught.value)


async def test_transient_failures_are_polled_through(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    order = await client.sms.send("5051234567", "Kodunuz 1234")
    fake.fail("get-report", status=503, times=2)
    final = await client.reports.wait(order.id, timeout=60, interval=2)
    assert final.status is im.OrderStatus.COMPLETED
    assert [s for s, _ in _report_polls(fake)][:2] == [503, 503]


async def test_unknown_order_propagates(client: im.Client, clock: VirtualClock) -> None:
    with pytest.raises(im.OrderNotFoundError):
        await client.reports.wait("999999999", timeout=60)
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"timeout": 5, "interval": -1}, "interval"),
        ({"timeout": 5, "interval": 10, "max_interval": 5}, "max_interval"),
    ],
)
async def test_bad_arguments_are_refused_before_any_request(
    fake: FakeIletiMerkezi, client: im.Client, kwargs: dict[str, float], field: str
) -> None:
    with pytest.raises(im.InvalidRequestError) as caught:
        await client.reports.wait("100000001", **kwargs)
    assert caught.value.field == field
    assert _report_polls(fake) == []
