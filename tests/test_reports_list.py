"""reports.list, reports.messages and blacklist.list walked against the fake server."""

from __future__ import annotations

import asyncio
import gc
import itertools
import random
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from aioresponses import aioresponses

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

from .conftest import BASE

T = TypeVar("T")

IST = ZoneInfo("Europe/Istanbul")
FAST = im.RetryPolicy(attempts=6, base=0.0, cap=0.0)
START, END = date(2025, 1, 1), date(2025, 12, 31)


def _fill_year(fake: FakeIletiMerkezi, n: int = 3000, seed: int = 7) -> list[str]:
    """``n`` orders spread over 2025 plus neighbours just outside; the ids expected, in order."""
    rng = random.Random(seed)
    base = datetime(2025, 1, 1)
    times = [base + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(n)]
    # Edges: first and last second of the range, and a burst sharing one second.
    times += [datetime(2025, 1, 1), datetime(2025, 12, 31, 23, 59, 59)] + [
        datetime(2025, 6, 1)
    ] * 40
    fake.add_orders(times)
    fake.add_orders([datetime(2024, 12, 31, 23, 59, 59), datetime(2026, 1, 1)])
    inside = [
        o
        for o in fake.account.orders.values()
        if START <= o.submitted_at.astimezone(IST).date() <= END
    ]
    inside.sort(key=lambda o: (o.submitted_at, int(o.id)))
    return [o.id for o in inside]


def _report_requests(fake: FakeIletiMerkezi) -> list[tuple[date, date, int]]:
    out = []
    for r in fake.requests:
        if r.path == "get-reports" and r.body is not None:
            f = r.body["request"]["filter"]
            out.append((date.fromisoformat(f["start"]), date.fromisoformat(f["end"]), f["page"]))
    return out


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_a_year_yields_every_order_once_in_order(
    fake_iletimerkezi: FakeIletiMerkezi, concurrency: int
) -> None:
    fake = fake_iletimerkezi
    expected = _fill_year(fake)
    async with (
        fake.client(retry=FAST, send_limiter=None) as client,
        client.reports.list(START, END, concurrency=concurrency) as orders,
    ):
        got = [o.id async for o in orders]
    assert got == expected
    requests = _report_requests(fake)
    # Never more than 10 days per request, never outside the range, every day asked for.
    assert all(0 <= (end - start).days <= 9 for start, end, _ in requests)
    windows = sorted({(start, end) for start, end, _ in requests})
    assert windows[0][0] == START and windows[-1][1] == END
    assert len(windows) == 37
    assert all(b[0] == a[1] + timedelta(days=1) for a, b in itertools.pairwise(windows))
    # Each window is walked to its count-0 page exactly once.
    assert len(requests) == len(set(requests))


async def test_pages_carry_window_and_number(fake_iletimerkezi: FakeIletiMerkezi) -> None:
    fake = fake_iletimerkezi
    fake.add_orders([datetime(2025, 3, 2, 10, 0) + timedelta(minutes=i) for i in range(65)])
    async with fake.client(retry=FAST, send_limiter=None) as client:
        pages = [p async for p in client.reports.list(date(2025, 3, 1), date(2025, 3, 15)).pages()]
    assert [(p.window, p.number, len(p.items)) for p in pages] == [
        (("2025-03-01", "2025-03-10"), 1, 30),
        (("2025-03-01", "2025-03-10"), 2, 30),
        (("2025-03-01", "2025-03-10"), 3, 5),
    ]
    assert all(isinstance(o, im.OrderSummary) for p in pages for o in p.items)


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_resuming_from_every_cursor_yields_exactly_the_remainder(
    fake_iletimerkezi: FakeIletiMerkezi, concurrency: int
) -> None:
    fake = fake_iletimerkezi
    rng = random.Random(3)
    base = datetime(2025, 5, 1)
    fake.add_orders([base + timedelta(seconds=rng.randrange(60 * 86400)) for _ in range(300)])
    start, end = date(2025, 5, 1), date(2025, 6, 29)
    async with fake.client(retry=FAST, send_limiter=None) as client:
        marks: dict[str, int] = {}
        walked: list[str] = []
        async with client.reports.list(start, end, concurrency=concurrency) as orders:
            async for order in orders:
                if orders.cursor is not None:
                    marks.setdefault(orders.cursor, len(walked))
                walked.append(order.id)
            final = orders.cursor
        assert len(walked) == 300
        assert len(marks) >= 10
        for cursor, before in marks.items():
            # The cursor taken while handling page k resumes at page k: the rest, nothing lost.
            async with client.reports.list(
                start, end, concurrency=concurrency, resume_from=cursor
            ) as rest:
                assert [o.id async for o in rest] == walked[before:]
        fake.requests.clear()
        assert [o async for o in client.reports.list(start, end, resume_from=final)] == []
    assert fake.requests == []


@pytest.mark.parametrize("concurrency", [1, 8])
@pytest.mark.fake_iletimerkezi(fault_rate=0.1, seed=11)
async def test_random_transient_faults_do_not_change_the_result(
    fake_iletimerkezi: FakeIletiMerkezi, concurrency: int
) -> None:
    fake = fake_iletimerkezi
    expected = _fill_year(fake, n=2000)
    async with (
        fake.client(retry=FAST, send_limiter=None) as client,
        client.reports.list(START, END, concurrency=concurrency) as orders,
    ):
        got = [o.id async for o in orders]
    assert got == expected
    faults = [r for r in fake.requests if r.fault is not None]
    assert len(faults) >= 10


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_exhausted_retries_propagate_and_iteration_continues_at_that_page(
    fake_iletimerkezi: FakeIletiMerkezi, concurrency: int
) -> None:
    fake = fake_iletimerkezi
    expected = _fill_year(fake, n=600)
    retry = im.RetryPolicy(attempts=2, base=0.0, cap=0.0)
    async with fake.client(retry=retry, send_limiter=None) as client:
        got: list[str] = []
        failures = 0
        async with client.reports.list(START, END, concurrency=concurrency) as orders:
            while True:
                try:
                    async for order in orders:
                        got.append(order.id)
                        if len(got) == 100 and failures == 0:
                            # every request fails until the error surfaces
                            fake.options.fault_rate = 1.0
                except im.ServiceUnavailableError:
                    fake.options.fault_rate = 0.0
                    failures += 1
                    continue
                break
    assert got == expected
    # Prefetching windows may each have failed before the loop reached them.
    assert failures == 1 if concurrency == 1 else failures >= 1
    if concurrency == 1:
        # The failed page (twice: both attempts) is the very next page asked for afterwards.
        requests = _report_requests(fake)
        failed = [i for i, r in enumerate(fake.requests) if r.fault is not None]
        assert len(failed) == 2
        reports = [r for r in fake.requests if r.path == "get-reports"]
        index = reports.index(fake.requests[failed[-1]])
        assert requests[index + 1] == requests[index] == requests[index - 1]
        assert requests.count(requests[index]) == 3


async def test_aclose_and_garbage_collection_cancel_prefetching(
    fake_iletimerkezi: FakeIletiMerkezi,
) -> None:
    fake = fake_iletimerkezi
    _fill_year(fake, n=1500)
    fake.latency = 0.002

    def prefetchers() -> list[asyncio.Task[object]]:
        return [
            t
            for t in asyncio.all_tasks()
            if t.get_name().startswith("iletimerkezi get-reports") and not t.done()
        ]

    async with fake.client(retry=FAST, send_limiter=None) as client:
        orders = client.reports.list(START, END, concurrency=8)
        async for _ in orders:
            break
        assert 1 < len(prefetchers()) <= 8
        await orders.aclose()
        assert prefetchers() == []
        assert [o async for o in orders] == []

        abandoned = client.reports.list(START, END, concurrency=8)
        async for _ in abandoned:
            break
        assert prefetchers()
        del abandoned
        gc.collect()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert prefetchers() == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((date(2025, 2, 1), date(2025, 1, 1)), "start"),
        ((date.today() + timedelta(days=2), date.today() + timedelta(days=3)), "start"),
        ((datetime(2025, 1, 1), date(2025, 1, 2)), "start"),
        (("2025-01-01", date(2025, 1, 2)), "start"),
    ],
)
async def test_bad_ranges_are_refused_before_any_request(
    fake_iletimerkezi: FakeIletiMerkezi, args: tuple[object, object], field: str
) -> None:
    async with fake_iletimerkezi.client(send_limiter=None) as client:
        with pytest.raises(im.InvalidRequestError) as info:
            client.reports.list(*args)  # type: ignore[arg-type]
    assert info.value.field == field
    assert fake_iletimerkezi.requests == []


@pytest.mark.parametrize("concurrency", [0, 17, True, 2.0])
async def test_bad_concurrency_is_refused(
    fake_iletimerkezi: FakeIletiMerkezi, concurrency: object
) -> None:
    async with fake_iletimerkezi.client(send_limiter=None) as client:
        with pytest.raises(im.InvalidRequestError) as info:
            client.reports.list(START, END, concurrency=concurrency)  # type: ignore[arg-type]
    assert info.value.field == "concurrency"


async def test_cursors_only_resume_their_own_walk(fake_iletimerkezi: FakeIletiMerkezi) -> None:
    fake = fake_iletimerkezi
    fake.add_orders([datetime(2025, 1, 5) + timedelta(minutes=i) for i in range(40)])
    fake.account.add_blacklist("5051234567")
    async with fake.client(retry=FAST, send_limiter=None) as client:
        walk = client.reports.list(START, END)
        await walk.__anext__()
        for _ in range(30):
            await walk.__anext__()
        token = walk.cursor
        assert token is not None
        numbers = client.blacklist.list()
        assert [n async for n in numbers] == ["+905051234567"]
        fake.requests.clear()
        for bad in (
            lambda: client.reports.list(START, date(2025, 12, 30), resume_from=token),
            lambda: client.blacklist.list(resume_from=token),
            lambda: client.reports.messages("100000001", resume_from=token),
            lambda: client.reports.list(START, END, resume_from=numbers.cursor),
            lambda: client.reports.list(START, END, resume_from=token[:-3]),
        ):
            with pytest.raises(im.InvalidRequestError) as info:
                bad()
            assert info.value.field == "resume_from"
        assert fake.requests == []
        rest = [o.id async for o in client.reports.list(START, END, resume_from=token)]
    assert len(rest) == 10


async def collect(walk: AsyncIterator[T], into: list[T]) -> None:
    """Every item of ``walk`` into ``into``, so what came before a failure can be checked."""
    async for item in walk:
        into.append(item)


async def test_a_server_ignoring_page_raises_instead_of_ending_as_complete(
    mocked: aioresponses, client: im.Client
) -> None:
    orders = [
        {
            "id": 1000 + i,
            "status": 114,
            "total": 1,
            "delivered": 1,
            "undelivered": 0,
            "waiting": 0,
            "submitAt": "2025-01-02 10:00:00",
            "sendAt": "2025-01-02 10:00:00",
            "sender": "ACME",
        }
        for i in range(30)
    ]
    page = {"response": {"status": {"code": 200, "message": "OK"}, "count": 30, "orders": orders}}
    mocked.post(f"{BASE}/v1/get-reports/json", payload=page, repeat=True)
    walk = client.reports.list(date(2025, 1, 1), date(2025, 1, 15))
    got: list[im.OrderSummary] = []
    with pytest.raises(im.RepeatedPageError) as caught:
        await collect(walk, got)
    # Page 1 of the first window was yielded; page 2 repeated it, and the walk did not
    # go on to the next window as if this one were complete.
    assert [o.id for o in got] == [str(1000 + i) for i in range(30)]
    assert caught.value.endpoint == "get-reports" and caught.value.page == 2
    assert "2025-01-01..2025-01-10 page 2" in str(caught.value)
    calls = [c for key, calls in mocked.requests.items() for c in calls]
    assert len(calls) == 2
    # The cursor still points before the repeated page: a resume asks for it again.
    resumed = client.reports.list(date(2025, 1, 1), date(2025, 1, 15), resume_from=walk.cursor)
    with pytest.raises(im.RepeatedPageError):
        await collect(resumed, [])


async def test_messages_walk_every_page_of_an_order(fake_iletimerkezi: FakeIletiMerkezi) -> None:
    fake = fake_iletimerkezi
    order_id = fake.add_order(datetime(2025, 3, 1, 12), recipients=2500)
    async with fake.client(retry=FAST, send_limiter=None) as client:
        messages = client.reports.messages(order_id)
        pages = [p async for p in messages.pages()]
        assert [len(p.items) for p in pages] == [1000, 1000, 500]
        assert {p.total for p in pages} == {2500}
        numbers = [m.number for p in pages for m in p.items]
        assert numbers == [m.number for m in fake.account.orders[order_id].messages]
        assert all(m.status is im.MessageStatus.DELIVERED for p in pages for m in p.items)
        # page * rowCount >= total ends the walk without an extra empty request.
        bodies = [r.body["request"]["order"] for r in fake.requests if r.path == "get-report"]
        assert [(b["page"], b["rowCount"]) for b in bodies] == [(1, 1000), (2, 1000), (3, 1000)]
        rest = client.reports.messages(order_id, resume_from=pages[0].cursor)
        assert [m.number async for m in rest] == numbers[1000:]
        small = [m.number async for m in client.reports.messages(order_id, page_size=700)]
        assert small == numbers
        with pytest.raises(im.InvalidRequestError):
            client.reports.messages("12ab")
        with pytest.raises(im.InvalidRequestError):
            client.reports.messages(order_id, page_size=1001)


async def test_blacklist_list_walks_every_page_and_filters(
    fake_iletimerkezi: FakeIletiMerkezi,
) -> None:
    fake = fake_iletimerkezi
    base = datetime(2025, 4, 1, tzinfo=IST)
    numbers = [
        fake.account.add_blacklist(f"50{5 + i % 5}{i:07d}", blocked_at=base + timedelta(minutes=i))
        for i in range(2300)
    ]
    async with fake.client(retry=FAST, send_limiter=None) as client:
        assert [n async for n in client.blacklist.list()] == numbers
        fake.requests.clear()
        start = base + timedelta(minutes=100)
        end = (base + timedelta(minutes=1299)).astimezone(ZoneInfo("UTC"))
        filtered = client.blacklist.list(start=start, end=end, page_size=500)
        assert [n async for n in filtered] == numbers[100:1300]
        blocks = [r.body["request"]["blacklist"] for r in fake.requests]
        assert blocks[0]["filter"] == {"start": "2025-04-01 01:40:00", "end": "2025-04-01 21:39:00"}
        assert [b["page"] for b in blocks] == [1, 2, 3]
        with pytest.raises(im.InvalidRequestError) as info:
            client.blacklist.list(start=datetime(2025, 4, 1))
        assert info.value.field == "start"
        with pytest.raises(im.InvalidRequestError):
            client.blacklist.list(start=end, end=start)
        with pytest.raises(im.InvalidRequestError):
            client.blacklist.list(resume_from=filtered.cursor)


async def test_blacklist_repeated_page_raises_after_what_it_yielded(
    mocked: aioresponses, client: im.Client
) -> None:
    page = {
        "response": {
            "status": {"code": 200, "message": "OK"},
            "blacklist": {"count": 5000, "number": ["+905051234567", "+905051234568"]},
        }
    }
    mocked.post(f"{BASE}/v1/get-blacklist/json", payload=page, repeat=True)
    got: list[str] = []
    with pytest.raises(im.RepeatedPageError):
        await collect(client.blacklist.list(page_size=2), got)
    assert got == ["+905051234567", "+905051234568"]


async def test_an_end_in_the_future_is_today_and_costs_no_call(
    fake_iletimerkezi: FakeIletiMerkezi,
) -> None:
    """This quarter or this year: nothing is asked for days that have not happened."""
    async with fake_iletimerkezi.client(send_limiter=None) as client:
        today = client.clock.now().date()
        start = today - timedelta(days=3)
        yesterday = datetime.combine(today - timedelta(days=1), datetime.min.time())
        (order_id,) = fake_iletimerkezi.add_orders([yesterday])
        found = [o.id async for o in client.reports.list(start, today + timedelta(days=90))]
    assert found == [order_id]
    filters = [r.body["request"]["filter"] for r in fake_iletimerkezi.requests]
    assert {(f["start"], f["end"]) for f in filters} == {(start.isoformat(), today.isoformat())}
