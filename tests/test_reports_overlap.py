"""reports.list de-duplicates orders that neighbouring windows both return.

A server whose day boundaries differ from Istanbul's returns an order near a
boundary in two consecutive 10-day windows; the walk keeps the ids of the
current and the previous window (memory flat however long the range) and
yields every order once.  Sequential and concurrent walks alike.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from aioresponses import CallbackResult, aioresponses

import iletimerkezi_async as im

from .conftest import BASE

URL = f"{BASE}/v1/get-reports/json"


def _page(*ids: int) -> dict[str, Any]:
    orders = [
        {
            "id": i,
            "status": 114,
            "total": 1,
            "delivered": 1,
            "undelivered": 0,
            "waiting": 0,
            "submitAt": f"2026-01-{(i % 28) + 1:02d} 10:00:00",
            "sendAt": f"2026-01-{(i % 28) + 1:02d} 10:00:00",
            "sender": "ACME",
        }
        for i in ids
    ]
    return {
        "response": {"status": {"code": 200, "message": "OK"}, "count": len(ids), "orders": orders}
    }


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_orders_in_neighbouring_windows_come_once(
    client: im.Client, mocked: aioresponses, concurrency: int
) -> None:
    # Three windows (01-01..01-10, 01-11..01-20, 01-21..01-30), each two pages then count 0.
    pages = {
        "2026-01-01": [_page(1, 2), _page(3, 2), _page()],  # 2 repeated inside the window
        "2026-01-11": [_page(3, 4), _page(5), _page()],  # 3 also in the window before
        "2026-01-21": [_page(5, 6), _page(7, 6), _page()],  # 5 also in the window before
    }

    def answer(url: object, **kwargs: Any) -> CallbackResult:
        block = json.loads(kwargs["data"])["request"]["filter"]
        return CallbackResult(payload=pages[block["start"]][block["page"] - 1])

    mocked.post(URL, callback=answer, repeat=True)
    walk = client.reports.list(date(2026, 1, 1), date(2026, 1, 30), concurrency=concurrency)
    ids = [order.id async for order in walk]
    assert ids == ["1", "2", "3", "4", "5", "6", "7"]
