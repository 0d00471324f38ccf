"""How exactly the client's own ``TokenBucket(rate=100)`` holds sends to the budget.

``sends.fidelity``: 1,000 single-recipient ``sms.send`` calls started at once
through a client with ``TokenBucket(rate=100)`` against the fake with its own
rate limit off, timed where the API meters them: the fake's arrival times
(``fake.requests[].time``).  The bucket starts full, so the first 100 go at
once; after that the steady rate (arrivals from the second second on, over
their span) should be the cap, and no 1-second window starting after the first second may
hold more than 100 (the method of ``tests/test_ratelimit.py``).  The fake runs
in this process here: at 100 sends a second its cost is irrelevant, and its
request log is the measurement.
"""

from __future__ import annotations

import asyncio
import bisect
import time

from _registry import Context, Figure, benchmark

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

RATE = 100


class _Recording:
    """A limiter that notes when each grant happened (``time.monotonic``, like the fake)."""

    def __init__(self, inner: im.TokenBucket) -> None:
        self.inner = inner
        self.grants: list[float] = []

    async def acquire(self, cost: float = 1) -> None:
        await self.inner.acquire(cost)
        self.grants.append(time.monotonic())


def max_in_window(stamps: list[float], starts: list[float], width: float = 1.0) -> int:
    """Most ``stamps`` in any ``[s, s + width)`` for ``s`` in ``starts`` (stamps sorted)."""
    if not starts:
        return 0
    return max(
        bisect.bisect_left(stamps, s + width) - bisect.bisect_left(stamps, s) for s in starts
    )


def windows_over(stamps: list[float], starts: list[float], cap: int, width: float = 1.0) -> int:
    """How many of the windows ``[s, s + width)`` hold more than ``cap`` stamps."""
    return sum(
        bisect.bisect_left(stamps, s + width) - bisect.bisect_left(stamps, s) > cap for s in starts
    )


def steady_rate(stamps: list[float], after: float = 1.0) -> float:
    """Events per second from ``after`` seconds past the first one on (sorted stamps).

    The first second holds the full bucket's burst, whose 100 new connections
    straggle in over tens of ms; from then on the bucket is empty and every
    send waits for its token.
    """
    tail = stamps[bisect.bisect_left(stamps, stamps[0] + after) :]
    return (len(tail) - 1) / (tail[-1] - tail[0])


@benchmark("sends.fidelity")
async def fidelity(ctx: Context) -> list[Figure]:
    """Steady rate / cap and max per 1-s window of 1,000 sends through TokenBucket(rate=100)."""
    total = ctx.scaled(1000, 300)
    limiter = _Recording(im.TokenBucket(rate=RATE))
    async with FakeIletiMerkezi(rate_limit=None, sms_credits=total * 2) as fake:
        async with fake.client(send_limiter=limiter) as client:
            orders = await asyncio.gather(
                *(
                    client.sms.send(f"50512{i:05d}", "Kodunuz 1234", sender="APITEST")
                    for i in range(total)
                )
            )
        arrivals = sorted(r.time for r in fake.requests if r.path == "send-sms")
    if len({o.id for o in orders}) != total or len(arrivals) != total:
        raise AssertionError("not every send made exactly one order")
    grants = sorted(limiter.grants)
    rate = steady_rate(arrivals)
    ratio = rate / RATE
    first = arrivals[0]
    later = [t for t in arrivals if t >= first + 1.0]
    window = max_in_window(arrivals, later)
    grants_later = [g for g in grants if g >= grants[0] + 1.0]
    return [
        Figure(
            "TokenBucket(rate=100): steady rate / cap (server arrivals)",
            ratio,
            "× cap",
            target="0.98 – 1.00",
            ok=0.98 <= round(ratio, 2) <= 1.00,
            details={
                "achieved /s": rate,
                "client grants /s": steady_rate(grants),
                "seconds": arrivals[-1] - first,
                "n": total,
            },
        ),
        Figure(
            "TokenBucket(rate=100): max sends in a 1-s window after the first second",
            window,
            "",
            target=f"≤ {RATE}",
            ok=window <= RATE,
            details={
                "windows over cap": f"{windows_over(arrivals, later, RATE)} of {len(later)}",
                "client grants": max_in_window(grants, grants_later),
                "first second (burst)": max_in_window(arrivals, arrivals[:1]),
                "any window": max_in_window(arrivals, arrivals),
            },
        ),
    ]
