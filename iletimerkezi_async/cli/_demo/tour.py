"""What every demo step shares, and the account the fake starts with.

The seed is fixed (``random.Random(SEED)``) so two runs stream the same year;
only the dates move with today.  Seeded orders lie one to 363 days back, so a
365-day range ending today holds all of them even if the demo crosses midnight.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rich.console import Console

from ...client import Client
from ...models import Order
from ...testing import FakeIletiMerkezi

__all__ = ["CUSTOMERS", "UNDELIVERABLE", "Tour", "seed"]

CUSTOMERS = ("+905051234567", "+905321234568", "+905431234569", "+905551234570")
UNDELIVERABLE = CUSTOMERS[3]
"""The fake answers 112 (undelivered) for this one, so the webhook step shows both finals."""

SEED = 2024
SEEDED_ORDERS = (
    # (orders, recipients each, status): a year of OTPs, campaigns and refused orders.
    (3000, 1, 114),
    (120, 250, 114),
    (80, 1, 115),
)
SEEDED_INBOX = (
    # (days ago, sender, text): what the inbox already holds when polling starts.
    (3, "+905361234571", "Merhaba, siparişim nerede?"),
    (2, "+905321234580", "RET"),
    (1, "7889", "ILT AHKTEST RET"),
)


@dataclass
class Tour:
    """One run: the console, the fake and its client, and the summary being built."""

    out: Console
    fake: FakeIletiMerkezi
    client: Client
    pause: float
    seeded: list[datetime]
    summary: dict[str, str] = field(default_factory=dict)
    sent: list[Order] = field(default_factory=list)
    """Orders this run created, so the year's stream can be checked against them."""
    steps: int = 0

    async def step(self, title: str) -> None:
        """A numbered heading, then the pause that lets a reader follow along."""
        self.steps += 1
        self.out.rule(f"[bold cyan]{self.steps}. {title}")
        if self.pause:
            await asyncio.sleep(self.pause)


def seed(fake: FakeIletiMerkezi, now: datetime) -> list[datetime]:
    """Fill the fake with a year of finished orders and a few inbound messages.

    Returns the seeded submission times, the ground truth for the stream step.
    """
    rng = random.Random(SEED)  # noqa: S311 (reproducible demo data, nothing secret)
    stamps: list[datetime] = []
    for count, recipients, status in SEEDED_ORDERS:
        batch = [
            now - timedelta(days=rng.randint(1, 362), seconds=rng.randint(0, 86_399))
            for _ in range(count)
        ]
        fake.add_orders(batch, recipients=recipients, status=status, sender="ACME")
        stamps.extend(batch)
    for days, sender, text in SEEDED_INBOX:
        fake.add_inbound(text, sender=sender, received_at=now - timedelta(days=days))
    return stamps
