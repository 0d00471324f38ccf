"""Random but reproducible history: past orders and inbound messages to page through.

The standalone server (``--orders N --days D --inbound N --seed S``) and the
control API (``POST /_fake/orders``) both seed through here, so one seed gives
the same history whichever way it was asked for.  Times are drawn relative to
the server's now, so the same seed gives the same ages, recipients and
statuses on every run.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Final

from ._state import Account

__all__ = ["seed_inbound", "seed_orders"]

_DAY: Final = 86_400.0
# Mostly delivered, some undelivered, a few still waiting: what a real account shows.
_STATUSES: Final = (114, 115, 113)
_WEIGHTS: Final = (8, 2, 1)
_WORDS: Final = ("evet", "hayir", "iptal", "bilgi", "tamam", "DUR")


def _ages(count: int, days: float, rng: random.Random) -> list[float]:
    """``count`` ages in seconds within ``days`` days, oldest first."""
    if count < 0:
        raise ValueError("count must not be negative")
    if not days > 0:
        raise ValueError("days must be positive")
    return sorted((rng.uniform(0.0, days * _DAY) for _ in range(count)), reverse=True)


def seed_orders(account: Account, count: int, days: float, rng: random.Random) -> list[str]:
    """``count`` finished orders from the last ``days`` days; their ids, oldest first."""
    now = account.now()
    ids: list[str] = []
    for age in _ages(count, days, rng):
        status = rng.choices(_STATUSES, _WEIGHTS)[0]
        recipients = rng.randint(1, 5)
        submitted = now - timedelta(seconds=age)
        ids.append(account.add_order(submitted, recipients=recipients, status=status))
    return ids


def seed_inbound(account: Account, count: int, days: float, rng: random.Random) -> list[str]:
    """``count`` inbound messages received within the last ``days`` days; their ids."""
    now = account.now()
    ids: list[str] = []
    for age in _ages(count, days, rng):
        number = "+90505" + "".join(rng.choice("0123456789") for _ in range(7))
        text = f"{rng.choice(_WORDS)} {rng.randint(1, 999)}"
        received = now - timedelta(seconds=age)
        ids.append(account.add_inbound(text, number=number, received_at=received))
    return ids
