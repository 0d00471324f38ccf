"""``Client(on_send_unknown=...)``: every ambiguous send reported in one place, cancelled ones too.

Against the fake over loopback with latency: sends cancelled at random
points, and sends under an outer ``asyncio.timeout``.  The invariant is the
promise: every order the fake created was either returned to its caller or
reported to the callback (none unreported).  Reports for orders that never
came to be are allowed (a cancel can land after the bytes were queued but
before the server read them) and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

LATENCY = 0.02
SENDS = 200


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi(rate_limit=None, latency=LATENCY) as f:
        yield f


def numbers(n: int) -> list[str]:
    return [f"+905{i:09d}" for i in range(1, n + 1)]


def audit(
    fake: FakeIletiMerkezi, returned: list[im.Order], reported: list[im.PendingSend]
) -> tuple[int, int]:
    """(orders neither returned nor reported, reports of orders that do not exist)."""
    created = {snap.recipients[0]: snap.id for snap in fake.account.orders.values()}
    returned_ids = {o.id for o in returned}
    reported_numbers = {p.recipients[0] for p in reported}
    unreported = [
        number
        for number, order_id in created.items()
        if order_id not in returned_ids and number not in reported_numbers
    ]
    phantom = [n for n in reported_numbers if n not in created]
    return len(unreported), len(phantom)


async def test_sends_cancelled_at_random_points_are_all_accounted_for(
    fake: FakeIletiMerkezi,
) -> None:
    reported: list[im.PendingSend] = []
    returned: list[im.Order] = []
    rng = random.Random(11)
    async with fake.client(send_limiter=None, on_send_unknown=reported.append) as client:

        async def send(number: str) -> None:
            returned.append(await client.sms.send(number, "Kodunuz 1234", sender="APITEST"))

        cancelled = 0
        for number in numbers(SENDS):
            task = asyncio.create_task(send(number))
            await asyncio.sleep(rng.uniform(0, 3 * LATENCY))
            if not task.done():
                task.cancel()
                cancelled += 1
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.sleep(0)  # let reports scheduled by cancelled tasks run
    unreported, _phantom = audit(fake, returned, reported)
    assert unreported == 0
    assert cancelled > 0 and len(returned) > 0  # both paths were exercised


async def test_sends_under_an_outer_timeout_are_all_accounted_for(
    fake: FakeIletiMerkezi,
) -> None:
    reported: list[im.PendingSend] = []
    returned: list[im.Order] = []
    rng = random.Random(12)

    async def record(pending: im.PendingSend) -> None:  # an async callback
        await asyncio.sleep(0)
        reported.append(pending)

    async with fake.client(send_limiter=None, on_send_unknown=record) as client:
        timed_out = 0
        for number in numbers(SENDS):
            try:
                async with asyncio.timeout(rng.uniform(0, 3 * LATENCY)):
                    returned.append(await client.sms.send(number, "Kodunuz 1234", sender="APITEST"))
            except TimeoutError:
                timed_out += 1
        for _ in range(5):
            await asyncio.sleep(0)
    unreported, _phantom = audit(fake, returned, reported)
    assert unreported == 0
    assert timed_out > 0 and len(returned) > 0


async def test_an_unknown_send_is_reported_once_with_its_pending(
    fake: FakeIletiMerkezi,
) -> None:
    reported: list[im.PendingSend] = []
    async with fake.client(timeout=0.3, on_send_unknown=reported.append) as client:
        fake.stall("send-sms", 1.0, when="after")
        with pytest.raises(im.SendOutcomeUnknownError) as caught:
            await client.sms.send("5051234567", "Kodunuz 1234", sender="APITEST")
    assert reported == [caught.value.pending]


async def test_a_send_cancelled_before_its_request_is_not_reported(
    fake: FakeIletiMerkezi,
) -> None:
    reported: list[im.PendingSend] = []
    bucket = im.TokenBucket(rate=1, capacity=1)
    async with fake.client(send_limiter=bucket, on_send_unknown=reported.append) as client:
        await client.sms.send("5051234567", "a", sender="APITEST")  # drains the bucket
        task = asyncio.create_task(client.sms.send("5051234568", "b", sender="APITEST"))
        await asyncio.sleep(0.05)  # waiting in the limiter: nothing written yet
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert reported == [] and len(fake.account.orders) == 1


async def test_a_failing_callback_is_logged_not_raised(
    fake: FakeIletiMerkezi, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(pending: im.PendingSend) -> None:
        raise RuntimeError("disk full")

    async with fake.client(timeout=0.3, on_send_unknown=broken) as client:
        fake.stall("send-sms", 1.0, when="after")
        with pytest.raises(im.SendOutcomeUnknownError):  # the send's own error, not the callback's
            await client.sms.send("5051234567", "Kodunuz 1234", sender="APITEST")
    assert any("on_send_unknown raised RuntimeError" in r.getMessage() for r in caplog.records)


def test_the_callback_must_be_callable() -> None:
    with pytest.raises(im.ConfigurationError, match="on_send_unknown"):
        im.Client("k", "h", on_send_unknown="log")  # type: ignore[arg-type]
