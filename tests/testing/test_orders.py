"""get-report, cancel-order and the delivery progression on the fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from iletimerkezi_async.testing import FakeIletiMerkezi

from .conftest import Api


def later(fake: FakeIletiMerkezi, **delta: float) -> str:
    return (fake.clock.now() + timedelta(**delta)).strftime("%d/%m/%Y %H:%M")


def advance_to(fake: FakeIletiMerkezi, when: datetime) -> None:
    fake.advance(max(0.0, (when - fake.clock.now()).total_seconds()))


async def report(api: Api, order_id: Any, **more: Any) -> dict[str, Any]:
    return await api.call("get-report", order={"id": order_id, **more})


async def test_report_shape_and_progression(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id(["5051234567", "5051234568"])
    first = (await report(api, order_id))["order"]
    assert first == {
        "id": order_id,
        "status": 113,
        "total": 2,
        "delivered": 0,
        "undelivered": 0,
        "waiting": 2,
        "submitAt": first["submitAt"],
        "sendAt": first["submitAt"],
        "sender": "APITEST",
        "price": 2,
        "message": [
            {"number": "+905051234567", "status": 110},
            {"number": "+905051234568", "status": 110},
        ],
    }
    datetime.strptime(first["submitAt"], "%Y-%m-%d %H:%M:%S")
    fake.advance(0.5)
    assert (await report(api, order_id))["order"]["status"] == 113
    fake.advance(0.6)
    final = (await report(api, int(order_id)))["order"]
    assert final["status"] == 114
    assert (final["delivered"], final["undelivered"], final["waiting"]) == (2, 0, 0)
    assert {m["status"] for m in final["message"]} == {111}


@pytest.mark.fake_iletimerkezi(undeliverable=("5051234568",), delivery_delay=10)
async def test_undeliverable_and_blacklisted_end_112(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.account.add_blacklist("5051234569")
    order_id = await api.send_id(["5051234567", "5051234568", "5051234569"])
    fake.advance(9)
    assert (await report(api, order_id))["order"]["waiting"] == 3
    fake.advance(1)
    body = (await report(api, order_id))["order"]
    assert body["status"] == 114
    assert (body["delivered"], body["undelivered"], body["waiting"]) == (1, 2, 0)
    assert [m["status"] for m in body["message"]] == [111, 112, 112]


async def test_report_id_forms_and_unknown(api: Api) -> None:
    order_id = await api.send_id()
    assert (await report(api, order_id))["status"]["code"] == 200
    assert (await report(api, int(order_id)))["status"]["code"] == 200
    assert (await report(api, f" {order_id} "))["status"]["code"] == 200
    for unknown in (1, "1", "abc", "999999999999"):
        assert (await report(api, unknown))["status"]["code"] == 455
    for broken in (None, 1.5, [1], True):
        assert (await report(api, broken))["status"]["code"] == 400
    assert await api.code("get-report") == 400


# ----------------------------------------------------------------- pagination


@pytest.mark.fake_iletimerkezi(rate_limit=None)
async def test_report_pagination(api: Api, fake: FakeIletiMerkezi) -> None:
    numbers = [f"505{i:07d}" for i in range(2500)]
    order_id = await api.send_id(numbers)
    page1 = (await report(api, order_id))["order"]
    assert len(page1["message"]) == 1000
    assert page1["total"] == 2500
    page3 = (await report(api, order_id, page=3, rowCount=1000))["order"]
    assert len(page3["message"]) == 500
    assert page3["message"][0]["number"] == "+905050002000"
    past = (await report(api, order_id, page=4))["order"]
    assert past["message"] == []
    assert past["total"] == 2500
    small = (await report(api, order_id, page="2", rowCount="7"))["order"]
    assert [m["number"] for m in small["message"]] == [f"+905050000{i:03d}" for i in range(7, 14)]
    clamped = (await report(api, order_id, rowCount=5000))["order"]
    assert len(clamped["message"]) == 1000


@pytest.mark.parametrize("page", [0, -1, "0", "-3"])
async def test_report_page_below_one_is_464(api: Api, page: Any) -> None:
    order_id = await api.send_id()
    assert (await report(api, order_id, page=page))["status"]["code"] == 464


@pytest.mark.parametrize(("field", "value"), [("page", "x"), ("rowCount", 0), ("rowCount", "abc")])
async def test_report_bad_paging_is_400(api: Api, field: str, value: Any) -> None:
    order_id = await api.send_id()
    assert (await report(api, order_id, **{field: value}))["status"]["code"] == 400


# ----------------------------------------------------------------- scheduling, cancel


async def test_scheduled_report_is_456_until_send_at(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id(sendDateTime=later(fake, hours=1))
    assert (await report(api, order_id))["status"]["code"] == 456
    advance_to(fake, fake.account.orders[order_id].send_at - timedelta(seconds=1))
    assert (await report(api, order_id))["status"]["code"] == 456
    advance_to(fake, fake.account.orders[order_id].send_at)
    body = (await report(api, order_id))["order"]
    assert body["status"] == 113
    assert body["sendAt"] > body["submitAt"]
    fake.advance(1)
    assert (await report(api, order_id))["order"]["status"] == 114


async def test_cancel_before_send_at(api: Api, fake: FakeIletiMerkezi) -> None:
    credits = fake.account.sms_credits
    order_id = await api.send_id(["5051234567", "5051234568"], sendDateTime=later(fake, hours=1))
    assert fake.account.sms_credits == credits - 2
    response = await api.call("cancel-order", order={"id": order_id})
    assert response == {"status": {"code": 200, "message": "İşlem başarılı"}}
    assert fake.account.sms_credits == credits
    assert fake.account.orders[order_id].status == 115
    assert fake.account.orders[order_id].cancelled
    body = (await report(api, order_id))["order"]
    assert body["status"] == 115
    assert (body["delivered"], body["undelivered"], body["waiting"]) == (0, 2, 0)
    assert body["price"] == 0
    assert {m["status"] for m in body["message"]} == {112}
    assert await api.code("cancel-order", order={"id": order_id}) == 455
    fake.advance(7200)
    assert fake.account.orders[order_id].status == 115


async def test_cancel_with_int_id(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id(sendDateTime=later(fake, minutes=30))
    assert await api.code("cancel-order", order={"id": int(order_id)}) == 200


async def test_cancel_window_closes_at_send_at(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id(sendDateTime=later(fake, hours=1))
    advance_to(fake, fake.account.orders[order_id].send_at - timedelta(seconds=1))
    assert fake.account.orders[order_id].status == 113
    advance_to(fake, fake.account.orders[order_id].send_at)
    assert await api.code("cancel-order", order={"id": order_id}) == 455
    assert fake.account.orders[order_id].status == 113


async def test_cancel_immediate_unknown_and_historical(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id()
    assert await api.code("cancel-order", order={"id": order_id}) == 455
    assert await api.code("cancel-order", order={"id": 42}) == 455
    assert await api.code("cancel-order", order={"id": "x"}) == 455
    old = fake.add_order(datetime(2026, 1, 1, 12, 0))
    assert await api.code("cancel-order", order={"id": old}) == 455
    assert await api.code("cancel-order") == 400
    assert await api.code("cancel-order", order={}) == 400


@pytest.mark.fake_iletimerkezi(legacy_types=True, undeliverable=("5051234568",))
async def test_legacy_report_shape(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id(["5051234567", "5051234568"])
    fake.advance(2)
    body = await report(api, order_id)
    assert body["status"]["code"] == 200
    order = body["order"]
    assert order["id"] == int(order_id)
    assert order["price"] == "2,0000"
    assert order["message"] == [
        {"number": 5051234567, "status": 111},
        {"number": 5051234568, "status": 112},
    ]
    assert isinstance(order["total"], int)


# ----------------------------------------------------------------- hooks


async def test_historical_orders(api: Api, fake: FakeIletiMerkezi) -> None:
    done = fake.add_order(datetime(2026, 3, 1, 9, 30), recipients=3)
    sending = fake.add_order(datetime(2026, 3, 1, 9, 31), status=113, sender="ACME")
    failed = fake.add_order(datetime(2026, 3, 1, 9, 32), status=115)
    body = (await report(api, done))["order"]
    assert body["submitAt"] == body["sendAt"] == "2026-03-01 09:30:00"
    assert (body["status"], body["delivered"], body["total"], body["price"]) == (114, 3, 3, 3)
    assert len({m["number"] for m in body["message"]}) == 3
    assert (await report(api, sending))["order"]["status"] == 113
    assert (await report(api, sending))["order"]["sender"] == "ACME"
    fake.advance(10**6)
    assert (await report(api, sending))["order"]["waiting"] == 1
    assert (await report(api, failed))["order"]["status"] == 115


def test_add_order_validates_and_converts(fake: FakeIletiMerkezi) -> None:
    with pytest.raises(ValueError, match="status"):
        fake.add_order(datetime(2026, 1, 1), status=111)
    with pytest.raises(ValueError, match="recipients"):
        fake.add_order(datetime(2026, 1, 1), recipients=0)
    aware = datetime.fromisoformat("2026-01-01T09:00:00+00:00")
    order_id = fake.add_order(aware)
    assert fake.account.orders[order_id].submitted_at.strftime("%H:%M") == "12:00"


async def test_orders_view_is_read_only_and_live(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id()
    assert order_id in fake.account.orders
    assert list(fake.account.orders) == [order_id]
    assert len(fake.account.orders) == 1
    with pytest.raises(KeyError):
        fake.account.orders["nope"]
    with pytest.raises(TypeError):
        fake.account.orders[order_id] = fake.account.orders[order_id]  # type: ignore[index]
    snapshot = fake.account.orders[order_id]
    fake.advance(2)
    assert snapshot.status == 113
    assert fake.account.orders[order_id].status == 114


async def test_delivery_events_come_from_one_place(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.account.add_blacklist("5051234568")
    order_id = await api.send_id(["5051234567", "5051234568"], "Olay")
    scheduled = await api.send_id(["5051234567"], "Sonra", sendDateTime=later(fake, hours=1))
    events = fake.account.collect_events()
    assert [(e.status, e.to) for e in events] == [
        ("accepted", "+905051234567"),
        ("accepted", "+905051234568"),
    ]
    assert fake.account.collect_events() == []
    fake.advance(1)
    finals = fake.account.collect_events()
    assert [(e.status, e.to, e.order_id) for e in finals] == [
        ("delivered", "+905051234567", order_id),
        ("undelivered", "+905051234568", order_id),
    ]
    payload = finals[0].payload()["report"]
    assert payload["packet_id"] == int(order_id)
    assert payload["id"] == events[0].message_id
    assert payload["body"].startswith("Bu mesaj")
    fake.advance(4000)
    assert [(e.status, e.order_id) for e in fake.account.collect_events()] == [
        ("accepted", scheduled),
        ("delivered", scheduled),
    ]
    cancelled = await api.send_id(["5051234567"], "İptal", sendDateTime=later(fake, hours=1))
    await api.call("cancel-order", order={"id": cancelled})
    fake.advance(7200)
    assert fake.account.collect_events() == []
