"""Paginated walks under seeded random faults: nothing lost, nothing repeated.

The fake's random injector (``fault_rate`` with ``seed``) answers that share of
requests with a 503 envelope before processing: a transient fault.  The
transport retries a page in place; when a page still fails after the policy's
attempts, the typed error reaches the loop, and the walk is resumed with
``resume_from=paginator.cursor``.  The cursor points after the last page the
loop fully consumed, and the failure happened while *fetching* the next page,
so the resumed walk starts exactly at the failed page: the items collected
over all attempts must equal the expected list exactly, in order, with no
duplicates (the documented at-least-once repeat only concerns a page whose
handling was interrupted, which a fetch failure never is).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

from ._support import fast_retry, guarded

IST = ZoneInfo("Europe/Istanbul")
T = TypeVar("T")

START = date(2025, 5, 1)
END = START + timedelta(days=59)  # 60 days: six 10-day windows
ORDERS = 400
BIG_ORDER = 1500  # recipients of the order whose messages are walked
MESSAGES_PAGE = 100
BLOCKED = 700
BLACKLIST_PAGE = 50
SEEDS = range(20)


def _seed_data(fake: FakeIletiMerkezi) -> dict[str, list[str]]:
    """Orders over the range (and just outside it), one big order, a long blacklist."""
    rng = random.Random(2025)
    first = datetime(START.year, START.month, START.day)
    times = [first + timedelta(seconds=rng.randrange(60 * 86400)) for _ in range(ORDERS)]
    times += [first, first + timedelta(days=60) - timedelta(seconds=1)]  # both edges
    times += [first + timedelta(days=20)] * 35  # a burst spanning two pages of one window
    fake.add_orders(times)
    fake.add_orders([first - timedelta(seconds=1), first + timedelta(days=60)])  # outside
    inside = sorted(
        (
            o
            for o in fake.account.orders.values()
            if START <= o.submitted_at.astimezone(IST).date() <= END
        ),
        key=lambda o: (o.submitted_at, int(o.id)),
    )
    big = fake.add_order(datetime(2025, 8, 1, 12, 0), recipients=BIG_ORDER)  # outside START..END
    messages = list(fake.account.orders[big].recipients)
    blocked_at = datetime(2025, 1, 1, 8, 0, tzinfo=IST)
    prefixes = ("505", "532", "542", "555")
    blacklist = [
        fake.account.add_blacklist(
            f"+90{prefixes[i % 4]}{i:07d}", blocked_at=blocked_at + timedelta(seconds=i)
        )
        for i in range(BLOCKED)
    ]
    assert len(set(messages)) == BIG_ORDER and len(set(blacklist)) == BLOCKED
    return {
        "orders": [o.id for o in inside],
        "big": [big],
        "messages": messages,
        "blacklist": blacklist,
    }


async def _walk_resuming(
    make: Callable[[str | None], im.Paginator[T]], key: Callable[[T], str]
) -> tuple[list[str], int]:
    """Walk to the end, resuming from ``cursor`` after each typed failure; (keys, resumes)."""
    got: list[str] = []
    token: str | None = None
    resumes = 0
    while True:
        paginator = make(token)
        try:
            async with paginator:
                async for item in paginator:
                    got.append(key(item))
        except im.ServiceUnavailableError:
            # Only 503 envelopes are injected: any other error (typed or raw) propagates
            # and fails the test.
            token = paginator.cursor
            resumes += 1
            assert resumes < 100, "the walk makes no progress"
            continue
        assert paginator.done
        return got, resumes


def _page_requests(fake: FakeIletiMerkezi, endpoint: str) -> list[Any]:
    """The page positions that were answered successfully, in arrival order."""
    out: list[Any] = []
    for r in fake.sent_requests(endpoint):
        if r.fault is not None:
            continue
        request = r.body["request"]
        if endpoint == "get-reports":
            f = request["filter"]
            out.append((f["start"], f["page"]))
        elif endpoint == "get-report":
            out.append(int(request["order"]["page"]))
        else:
            out.append(int(request["blacklist"]["page"]))
    return out


async def _walk_all(
    fake: FakeIletiMerkezi, concurrency: int, attempts: int, seed: int
) -> dict[str, int]:
    data = _seed_data(fake)
    resumes: dict[str, int] = {}
    async with fake.client(retry=fast_retry(seed, attempts=attempts)) as client:
        got, resumes["reports.list"] = await guarded(
            _walk_resuming(
                lambda t: client.reports.list(START, END, concurrency=concurrency, resume_from=t),
                lambda o: o.id,
            )
        )
        assert got == data["orders"]

        got, resumes["reports.messages"] = await guarded(
            _walk_resuming(
                lambda t: client.reports.messages(
                    data["big"][0], page_size=MESSAGES_PAGE, resume_from=t
                ),
                lambda m: m.number,
            )
        )
        assert got == data["messages"]

        got, resumes["blacklist.list"] = await guarded(
            _walk_resuming(
                lambda t: client.blacklist.list(page_size=BLACKLIST_PAGE, resume_from=t), str
            )
        )
        assert got == data["blacklist"]

    # A page that was answered is never asked for again, resumes included ("a walk never
    # restarts, skips or repeats a page").  Prefetching windows (concurrency > 1) may
    # legitimately fetch pages of a walk that then fails, so that check is sequential only.
    endpoints = ["get-report", "get-blacklist"] + (["get-reports"] if concurrency == 1 else [])
    for endpoint in endpoints:
        pages = _page_requests(fake, endpoint)
        assert len(pages) == len(set(pages)), f"{endpoint} fetched a page twice"
        assert pages == sorted(pages), f"{endpoint} went back"
    assert any(r.fault == "fail:503" for r in fake.requests), "no fault was injected"
    return resumes


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed-{s}" for s in SEEDS])
async def test_walks_under_random_transient_faults_are_exact(seed: int) -> None:
    # Odd seeds prefetch reports windows in the background (concurrency 3).
    concurrency = 1 if seed % 2 == 0 else 3
    async with FakeIletiMerkezi(fault_rate=0.2, seed=seed) as fake:
        await _walk_all(fake, concurrency, attempts=3, seed=seed)


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_walks_resume_exactly_after_exhausted_retries(concurrency: int) -> None:
    """Half the requests fail and a page gets two attempts: many walks must resume."""
    async with FakeIletiMerkezi(fault_rate=0.5, seed=99) as fake:
        resumes = await _walk_all(fake, concurrency, attempts=2, seed=99)
    assert all(n >= 1 for n in resumes.values()), resumes
