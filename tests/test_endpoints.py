"""Every endpoint's behaviour over real loopback HTTP against the fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

IST = ZoneInfo("Europe/Istanbul")
FAST = im.RetryPolicy(attempts=3, base=0.0, cap=0.0)


@pytest.fixture(params=[False, True], ids=["2026", "legacy"])
async def fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi(senders=("APITEST", "ACME"), legacy_types=request.param) as f:
        yield f


@pytest.fixture
async def client(fake: FakeIletiMerkezi) -> AsyncIterator[im.Client]:
    async with fake.client(retry=FAST, send_limiter=None, default_sender="ACME") as c:
        yield c


async def test_balance_is_debited_per_part_and_recipient(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    before = await client.account.balance()
    assert isinstance(before.amount, Decimal)
    text = "x" * 200  # two GSM-7 parts
    assert im.segments(text).parts == 2
    await client.sms.send(["5051234567", "5321234567", "5331234567"], text)
    after = await client.account.balance()
    assert before.sms - after.sms == 6


async def test_senders_list_the_approved_names(client: im.Client) -> None:
    assert set(await client.account.senders()) >= {"APITEST", "ACME"}


async def test_unapproved_sender_is_450(client: im.Client) -> None:
    with pytest.raises(im.SenderError) as caught:
        await client.sms.send("5051234567", "Merhaba", sender="OTHER")
    assert caught.value.code == 450


async def test_send_then_report_progresses_to_completed(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    order = await client.sms.send(["5051234567", "+905321234567"], "Kodunuz 1234")
    assert order.recipients == 2 and order.id.isdigit()
    first = await client.reports.get(order.id)
    assert first.id == order.id
    assert first.status is im.OrderStatus.SENDING
    assert first.waiting == 2 and first.total == 2
    assert {m.status for m in first.messages} == {im.MessageStatus.PENDING}
    fake.advance(3600)
    final = await client.reports.get(order.id)
    assert final.status is im.OrderStatus.COMPLETED
    assert final.delivered + final.undelivered == 2 and final.waiting == 0
    assert sorted(m.number for m in final.messages) == ["+905051234567", "+905321234567"]
    assert final.sender == "ACME"
    assert final.submitted_at is not None and final.submitted_at.tzinfo is not None


async def test_report_pages(fake: FakeIletiMerkezi, client: im.Client) -> None:
    numbers = [f"+90505{i:07d}" for i in range(25)]
    order = await client.sms.send(numbers, "Duyuru")
    pages = [await client.reports.get(order.id, page=p, page_size=10) for p in (1, 2, 3, 4)]
    assert [len(p.messages) for p in pages] == [10, 10, 5, 0]
    assert sorted(m.number for p in pages for m in p.messages) == sorted(numbers)
    assert all(p.total == 25 for p in pages)


async def test_unknown_order_is_455(client: im.Client) -> None:
    with pytest.raises(im.OrderNotFoundError):
        await client.reports.get("999999999")


async def test_scheduled_order_456_then_cancel_then_115(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    when = datetime.now(IST) + timedelta(hours=2)
    order = await client.sms.send("5051234567", "Yarın görüşelim", send_at=when)
    stored = fake.requests[-1].body
    assert stored["request"]["order"]["sendDateTime"] == when.strftime("%d/%m/%Y %H:%M")
    with pytest.raises(im.OrderNotReadyError):
        await client.reports.get(order.id)
    await client.sms.cancel(order.id)
    with pytest.raises(im.OrderNotFoundError):
        await client.sms.cancel(order.id)  # a second cancel: the window is closed
    fake.advance(3 * 3600)
    report = await client.reports.get(order.id)
    assert report.status is im.OrderStatus.FAILED


async def test_cancel_after_send_time_is_455(fake: FakeIletiMerkezi, client: im.Client) -> None:
    order = await client.sms.send("5051234567", "Şimdi")
    with pytest.raises(im.OrderNotFoundError):
        await client.sms.cancel(order.id)


async def test_duplicate_within_ten_minutes_is_451(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    await client.sms.send("5051234567", "Aynı metin")
    with pytest.raises(im.DuplicateOrderError):
        await client.sms.send("+905051234567", "Aynı metin")
    fake.advance(601)
    assert (await client.sms.send("5051234567", "Aynı metin")).recipients == 1


async def test_send_many_stores_each_text(fake: FakeIletiMerkezi, client: im.Client) -> None:
    order = await client.sms.send_many({"5051234567": "Merhaba Ali", "5321234567": "Merhaba Ayşe"})
    assert order.recipients == 2
    body = fake.requests[-1].body["request"]["order"]
    assert isinstance(body["message"], list) and len(body["message"]) == 2


async def test_blacklist_add_is_idempotent_remove_is_not(client: im.Client) -> None:
    await client.blacklist.add("5051234567")
    await client.blacklist.add("905051234567")
    await client.blacklist.remove("5051234567")
    with pytest.raises(im.BlacklistError) as caught:
        await client.blacklist.remove("5051234567")
    assert caught.value.code == 474


async def test_blacklisted_only_recipient_is_452(client: im.Client) -> None:
    await client.blacklist.add("5051234567")
    with pytest.raises(im.RecipientError):
        await client.sms.send("5051234567", "Merhaba")


async def test_iys_register_then_check(client: im.Client) -> None:
    consent = im.Consent(
        recipient="+905051234567",
        recipient_type=im.IysList.BIREYSEL,
        type=im.ConsentType.MESAJ,
        status=im.ConsentStatus.ONAY,
        source="HS_WEB",
        consent_date=datetime(2025, 12, 10, tzinfo=IST),
    )
    results = await client.iys.register(696422, [consent])
    assert len(results) == 1 and results[0]["status"]["code"] in (200, "200")
    found = await client.iys.check(696422, "5051234567")
    assert found == consent


async def test_iys_check_none_for_422_and_for_the_empty_list_drift(client: im.Client) -> None:
    assert await client.iys.check(696422, "5059999999") is None  # no record at all: 422
    consent = im.Consent(
        recipient="+905051234567",
        recipient_type=im.IysList.BIREYSEL,
        type=im.ConsentType.MESAJ,
        status=im.ConsentStatus.RET,
        source="HS_WEB",
        consent_date=datetime(2025, 12, 10, tzinfo=IST),
    )
    await client.iys.register(696422, [consent])
    # A record exists for BIREYSEL; TACIR/MESAJ answers 200 with consent: [].
    assert await client.iys.check(696422, "5051234567", recipient_type="TACIR") is None


async def test_iys_without_subscription_is_403() -> None:
    async with (
        FakeIletiMerkezi(iys_subscription=False) as fake,
        fake.client(retry=FAST) as client,
    ):
        with pytest.raises(im.SubscriptionError):
            await client.iys.check(696422, "5051234567")


async def test_inbox_lists_oldest_first(fake: FakeIletiMerkezi, client: im.Client) -> None:
    first = fake.add_inbound("ILT AHKTEST RET", sender="7889")
    second = fake.add_inbound("Merhaba", sender="+905321234567")
    inbox = await client.inbox.list()
    assert inbox.total == 2
    assert [m.id for m in inbox.messages] == [first, second]
    assert inbox.messages[0].matches("RET") and not inbox.messages[1].matches("RET")
    assert inbox.messages[1].sender == "+905321234567"
    assert inbox.messages[0].received_at.tzinfo is not None


@pytest.mark.parametrize(
    ("options", "cls"),
    [
        ({"api_access": False}, im.AuthenticationError),
        ({"ip_allowed": False}, im.AuthenticationError),
    ],
)
async def test_auth_failures(options: dict[str, Any], cls: type[im.APIError]) -> None:
    async with FakeIletiMerkezi(**options) as fake, fake.client(retry=FAST) as client:
        with pytest.raises(cls):
            await client.account.balance()


async def test_wrong_credentials_are_401() -> None:
    async with (
        FakeIletiMerkezi() as fake,
        im.Client("wrong", "creds", base_url=fake.url, retry=FAST) as client,
    ):
        with pytest.raises(im.AuthenticationError):
            await client.account.balance()
    assert len(fake.requests) == 1  # never retried


async def test_insufficient_balance_is_402() -> None:
    async with (
        FakeIletiMerkezi(sms_credits=1, senders=("ACME",)) as fake,
        fake.client(retry=FAST, default_sender="ACME") as client,
    ):
        with pytest.raises(im.InsufficientBalanceError):
            await client.sms.send(["5051234567", "5321234567"], "Merhaba")
