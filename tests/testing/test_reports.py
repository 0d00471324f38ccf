"""get-reports: date windows, the 10-day rule and 30-per-page pagination."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from iletimerkezi_async.testing import FakeIletiMerkezi

from .conftest import Api


async def reports(api: Api, start: str, end: str, **more: Any) -> dict[str, Any]:
    return await api.call("get-reports", filter={"start": start, "end": end, **more})


async def test_summary_shape(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id(["5051234567", "5051234568"])
    today = fake.clock.now().date().isoformat()
    body = await reports(api, today, today)
    assert body["count"] == 1
    assert body["orders"] == [
        {
            "id": int(order_id),
            "status": 113,
            "total": 2,
            "delivered": 0,
            "undelivered": 0,
            "waiting": 2,
            "submitAt": body["orders"][0]["submitAt"],
            "sendAt": body["orders"][0]["submitAt"],
            "sender": "APITEST",
        }
    ]


async def test_pages_of_30_then_count_zero(api: Api, fake: FakeIletiMerkezi) -> None:
    base = datetime(2026, 4, 5, 10, 0)
    ids = fake.add_orders(base + timedelta(minutes=i) for i in range(65))
    seen: list[int] = []
    counts = []
    page = 1
    while True:
        body = await reports(api, "2026-04-01", "2026-04-10", page=page)
        counts.append(body["count"])
        if body["count"] == 0:
            assert body["orders"] == []
            break
        assert body["count"] == len(body["orders"])
        seen.extend(o["id"] for o in body["orders"])
        page += 1
    assert counts == [30, 30, 5, 0]
    assert seen == [int(i) for i in ids]
    assert (await reports(api, "2026-04-01", "2026-04-10", page=99))["count"] == 0


async def test_order_by_submit_time_then_id(api: Api, fake: FakeIletiMerkezi) -> None:
    late = fake.add_order(datetime(2026, 4, 5, 12, 0))
    early = fake.add_order(datetime(2026, 4, 5, 8, 0))
    same_a, same_b = fake.add_orders([datetime(2026, 4, 5, 10, 0)] * 2)
    body = await reports(api, "2026-04-05", "2026-04-05")
    assert [o["id"] for o in body["orders"]] == [int(early), int(same_a), int(same_b), int(late)]


async def test_window_is_inclusive_istanbul_days(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.add_order(datetime(2026, 4, 4, 23, 59, 59))
    first = fake.add_order(datetime(2026, 4, 5, 0, 0, 0))
    last = fake.add_order(datetime(2026, 4, 6, 23, 59, 59))
    fake.add_order(datetime(2026, 4, 7, 0, 0, 0))
    body = await reports(api, "2026-04-05", "2026-04-06")
    assert [o["id"] for o in body["orders"]] == [int(first), int(last)]
    utc = datetime.fromisoformat("2026-04-04T22:30:00+00:00")
    shifted = fake.add_order(utc)
    body = await reports(api, "2026-04-05", "2026-04-05")
    assert int(shifted) in [o["id"] for o in body["orders"]]


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("2026-04-01", "2026-04-10", 200),
        ("2026-04-01", "2026-04-11", 200),
        ("2026-04-01", "2026-04-12", 458),
        ("2026-04-01", "2026-04-01", 200),
        ("2026-04-10", "2026-04-01", 458),
        ("2026-02-25", "2026-03-07", 200),
        ("2026-02-25", "2026-03-08", 458),
        ("22/04/2026", "2026-04-23", 458),
        ("2026-04-22", "22-04-2026", 458),
        ("2026/04/22", "2026-04-23", 458),
        ("2026-4-1", "2026-04-02", 458),
        ("2026-04-01 00:00:00", "2026-04-02", 458),
        ("2026-02-30", "2026-03-01", 458),
        ("", "2026-04-02", 458),
        (None, "2026-04-02", 458),
        ("2026-04-01", None, 458),
        (20260401, "2026-04-02", 458),
    ],
)
async def test_ten_day_rule_and_formats(api: Api, start: Any, end: Any, code: int) -> None:
    body = await api.call("get-reports", filter={"start": start, "end": end})
    assert body["status"]["code"] == code


async def test_missing_filter_is_458(api: Api) -> None:
    assert await api.code("get-reports") == 458
    assert await api.code("get-reports", filter="2026-04-01") == 458


async def test_page_location_and_464(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.add_orders([datetime(2026, 4, 5, 10, 0)] * 31)
    window = {"start": "2026-04-01", "end": "2026-04-10"}
    assert (await api.call("get-reports", filter=window, page=2))["count"] == 1
    assert (await api.call("get-reports", filter={**window, "page": "2"}, page=1))["count"] == 1
    assert (await api.call("get-reports", filter={**window, "page": 1}, page=2))["count"] == 30
    for page in (0, -1, "0"):
        assert await api.code("get-reports", filter={**window, "page": page}) == 464
    assert await api.code("get-reports", filter={**window, "page": "x"}) == 400


@pytest.mark.fake_iletimerkezi(reports_page_size=7)
async def test_page_size_is_configurable(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.add_orders([datetime(2026, 4, 5, 10, 0)] * 8)
    assert (await reports(api, "2026-04-05", "2026-04-05"))["count"] == 7


async def test_statuses_in_summaries(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.add_order(datetime(2026, 4, 5, 10, 0), status=115, recipients=4)
    fake.add_order(datetime(2026, 4, 5, 11, 0), status=113, recipients=2)
    body = await reports(api, "2026-04-05", "2026-04-05")
    assert [(o["status"], o["undelivered"], o["waiting"]) for o in body["orders"]] == [
        (115, 4, 0),
        (113, 0, 2),
    ]


@pytest.mark.fake_iletimerkezi(legacy_types=True)
async def test_legacy_count_is_a_string(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.add_order(datetime(2026, 4, 5, 10, 0))
    body = await reports(api, "2026-04-05", "2026-04-05")
    assert body["count"] == "1"
    assert isinstance(body["orders"][0]["id"], int)


async def test_ten_thousand_orders_stay_fast(api: Api, fake: FakeIletiMerkezi) -> None:
    start = datetime(2026, 1, 1)
    stamps = [start + timedelta(minutes=13 * i) for i in range(10_000)]
    began = time.perf_counter()
    ids = fake.add_orders(stamps)
    assert time.perf_counter() - began < 5.0
    assert len(ids) == len(set(ids)) == 10_000
    first = await reports(api, "2026-01-01", "2026-01-10")
    assert first["count"] == 30
    total = 0
    day = date(2026, 1, 1)
    while day <= stamps[-1].date():
        end = day + timedelta(days=9)
        page = 1
        while True:
            body = await reports(api, day.isoformat(), end.isoformat(), page=page)
            if body["count"] == 0:
                break
            total += body["count"]
            page += 1
        day = end + timedelta(days=1)
    assert total == 10_000
