"""Demo steps that read or receive: webhooks, a year of reports, inbox polling.

Each shows its figures as they happen (live lines or a progress bar) and then
checks them against what the fake holds, so the summary reports real counts.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from aiohttp import web
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ... import IysList, MemoryCursor
from ... import _endpoints as api
from ...clock import ISTANBUL
from ...models import DeliveryReport, DeliveryStatus
from ...phone import is_valid_number, mask_number
from ...webhooks import DEFAULT_PATH, create_app
from .tour import CUSTOMERS, SEEDED_INBOX, Tour

__all__ = ["LIVE_INBOX", "REPORT_DAYS", "inbox", "stream_reports", "webhooks"]

REPORT_DAYS = 365
STREAM_CONCURRENCY = 8
LIVE_INBOX = (
    # (sender, text): replies that arrive while the poller runs.
    ("+905331234572", "Teşekkürler, kargo elime ulaştı."),
    ("+905421234573", "İPTAL"),
    ("+905071234574", "Kampanya ne zaman bitiyor?"),
    ("+905591234575", "stop"),
    ("+905301234576", "Tamam"),
)
LIVE_GAP = 0.25
"""Seconds between live inbound messages: a few polls apart, so arrivals are visible."""


async def _until(check: Callable[[], bool], seconds: float) -> bool:
    """Wait for ``check()`` without blocking the loop; False when ``seconds`` ran out."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def webhooks(tour: Tour) -> None:
    """Reports pushed to a ``create_app`` receiver on a random loopback port.

    Setting ``webhook_url`` makes the fake post every event due, including
    the OTP's from the previous steps; it is unset afterwards so the bulk
    orders later on do not post 300,000 reports.
    """
    await tour.step("Delivery reports by webhook")
    fake, out = tour.fake, tour.out
    received: list[DeliveryReport] = []
    started = time.perf_counter()

    def on_report(report: DeliveryReport) -> None:
        received.append(report)
        colour = {"delivered": "green", "undelivered": "red"}.get(report.status.value, "dim")
        out.print(
            f"  +{time.perf_counter() - started:4.2f} s  [{colour}]{report.status.value:<11}[/] "
            f"message {report.message_id:<3} of order {report.order_id}  {mask_number(report.to)}"
        )

    token = secrets.token_urlsafe(16)
    runner = web.AppRunner(create_app(on_report, token=token), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        out.print(
            f"Receiver: http://127.0.0.1:{port}{DEFAULT_PATH.replace('{token}', '<secret token>')}"
        )
        fake.options.webhook_url = (
            f"http://127.0.0.1:{port}{DEFAULT_PATH.replace('{token}', token)}"
        )
        campaign = await tour.client.sms.send(
            CUSTOMERS, "Hafta sonu %20 indirim! Çıkmak için RET yazın.", iys=IysList.BIREYSEL
        )
        tour.sent.append(campaign)
        out.print(f"Campaign order {campaign.id} (İYS BIREYSEL): {campaign.recipients} recipients")
        messages = sum(order.recipients for order in tour.sent)
        await _until(
            lambda: sum(r.order_id == campaign.id for r in received) >= campaign.recipients, 5
        )
        fake.advance(fake.options.delivery_delay)  # the carriers answer: finals become due
        await _until(lambda: len(received) >= 2 * messages, 10)
    finally:
        fake.options.webhook_url = None
        await runner.cleanup()
    finals = Counter(r.status for r in received if r.status.is_final)
    delivered = finals[DeliveryStatus.DELIVERED]
    undelivered = finals[DeliveryStatus.UNDELIVERED]
    out.print(
        f"{len(received)} reports for {messages} messages (accepted + final each): "
        f"{delivered} delivered, {undelivered} undelivered"
    )
    tour.summary["webhooks"] = (
        f"{len(received)} reports for {messages} messages: "
        f"{delivered} delivered, {undelivered} undelivered"
    )


async def stream_reports(tour: Tour) -> None:
    """Every order of the last 365 days, walked in 10-day windows, several at a time.

    The count is checked against the ground truth: the seeded orders and
    the ones this run sent, all of which fall inside the range.
    """
    await tour.step("A year of delivery reports, streamed")
    fake, out = tour.fake, tour.out
    until = datetime.now(ISTANBUL).date()
    since = until - timedelta(days=REPORT_DAYS - 1)
    seeded = sum(1 for stamp in tour.seeded if since <= stamp.date() <= until)
    own = sum(
        1 for o in tour.sent if since <= fake.account.orders[o.id].submitted_at.date() <= until
    )
    progress = Progress(
        TextColumn(api.GET_REPORTS.name),
        BarColumn(),
        TextColumn("{task.fields[windows]} ten-day windows"),
        TextColumn("{task.fields[orders]:>6,} orders"),
        TimeElapsedColumn(),
        console=out,
        auto_refresh=False,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    task = progress.add_task("reports", total=None, orders=0, windows="…")
    windows = 0

    def on_window(finished: int, total: int) -> None:
        nonlocal windows
        windows = total
        progress.update(task, completed=finished, total=total, windows=f"{finished:>2}/{total}")
        progress.refresh()

    first = len(fake.requests)
    started = time.perf_counter()
    count = 0
    statuses: Counter[str] = Counter()
    with progress:
        async with tour.client.reports.list(
            since, until, concurrency=STREAM_CONCURRENCY, on_window=on_window
        ) as orders:
            async for order in orders:
                count += 1
                statuses[order.status.name] += 1
                if count % 100 == 0:
                    progress.update(task, orders=count)
                    progress.refresh()
        progress.update(task, orders=count)
    elapsed = time.perf_counter() - started
    calls = sum(1 for r in fake.requests[first:] if r.path == api.GET_REPORTS.name)
    out.print(f"{count:,} orders from {since:%d/%m/%Y} to {until:%d/%m/%Y} in {elapsed:.2f} s")
    out.print(
        f"{windows} windows, {calls} {api.GET_REPORTS.name} calls, "
        f"{STREAM_CONCURRENCY} windows at a time"
    )
    out.print("By status: " + ", ".join(f"{name} {n:,}" for name, n in statuses.most_common()))
    verdict = "[green]matches[/]" if count == seeded + own else "[red]does NOT match[/]"
    out.print(f"{verdict} the account: {seeded:,} seeded orders + {own} sent by this demo")
    tour.summary["reports"] = (
        f"{count:,} orders streamed over {REPORT_DAYS} days "
        f"(expected {seeded + own:,}: {seeded:,} seeded + {own} sent)"
    )


async def inbox(tour: Tour) -> None:
    """``inbox.poll()`` from a fresh cursor: the seeded messages, then live arrivals.

    A side task plays the customers replying; opt-outs from a mobile number
    are blacklisted (a short code has no number to block).
    """
    await tour.step("Inbox polling and opt-out keywords")
    fake, client, out = tour.fake, tour.client, tour.out
    expected = len(SEEDED_INBOX) + len(LIVE_INBOX)
    cursor = MemoryCursor()
    received = opt_outs = blocked = 0
    started = time.perf_counter()

    async def customers_reply() -> None:
        for sender, text in LIVE_INBOX:
            await asyncio.sleep(LIVE_GAP)
            fake.add_inbound(text, sender=sender)

    poller = client.inbox.poll(interval=0.1, max_interval=0.4, cursor=cursor)
    try:
        async with asyncio.timeout(20), asyncio.TaskGroup() as group:
            group.create_task(customers_reply())
            async with poller:
                async for message in poller:
                    received += 1
                    line = (
                        f"  +{time.perf_counter() - started:4.2f} s  #{message.id} "
                        f"from {mask_number(message.sender)}: "
                    )
                    if message.is_opt_out():
                        opt_outs += 1
                        keyword = (message.keyword or "").upper()
                        if is_valid_number(message.sender):
                            await client.blacklist.add(message.sender)
                            blocked += 1
                            line += f"[red]opt-out ({keyword})[/] → blacklisted"
                        else:
                            line += f"[red]opt-out ({keyword})[/] via a short code, no number"
                    else:
                        line += f"reply ({len(message.text)} characters) → support queue"
                    out.print(line)
                    if received == expected:
                        break
    except TimeoutError:
        out.print(f"[red]Stopped waiting after 20 s with {received} of {expected} messages")
    listed = [number async for number in client.blacklist.list()]
    out.print(
        f"{received} messages, {opt_outs} opt-outs; the blacklist now holds {len(listed)} numbers"
    )
    out.print(f"The cursor remembers #{poller.last_id}: a restarted poller goes on from there")
    tour.summary["inbox"] = f"{received} messages, {opt_outs} opt-outs, {blocked} blacklisted"
