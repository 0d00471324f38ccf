"""``iletimerkezi demo``: a guided tour against the embedded fake server, fully offline.

Every step uses the public SDK exactly as an application would; only the
server is local.  Nothing secret is printed (the demo's own test credentials
are not shown either) and phone numbers are masked.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from . import (
    Consent,
    ConsentStatus,
    ConsentType,
    IletiMerkeziError,
    IysList,
    RetryPolicy,
    SenderError,
    TokenBucket,
    segments,
)
from ._wire import ISTANBUL
from .phone import mask_number
from .testing import FakeIletiMerkezi

__all__ = ["run_demo"]

CUSTOMERS = ["+905051234567", "+905321234568", "+905431234569", "+905551234570"]


async def run_demo(*, pause: float = 0.4, console: Console | None = None) -> dict[str, str]:
    """Run the tour; returns the summary rows (step → outcome) it printed."""
    out = console or Console()
    summary: dict[str, str] = {}

    async def step(title: str) -> None:
        out.rule(f"[bold cyan]{title}")
        if pause:
            await asyncio.sleep(pause)

    out.print(
        Panel.fit(
            "iletimerkezi-async demo: every call below goes over real HTTP to a fake "
            "iletiMerkezi server on 127.0.0.1.\nNo network, no credit, no real SMS.",
            title="iletimerkezi-async",
        )
    )
    async with FakeIletiMerkezi(senders=("APITEST", "ACME"), delivery_delay=2.0) as fake:
        fake.add_inbound("ILT AHKTEST RET", sender="7889")
        fake.add_inbound("Merhaba, siparişim nerede?", sender="+905361234571")
        async with fake.client(
            default_sender="ACME",
            send_limiter=TokenBucket(rate=100, per=1.0),
            retry=RetryPolicy(attempts=4, base=0.05, cap=0.5),
        ) as client:
            await step("1. Balance and approved senders")
            balance = await client.account.balance()
            senders = await client.account.senders()
            out.print(f"Balance: {balance.amount} TL, {balance.sms} SMS credits")
            out.print(f"Approved senders: {', '.join(senders)}")
            summary["balance"] = f"{balance.sms} credits"

            await step("2. A transactional send (OTP)")
            text = "Giriş kodunuz 482913. Kimseyle paylaşmayın."
            seg = segments(text)
            out.print(
                f"Text is {seg.characters} characters in {seg.encoding}: "
                f"{seg.parts} part(s) of up to {seg.per_part}"
            )
            order = await client.sms.send(CUSTOMERS[0], text)
            out.print(f"Order [bold]{order.id}[/] created for {mask_number(CUSTOMERS[0])}")
            summary["send"] = f"order {order.id}, {order.recipients} recipient"

            await step("3. Delivery report")
            report = await client.reports.get(order.id)
            out.print(
                f"Right away: status {report.status.name}, waiting {report.waiting}, "
                f"delivered {report.delivered}"
            )
            fake.advance(5)
            report = await client.reports.get(order.id)
            out.print(
                f"After the carrier answered: status {report.status.name}, "
                f"delivered {report.delivered}, undelivered {report.undelivered}"
            )
            summary["report"] = report.status.name

            await step("4. A campaign, then 250 OTPs held to 100 recipients/s")
            campaign = await client.sms.send(
                CUSTOMERS, "Hafta sonu %20 indirim! Çıkmak için RET yazın.", iys=IysList.BIREYSEL
            )
            out.print(
                f"Commercial (İYS BIREYSEL) order {campaign.id}: {campaign.recipients} recipients"
            )
            first = len(fake.requests)
            started = time.perf_counter()
            await asyncio.gather(
                *(client.sms.send(f"+90506{i:07d}", f"Kodunuz {i:06d}") for i in range(250))
            )
            elapsed = time.perf_counter() - started
            # Arrival times at the server: the bucket starts (nearly) full, a burst
            # of up to 100, then refills at 100/s; the rate is read well past the burst.
            arrivals = sorted(r.time for r in fake.requests[first:] if r.path == "send-sms")
            steady = (len(arrivals) - 151) / (arrivals[-1] - arrivals[150])
            out.print(
                f"250 sends in {elapsed:.2f} s: a burst of 100 (the full bucket), then "
                f"[bold]{steady:.0f} recipients/s[/] at the server (cap 100/s)"
            )
            summary["rate limit"] = f"{steady:.0f}/s steady (cap 100/s)"

            await step("5. Schedule an order, then cancel it")
            when = datetime.now(ISTANBUL) + timedelta(hours=3)
            scheduled = await client.sms.send(CUSTOMERS[1], "Randevunuz yarın 10:00", send_at=when)
            out.print(f"Order {scheduled.id} scheduled for {when:%d/%m/%Y %H:%M} (Istanbul)")
            await client.sms.cancel(scheduled.id)
            fake.advance(4 * 3600)
            cancelled = await client.reports.get(scheduled.id)
            out.print(f"Cancelled: its report now says {cancelled.status.name} (115)")
            summary["cancel"] = cancelled.status.name

            await step("6. İYS consent")
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
            consent = await client.iys.check(696422, CUSTOMERS[2])
            missing = await client.iys.check(696422, CUSTOMERS[3])
            out.print(f"{mask_number(CUSTOMERS[2])}: {consent.status.name if consent else None}")
            out.print(f"{mask_number(CUSTOMERS[3])}: {missing} (no record)")
            summary["iys"] = consent.status.name if consent else "none"

            await step("7. Inbox and opt-out keywords")
            inbox = await client.inbox.list()
            for message in inbox.messages:
                verdict = "opt-out (RET)" if message.matches("RET") else "reply"
                out.print(f"#{message.id} from {mask_number(message.sender)}: {verdict}")
                if message.matches("RET") and message.sender.startswith("+"):
                    await client.blacklist.add(message.sender)
            summary["inbox"] = f"{inbox.total} messages"

            await step("8. A typed error")
            try:
                await client.sms.send(CUSTOMERS[0], "Merhaba", sender="UNKNOWN")
            except SenderError as exc:
                out.print(f"[red]{type(exc).__name__}[/] code {exc.code}: {exc.message}")
                out.print(f"Meaning: {exc.description}")
                summary["error"] = f"{type(exc).__name__} {exc.code}"
            except IletiMerkeziError as exc:  # pragma: no cover - the fake answers 450
                summary["error"] = type(exc).__name__

    table = Table(title="Demo summary")
    table.add_column("Step")
    table.add_column("Outcome")
    for key, value in summary.items():
        table.add_row(key, value)
    out.print(table)
    return summary
