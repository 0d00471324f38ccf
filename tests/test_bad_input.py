# Every call below passes a wrong type on purpose; loop variables hold values of many types.
# mypy: disable-error-code="arg-type,assignment,dict-item,misc"
"""Malformed arguments on every public method: refused before any request, naming the field.

One table of (field, call): each call must raise ``InvalidRequestError`` (or
``ConfigurationError`` for client settings) whose ``field`` is the argument
at fault, and the fake server's request log must stay empty.  Values cover
wrong types, bools for ints, NaN and infinities, negative and huge numbers,
non-ASCII digits, invisible-only and lone-surrogate texts, over-long strings,
naive datetimes, wrong enum values, and iterables where one value is wanted
(and the other way round).  No error message may repeat a phone number or a
text (KVKK), so each message is also checked for the value it refused.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi
from iletimerkezi_async.text import max_characters

from .test_validation import consent

IST = ZoneInfo("Europe/Istanbul")
GOOD = "+905051234567"
EMAIL = "zeynep.kaya@example.com"
TEXT = "Kampanya-7f3e"
Call = Callable[[im.Client], Any]

NAN, INF = float("nan"), float("inf")
HUGE = 10**5000  # str() of it raises ValueError ("Exceeds the limit")
INVISIBLE_TEXTS = {
    "zero-width-space": "\u200b",
    "zwsp-run": "\u200b\u200c\u200d",
    "lrm-rlm": "\u200e\u200f",
    "rtl-override": "\u202e\u202c",
    "bom": "\ufeff",
    "word-joiner": "\u2060",
    "soft-hyphen": "\u00ad",
    "hangul-filler": "\u3164",
    "braille-blank": "\u2800",
    "combining-only": "\u0301\u0308",
    "ideographic-space": "\u3000 \t\n",
    "line-separator": "\u2028",
}
SURROGATE_TEXTS = {"high": "\ud800", "low": "\udfff", "inside": "ok \ud83d then"}
NON_ASCII_DIGITS = {
    "arabic-indic": "١٢٣",
    "fullwidth": "１２３",
    "superscript": "²",
    "bengali": "১২",
}


def _send(**kw: Any) -> Call:
    args: dict[str, Any] = {"to": GOOD, "text": TEXT, "sender": "ACME"}
    args.update(kw)
    return lambda c: c.sms.send(args.pop("to"), args.pop("text"), **args)


def _cases() -> Iterator[tuple[str, str, Call]]:  # noqa: C901 (one flat table)
    """(id, field, call) for every malformed argument tried."""
    # --- sms.send: to -------------------------------------------------------------------
    for name, value in {
        "none": None,
        "bool": True,
        "float": 5051234567.0,
        "bytes": b"5051234567",
        "dict": {GOOD: "x"},
        "empty-str": "",
        "letters": "abc",
        "landline": "+902121234567",
        "short": "505123456",
        "zwsp-inside": "505123\u200b4567",
        "fullwidth-digits": "５０５１２３４５６７",
        "arabic-digits": "٥٠٥١٢٣٤٥٦٧",
        "overlong": "5" * 5000,
        "huge-int": HUGE,
        "negative-int": -5051234567,
        "surrogate": "505\ud800",
        "async-iterable": _AsyncNumbers(),
    }.items():
        yield f"send-to-{name}", "to", _send(to=value)
    yield "send-to-empty-list", "to", _send(to=[])
    yield "send-to-nested-list", "to[0]", _send(to=[[GOOD]])
    yield "send-to-none-item", "to[1]", _send(to=[GOOD, None])
    yield "send-to-bool-item", "to[0]", _send(to=[False])
    yield "send-to-float-item", "to[0]", _send(to=[5051234567.0])
    yield "send-to-bad-item", "to[2]", _send(to=[GOOD, "5321234567", "x"])
    # --- sms.send: text -----------------------------------------------------------------
    for name, value in {
        "none": None,
        "int": 5,
        "bytes": b"hi",
        "list": [TEXT],
        "empty": "",
        "spaces": "   ",
        "too-long-gsm7": "a" * 1074,
        "too-long-ucs2": "ж" * 444,
        **{f"invisible-{k}": v for k, v in INVISIBLE_TEXTS.items()},
        **{f"surrogate-{k}": v for k, v in SURROGATE_TEXTS.items()},
    }.items():
        yield f"send-text-{name}", "text", _send(text=value)
    # --- sms.send: sender ---------------------------------------------------------------
    for name, value in {
        "empty": "",
        "too-long": "ABCDEFGHIJKL",
        "overlong": "A" * 5000,
        "turkish": "ŞİRKET",
        "punctuation": "ACME!",
        "leading-space": " ACME",
        "zwsp": "ACME\u200b",
        "fullwidth": "ＡＣＭＥ",
        "surrogate": "AC\ud800",
        "int": 5,
        "bytes": b"ACME",
        "list": ["ACME"],
    }.items():
        yield f"send-sender-{name}", "sender", _send(sender=value)
    yield "send-sender-missing", "sender", _send(sender=None)
    # --- sms.send: send_at and iys ------------------------------------------------------
    for name, value in {
        "naive": datetime(2030, 1, 1, 10, 0),
        "past": datetime(2020, 1, 1, tzinfo=IST),
        "str": "2030-01-01 10:00",
        "date": date(2030, 1, 1),
        "timestamp": 1_900_000_000,
        "max": datetime.max.replace(tzinfo=UTC),
        "min": datetime.min.replace(tzinfo=timezone(timedelta(hours=14))),
    }.items():
        yield f"send-send_at-{name}", "send_at", _send(send_at=value)
    for name, value in {
        "wrong": "KURUMSAL",
        "empty": "",
        "int": 1,
        "bool": True,
        "list": ["BIREYSEL"],
        "unknown": im.IysList.UNKNOWN,
    }.items():
        yield f"send-iys-{name}", "iys", _send(iys=value)
    # --- sms.send_many ------------------------------------------------------------------
    many = [
        ("empty", "messages", {}),
        ("not-pair", "messages[0]", [GOOD]),
        ("triple", "messages[0]", [(GOOD, "a", "b")]),
        ("list-number", "messages[0].number", [([GOOD, "5321234567"], TEXT)]),
        ("repeat", "messages[1].number", [(GOOD, "a"), ("05051234567", "b")]),
        ("invisible-text", "messages[1].text", {GOOD: "x", "5321234567": "\u200b\u200e"}),
        ("surrogate-text", "messages[0].text", {GOOD: "\ud800", "5321234567": "y"}),
        ("bad-number", "messages[0].number", {"12345": "x"}),
    ]
    for name, field, value in many:
        yield f"send_many-{name}", field, lambda c, v=value: c.sms.send_many(v, sender="ACME")
    # --- sms.send_bulk (checked when called, before anything is read) -------------------
    for name, value in {
        "zero": 0,
        "negative": -1,
        "too-big": 50_001,
        "bool": True,
        "float": 10.0,
        "str": "100",
        "huge": HUGE,
    }.items():
        yield (
            f"send_bulk-chunk_size-{name}",
            "chunk_size",
            lambda c, v=value: c.sms.send_bulk([GOOD], TEXT, sender="ACME", chunk_size=v),
        )
    for name, value in {"none": None, "bytes": b"505", "dict": {GOOD: 1}, "float": 5.0}.items():
        yield (
            f"send_bulk-numbers-{name}",
            "numbers",
            lambda c, v=value: c.sms.send_bulk(v, TEXT, sender="ACME"),
        )
    yield "send_bulk-text", "text", lambda c: c.sms.send_bulk([GOOD], "\ufeff", sender="ACME")
    yield "send_bulk-sender", "sender", lambda c: c.sms.send_bulk([GOOD], TEXT, sender="Ş")
    # --- order ids: cancel, reports.get / messages / wait -------------------------------
    bad_ids: dict[str, object] = {
        "empty": "",
        "letters": "abc",
        "negative": "-5",
        "zero": "0",
        "zeros": "000",
        "decimal": "1.5",
        "exponent": "1e3",
        "zwsp": "12\u200b3",
        "surrogate": "\ud800",
        "20-digits": "1" * 20,
        "5000-digits": "1" * 5000,
        **NON_ASCII_DIGITS,
        "none": None,
        "bool": True,
        "float": 1.0,
        "int-zero": 0,
        "int-negative": -1,
        "int-too-big": 10**19,
        "int-huge": HUGE,
        "list": ["123"],
        "bytes": b"123",
    }
    methods: dict[str, Callable[[im.Client, object], Any]] = {
        "cancel": lambda c, v: c.sms.cancel(v),
        "get": lambda c, v: c.reports.get(v),
        "messages": lambda c, v: c.reports.messages(v),
        "wait": lambda c, v: c.reports.wait(v, timeout=1),
    }
    for i, (name, value) in enumerate(bad_ids.items()):
        method = list(methods)[i % len(methods)]
        yield (
            f"{method}-order_id-{name}",
            "order_id",
            lambda c, v=value, m=methods[method]: m(c, v),
        )
    for name, value in {
        "zero": 0,
        "negative": -1,
        "bool": True,
        "float": 1.0,
        "str": "1",
        "none": None,
        "huge": HUGE,
        "too-big": 10**10,
    }.items():
        yield f"get-page-{name}", "page", lambda c, v=value: c.reports.get("5", page=v)
    for name, value in {
        "zero": 0,
        "too-big": 1001,
        "bool": True,
        "float": 10.0,
        "str": "10",
        "huge": HUGE,
    }.items():
        yield (
            f"get-page_size-{name}",
            "page_size",
            lambda c, v=value: c.reports.get("5", page_size=v),
        )
        yield (
            f"messages-page_size-{name}",
            "page_size",
            lambda c, v=value: c.reports.messages("5", page_size=v),
        )
    for name, field, kw in [
        ("zero", "timeout", {"timeout": 0}),
        ("negative", "timeout", {"timeout": -5}),
        ("nan", "timeout", {"timeout": NAN}),
        ("inf", "timeout", {"timeout": INF}),
        ("huge", "timeout", {"timeout": HUGE}),
        ("bool", "timeout", {"timeout": True}),
        ("str", "timeout", {"timeout": "60"}),
        ("zero", "interval", {"timeout": 5, "interval": 0}),
        ("nan", "interval", {"timeout": 5, "interval": NAN}),
        ("below", "max_interval", {"timeout": 5, "interval": 4, "max_interval": 2}),
        ("inf", "max_interval", {"timeout": 5, "max_interval": INF}),
        ("huge", "max_interval", {"timeout": 5, "max_interval": HUGE}),
    ]:
        yield f"wait-{field}-{name}", field, lambda c, k=kw: c.reports.wait("5", **k)
    # --- reports.list ---------------------------------------------------------------------
    today = datetime.now(IST).date()
    for name, field, start, end in [
        ("start-datetime", "start", datetime(2026, 1, 1, tzinfo=IST), date(2026, 1, 2)),
        ("start-str", "start", "2026-01-01", date(2026, 1, 2)),
        ("start-none", "start", None, date(2026, 1, 2)),
        ("start-year-1", "start", date(1, 1, 1), date(2026, 1, 2)),
        ("start-1999", "start", date(1999, 12, 31), date(2000, 1, 3)),
        ("end-int", "end", date(2026, 1, 1), 20260102),
        ("end-year-1", "end", date(2026, 1, 1), date(1, 1, 1)),
        ("start-future", "start", today + timedelta(days=1), today + timedelta(days=2)),
        ("start-after-end", "start", date(2026, 1, 5), date(2026, 1, 1)),
    ]:
        yield f"list-{name}", field, lambda c, s=start, e=end: c.reports.list(s, e)
    span = (date(2026, 1, 1), date(2026, 1, 20))
    for name, value in {"zero": 0, "too-many": 17, "bool": True, "float": 2.0, "str": "2"}.items():
        yield (
            f"list-concurrency-{name}",
            "concurrency",
            lambda c, v=value: c.reports.list(*span, concurrency=v),
        )
    yield "list-on_window", "on_window", lambda c: c.reports.list(*span, on_window="print")
    for name, value in {"int": 5, "empty": "", "garbage": "not-a-cursor", "bytes": b"x"}.items():
        yield (
            f"list-resume_from-{name}",
            "resume_from",
            lambda c, v=value: c.reports.list(*span, resume_from=v),
        )
    # --- blacklist --------------------------------------------------------------------------
    one_number: dict[str, object] = {
        "list": ["5051111111", "5052222222"],
        "tuple": ("5051111111",),
        "set": {"5051111111"},
        "generator": (n for n in ["5051111111"]),
        "dict": {"5051111111": True},
        "none": None,
        "bool": True,
        "float": 5051111111.0,
        "bytes": b"5051111111",
        "letters": "hello",
        "landline": "0212 123 45 67",
        "fullwidth": "５０５１１１１１１１",
        "overlong": "5" * 5000,
        "huge-int": HUGE,
    }
    for i, (name, value) in enumerate(one_number.items()):
        if i % 2:
            yield f"blacklist-add-{name}", "number", lambda c, v=value: c.blacklist.add(v)
        else:
            yield f"blacklist-remove-{name}", "number", lambda c, v=value: c.blacklist.remove(v)
    for name, field, kw in [
        ("start-naive", "start", {"start": datetime(2026, 1, 1)}),
        ("start-date", "start", {"start": date(2026, 1, 1)}),
        ("start-str", "start", {"start": "2026-01-01 00:00:00"}),
        ("start-year-1", "start", {"start": datetime(1, 1, 1, tzinfo=UTC)}),
        ("end-max", "end", {"end": datetime.max.replace(tzinfo=UTC)}),
        ("end-1999", "end", {"end": datetime(1999, 12, 31, tzinfo=IST)}),
        (
            "start-after-end",
            "start",
            {"start": datetime(2026, 2, 1, tzinfo=IST), "end": datetime(2026, 1, 1, tzinfo=IST)},
        ),
        ("page_size-zero", "page_size", {"page_size": 0}),
        ("page_size-bool", "page_size", {"page_size": True}),
        ("page_size-huge", "page_size", {"page_size": HUGE}),
        ("resume_from-int", "resume_from", {"resume_from": 7}),
    ]:
        yield f"blacklist-list-{name}", field, lambda c, k=kw: c.blacklist.list(**k)
    # --- İYS check ---------------------------------------------------------------------------
    bad_brands: dict[str, object] = {
        "zero": 0,
        "negative": -5,
        "bool": True,
        "float": 696422.0,
        "letters": "abc",
        "none": None,
        "5000-digits": "7" * 5000,
        "huge": HUGE,
        **NON_ASCII_DIGITS,
    }
    for name, value in bad_brands.items():
        yield f"check-brand_code-{name}", "brand_code", lambda c, v=value: c.iys.check(v, GOOD)
    for name, kw in {
        "none": {"recipient": None},
        "bool": {"recipient": True},
        "list": {"recipient": [GOOD]},
        "letters": {"recipient": "abc"},
        "foreign": {"recipient": "+4915112345678"},
        "bad-email": {"recipient": "zeynep@", "type": "EPOSTA"},
        "email-zwsp": {"recipient": "zeynep\u200b@example.com", "type": "EPOSTA"},
        "email-rlm": {"recipient": "zeynep@exa\u200fmple.com", "type": "EPOSTA"},
        "email-bom": {"recipient": "\ufeffzeynep@example.com", "type": "EPOSTA"},
        "email-space": {"recipient": "zeynep kaya@example.com", "type": "EPOSTA"},
        "email-long": {"recipient": "a" * 300 + "@example.com", "type": "EPOSTA"},
        "email-for-mesaj": {"recipient": EMAIL},
        "email-for-arama": {"recipient": EMAIL, "type": "ARAMA"},
        "phone-for-eposta": {"recipient": GOOD, "type": "EPOSTA"},
    }.items():
        args: dict[str, Any] = {"type": "MESAJ", **kw}
        yield (
            f"check-recipient-{name}",
            "recipient",
            lambda c, a=args: c.iys.check(696422, a["recipient"], type=a["type"]),
        )
    for name, value in {
        "wrong": "KISI",
        "none": None,
        "int": 1,
        "unknown": im.IysList.UNKNOWN,
    }.items():
        yield (
            f"check-recipient_type-{name}",
            "recipient_type",
            lambda c, v=value: c.iys.check(696422, GOOD, recipient_type=v),
        )
    for name, value in {"wrong": "SMS", "none": None, "list": ["MESAJ"]}.items():
        yield f"check-type-{name}", "type", lambda c, v=value: c.iys.check(696422, GOOD, type=v)
    # --- İYS register ------------------------------------------------------------------------
    for name, value in {"zero": 0, "fullwidth": "６９６４２２", "huge": HUGE}.items():
        yield (
            f"register-brand_code-{name}",
            "brand_code",
            lambda c, v=value: c.iys.register(v, [consent()]),
        )
    for name, value in {
        "none": None,
        "one-consent": consent(),
        "str": "consents",
        "dict": {"recipient": GOOD},
        "int": 5,
        "empty": [],
    }.items():
        yield f"register-consents-{name}", "consents", lambda c, v=value: c.iys.register(696422, v)
    records: list[tuple[str, str, dict[str, Any]]] = [
        ("dict-item", "consents[0]", {}),
        ("recipient-foreign", "consents[0].recipient", {"recipient": "+4915112345678"}),
        ("recipient-email-mesaj", "consents[0].recipient", {"recipient": EMAIL}),
        (
            "recipient-phone-eposta",
            "consents[0].recipient",
            {"type": im.ConsentType.EPOSTA},
        ),
        (
            "recipient-email-zwsp",
            "consents[0].recipient",
            {"type": im.ConsentType.EPOSTA, "recipient": "zeynep@example\u200b.com"},
        ),
        ("recipient_type-wrong", "consents[0].recipient_type", {"recipient_type": "KISI"}),
        ("type-wrong", "consents[0].type", {"type": "SMS"}),
        ("status-wrong", "consents[0].status", {"status": "EVET"}),
        ("status-none", "consents[0].status", {"status": None}),
        ("source-lowercase", "consents[0].source", {"source": "hs_web"}),
        ("source-plain", "consents[0].source", {"source": "WEB"}),
        ("source-overlong", "consents[0].source", {"source": "HS_" + "A" * 5000}),
        ("source-none", "consents[0].source", {"source": None}),
        ("date-naive", "consents[0].consent_date", {"consent_date": datetime(2026, 1, 1)}),
        ("date-str", "consents[0].consent_date", {"consent_date": "2026-01-01 00:00:00"}),
        ("date-date", "consents[0].consent_date", {"consent_date": date(2026, 1, 1)}),
        ("date-missing", "consents[0].consent_date", {"consent_date": None}),
        (
            "date-future",
            "consents[0].consent_date",
            {"consent_date": datetime.now(IST) + timedelta(days=1)},
        ),
        (
            "date-year-1",
            "consents[0].consent_date",
            {"consent_date": datetime(1, 1, 1, tzinfo=UTC)},
        ),
    ]
    for name, field, changes in records:
        item: object = {"recipient": GOOD} if name == "dict-item" else consent(**changes)
        yield (
            f"register-{name}",
            field,
            lambda c, it=item: c.iys.register(696422, [it]),
        )
    # --- inbox.poll --------------------------------------------------------------------------
    for name, field, kw in [
        ("interval-zero", "interval", {"interval": 0}),
        ("interval-negative", "interval", {"interval": -1}),
        ("interval-nan", "interval", {"interval": NAN}),
        ("interval-inf", "interval", {"interval": INF}),
        ("interval-huge", "interval", {"interval": HUGE}),
        ("interval-over-a-day", "interval", {"interval": 86_401, "max_interval": 86_401}),
        ("interval-bool", "interval", {"interval": True}),
        ("interval-str", "interval", {"interval": "5"}),
        ("max_interval-below", "max_interval", {"interval": 10, "max_interval": 5}),
        ("max_interval-inf", "max_interval", {"max_interval": INF}),
        ("max_interval-nan", "max_interval", {"max_interval": NAN}),
        ("max_interval-none", "max_interval", {"max_interval": None}),
        ("multiplier-below-1", "multiplier", {"multiplier": 0.5}),
        ("multiplier-inf", "multiplier", {"multiplier": INF}),
        ("multiplier-nan", "multiplier", {"multiplier": NAN}),
        ("multiplier-bool", "multiplier", {"multiplier": True}),
        ("cursor-str", "cursor", {"cursor": "inbox.cursor"}),
        ("cursor-class", "cursor", {"cursor": im.MemoryCursor}),
        ("cursor-dict", "cursor", {"cursor": {}}),
        ("skip_existing-str", "skip_existing", {"skip_existing": "yes"}),
        ("skip_existing-int", "skip_existing", {"skip_existing": 1}),
    ]:
        yield f"poll-{name}", field, lambda c, k=kw: c.inbox.poll(**k)


class _AsyncNumbers:
    def __aiter__(self) -> _AsyncNumbers:
        return self

    async def __anext__(self) -> str:
        raise StopAsyncIteration


CASES = list(_cases())


def _params() -> list[Any]:
    return [pytest.param(field, call, id=case_id) for case_id, field, call in CASES]


async def _invoke(call: Call, client: im.Client) -> None:
    """Call, then await or start whatever came back, so an accepted call would reach the server."""
    result = call(client)
    if inspect.isawaitable(result):
        await asyncio.wait_for(result, 5)
    elif hasattr(result, "__anext__"):
        await asyncio.wait_for(result.__anext__(), 5)


def _leaks(message: str) -> list[str]:
    """Phone numbers and texts used above that must never show up in an error message."""
    watched = [GOOD, "5051234567", "5051111111", "5321234567", "zeynep", TEXT]
    return [w for w in watched if w in message]


@pytest.mark.parametrize(("field", "call"), _params())
async def test_refused_before_any_request(
    fake_iletimerkezi: FakeIletiMerkezi, field: str, call: Call
) -> None:
    async with fake_iletimerkezi.client(send_limiter=None) as client:
        with pytest.raises(im.InvalidRequestError) as caught:
            await _invoke(call, client)
    assert caught.value.field == field
    assert caught.value.rule
    assert _leaks(str(caught.value)) == []
    assert fake_iletimerkezi.requests == []


# --- functions and client settings --------------------------------------------------------

FUNCTIONS: list[tuple[str, str, Callable[[], Any]]] = [
    ("segments-int", "text", lambda: im.segments(5)),  # type: ignore[arg-type]
    ("segments-bytes", "text", lambda: im.segments(b"hi")),  # type: ignore[arg-type]
    ("segments-surrogate", "text", lambda: im.segments("\ud800")),
    ("normalize-none", "number", lambda: im.normalize_number(None)),  # type: ignore[arg-type]
    ("normalize-fullwidth", "number", lambda: im.normalize_number("５０５１２３４５６７")),
    ("normalize-huge", "number", lambda: im.normalize_number(HUGE)),
    ("max_characters", "encoding", lambda: max_characters("utf8")),
]


@pytest.mark.parametrize(("field", "call"), [pytest.param(f, c, id=i) for i, f, c in FUNCTIONS])
def test_public_functions_refuse_with_the_field(field: str, call: Callable[[], Any]) -> None:
    with pytest.raises(im.InvalidRequestError) as caught:
        call()
    assert caught.value.field == field


SETTINGS: list[tuple[str, dict[str, Any]]] = [
    ("timeout-zero", {"timeout": 0}),
    ("timeout-negative", {"timeout": -1}),
    ("timeout-bool", {"timeout": True}),
    ("timeout-str", {"timeout": "30"}),
    ("timeout-nan", {"timeout": NAN}),
    ("timeout-inf", {"timeout": INF}),
    ("retry-str", {"retry": "3"}),
    ("send_limiter-int", {"send_limiter": 100}),
    ("default_sender-turkish", {"default_sender": "ŞİRKET"}),
    ("default_sender-long", {"default_sender": "A" * 12}),
    ("default_sender-int", {"default_sender": 5}),
    ("base_url-ftp", {"base_url": "ftp://example.com"}),
    ("base_url-plain-http", {"base_url": "http://api.example.com"}),
    ("base_url-query", {"base_url": "https://api.example.com/?x=1"}),
    ("session-str", {"session": "session"}),
    ("clock-str", {"clock": "now"}),
    ("api_key-blank", {"api_key": "  "}),
]


@pytest.mark.parametrize("kw", [pytest.param(kw, id=name) for name, kw in SETTINGS])
async def test_bad_client_settings_are_a_configuration_error(
    fake_iletimerkezi: FakeIletiMerkezi, kw: dict[str, Any]
) -> None:
    with pytest.raises(im.ConfigurationError):
        fake_iletimerkezi.client(**kw)
    assert fake_iletimerkezi.requests == []


def test_the_table_is_large() -> None:
    tried = len(CASES) + len(FUNCTIONS) + len(SETTINGS)
    assert tried >= 150
    assert len({case_id for case_id, _, _ in CASES}) == len(CASES)
