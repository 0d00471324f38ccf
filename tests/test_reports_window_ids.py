"""reports.list keeps one id set per window, and de-duplicates exactly as before.

With ``concurrency > 1`` a window's task removes the ids of the window's
earlier pages from each page and the source then those of the window before
(:func:`unseen` twice, instead of once with both sets): the property test
proves the two give the same orders.  A window task restarted after a failure
continues with its predecessor's set, so de-duplication and repeated-page
detection still see the pages before the failure.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from aioresponses import CallbackResult, aioresponses
from hypothesis import given
from hypothesis import strategies as st

import iletimerkezi_async as im
from iletimerkezi_async.models import OrderStatus, OrderSummary
from iletimerkezi_async.resources._reports_list import unseen

from .conftest import BASE

URL = f"{BASE}/v1/get-reports/json"
UNAVAILABLE = {"response": {"status": {"code": 503, "message": "Sunucu geçici olarak servis dışı"}}}

_pages = st.lists(st.lists(st.integers(0, 12), max_size=6), max_size=6)


def _orders(ids: list[int]) -> tuple[OrderSummary, ...]:
    return tuple(OrderSummary(id=str(i), status=OrderStatus.COMPLETED) for i in ids)


@given(_pages, st.sets(st.integers(0, 12).map(str)))
def test_task_then_source_equals_one_pass_with_both_sets(
    pages: list[list[int]], before: set[str]
) -> None:
    earlier: set[str] = set()  # the former source-side set of the window
    seen: set[str] = set()  # the window task's set
    for ids in pages:
        page = _orders(ids)
        once = unseen(page, earlier, before)
        earlier.update(o.id for o in page)
        in_window = unseen(page, seen, set())
        seen.update(o.id for o in page)
        assert unseen(in_window, set(), before) == once
    assert seen == earlier


def _reference_unseen(
    page: tuple[OrderSummary, ...], earlier: set[str], before: set[str]
) -> list[OrderSummary]:
    """The rule, spelled out: the first of each id in page order, if in neither set."""
    out: list[OrderSummary] = []
    for order in page:
        if order.id not in earlier | before | {o.id for o in out}:
            out.append(order)
    return out


@given(
    st.lists(st.integers(0, 30), max_size=12),
    st.sets(st.integers(0, 30).map(str)),
    st.sets(st.integers(0, 30).map(str)),
)
def test_unseen_is_the_first_of_each_new_id_in_page_order(
    ids: list[int], earlier: set[str], before: set[str]
) -> None:
    page = _orders(ids)
    sets_before = (set(earlier), set(before))
    got = unseen(page, earlier, before)
    expected = _reference_unseen(page, earlier, before)
    assert [id(o) for o in got] == [id(o) for o in expected]  # the same objects, same order
    assert (earlier, before) == sets_before  # only read


def _page(*ids: int) -> dict[str, Any]:
    orders = [
        {
            "id": i,
            "status": 114,
            "total": 1,
            "delivered": 1,
            "undelivered": 0,
            "waiting": 0,
            "submitAt": "2026-01-02 10:00:00",
            "sendAt": "2026-01-02 10:00:00",
            "sender": "ACME",
        }
        for i in ids
    ]
    return {
        "response": {"status": {"code": 200, "message": "OK"}, "count": len(ids), "orders": orders}
    }


def _serve(mocked: aioresponses, pages: dict[str, list[Any]], failing: tuple[str, int]) -> None:
    """Answer get-reports from ``pages``; page ``failing`` is unavailable until asked 3 times."""
    asked: dict[tuple[str, int], int] = {}

    def answer(url: object, **kwargs: Any) -> CallbackResult:
        block = json.loads(kwargs["data"])["request"]["filter"]
        key = (block["start"], block["page"])
        asked[key] = asked.get(key, 0) + 1
        if key == failing and asked[key] <= 3:  # the client's three attempts
            return CallbackResult(status=503, payload=UNAVAILABLE)
        return CallbackResult(payload=pages[block["start"]][block["page"] - 1])

    mocked.post(URL, callback=answer, repeat=True)


async def _walk(walk: Any) -> tuple[list[str], list[type[Exception]]]:
    ids: list[str] = []
    failures: list[type[Exception]] = []
    async with walk:
        while True:
            try:
                async for order in walk:
                    ids.append(order.id)
            except im.ServiceUnavailableError as exc:
                failures.append(type(exc))
                continue
            except im.RepeatedPageError as exc:
                failures.append(type(exc))
            break
    return ids, failures


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_de_duplication_spans_a_failed_page_retried_in_place(
    client: im.Client, mocked: aioresponses, concurrency: int
) -> None:
    pages = {
        "2026-01-01": [_page(1, 2), _page(2, 3), _page(1, 4), _page()],
        "2026-01-11": [_page(4, 5), _page()],  # 4 also in the window before
        "2026-01-21": [_page(6), _page()],
    }
    _serve(mocked, pages, failing=("2026-01-01", 2))
    walk = client.reports.list(date(2026, 1, 1), date(2026, 1, 30), concurrency=concurrency)
    ids, failures = await _walk(walk)
    assert ids == ["1", "2", "3", "4", "5", "6"]
    assert failures == [im.ServiceUnavailableError]


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_a_repeated_page_after_a_failed_page_is_still_detected(
    client: im.Client, mocked: aioresponses, concurrency: int
) -> None:
    pages = {
        "2026-01-01": [_page(1, 2), _page(3), _page(1, 2), _page()],  # page 3 repeats page 1
        "2026-01-11": [_page()],
        "2026-01-21": [_page()],
    }
    _serve(mocked, pages, failing=("2026-01-01", 2))
    walk = client.reports.list(date(2026, 1, 1), date(2026, 1, 30), concurrency=concurrency)
    ids, failures = await _walk(walk)
    assert ids == ["1", "2", "3"]
    assert failures == [im.ServiceUnavailableError, im.RepeatedPageError]
