"""aioresponses pins the exact request JSON of every endpoint (reference §4, to the letter)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aioresponses import aioresponses
from yarl import URL

import iletimerkezi_async as im

from .conftest import BASE, HASH, KEY

OK = {"response": {"status": {"code": 200, "message": "İşlem başarılı"}}}
AUTH = {"authentication": {"key": KEY, "hash": HASH}}
IST = ZoneInfo("Europe/Istanbul")


def sent(mocked: aioresponses, endpoint: str) -> list[dict[str, Any]]:
    calls = mocked.requests[("POST", URL(f"{BASE}/v1/{endpoint}/json"))]
    for call in calls:
        headers = call.kwargs["headers"]
        assert headers["Content-Type"] == "application/json"
        assert not any(KEY in str(v) or HASH in str(v) for v in headers.values())
    return [json.loads(call.kwargs["data"]) for call in calls]


def reply(mocked: aioresponses, endpoint: str, **payload: Any) -> None:
    body = {"response": {**OK["response"], **payload}}
    mocked.post(f"{BASE}/v1/{endpoint}/json", payload=body)


async def test_send_single_transactional(client: im.Client, mocked: aioresponses) -> None:
    reply(mocked, "send-sms", order={"id": "12323232"})
    order = await client.sms.send("0505 123 45 67", "Kodunuz 1234")
    assert order == im.Order(id="12323232", recipients=1)
    assert sent(mocked, "send-sms") == [
        {
            "request": {
                **AUTH,
                "order": {
                    "sender": "ACME",
                    "iys": "0",
                    "message": {
                        "text": "Kodunuz 1234",
                        "receipents": {"number": ["+905051234567"]},
                    },
                },
            }
        }
    ]


async def test_send_commercial_scheduled(client: im.Client, mocked: aioresponses) -> None:
    reply(mocked, "send-sms", order={"id": 77})
    when = (datetime.now(IST) + timedelta(days=2)).replace(
        hour=9, minute=5, second=42, microsecond=1
    )
    utc_when = when.astimezone(ZoneInfo("UTC"))
    order = await client.sms.send(
        ["+905051234567", "905321234567", "5051234567"],
        "Kampanya",
        sender="SHOP",
        iys=im.IysList.TACIR,
        send_at=utc_when,
    )
    assert order == im.Order(id="77", recipients=2)
    (body,) = sent(mocked, "send-sms")
    assert body["request"]["order"] == {
        "sender": "SHOP",
        "sendDateTime": when.strftime("%d/%m/%Y 09:05"),
        "iys": "1",
        "iysList": "TACIR",
        "message": {
            "text": "Kampanya",
            "receipents": {"number": ["+905051234567", "+905321234567"]},
        },
    }
    assert "receipents" not in body["request"]["order"]


async def test_send_many_groups_texts(client: im.Client, mocked: aioresponses) -> None:
    reply(mocked, "send-sms", order={"id": "9"})
    order = await client.sms.send_many(
        {"5051234567": "Merhaba Ali", "5321234567": "Merhaba Ayse", "5331234567": "Merhaba Ali"},
        iys="bireysel",
    )
    assert order.recipients == 3
    (body,) = sent(mocked, "send-sms")
    assert body["request"]["order"] == {
        "sender": "ACME",
        "iys": "1",
        "iysList": "BIREYSEL",
        "message": [
            {
                "text": "Merhaba Ali",
                "receipents": {"number": ["+905051234567", "+905331234567"]},
            },
            {"text": "Merhaba Ayse", "receipents": {"number": ["+905321234567"]}},
        ],
    }


async def test_cancel(client: im.Client, mocked: aioresponses) -> None:
    mocked.post(
        f"{BASE}/v1/cancel-order/json",
        payload={"response": {"status": {"code": "200", "message": "İşlem başarılı"}}},
    )
    assert await client.sms.cancel(312891245) is None  # type: ignore[arg-type,func-returns-value]
    assert sent(mocked, "cancel-order") == [{"request": {**AUTH, "order": {"id": "312891245"}}}]


async def test_get_report(client: im.Client, mocked: aioresponses) -> None:
    reply(mocked, "get-report", order={"id": "5", "status": 113})
    report = await client.reports.get("5", page=3, page_size=250)
    assert report.status is im.OrderStatus.SENDING
    assert sent(mocked, "get-report") == [
        {"request": {**AUTH, "order": {"id": "5", "page": 3, "rowCount": 250}}}
    ]


async def test_balance_and_senders(client: im.Client, mocked: aioresponses) -> None:
    reply(mocked, "get-balance", balance={"amount": 10.584, "sms": 67})
    reply(mocked, "get-sender", senders={"sender": ["eMarka Test"]})
    assert await client.account.balance() == im.Balance(amount=Decimal("10.584"), sms=67)
    assert await client.account.senders() == ["eMarka Test"]
    assert sent(mocked, "get-balance") == [{"request": AUTH}]
    assert sent(mocked, "get-sender") == [{"request": AUTH}]


async def test_blacklist_add_remove(client: im.Client, mocked: aioresponses) -> None:
    reply(mocked, "add-blacklist")
    reply(mocked, "delete-blacklist")
    await client.blacklist.add("905051234567")
    await client.blacklist.remove("+90 505 123 45 67")
    expected = [{"request": {**AUTH, "blacklist": {"number": "+905051234567"}}}]
    assert sent(mocked, "add-blacklist") == expected
    assert sent(mocked, "delete-blacklist") == expected


async def test_iys_check(client: im.Client, mocked: aioresponses) -> None:
    reply(
        mocked,
        "consent/show",
        consent={
            "brandCode": 696422,
            "recipient": "+905051234567",
            "recipientType": "BIREYSEL",
            "type": "MESAJ",
            "status": "ONAY",
            "source": "HS_WEB",
            "consentDate": "2025-12-10 00:00:00",
        },
    )
    consent = await client.iys.check("696422", "5051234567", recipient_type="BIREYSEL")
    assert consent is not None and consent.status is im.ConsentStatus.ONAY
    assert sent(mocked, "consent/show") == [
        {
            "request": {
                **AUTH,
                "consent": {
                    "brandCode": 696422,
                    "recipient": "+905051234567",
                    "recipientType": "BIREYSEL",
                    "type": "MESAJ",
                },
            }
        }
    ]


async def test_iys_register(client: im.Client, mocked: aioresponses) -> None:
    reply(mocked, "consent/create")
    consents = [
        im.Consent(
            recipient="+905051234567",
            recipient_type=im.IysList.BIREYSEL,
            type=im.ConsentType.MESAJ,
            status=im.ConsentStatus.ONAY,
            source="HS_EORTAM",
            consent_date=datetime(2026, 1, 7, 23, 50, tzinfo=IST),
        ),
        im.Consent(
            recipient="info@example.com",
            recipient_type=im.IysList.TACIR,
            type=im.ConsentType.EPOSTA,
            status=im.ConsentStatus.RET,
            source="HS_WEB",
        ),
    ]
    results = await client.iys.register(696422, consents)
    assert results == [OK["response"]]
    assert sent(mocked, "consent/create") == [
        {
            "request": {
                **AUTH,
                "consent": {
                    "brandCode": 696422,
                    "list": [
                        {
                            "recipient": "+905051234567",
                            "recipientType": "BIREYSEL",
                            "type": "MESAJ",
                            "status": "ONAY",
                            "source": "HS_EORTAM",
                            "consentDate": "2026-01-07 23:50:00",
                        },
                        {
                            "recipient": "info@example.com",
                            "recipientType": "TACIR",
                            "type": "EPOSTA",
                            "status": "RET",
                            "source": "HS_WEB",
                        },
                    ],
                },
            }
        }
    ]


async def test_iys_register_chunks_of_5000(client: im.Client, mocked: aioresponses) -> None:
    for _ in range(3):
        reply(mocked, "consent/create")
    consents = [
        im.Consent(
            recipient=f"+90505{i:07d}",
            recipient_type=im.IysList.TACIR,
            type=im.ConsentType.MESAJ,
            status=im.ConsentStatus.ONAY,
            source="HS_WEB",
        )
        for i in range(12_001)
    ]
    results = await client.iys.register(696422, consents)
    assert len(results) == 3
    sizes = [len(b["request"]["consent"]["list"]) for b in sent(mocked, "consent/create")]
    assert sizes == [5000, 5000, 2001]


async def test_inbox(client: im.Client, mocked: aioresponses) -> None:
    reply(mocked, "get-inbox", orders={"totalRows": "0", "order": []})
    inbox = await client.inbox.list()
    assert inbox == im.Inbox(total=0, messages=())
    assert sent(mocked, "get-inbox") == [{"request": AUTH}]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 4, 1), date(2026, 4, 10), {"start": "2026-04-01", "end": "2026-04-10"}),
    ],
)
def test_get_reports_body(start: date, end: date, expected: dict[str, str]) -> None:
    from iletimerkezi_async import _wire

    call = _wire.get_reports(start, end, page=2)
    assert json.loads(_wire.encode(call.body, KEY, HASH)) == {
        "request": {**AUTH, "filter": {**expected, "page": 2}}
    }


def test_get_blacklist_body_nests_paging() -> None:
    from iletimerkezi_async import _wire

    call = _wire.get_blacklist(
        page=2,
        page_size=1000,
        start=datetime(2026, 4, 1, tzinfo=IST),
        end=datetime(2026, 4, 1, 21, 0, tzinfo=ZoneInfo("UTC")),
    )
    assert json.loads(_wire.encode(call.body, KEY, HASH)) == {
        "request": {
            **AUTH,
            "blacklist": {
                "filter": {"start": "2026-04-01 00:00:00", "end": "2026-04-02 00:00:00"},
                "page": 2,
                "rowCount": 1000,
            },
        }
    }
