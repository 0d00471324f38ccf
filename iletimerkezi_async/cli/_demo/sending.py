"""Demo steps that write: sends, the limiter at its cap, a bulk split, cancel, İYS, an error."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime, timedelta

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ... import (
    Consent,
    ConsentStatus,
    ConsentType,
    IletiMerkeziError,
    IysList,
    SenderError,
    segments,
)
from ... import _endpoints as api
from ...clock import ISTANBUL
from ...phone import mask_number
from .tour import CUSTOMERS, Tour

__all__ = [
    "BULK_RECIPIENTS",
    "LIMITED_SENDS",
    "account",
    "bulk",
    "consent",
    "delivery_report",
    "otp",
    "rate_limit",
    "schedule_and_cancel",
    "typed_error",
]

LIMITED_SENDS = 250
BULK_RECIPIENTS = 150_000
"""Three times the API's 50,000 recipients per order, so ``send_bulk`` must split it.

Equal chunks on purpose: the server checks the rate after validating every
number, so a smaller last chunk would reach that check sooner after its grant
than the one before did, and could find the server's bucket not yet refilled.
"""


async def account(tour: Tour) -> None:
    await tour.step("Balance and approved senders")
    balance = await tour.client.account.balance()
    senders = await tour.client.account.senders()
    tour.out.print(f"Balance: {balance.amount} TL, {balance.sms:,} SMS credits")
    tour.out.print(f"Approved senders: {', '.join(senders)}")
    tour.summary["balance"] = f"{balance.sms:,} credits, senders {', '.join(senders)}"


async def otp(tour: Tour) -> None:
    await tour.step("A transactional send (OTP)")
    text = "Giriş kodunuz 482913. Kimseyle paylaşmayın."
    seg = segments(text)
    tour.out.print(
        f"Text is {seg.characters} characters in {seg.encoding}: "
        f"{seg.parts} part(s) of up to {seg.per_part}"
    )
    order = await tour.client.sms.send(CUSTOMERS[0], text)
    tour.sent.append(order)
    tour.out.print(f"Order [bold]{order.id}[/] created for {mask_number(CUSTOMERS[0])}")
    tour.summary["send"] = f"order {order.id}, {order.recipients} recipient"


async def delivery_report(tour: Tour) -> None:
    await tour.step("Delivery report, by polling")
    order_id = tour.sent[-1].id
    report = await tour.client.reports.get(order_id)
    tour.out.print(
        f"Right away: status {report.status.name}, waiting {report.waiting}, "
        f"delivered {report.delivered}"
    )
    tour.fake.advance(5)  # the fake's clock: the carrier answers without a real wait
    report = await tour.client.reports.get(order_id)
    tour.out.print(
        f"After the carrier answered: status {report.status.name}, "
        f"delivered {report.delivered}, undelivered {report.undelivered}"
    )
    tour.summary["report"] = f"{report.status.name}, {report.delivered} delivered"


BUCKET = 100
"""The client bucket's capacity and rate (the SDK default): the account's recipients/s."""
SKIP = 10
"""Arrivals skipped before the steady rate is read, so one early straggler cannot skew it."""


def _steady(arrivals: list[float]) -> float | None:
    """Recipients per second from server arrival times (one recipient each)."""
    if len(arrivals) < SKIP + 20:
        return None
    return (len(arrivals) - SKIP - 1) / (arrivals[-1] - arrivals[SKIP])


async def rate_limit(tour: Tour) -> None:
    """A campaign takes the whole bucket, then 250 OTPs started at once go out at 100/s.

    Starting from an empty bucket keeps the demo free of the full-bucket burst,
    which would reach the server while it is still opening connections (and
    be refused there under load).  The live figures are read from the fake's
    request log (arrival times at the server), not from the client, so they
    show what the account is charged.
    """
    await tour.step(f"{LIMITED_SENDS} OTPs started at once, held to 100 recipients/s")
    fake, client, out = tour.fake, tour.client, tour.out
    flash = await client.sms.send(
        [f"+90505{i:07d}" for i in range(BUCKET)],
        "Flaş indirim: 1 saat boyunca %30! Çıkmak için RET yazın.",
        iys=IysList.BIREYSEL,
    )
    tour.sent.append(flash)
    out.print(f"Flash-sale order {flash.id}: {flash.recipients} recipients, the whole bucket")
    first = len(fake.requests)
    progress = Progress(
        TextColumn("OTPs"),
        BarColumn(bar_width=16),
        MofNCompleteColumn(),
        TextColumn("held {task.fields[held]:>3}"),
        TextColumn("server: {task.fields[recent]:>3} in the last 1 s"),
        TextColumn("[bold]steady {task.fields[steady]:>5}[/]"),
        console=out,
        auto_refresh=False,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    task = progress.add_task("otps", total=LIMITED_SENDS, held=LIMITED_SENDS, recent=0, steady="…")

    def arrivals() -> list[float]:
        return sorted(r.time for r in fake.requests[first:] if r.path == api.SEND_SMS.name)

    def readout() -> None:
        times = arrivals()
        now = time.monotonic()
        steady = _steady(times)
        progress.update(
            task,
            held=LIMITED_SENDS - len(times),
            recent=sum(1 for t in times if t >= now - 1.0),
            steady="…" if steady is None else f"{steady:.0f}/s",
        )
        progress.refresh()

    async def ticker() -> None:
        while True:
            readout()
            await asyncio.sleep(0.1)

    async def send(i: int) -> None:
        order = await client.sms.send(f"+90506{i:07d}", f"Kodunuz {i:06d}")
        tour.sent.append(order)
        progress.advance(task)

    started = time.perf_counter()
    with progress:
        live = asyncio.create_task(ticker())
        try:
            async with asyncio.TaskGroup() as group:
                for i in range(LIMITED_SENDS):
                    group.create_task(send(i))
        finally:
            live.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await live
        readout()
    elapsed = time.perf_counter() - started
    steady = _steady(arrivals()) or 0.0
    refused = sum(
        1 for r in fake.requests[first:] if r.path == api.SEND_SMS.name and r.status != 200
    )
    out.print(
        f"{LIMITED_SENDS} sends in {elapsed:.2f} s, [bold]{steady:.0f} recipients/s[/] "
        f"at the server (cap {BUCKET}/s); {refused} refused"
    )
    tour.summary["rate limit"] = (
        f"{LIMITED_SENDS} sends, {steady:.0f}/s steady (cap 100/s), {refused} refused"
    )


async def bulk(tour: Tour) -> None:
    """150,000 recipients: ``send_bulk`` cuts them into 50,000-recipient orders.

    An order above the bucket's capacity waits for a full bucket and drains
    it, so each order after the first waits about a second: the split costs
    seconds, not the 25 minutes 150,000 single sends would take at 100/s.
    """
    await tour.step(f"A bulk send of {BULK_RECIPIENTS:,} recipients, split into orders")
    numbers = (f"+90532{i:07d}" for i in range(BULK_RECIPIENTS))  # read lazily, chunk by chunk
    text = "Hafta sonu tüm ürünlerde %20 indirim! Çıkmak için RET yazın."
    started = time.perf_counter()
    sizes: list[int] = []
    async for order in tour.client.sms.send_bulk(numbers, text, iys=IysList.BIREYSEL):
        sizes.append(order.recipients)
        tour.sent.append(order)
        tour.out.print(
            f"  +{time.perf_counter() - started:.1f} s  order [bold]{order.id}[/]: "
            f"{order.recipients:>6,} recipients"
        )
    tour.out.print(
        f"{sum(sizes):,} recipients in {len(sizes)} orders in "
        f"{time.perf_counter() - started:.1f} s: at most 50,000 per order, and\n"
        "each order waits for a full 100/s bucket, then drains it"
    )
    parts = " + ".join(f"{n:,}" for n in sizes)
    tour.summary["bulk"] = f"{sum(sizes):,} recipients in {len(sizes)} orders ({parts})"


async def schedule_and_cancel(tour: Tour) -> None:
    await tour.step("Schedule an order, then cancel it")
    client = tour.client
    when = datetime.now(ISTANBUL) + timedelta(hours=3)
    scheduled = await client.sms.send(CUSTOMERS[1], "Randevunuz yarın 10:00", send_at=when)
    tour.sent.append(scheduled)
    charged = (await client.account.balance()).sms
    tour.out.print(
        f"Order {scheduled.id} scheduled for {when:%d/%m/%Y %H:%M} (Istanbul); "
        f"credits now {charged:,}"
    )
    await client.sms.cancel(scheduled.id)
    cancelled = await client.reports.get(scheduled.id)
    refunded = (await client.account.balance()).sms
    tour.out.print(
        f"Cancelled before its time: the report says {cancelled.status.name} "
        f"({int(cancelled.status)}), credits back to {refunded:,}"
    )
    tour.summary["cancel"] = f"order {scheduled.id} {cancelled.status.name} after cancel"


async def consent(tour: Tour) -> None:
    await tour.step("İYS consent")
    client = tour.client
    await client.iys.register(
        696422,
        [
            Consent(
                recipient=CUSTOMERS[2],
                recipient_type=IysList.BIREYSEL,
                type=ConsentType.MESAJ,
                status=ConsentStatus.ONAY,
                source="HS_WEB",
                consent_date=datetime.now(ISTANBUL) - timedelta(days=1),
            )
        ],
    )
    record = await client.iys.check(696422, CUSTOMERS[2])
    missing = await client.iys.check(696422, CUSTOMERS[3])
    tour.out.print(f"{mask_number(CUSTOMERS[2])}: {record.status.name if record else None}")
    tour.out.print(f"{mask_number(CUSTOMERS[3])}: {missing} (no record)")
    tour.summary["iys"] = record.status.name if record else "none"


async def typed_error(tour: Tour) -> None:
    await tour.step("A typed error")
    try:
        await tour.client.sms.send(CUSTOMERS[0], "Merhaba", sender="UNKNOWN")
    except SenderError as exc:
        tour.out.print(f"[red]{type(exc).__name__}[/] code {exc.code}: {exc.message}")
        tour.out.print(f"Meaning: {exc.description}")
        tour.summary["error"] = f"{type(exc).__name__} {exc.code}"
    except IletiMerkeziError as exc:  # pragma: no cover - the fake answers 450
        tour.summary["error"] = type(exc).__name__
