"""Webhooks end to end over loopback: the fake posts, ``create_app`` receives.

The fake sends one POST per message status change, concurrently; the receiver
must hand every ``(message_id, status)`` to ``on_report`` exactly once, also
when the fake sends duplicates and shuffles finals ahead of ``accepted``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from iletimerkezi_async import webhooks
from iletimerkezi_async.models import DeliveryReport, DeliveryStatus
from iletimerkezi_async.testing import FakeIletiMerkezi

TOKEN = "e2e-Token-0123456789"
COUNT = 1_000
UNDELIVERABLE = {f"+90505{i:07d}" for i in range(0, COUNT, 7)}


@asynccontextmanager
async def receiver(on_report: Callable[[DeliveryReport], Any]) -> AsyncIterator[str]:
    """A ``create_app`` receiver on a random loopback port; yields its webhook URL."""
    runner = web.AppRunner(webhooks.create_app(on_report, token=TOKEN), shutdown_timeout=0.25)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        yield f"http://127.0.0.1:{port}/iletimerkezi/webhook/{TOKEN}"
    finally:
        await runner.cleanup()


def numbers() -> list[str]:
    return [f"+90505{i:07d}" for i in range(COUNT)]


async def send_thousand(fake: FakeIletiMerkezi) -> str:
    """One order of 1,000 recipients; returns its id."""
    async with fake.client(send_limiter=None) as client:
        order = await client.sms.send(numbers(), "Kargonuz yolda", sender="APITEST")
    assert order.recipients == COUNT
    return order.id


def expected_keys(fake: FakeIletiMerkezi, order_id: str) -> set[tuple[int, DeliveryStatus]]:
    keys: set[tuple[int, DeliveryStatus]] = set()
    for message in fake.account.orders[order_id].messages:
        keys.add((message.message_id, DeliveryStatus.ACCEPTED))
        final = (
            DeliveryStatus.UNDELIVERED
            if message.number in UNDELIVERABLE
            else DeliveryStatus.DELIVERED
        )
        keys.add((message.message_id, final))
    return keys


async def test_thousand_reports_each_reach_on_report_exactly_once() -> None:
    seen: list[DeliveryReport] = []
    inside = {"now": 0, "most": 0}

    async def on_report(report: DeliveryReport) -> None:
        inside["now"] += 1
        inside["most"] = max(inside["most"], inside["now"])
        await asyncio.sleep(0.001)  # hold the request, so POSTs really overlap
        inside["now"] -= 1
        seen.append(report)

    async with (
        receiver(on_report) as url,
        FakeIletiMerkezi(
            rate_limit=None,
            undeliverable=UNDELIVERABLE,
            webhook_url=url,
            webhook_concurrency=COUNT,
            webhook_interval=3600,  # only deliver_webhooks() posts in this test
        ) as fake,
    ):
        order_id = await send_thousand(fake)
        accepted = await fake.deliver_webhooks()  # 1,000 'accepted' POSTs at once
        assert {d.event.status for d in accepted} == {"accepted"}
        fake.advance(fake.options.delivery_delay)
        deliveries = accepted + await fake.deliver_webhooks()  # then 1,000 finals

        assert len(deliveries) == 2 * COUNT
        assert all(d.delivered and d.attempts == 1 and d.status == 200 for d in deliveries)
        keys = Counter((r.message_id, r.status) for r in seen)
        assert set(keys) == expected_keys(fake, order_id)
        assert max(keys.values()) == 1
        assert {r.order_id for r in seen} == {order_id}
        assert inside["most"] > 50  # delivered concurrently, not one by one
        # A second flush has nothing left to say.
        assert await fake.deliver_webhooks() == []


async def test_duplicates_and_finals_before_accepted_never_double_or_downgrade() -> None:
    calls: Counter[tuple[int, DeliveryStatus]] = Counter()
    state: dict[int, DeliveryStatus] = {}
    downgrades: list[int] = []

    def on_report(report: DeliveryReport) -> None:
        calls[(report.message_id, report.status)] += 1
        if state.get(report.message_id, DeliveryStatus.ACCEPTED).is_final:
            downgrades.append(report.message_id)
        state[report.message_id] = report.status

    async with (
        receiver(on_report) as url,
        FakeIletiMerkezi(
            rate_limit=None,
            undeliverable=UNDELIVERABLE,
            webhook_url=url,
            webhook_concurrency=200,
            webhook_duplicates=0.5,
            webhook_reorder=True,
            webhook_interval=3600,
            seed=7,
        ) as fake,
    ):
        order_id = await send_thousand(fake)
        fake.advance(fake.options.delivery_delay)
        deliveries = await fake.deliver_webhooks()

    duplicates = sum(d.duplicate for d in deliveries)
    assert duplicates > 500  # the fake really did send copies
    assert all(d.delivered for d in deliveries)
    assert max(calls.values()) == 1
    assert downgrades == []
    expected = expected_keys(fake, order_id)
    finals = {key for key in expected if key[1].is_final}
    assert finals <= set(calls)  # every final status arrived, once
    assert set(calls) <= expected
    # Shuffled batches put some finals first; their late 'accepted' is dropped.
    dropped = expected - set(calls)
    assert dropped and all(status is DeliveryStatus.ACCEPTED for _, status in dropped)
    assert {state[mid] for mid, _ in finals} <= {
        DeliveryStatus.DELIVERED,
        DeliveryStatus.UNDELIVERED,
    }
    assert all(state[mid] is status for mid, status in finals)


async def test_failing_handler_is_retried_until_it_succeeds() -> None:
    failures = {"left": 3}
    seen: list[tuple[int, DeliveryStatus]] = []

    def on_report(report: DeliveryReport) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("database briefly down")
        seen.append((report.message_id, report.status))

    async with (
        receiver(on_report) as url,
        FakeIletiMerkezi(webhook_url=url, webhook_interval=3600, webhook_retry_delay=0.001) as fake,
    ):
        async with fake.client() as client:
            await client.sms.send("5051234567", "Kodunuz 1234", sender="APITEST")
        deliveries = await fake.deliver_webhooks()

    assert [d.attempts for d in deliveries] == [4]
    assert deliveries[0].delivered and deliveries[0].status == 200
    assert [status for _, status in seen] == [DeliveryStatus.ACCEPTED]


async def test_background_delivery_follows_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    got: asyncio.Queue[DeliveryReport] = asyncio.Queue()
    async with (
        receiver(got.put_nowait) as url,
        FakeIletiMerkezi(webhook_url=url, webhook_interval=0.01, delivery_delay=60) as fake,
    ):
        async with fake.client() as client:
            order = await client.sms.send("5051234567", "Kodunuz 1234", sender="APITEST")
        first = await asyncio.wait_for(got.get(), 10)
        assert first.status is DeliveryStatus.ACCEPTED and first.order_id == order.id
        assert got.empty()  # the final one waits for the fake clock
        fake.advance(60)
        final = await asyncio.wait_for(got.get(), 10)
        assert final.status is DeliveryStatus.DELIVERED
        assert final.message_id == first.message_id and final.to == "+905051234567"
