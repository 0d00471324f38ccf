"""get-inbox: all-string shape, oldest first, the 1000 cap."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from iletimerkezi_async.testing import FakeIletiMerkezi

from .conftest import Api


async def test_empty_inbox(api: Api) -> None:
    body = await api.call("get-inbox")
    assert body["orders"] == {"totalRows": "0", "order": []}


async def test_inbound_shape_and_order(api: Api, fake: FakeIletiMerkezi) -> None:
    first = fake.add_inbound("ILT AHKTEST RET", received_at=datetime(2026, 4, 9, 11, 18, 44))
    second = fake.add_inbound("Evet", sender="+905354104818", number="+905000000001")
    older = fake.add_inbound("eski", received_at=datetime(2026, 1, 1, 8, 0, 0))
    assert int(first) < int(second) < int(older)
    body = await api.call("get-inbox")
    assert body["orders"]["totalRows"] == "3"
    assert [m["id"] for m in body["orders"]["order"]] == [older, first, second]
    assert body["orders"]["order"][1] == {
        "id": first,
        "date": "2026-04-09 11:18:44",
        "sender": "7889",
        "number": "+905000000000",
        "text": "ILT AHKTEST RET",
    }
    stored = datetime.strptime(body["orders"]["order"][2]["date"], "%Y-%m-%d %H:%M:%S")
    assert abs((fake.clock.now().replace(tzinfo=None) - stored).total_seconds()) < 5
    assert all(isinstance(v, str) for m in body["orders"]["order"] for v in m.values())
    assert [r.id for r in fake.account.inbound] == [first, second, older]


async def test_reading_is_not_destructive(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.add_inbound("bir")
    assert (await api.call("get-inbox"))["orders"]["totalRows"] == "1"
    assert (await api.call("get-inbox"))["orders"]["totalRows"] == "1"


@pytest.mark.fake_iletimerkezi(legacy_types=True)
async def test_cap_at_the_newest_thousand(api: Api, fake: FakeIletiMerkezi) -> None:
    start = datetime(2026, 1, 1)
    ids = [fake.add_inbound(f"m{i}", received_at=start + timedelta(seconds=i)) for i in range(1205)]
    body = await api.call("get-inbox")
    assert body["orders"]["totalRows"] == "1205"
    listed = [m["id"] for m in body["orders"]["order"]]
    assert listed == ids[205:]
