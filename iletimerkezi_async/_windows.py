"""Cutting a get-reports date range into windows the API accepts.

get-reports refuses (458) a range wider than 10 days.  The reference's own
example walks ``04-01..04-10`` then ``04-11..04-20``: ten calendar days per
window, both ends inclusive, so ``end - start`` is at most 9 days and no day is
asked for twice.  Pure functions, no I/O.
"""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["WINDOW_DAYS", "split"]

WINDOW_DAYS = 10
"""Calendar days per window, both ends inclusive."""


def split(start: date, end: date, days: int = WINDOW_DAYS) -> list[tuple[date, date]]:
    """Consecutive ``(first, last)`` windows covering ``start..end`` (inclusive) exactly.

    Each window holds at most ``days`` days, the next one starts the day after
    the previous one ends, and only the last may be shorter.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if start > end:
        raise ValueError("start must not be after end")
    windows: list[tuple[date, date]] = []
    first = start
    while True:
        # Offsets instead of first + days, so a range ending at date.max cannot overflow.
        last = first + timedelta(days=min(days - 1, (end - first).days))
        windows.append((first, last))
        if last == end:
            return windows
        first = last + timedelta(days=1)
