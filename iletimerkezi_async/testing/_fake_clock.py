"""The fake server's own time: real Istanbul wall time plus an offset tests control.

Delivery progression, cancel windows, the duplicate guard and the rate bucket
all read this clock, so one ``advance`` moves every one of them together and
no test ever has to sleep.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta
from typing import Final

from ..clock import ISTANBUL

__all__ = ["ISTANBUL", "FakeClock", "as_istanbul", "fmt_timestamp"]

TIMESTAMP: Final = "%Y-%m-%d %H:%M:%S"


class FakeClock:
    """Real wall time in Europe/Istanbul plus an offset that only grows.

    Tests move it with :meth:`advance` instead of sleeping; it never goes back,
    so everything derived from it (delivery progression, cancel windows, the
    duplicate guard) only moves forward.
    """

    def __init__(self, offset: float = 0.0) -> None:
        if offset < 0:
            raise ValueError("offset must not be negative")
        self._offset = float(offset)

    @property
    def offset(self) -> float:
        """Seconds added to the real time so far."""
        return self._offset

    def now(self) -> datetime:
        """The fake current time, timezone-aware in Europe/Istanbul."""
        return datetime.now(ISTANBUL) + timedelta(seconds=self._offset)

    def monotonic(self) -> float:
        """``time.monotonic()`` plus the offset, so advancing also refills rate buckets."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move the clock forward and return the new :meth:`now`."""
        delta = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        if delta < 0 or math.isnan(delta):
            raise ValueError("the fake clock only moves forward")
        self._offset += delta
        return self.now()

    def __repr__(self) -> str:
        return f"FakeClock(offset={self._offset!r})"


def as_istanbul(value: datetime) -> datetime:
    """Naive datetimes are Istanbul wall time; aware ones are converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=ISTANBUL)
    return value.astimezone(ISTANBUL)


def fmt_timestamp(value: datetime) -> str:
    return value.astimezone(ISTANBUL).strftime(TIMESTAMP)
