"""Bad input is refused with InvalidRequestError naming field and rule, before any request.

Each case runs against the fake server and then asserts, through its request
log, that nothing reached it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

IST = ZoneInfo("Europe/Istanbul")
FUTURE = datetime.now(IST) + timedelta(days=1)
GOOD = "+905051234567"
Call = Callable[[im.Client], Any]


def consent(**changes: Any) -> im.Consent:
    fields: dict[str, Any] = {
        "recipient": GOOD,
        "recipient_type": im.IysList.BIREYSEL,
        "type": im.ConsentType.MESAJ,
        "status": im.ConsentStatus.ONAY,
        "source": "HS_WEB",
        "consent_date": datetime(2026, 1, 7, 23, 50, tzinfo=IST),
    }
    fields.update(changes)
    return im.Consent(**fields)


CASES: list[tuple[str, str, Call]] = [
    # numbers
    ("to", "mobile", lambda c: c.sms.send("12345", "x", sender="ACME")),
    ("to", "mobile", lambda c: c.sms.send("+902121234567", "x", sender="ACME")),
    ("to", "mobile", lambda c: c.sms.send("505123456", "x", sender="ACME")),
    ("to", "mobile", lambda c: c.sms.send("50512345678", "x", sender="ACME")),
    ("to", "mobile", lambda c: c.sms.send("abc", "x", sender="ACME")),
    ("to", "mobile", lambda c: c.sms.send("", "x", sender="ACME")),
    ("to[1]", "mobile", lambda c: c.sms.send([GOOD, "+90 505 12"], "x", sender="ACME")),
    ("to", "at least one", lambda c: c.sms.send([], "x", sender="ACME")),
    ("to", "iterable", lambda c: c.sms.send(None, "x", sender="ACME")),  # type: ignore[arg-type]
    ("to", "iterable", lambda c: c.sms.send(5051234567.0, "x", sender="ACME")),  # type: ignore[arg-type]
    ("to", "phone", lambda c: c.sms.send(True, "x", sender="ACME")),  # type: ignore[arg-type]
    ("to[0]", "phone", lambda c: c.sms.send([None], "x", sender="ACME")),  # type: ignore[list-item]
    (
        "to",
        "50,000",
        lambda c: c.sms.send((f"+90505{i:07d}" for i in range(50_001)), "x", sender="ACME"),
    ),
    # text
    ("text", "empty", lambda c: c.sms.send(GOOD, "", sender="ACME")),
    ("text", "empty", lambda c: c.sms.send(GOOD, "   \n", sender="ACME")),
    ("text", "7", lambda c: c.sms.send(GOOD, "a" * 1074, sender="ACME")),
    ("text", "7", lambda c: c.sms.send(GOOD, "ş" * 1039, sender="ACME")),
    ("text", "7", lambda c: c.sms.send(GOOD, "ж" * 444, sender="ACME")),
    ("text", "string", lambda c: c.sms.send(GOOD, None, sender="ACME")),  # type: ignore[arg-type]
    ("text", "invisible", lambda c: c.sms.send(GOOD, "\u200b\u200b", sender="ACME")),
    ("text", "invisible", lambda c: c.sms.send(GOOD, "\u200e\u200f\u202e", sender="ACME")),
    ("text", "invisible", lambda c: c.sms.send(GOOD, "\ufeff", sender="ACME")),
    ("text", "invisible", lambda c: c.sms.send(GOOD, " \u2060\u00ad\u3164 ", sender="ACME")),
    ("text", "surrogate", lambda c: c.sms.send(GOOD, "\ud800", sender="ACME")),
    ("text", "surrogate", lambda c: c.sms.send(GOOD, "ok \udfff", sender="ACME")),
    (
        "messages[1].text",
        "invisible",
        lambda c: c.sms.send_many({GOOD: "x", "5321234567": "\u200b"}, sender="ACME"),
    ),
    # sender
    ("sender", "11", lambda c: c.sms.send(GOOD, "x", sender="ABCDEFGHIJKL")),
    ("sender", "Turkish", lambda c: c.sms.send(GOOD, "x", sender="ŞİRKET")),
    ("sender", "ASCII", lambda c: c.sms.send(GOOD, "x", sender="ACME!")),
    ("sender", "empty", lambda c: c.sms.send(GOOD, "x", sender="")),
    ("sender", "space", lambda c: c.sms.send(GOOD, "x", sender=" ACME")),
    ("sender", "required", lambda c: c.sms.send(GOOD, "x")),
    # send_at
    (
        "send_at",
        "aware",
        lambda c: c.sms.send(GOOD, "x", sender="ACME", send_at=datetime(2030, 1, 1)),
    ),
    (
        "send_at",
        "future",
        lambda c: c.sms.send(GOOD, "x", sender="ACME", send_at=datetime(2020, 1, 1, tzinfo=IST)),
    ),
    (
        "send_at",
        "future",
        lambda c: c.sms.send(GOOD, "x", sender="ACME", send_at=datetime.now(IST)),
    ),
    (
        "send_at",
        "datetime",
        lambda c: c.sms.send(GOOD, "x", sender="ACME", send_at="2030-01-01 10:00"),  # type: ignore[arg-type]
    ),
    # iys
    ("iys", "BIREYSEL", lambda c: c.sms.send(GOOD, "x", sender="ACME", iys="KURUMSAL")),
    ("iys", "BIREYSEL", lambda c: c.sms.send(GOOD, "x", sender="ACME", iys=1)),  # type: ignore[arg-type]
    ("iys", "BIREYSEL", lambda c: c.sms.send(GOOD, "x", sender="ACME", iys=im.IysList.UNKNOWN)),
    # send_many
    (
        "messages[1].number",
        "more than once",
        lambda c: c.sms.send_many([(GOOD, "a"), ("5051234567", "b")], sender="ACME"),
    ),
    ("messages", "at least one", lambda c: c.sms.send_many({}, sender="ACME")),
    (
        "messages[0].text",
        "empty",
        lambda c: c.sms.send_many({GOOD: "", "5321234567": "x"}, sender="ACME"),
    ),
    ("messages[0]", "pair", lambda c: c.sms.send_many([GOOD], sender="ACME")),  # type: ignore[list-item]
    # order ids, pages
    ("order_id", "digits", lambda c: c.sms.cancel("abc")),
    ("order_id", "digits", lambda c: c.reports.get("")),
    ("order_id", "digits", lambda c: c.reports.get("-5")),
    ("order_id", "ASCII digits", lambda c: c.sms.cancel("١٢٣")),
    ("order_id", "ASCII digits", lambda c: c.sms.cancel("１２３")),
    ("order_id", "ASCII digits", lambda c: c.reports.get("²")),
    ("order_id", "ASCII digits", lambda c: c.reports.get("1" * 5000)),
    ("order_id", "ASCII digits", lambda c: c.reports.get(10**5000)),  # type: ignore[arg-type]
    ("order_id", "ASCII digits", lambda c: c.reports.get("1" * 20)),
    ("order_id", "ASCII digits", lambda c: c.reports.wait("٣", timeout=1)),
    ("order_id", "ASCII digits", lambda c: c.reports.messages("0").__anext__()),
    ("order_id", "ASCII digits", lambda c: c.sms.cancel(True)),  # type: ignore[arg-type]
    ("brand_code", "positive", lambda c: c.iys.check("١٢٣", GOOD)),
    ("brand_code", "positive", lambda c: c.iys.check("１２３", GOOD)),
    ("brand_code", "positive", lambda c: c.iys.check("²", GOOD)),
    ("brand_code", "positive", lambda c: c.iys.check("7" * 5000, GOOD)),
    ("brand_code", "positive", lambda c: c.iys.register(10**5000, [consent()])),
    ("page", "at least 1", lambda c: c.reports.get("5", page=0)),
    ("page", "at least 1", lambda c: c.reports.get("5", page=-1)),
    ("page", "at most 1,000,000", lambda c: c.reports.get("5", page=10**5000)),
    ("page", "at most 1,000,000", lambda c: c.reports.get("5", page=1_000_001)),
    ("page_size", "1 to 1000", lambda c: c.reports.get("5", page_size=1001)),
    ("page_size", "1 to 1000", lambda c: c.reports.get("5", page_size=0)),
    # dates before the service, or outside datetime's range
    ("start", "2000-01-01", lambda c: c.reports.list(date(1, 1, 1), date(2026, 1, 1))),
    ("start", "2000-01-01", lambda c: c.reports.list(date(1999, 12, 31), date(2000, 1, 5))),
    ("end", "2000-01-01", lambda c: c.reports.list(date(2026, 1, 1), date(1, 1, 2))),
    ("start", "2000-01-01", lambda c: c.blacklist.list(start=datetime(1, 1, 1, tzinfo=UTC))),
    ("end", "2000-01-01", lambda c: c.blacklist.list(end=datetime(1999, 1, 1, tzinfo=IST))),
    ("end", "range", lambda c: c.blacklist.list(end=datetime.max.replace(tzinfo=UTC))),
    (
        "send_at",
        "far",
        lambda c: c.sms.send(GOOD, "x", sender="ACME", send_at=datetime.max.replace(tzinfo=UTC)),
    ),
    (
        "consents[0].consent_date",
        "1900-01-01",
        lambda c: c.iys.register(696422, [consent(consent_date=datetime(1, 1, 1, tzinfo=UTC))]),
    ),
    (
        "consents[0].consent_date",
        "1900-01-01",
        lambda c: c.iys.register(
            696422,
            [consent(consent_date=datetime.min.replace(tzinfo=timezone(timedelta(hours=14))))],
        ),
    ),
    # waits
    ("interval", "finite", lambda c: c.inbox.poll(interval=float("inf"))),
    ("interval", "finite", lambda c: c.inbox.poll(interval=float("nan"))),
    ("interval", "seconds", lambda c: c.inbox.poll(interval="5")),  # type: ignore[arg-type]
    ("interval", "seconds", lambda c: c.inbox.poll(interval=True)),
    ("interval", "at most", lambda c: c.inbox.poll(interval=1e300, max_interval=1e300)),
    ("max_interval", "finite", lambda c: c.inbox.poll(max_interval=float("inf"))),
    ("max_interval", "finite", lambda c: c.inbox.poll(max_interval=10**400)),
    ("multiplier", "finite", lambda c: c.inbox.poll(multiplier=float("inf"))),
    ("multiplier", "finite", lambda c: c.inbox.poll(multiplier=float("nan"))),
    ("multiplier", "finite", lambda c: c.inbox.poll(multiplier="2")),  # type: ignore[arg-type]
    ("cursor", "FileCursor(path)", lambda c: c.inbox.poll(cursor="path")),  # type: ignore[arg-type]
    ("cursor", "cursor store", lambda c: c.inbox.poll(cursor=im.FileCursor)),  # type: ignore[arg-type]
    ("cursor", "cursor store", lambda c: c.inbox.poll(cursor=42)),  # type: ignore[arg-type]
    ("skip_existing", "True or False", lambda c: c.inbox.poll(skip_existing="no")),  # type: ignore[arg-type]
    ("timeout", "finite", lambda c: c.reports.wait("5", timeout=10**400)),
    ("timeout", "finite", lambda c: c.reports.wait("5", timeout=float("inf"))),
    ("max_interval", "finite", lambda c: c.reports.wait("5", timeout=1, max_interval=10**400)),
    ("max_interval", "finite", lambda c: c.reports.wait("5", timeout=1, max_interval=float("nan"))),
    # blacklist
    ("number", "mobile", lambda c: c.blacklist.add("0212 123 45 67")),
    ("number", "mobile", lambda c: c.blacklist.remove("hello")),
    ("number", "one phone number", lambda c: c.blacklist.add(["5051111111", "5052222222"])),  # type: ignore[arg-type]
    ("number", "one phone number", lambda c: c.blacklist.add(("5051111111",))),  # type: ignore[arg-type]
    ("number", "one phone number", lambda c: c.blacklist.remove({"5051111111"})),  # type: ignore[arg-type]
    ("number", "one phone number", lambda c: c.blacklist.add(None)),  # type: ignore[arg-type]
    # İYS
    ("brand_code", "positive", lambda c: c.iys.check(0, GOOD)),
    ("brand_code", "positive", lambda c: c.iys.check("abc", GOOD)),
    ("recipient", "e-mail", lambda c: c.iys.check(696422, "not-an-email@")),
    ("recipient_type", "BIREYSEL", lambda c: c.iys.check(696422, GOOD, recipient_type="KISI")),
    ("type", "MESAJ", lambda c: c.iys.check(696422, GOOD, type="SMS")),
    ("consents", "at least one", lambda c: c.iys.register(696422, [])),
    ("consents[0].source", "HS_", lambda c: c.iys.register(696422, [consent(source="WEB")])),
    (
        "consents[0].source",
        "HS_",
        lambda c: c.iys.register(696422, [consent(source="HS_" + "A" * 5000)]),
    ),
    ("consents[0].status", "ONAY", lambda c: c.iys.register(696422, [consent(status="EVET")])),
    (
        "consents[0].consent_date",
        "required",
        lambda c: c.iys.register(696422, [consent(consent_date=None)]),
    ),
    (
        "consents[0].consent_date",
        "future",
        lambda c: c.iys.register(696422, [consent(consent_date=FUTURE)]),
    ),
    (
        "consents[0].consent_date",
        "aware",
        lambda c: c.iys.register(696422, [consent(consent_date=datetime(2026, 1, 1))]),
    ),
    (
        "consents[1].recipient",
        "mobile",
        lambda c: c.iys.register(696422, [consent(), consent(recipient="123")]),
    ),
    ("consents[0]", "Consent", lambda c: c.iys.register(696422, [{"recipient": GOOD}])),  # type: ignore[list-item]
    (
        "consents[0].recipient",
        "e-mail address for an EPOSTA",
        lambda c: c.iys.register(696422, [consent(type=im.ConsentType.EPOSTA)]),
    ),
    (
        "consents[1].recipient",
        "phone number for MESAJ and ARAMA",
        lambda c: c.iys.register(696422, [consent(), consent(recipient="a@example.com")]),
    ),
    (
        "consents[0].recipient",
        "phone number for MESAJ and ARAMA",
        lambda c: c.iys.register(
            696422, [consent(type=im.ConsentType.ARAMA, recipient="a@example.com")]
        ),
    ),
    (
        "consents[0].recipient",
        "Turkish mobile",
        lambda c: c.iys.register(696422, [consent(recipient="+4915112345678")]),
    ),
    (
        "consents[0].recipient",
        "invisible",
        lambda c: c.iys.register(
            696422, [consent(type=im.ConsentType.EPOSTA, recipient="ali\u200b@example.com")]
        ),
    ),
    (
        "recipient",
        "invisible",
        lambda c: c.iys.check(696422, "ali@exam\u200eple.com", type="EPOSTA"),
    ),
    (
        "recipient",
        "invisible",
        lambda c: c.iys.check(696422, "ali@example.com\ufeff", type="EPOSTA"),
    ),
    ("recipient", "invisible", lambda c: c.iys.check(696422, "a\ud800@example.com", type="EPOSTA")),
    ("recipient", "invisible", lambda c: c.iys.check(696422, "a li@example.com", type="EPOSTA")),
    ("recipient", "254", lambda c: c.iys.check(696422, "a" * 250 + "@example.com", type="EPOSTA")),
    ("consents", "iterable", lambda c: c.iys.register(696422, consent())),  # type: ignore[arg-type]
    ("consents", "iterable", lambda c: c.iys.register(696422, None)),  # type: ignore[arg-type]
    (
        "recipient",
        "e-mail address for an EPOSTA",
        lambda c: c.iys.check(696422, GOOD, type="EPOSTA"),
    ),
    (
        "recipient",
        "phone number for MESAJ and ARAMA",
        lambda c: c.iys.check(696422, "a@example.com"),
    ),
]


@pytest.mark.parametrize(
    ("field", "rule", "call"), CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)]
)
async def test_refused_before_any_request(
    fake_iletimerkezi: FakeIletiMerkezi, field: str, rule: str, call: Call
) -> None:
    async with fake_iletimerkezi.client(send_limiter=None) as client:
        with pytest.raises(im.InvalidRequestError) as caught:
            await call(client)
    assert caught.value.field == field
    assert rule.casefold() in caught.value.rule.casefold()
    assert fake_iletimerkezi.requests == []


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


async def test_a_late_bad_consent_stops_every_chunk(fake_iletimerkezi: FakeIletiMerkezi) -> None:
    consents = [consent(recipient=f"+90505{i:07d}") for i in range(7000)]
    consents.append(consent(source="nope"))
    async with fake_iletimerkezi.client() as client:
        with pytest.raises(im.InvalidRequestError) as caught:
            await client.iys.register(696422, consents)
    assert caught.value.field == "consents[7000].source"
    assert fake_iletimerkezi.requests == []


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        (consent(type=im.ConsentType.EPOSTA), "e-mail address for an EPOSTA"),
        (consent(recipient="a@example.com"), "phone number for MESAJ and ARAMA"),
        (
            consent(type=im.ConsentType.ARAMA, recipient="a@example.com"),
            "phone number for MESAJ and ARAMA",
        ),
    ],
)
async def test_a_consent_the_server_would_refuse_writes_nothing(
    fake_iletimerkezi: FakeIletiMerkezi, bad: im.Consent, rule: str
) -> None:
    # The case: 5,000 good records went in, then the server refused chunk 2.
    consents = [consent(recipient=f"+90505{i:07d}") for i in range(6000)]
    consents.append(bad)
    async with fake_iletimerkezi.client() as client:
        with pytest.raises(im.InvalidRequestError) as caught:
            await client.iys.register(696422, consents)
    assert caught.value.field == "consents[6000].recipient"
    assert rule.casefold() in caught.value.rule.casefold()
    assert "@" not in str(caught.value) and "505" not in str(caught.value)
    assert fake_iletimerkezi.requests == []
    assert not fake_iletimerkezi.account.consents


@pytest.mark.parametrize("text", ["\ud800", "a\udc00b"])
def test_segments_refuses_a_lone_surrogate(text: str) -> None:
    with pytest.raises(im.InvalidRequestError) as caught:
        im.segments(text)
    assert caught.value.field == "text"
    assert "surrogate" in caught.value.rule


@pytest.mark.parametrize("text", ["e\u0301", "\u200bx", "😀", "\U0001fae9", "\uf8ff"])
async def test_a_visible_character_among_invisible_ones_is_sent(
    fake_iletimerkezi: FakeIletiMerkezi, text: str
) -> None:
    async with fake_iletimerkezi.client(send_limiter=None) as client:
        await client.sms.send(GOOD, text, sender="APITEST")
    assert len(fake_iletimerkezi.requests) == 1
