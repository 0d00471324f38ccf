"""The tour behind ``iletimerkezi demo``: every capability against the embedded fake, offline.

Every step uses the public SDK exactly as an application would; only the
server is local, seeded with a year of orders and an inbox.  Nothing secret is
printed (the demo's own test credentials are not shown either), phone numbers
are masked and inbound texts are not echoed.

Part of the command line, not of the library: :func:`run_demo` is the entry
point (the ``demo`` command in :mod:`iletimerkezi_async.cli.demo` calls it), and
the steps are split by direction so each module stays readable: :mod:`.tour`
holds the shared state and the seeded account, :mod:`.sending` the steps that
create orders, :mod:`.reading` the steps that read or receive.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from ... import RetryPolicy, TokenBucket
from ...clock import ISTANBUL
from ...testing import FakeIletiMerkezi
from . import reading, sending
from .tour import UNDELIVERABLE, Tour, seed

__all__ = ["run_demo"]

STEPS = (
    sending.account,
    sending.otp,
    sending.delivery_report,
    reading.webhooks,
    sending.rate_limit,
    sending.schedule_and_cancel,
    reading.stream_reports,
    sending.bulk,
    reading.inbox,
    sending.consent,
    sending.typed_error,
)
"""In this order on purpose: the webhook step runs before the big sends (it
would otherwise receive their reports), the stream before the bulk step (so
it checks its count cheaply) and the inbox after every send to a customer
(its opt-outs blacklist numbers)."""


async def run_demo(*, pause: float = 0.4, console: Console | None = None) -> dict[str, str]:
    """Run the tour; returns the summary rows (capability → outcome) it printed last."""
    out = console or Console()
    async with FakeIletiMerkezi(
        senders=("APITEST", "ACME"),
        sms_credits=1_000_000,
        delivery_delay=2.0,
        undeliverable=(UNDELIVERABLE,),
        # A request reaches the server's bucket a little after the client's
        # bucket released it (a new connection, a 50,000-number body to parse);
        # 0.3 s of borrowing absorbs that jitter on a busy CI machine without
        # loosening the 100/s the server enforces.
        rate_limit_grace=0.3,
    ) as fake:
        seeded = seed(fake, datetime.now(ISTANBUL))
        out.print(
            Panel.fit(
                "iletimerkezi-async demo: every call below goes over real HTTP to a fake "
                "iletiMerkezi server on 127.0.0.1.\nNo network, no credit, no real SMS. "
                f"The account holds {len(seeded):,} orders from the past year "
                f"and {len(fake.account.inbound)} inbound messages.",
                title="iletimerkezi-async",
            )
        )
        async with fake.client(
            default_sender="ACME",
            send_limiter=TokenBucket(rate=100, per=1.0),
            retry=RetryPolicy(attempts=4, base=0.05, cap=0.5),
        ) as client:
            tour = Tour(out=out, fake=fake, client=client, pause=pause, seeded=seeded)
            for step in STEPS:
                await step(tour)

    table = Table(title="Demo summary")
    table.add_column("Capability")
    table.add_column("Outcome")
    for key, value in tour.summary.items():
        table.add_row(key, value)
    out.print(table)
    return tour.summary
