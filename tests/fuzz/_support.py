"""The fuzz suite's pieces: the endpoint table, the outcome checker and the strategies.

Every response goes the way the transport takes it: bytes plus an HTTP status
into :func:`iletimerkezi_async._wire.decode`, then the endpoint's converter
from ``_convert`` (or nothing, for the status-only endpoints, whose resources
return the decoded dict).  The only exceptions allowed out are
:class:`ResponseFormatError` and :class:`APIError` (with its subclasses);
anything else escapes :func:`check` and fails the property.

Cases come in two kinds, each built from one drawn integer (see :data:`cases`):
:func:`random_case` (random bytes, random JSON, random envelopes and golden
skeletons with random leaves) and :func:`mutated_case` (a golden body, 2026 or
legacy, with tree mutations such as dropped keys, changed types, huge numbers,
NaN, deep nesting and duplicate keys, then byte mutations such as truncation
and wrong encodings).  :func:`random_webhook_case` and
:func:`mutated_webhook_case` do the same for webhook bodies, which may also be
str or an already-parsed mapping.
"""

from __future__ import annotations

import copy
import enum
import json
import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

from iletimerkezi_async import webhooks
from iletimerkezi_async._wire import decode
from iletimerkezi_async.errors import APIError, ResponseFormatError, WebhookPayloadError
from iletimerkezi_async.models import (
    Balance,
    Consent,
    DeliveryReport,
    DeliveryStatus,
    InboundMessage,
    Inbox,
    MessageReport,
    Order,
    OrderReport,
    OrderSummary,
)
from iletimerkezi_async.phone import is_valid_number, normalize_number

from .. import _answers as answers

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden"
ISTANBUL = ZoneInfo("Europe/Istanbul")

# Outcomes of one request through decode and the converter.
PARSED = "parsed"
API_ERROR = "api-error"
DECODE_REFUSED = "refused-by-decode"
CONVERT_REFUSED = "refused-by-converter"

# Planted by the mutations: personal data (a mobile and a message text) that
# no ResponseFormatError / WebhookPayloadError message may ever repeat (KVKK).
SECRET_PHONE = "05059998877"
SECRET_DIGITS = "5059998877"
SECRET_TEXT = "s3cr3t-Message-Text-7Q"


def golden(name: str) -> Any:
    """A golden fixture by ``era/name``, parsed."""
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


def _status_only(payload: dict[str, Any]) -> dict[str, Any]:
    """The resources of the status-only endpoints return the decoded dict itself."""
    return payload


@dataclass(frozen=True)
class Endpoint:
    name: str
    """The test id, and the path segment given to ``decode``."""
    convert: Callable[[dict[str, Any]], object]
    result: tuple[type, ...]
    goldens: tuple[str, ...]
    """``era/name`` of the golden bodies to mutate, 2026 and legacy shapes."""
    keys: tuple[str, ...] = ()
    """The result keys beside ``status`` (reference §1.2), for random envelopes."""


STATUS_ONLY = ("2026/cancel-order", "legacy/cancel-order")

ENDPOINTS: tuple[Endpoint, ...] = (
    # send_many (personalised texts) differs from send only in the request;
    # its response is the same order envelope through the same converter.
    Endpoint(
        "send-sms",
        lambda p: answers.order(p, recipients=2),
        (Order,),
        ("2026/send-sms", "legacy/send-sms"),
        ("order",),
    ),
    Endpoint("cancel-order", _status_only, (dict,), STATUS_ONLY),
    Endpoint(
        "get-report",
        answers.order_report,
        (OrderReport,),
        ("2026/get-report", "legacy/get-report", "legacy/get-report-go"),
        ("order",),
    ),
    Endpoint(
        "get-reports",
        answers.order_summaries,
        (tuple,),
        ("2026/get-reports", "legacy/get-reports"),
        ("count", "orders"),
    ),
    Endpoint(
        "get-balance",
        answers.balance,
        (Balance,),
        ("2026/get-balance", "legacy/get-balance"),
        ("balance",),
    ),
    Endpoint(
        "get-sender",
        answers.senders,
        (tuple,),
        ("2026/get-sender", "legacy/get-sender"),
        ("senders",),
    ),
    Endpoint(
        "get-blacklist",
        answers.blacklist_page,
        (tuple,),
        ("2026/get-blacklist", "legacy/get-blacklist"),
        ("blacklist",),
    ),
    Endpoint("add-blacklist", _status_only, (dict,), STATUS_ONLY),
    Endpoint("delete-blacklist", _status_only, (dict,), STATUS_ONLY),
    # iys.register returns each chunk's decoded response (its shape is undocumented).
    Endpoint("consent/create", _status_only, (dict,), STATUS_ONLY),
    Endpoint(
        "consent/show",
        answers.consent,
        (Consent, type(None)),
        ("2026/iys-check", "legacy/iys-check", "legacy/iys-check-empty"),
        ("consent",),
    ),
    Endpoint(
        "get-inbox",
        answers.inbox,
        (Inbox,),
        ("2026/get-inbox", "legacy/get-inbox"),
        ("orders",),
    ),
)
ENDPOINT_IDS = [e.name for e in ENDPOINTS]
WEBHOOK_GOLDENS = ("2026/webhook", "legacy/webhook")

_GOLDEN_DOCS: dict[str, Any] = {
    name: golden(name) for name in {g for e in ENDPOINTS for g in e.goldens} | set(WEBHOOK_GOLDENS)
}


class Request:
    """One answer as the transport sees it: the body's bytes and the HTTP status."""

    __slots__ = ("body", "retry_after", "status")

    def __init__(self, body: bytes, status: int, retry_after: float | None = None) -> None:
        self.body = body
        self.status = status
        self.retry_after = retry_after

    def __repr__(self) -> str:
        # Readable in a falsifying example even when the body nests 100,000 deep.
        body = repr(self.body)
        if len(body) > 600:
            body = f"{body[:300]} ...{len(self.body)} bytes... {body[-200:]}"
        return f"Request({body}, status={self.status}, retry_after={self.retry_after!r})"


# --------------------------------------------------------------------------- checking


def check(endpoint: Endpoint, request: Request) -> str:
    """The outcome of ``request`` on ``endpoint``; any other exception propagates."""
    try:
        response = decode(
            request.body,
            endpoint=endpoint.name,
            http_status=request.status,
            retry_after=request.retry_after,
        )
    except APIError as exc:
        check_api_error(exc)
        return API_ERROR
    except ResponseFormatError as exc:
        check_error_text(str(exc), repr(exc))
        return DECODE_REFUSED
    assert isinstance(response, dict)
    try:
        result = endpoint.convert(response)
    except ResponseFormatError as exc:
        check_error_text(str(exc), repr(exc))
        return CONVERT_REFUSED
    assert isinstance(result, endpoint.result), type(result)
    check_result(result)
    return PARSED


def _printable(value: object) -> object:
    if type(value) is int and value.bit_length() > 14_000:  # about 4,300 digits
        return _Huge(value.bit_length())
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(map(_printable, value))
    return value


class _Huge:
    def __init__(self, bits: int) -> None:
        self.bits = bits

    def __repr__(self) -> str:
        return f"<int of {self.bits} bits>"


def describe(value: object) -> str:
    """A repr for notes, safe for ints past sys.get_int_max_str_digits()."""
    text = repr(_printable(value))
    return text if len(text) <= 2000 else f"{text[:1200]} ...{len(text)} chars... {text[-600:]}"


def check_webhook(body: WebhookBody) -> str:
    """The outcome of ``webhooks.parse(body)``; any other exception propagates."""
    try:
        report = webhooks.parse(body)
    except WebhookPayloadError as exc:
        check_error_text(str(exc), repr(exc))
        return "refused"
    assert isinstance(report, DeliveryReport)
    # An unknown status is kept (UNKNOWN with its raw value), a known one is never UNKNOWN.
    if report.status is DeliveryStatus.UNKNOWN:
        assert DeliveryStatus(report.raw_status) is DeliveryStatus.UNKNOWN or (
            report.raw_status.strip().casefold() == "unknown"
        )
    check_model(report)
    return PARSED


def check_api_error(exc: APIError) -> None:
    # The transport logs ``exc.code`` with %d and the error with str().
    assert type(exc.code) is int
    assert f"{exc.code:d}"
    assert isinstance(exc.message, str)
    str(exc)
    repr(exc)


def check_error_text(*texts: str) -> None:
    """Shape errors name fields and types, never the values (phone numbers, texts)."""
    for text in texts:
        assert SECRET_DIGITS not in text, text
        assert SECRET_TEXT not in text, text


_PHONE_FIELDS: dict[type, tuple[str, ...]] = {
    MessageReport: ("number",),
    InboundMessage: ("sender", "number"),
    Consent: ("recipient",),
    DeliveryReport: ("to",),
}
_ID_FIELDS: dict[type, tuple[str, ...]] = {
    Order: ("id",),
    OrderReport: ("id",),
    OrderSummary: ("id",),
    InboundMessage: ("id",),
    DeliveryReport: ("order_id",),
}
_MASKED = (MessageReport, InboundMessage, Consent, DeliveryReport)


def check_phone(value: object) -> None:
    """A phone the model promises normalised: ``+90…``/E.164 whenever it is a number at all."""
    assert isinstance(value, str)
    assert value, "empty phone number in a model"
    assert value == value.strip()
    if is_valid_number(value):
        assert value == normalize_number(value), f"not normalised: {value!r}"


def check_result(result: object) -> None:
    """Every promise the models make about their values."""
    if isinstance(result, tuple) and len(result) == 2 and type(result[0]) is int:
        # get-blacklist: (count, numbers)
        for number in result[1]:
            check_phone(number)
        return
    for item in result if isinstance(result, tuple) else (result,):
        if isinstance(item, str):
            continue  # a sender ID, verbatim
        if isinstance(item, dict):
            assert isinstance(item.get("status"), dict)
            continue
        if item is not None:
            check_model(item)


def check_model(model: object) -> None:
    cls = type(model)
    assert attrs.has(cls)
    text = repr(model)  # reprs go to logs: they must never raise
    for field in attrs.fields(cls):
        value = getattr(model, field.name)
        if field.name in _PHONE_FIELDS.get(type(model), ()):
            check_phone(value)
            if isinstance(model, _MASKED) and is_valid_number(value) and len(value) > 9:
                assert value not in text, f"{type(model).__name__} repr shows a number"
        elif field.name in _ID_FIELDS.get(type(model), ()):
            assert isinstance(value, str)
            assert value
            assert value == value.strip()
        if isinstance(value, datetime):
            assert value.tzinfo is ISTANBUL
        elif isinstance(value, Decimal):
            assert value.is_finite()
        elif isinstance(value, enum.Enum):
            assert type(value)(value.value) is value
        elif type(value) is int:
            assert f"{value:d}"
        elif isinstance(value, tuple):
            for item in value:
                check_model(item)


# --------------------------------------------------------------------------- values

NASTY_STRINGS = (
    "",
    " ",
    "\t\n",
    "\x00",
    "a\x00b",
    "İ",
    "ı",
    "²",
    "¹",
    "٢٠٠",  # Arabic-Indic 200
    "２００",  # fullwidth 200
    "\u202e200",
    "💥",
    "\ufeff",
    "\ud800",  # a lone surrogate: JSON may carry it, UTF-8 cannot
    "null",
    "NaN",
    "Infinity",
    "1e400",
    "-1",
    "0",
    "00200",
    " 200 ",
    "1" * 19,
    "9" * 5000,
    "1,5",
    "1.5.5",
    "0000-00-00 00:00:00",
    "2026-02-30 10:00:00",
    "9999-12-31 23:59:59",
    "0001-01-01 00:00:00",
    "2026-04-29T04:32:24.123456789",
    "２０２６-04-29 04:32:24",
    "+90 (505) 123-45-67",
    "905051234567",
    "-5051234567",
    "+4917257448331",
    "BIREYSEL",
    "delivered",
    SECRET_PHONE,
    SECRET_TEXT,
)

# Raw JSON text that json.dumps cannot write, or that must reach the parser verbatim.
RAW_LITERALS = (
    "1" + "0" * 400,
    "1" + "0" * 4299,  # the longest int Python's str() round-trips by default
    "1" + "0" * 5000,  # 10**5000: past sys.get_int_max_str_digits()
    "-1" + "0" * 5000,
    '"' + "1" * 5000 + '"',
    "1e400",
    "-1e400",
    "1E+999999",
    "1e-400",
    "NaN",
    "Infinity",
    "-Infinity",
    "-0",
    "-0.0",
    "0.1e1",
    "123456789012345678901234567890",
    "200.0",
    "2e2",
    '"\\ud800"',
    '"\\u0000"',
    '"\\udfff\\ud800"',
    '"\\u00b2"',
)


def _walk_keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _walk_keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_keys(v)


KNOWN_KEYS = tuple(sorted({k for doc in _GOLDEN_DOCS.values() for k in _walk_keys(doc)}))
_CHARS = "0123456789abcXYZ +-.,:@_()İıŞşĞğÇçÖöÜü\x00\x1f\x7f\u00a0\u2028\u200b\ufeff\u202e²¹٣５"
_MINUTE_RANGE = (-62135596800 // 60, 253402300799 // 60)  # 0001-01-01 … 9999-12-31


class Gen:
    """Random JSON-ish values and plausible wire values, from one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    # Generic values

    def text(self, size: int = 12) -> str:
        rng = self.rng
        out = []
        for _ in range(rng.randrange(size + 1)):
            if rng.random() < 0.1:
                out.append(chr(rng.randrange(0x110000)))  # any code point, surrogates too
            else:
                out.append(rng.choice(_CHARS))
        return "".join(out)

    def integer(self) -> int:
        rng = self.rng
        bits = rng.choice((4, 8, 32, 64, 200, 4000))
        return rng.getrandbits(bits) * rng.choice((1, -1))

    def number(self) -> float:
        return self.rng.choice(
            (
                self.rng.uniform(-1e6, 1e6),
                self.rng.uniform(-1e308, 1e308),
                float("nan"),
                float("inf"),
                float("-inf"),
                -0.0,
                0.5,
                5e-324,
            )
        )

    def leaf(self) -> Any:
        pick = self.rng.randrange(8)
        if pick == 0:
            return None
        if pick == 1:
            return self.rng.random() < 0.5
        if pick == 2:
            return self.integer()
        if pick == 3:
            return self.number()
        if pick == 4:
            return self.rng.choice(NASTY_STRINGS)
        return self.text()

    def key(self) -> str:
        return self.rng.choice(KNOWN_KEYS) if self.rng.random() < 0.7 else self.text(8)

    def value(self, depth: int = 0) -> Any:
        rng = self.rng
        pick = rng.random()
        if depth < 3 and pick < 0.2:
            return [self.value(depth + 1) for _ in range(rng.randrange(5))]
        if depth < 3 and pick < 0.4:
            return {self.key(): self.value(depth + 1) for _ in range(rng.randrange(5))}
        return self.leaf()

    # Plausible wire values, by field name

    def stamp(self) -> Any:
        rng = self.rng
        pick = rng.randrange(8)
        if pick < 4:
            when = datetime.min + timedelta(
                minutes=rng.randrange(*_MINUTE_RANGE) - _MINUTE_RANGE[0]
            )
            when = when.replace(second=rng.randrange(60))
            return when.isoformat(sep=rng.choice(" T"))
        return rng.choice(("", None, "0000-00-00 00:00:00", "2026-04-29 04:32:24", self.text(20)))

    def phone(self) -> Any:
        rng = self.rng
        digits = "".join(rng.choice("0123456789") for _ in range(9))
        return rng.choice(
            (
                f"+905{digits}",
                f"05{digits}",
                f"905{digits}",
                f"5{digits}",
                f" +90 (5{digits[:2]}) {digits[2:5]}-{digits[5:7]} {digits[7:]} ",
                int(f"5{digits}"),
                -int(f"5{digits}"),
                int(f"905{digits}"),
                f"+{rng.randrange(1, 10)}{digits}{digits[: rng.randrange(6)]}",
                "7889",
                "ACME",
                " 7889 ",
                "user@example.com",
                SECRET_PHONE,
                self.text(14),
            )
        )

    def id_(self) -> Any:
        n = self.rng.randrange(10**12)
        return self.rng.choice((n, str(n), f" {n} ", self.text(5), "", -n))

    def count(self) -> Any:
        n = self.rng.randrange(-5, 10**6)
        return self.rng.choice((n, str(n), f" {n} ", "", None, "1.0", 1.0, self.text(3)))

    def price(self) -> Any:
        rng = self.rng
        whole, frac = rng.randrange(10**4), rng.randrange(10**4)
        return rng.choice(
            (self.number(), whole, f"{whole}.{frac}", f"{whole},{frac:04d}", "1e5", "", None)
        )

    def code(self) -> Any:
        return self.rng.choice((200, 200, 200, "200", " 200 ", 200.0, 401, "455", 503, self.leaf()))

    def order_code(self) -> Any:
        return self.rng.choice((110, 111, 112, 113, 114, 115, "114", " 111 ", -1, self.leaf()))

    def plausible(self, key: str | None, parent: str | None) -> Any:
        if self.rng.random() < 0.15:
            return self.value()
        if key == "status":
            if parent == "consent":
                return self.rng.choice(("ONAY", "RET", "onay", ""))
            if parent == "report":
                return self.rng.choice(("accepted", "delivered", "undelivered", "DELIVERED", 111))
            return self.order_code()
        make = _PLAUSIBLE.get(key or "")
        return make(self) if make is not None else self.text(11)

    def skeleton(self, doc: Any, key: str | None = None, parent: str | None = None) -> Any:
        """``doc``'s shape with random leaves; keys may go missing, lists change length."""
        rng = self.rng
        if isinstance(doc, dict):
            return {
                k: self.skeleton(v, k, key)
                for k, v in doc.items()
                if k in ("response", "status", "code") or rng.random() < 0.9
            }
        if isinstance(doc, list):
            if not doc:
                return []
            return [self.skeleton(doc[0], key, parent) for _ in range(rng.randrange(4))]
        return self.plausible(key, parent)

    def raw_bytes(self) -> bytes:
        return self.rng.randbytes(self.rng.randrange(200))


_PLAUSIBLE: dict[str, Callable[[Gen], Any]] = {
    "code": Gen.code,
    "message": lambda g: g.rng.choice((g.text(20), SECRET_TEXT, "İşlem başarılı")),
    "id": Gen.id_,
    "packet_id": Gen.id_,
    "brandCode": Gen.id_,
    "number": Gen.phone,
    "to": Gen.phone,
    "recipient": Gen.phone,
    "sender": lambda g: g.phone() if g.rng.random() < 0.5 else g.text(11),
    "submitAt": Gen.stamp,
    "sendAt": Gen.stamp,
    "date": Gen.stamp,
    "consentDate": Gen.stamp,
    "amount": Gen.price,
    "price": Gen.price,
    "total": Gen.count,
    "delivered": Gen.count,
    "undelivered": Gen.count,
    "waiting": Gen.count,
    "sms": Gen.count,
    "count": Gen.count,
    "totalRows": Gen.count,
    "recipientType": lambda g: g.rng.choice(("BIREYSEL", "TACIR", "tacir", "x", "")),
    "type": lambda g: g.rng.choice(("MESAJ", "EPOSTA", "ARAMA", "x")),
    "source": lambda g: g.rng.choice(("HS_WEB", "HS_KARAR", "")),
    "text": lambda g: g.rng.choice((g.text(40), SECRET_TEXT)),
    "body": lambda g: g.rng.choice((g.text(20), SECRET_TEXT)),
}

# One drawn integer per example: its low digits (mixed radix) pick the structure
# of the case (which golden, how many mutations, which encoding, which HTTP
# status), the rest seeds the Gen.  Shrinking moves towards case 0: the first
# entry of each table (the first golden, no mutation, the plain UTF-8 body, HTTP
# 200) and seed 0.  Hypothesis' fixed cost per draw dominates this suite; one
# draw per example keeps 2,000 examples per endpoint within about a second.
cases = st.integers(0, 2**64 - 1)


def unpack(case: int, *radices: int) -> tuple[list[int], Gen]:
    """The structure digits of ``case`` and a Gen seeded by what remains."""
    digits = []
    for radix in radices:
        case, digit = divmod(case, radix)
        digits.append(digit)
    return digits, Gen(case)


# 200 first; the 5xx/429 branch of decode treats a body without an envelope
# differently from the rest.
HTTP_STATUSES = (200, 400, 401, 404, 422, 429, 451, 500, 502, 503, 504, 100, 204, 301, 599)
RETRY_AFTERS = (None, None, 0.0, 1.5, 120.0, 1e9)


# --------------------------------------------------------------------------- serialising


class _Raw:
    """Placeholders for raw JSON text, substituted after ``json.dumps``."""

    def __init__(self) -> None:
        self.literals: list[str] = []

    def token(self, literal: str) -> str:
        self.literals.append(literal)
        return f"\x00raw{len(self.literals) - 1}\x00"

    def dumps(self, doc: Any, *, ensure_ascii: bool = False) -> str:
        text = json.dumps(doc, ensure_ascii=ensure_ascii)
        # A later placeholder may hold earlier ones (a duplicated object), never the reverse.
        for i in reversed(range(len(self.literals))):
            text = text.replace(json.dumps(f"\x00raw{i}\x00"), self.literals[i])
        return text


ENCODINGS = (
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "cp1254",  # Windows Turkish: İ and ş as single bytes
    "latin-1",
)
Wrapping = tuple[bool, str, str | None]
"""``(ensure_ascii, encoding, byte operation)``."""
BYTE_OPS = ("truncate", "flip", "insert", "delete", "append", "prepend", "blank")
# (ensure_ascii, encoding, byte operation); the plain UTF-8 body first.
WRAPPINGS: tuple[Wrapping, ...] = (
    *((False, "utf-8", None),) * 20,
    (True, "utf-8", None),
    *((False, e, None) for e in ENCODINGS[1:]),
    *((True, "utf-16", None), (True, "utf-32", None)),
    *((False, "utf-8", op) for op in BYTE_OPS),
    *((False, e, "truncate") for e in ("utf-16", "utf-16-be", "cp1254")),
)


def wrap(text: str, wrapping: Wrapping, gen: Gen) -> bytes:
    """``text`` encoded (maybe wrongly), then maybe truncated, corrupted or padded."""
    _, encoding, op = wrapping
    errors = "surrogatepass" if encoding.startswith("utf") else "replace"
    body = text.encode(encoding, errors=errors)
    if op is None:
        return body
    rng = gen.rng
    at = rng.randrange(len(body) + 1)
    if op == "truncate":
        return body[:at]
    if op == "flip" and body:
        at = min(at, len(body) - 1)
        return body[:at] + bytes([body[at] ^ rng.randrange(1, 256)]) + body[at + 1 :]
    if op == "insert":
        return body[:at] + rng.randbytes(rng.randrange(1, 5)) + body[at:]
    if op == "delete":
        return body[:at] + body[at + rng.randrange(1, 9) :]
    if op == "append":
        return body + rng.choice((b" ", b"\n", b"x", b"{}", b"\x00", b"]", b"\xff"))
    if op == "prepend":
        return rng.choice((b" ", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b")]}'\n")) + body
    return rng.choice((b"", b" ", b"\n\t ", b"\x00"))


# --------------------------------------------------------------------------- random (a)

RANDOM_KINDS = ("skeleton", "envelope", "json", "bytes")


def random_body(kind: str, endpoint: Endpoint, wrapping: Wrapping, gen: Gen) -> bytes:
    if kind == "bytes":
        return gen.raw_bytes()
    if kind == "skeleton":
        doc = gen.skeleton(_GOLDEN_DOCS[gen.rng.choice(endpoint.goldens)])
    elif kind == "envelope":
        response: dict[str, Any] = {"status": {"code": gen.code(), "message": gen.text()}}
        for key in endpoint.keys:
            if gen.rng.random() < 0.8:
                response[key] = gen.value()
        if gen.rng.random() < 0.2:
            response = {gen.key(): gen.value() for _ in range(3)} | response
        doc = {"response": response}
    else:
        doc = gen.value()
    return wrap(json.dumps(doc, ensure_ascii=wrapping[0]), wrapping, gen)


def random_case(endpoint: Endpoint, case: int) -> Request:
    """Random bytes, any JSON, a random envelope, or a golden skeleton with random leaves."""
    (kind, wrapping, status), gen = unpack(
        case, len(RANDOM_KINDS), len(WRAPPINGS), len(HTTP_STATUSES)
    )
    body = random_body(RANDOM_KINDS[kind], endpoint, WRAPPINGS[wrapping], gen)
    return Request(body, HTTP_STATUSES[status], gen.rng.choice(RETRY_AFTERS))


# --------------------------------------------------------------------------- mutations (b)


def _paths(doc: Any) -> list[tuple[Any, Any]]:
    """Every ``(container, key)`` below the root, in a stable order."""
    out: list[tuple[Any, Any]] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            out.append((node, key))
            if isinstance(value, dict | list):
                stack.append(value)
    return out


def _as_int(value: Any) -> int:
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    if isinstance(value, str):
        digits = "".join(c for c in value if c.isascii() and c.isdigit())
        return int(digits[:30]) if digits else len(value)
    return len(value) if isinstance(value, list | dict) else 0


def _as_float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) + 0.5 if abs(value) < 2**52 else float("inf")
    return 0.5


def _negated(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return -value if value else -1
    if isinstance(value, str):
        return "-" + value.strip().lstrip("+")
    return -1


_RETYPERS: dict[str, Callable[[Any], Any]] = {
    "str": lambda v: v if isinstance(v, str) else json.dumps(v),
    "int": _as_int,
    "float": _as_float,
    "negative": _negated,
    "null": lambda v: None,
    "bool": lambda v: True,
    "list": lambda v: [v],
    "dict": lambda v: {"value": v},
    "empty": lambda v: type(v)() if isinstance(v, str | list | dict) else "",
    "pad": lambda v: f" \t{v}\n " if isinstance(v, str) else v,
}


def _retyped(value: Any, kind: str) -> Any:
    """``value`` as another JSON type: str↔int↔float↔null↔list↔dict, negated, emptied."""
    try:
        retype = _RETYPERS[kind]
    except KeyError:
        raise AssertionError(kind) from None
    return retype(value)


RETYPES = ("str", "int", "float", "negative", "null", "bool", "list", "dict", "empty", "pad")
NEST_DEPTHS = (1, 2, 3, 50, 990, 5000, 100_000)
PLANTED = (SECRET_PHONE, SECRET_TEXT, int(SECRET_DIGITS))
TREE_OPS = ("drop", "retype", "nasty", "raw", "nest", "duplicate", "plant", "random")
_OP_PARAMS: dict[str, tuple[Any, ...]] = {
    "drop": (None,),
    "retype": RETYPES,
    "nasty": NASTY_STRINGS,
    "raw": RAW_LITERALS,
    "nest": tuple((d, shape) for d in NEST_DEPTHS for shape in "[{"),
    "duplicate": (None,),
    "plant": PLANTED,
    "random": (None,),
}


def _nested(value: Any, depth: int, shape: str, raw: _Raw) -> Any:
    """``value`` wrapped ``depth`` times in arrays (``"["``) or objects (``"{"``), as raw JSON."""
    inner = json.dumps(value, ensure_ascii=False)
    if shape == "[":
        return raw.token("[" * depth + inner + "]" * depth)
    return raw.token('{"a":' * depth + inner + "}" * depth)


def _duplicate_key(node: Any, key: Any, paths: list[tuple[Any, Any]], raw: _Raw, gen: Gen) -> None:
    """The same key twice in one object: Python's json keeps the last, others the first."""
    value = node[key]
    target = value if isinstance(value, dict) and value else node
    if not (isinstance(target, dict) and target):
        return
    dup = gen.rng.choice(sorted(target))
    items = [(k, json.dumps(v, ensure_ascii=False)) for k, v in target.items()]
    extra = (
        dup,
        json.dumps(gen.rng.choice((gen.leaf(), *NASTY_STRINGS)), ensure_ascii=False),
    )
    items = [*items, extra] if gen.rng.random() < 0.5 else [extra, *items]
    literal = "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in items) + "}"
    if target is value:
        node[key] = raw.token(literal)
        return
    for container, k in paths:
        if container[k] is node:
            container[k] = raw.token(literal)
            break


def _mutate(doc: Any, op: str, where: int, raw: _Raw, gen: Gen) -> None:
    """Apply one tree mutation; ``where`` picks the place and the parameter."""
    paths = _paths(doc)
    if not paths:
        return
    node, key = paths[where % len(paths)]
    params = _OP_PARAMS[op]
    param = params[(where // len(paths)) % len(params)]
    if op == "drop":
        del node[key]
    elif op == "retype":
        node[key] = _retyped(node[key], param)
    elif op in ("nasty", "plant"):
        node[key] = param
    elif op == "raw":
        node[key] = raw.token(param)
    elif op == "nest":
        depth, shape = param
        node[key] = _nested(node[key], depth, shape, raw)
    elif op == "duplicate":
        _duplicate_key(node, key, paths, raw, gen)
    else:
        node[key] = gen.value()


MAX_MUTATIONS = 3


def mutated_document(name: str, mutations: int, gen: Gen, raw: _Raw) -> Any:
    doc = copy.deepcopy(_GOLDEN_DOCS[name])
    for _ in range(mutations):
        _mutate(doc, gen.rng.choice(TREE_OPS), gen.rng.randrange(2**16), raw, gen)
    return doc


def mutated_case(endpoint: Endpoint, case: int) -> Request:
    """A golden body, 2026 or legacy, mutated in its tree and then in its bytes."""
    (golden, mutations, wrapping, status), gen = unpack(
        case, len(endpoint.goldens), MAX_MUTATIONS + 1, len(WRAPPINGS), len(HTTP_STATUSES)
    )
    raw = _Raw()
    doc = mutated_document(endpoint.goldens[golden], mutations, gen, raw)
    chosen = WRAPPINGS[wrapping]
    body = wrap(raw.dumps(doc, ensure_ascii=chosen[0]), chosen, gen)
    return Request(body, HTTP_STATUSES[status], gen.rng.choice(RETRY_AFTERS))


# --------------------------------------------------------------------------- webhooks

WebhookBody = bytes | bytearray | str | Mapping[str, Any]

# Python values a framework may hand over inside an already-parsed body.
PY_ONLY_VALUES: tuple[object, ...] = (
    10**5000,
    -(10**5000),
    10**19,
    2**63,
    float("nan"),
    float("inf"),
    Decimal("NaN"),
    Decimal("1e999999"),
    b"5051234567",
    (1, 2),
    frozenset(),
    object(),
)
WEBHOOK_FORMS = ("bytes", "str", "mapping", "bytearray")


def _webhook_input(doc: Any, form: str, wrapping: Wrapping, gen: Gen, raw: _Raw) -> WebhookBody:
    if form == "mapping" and isinstance(doc, dict) and not raw.literals:
        report = doc.get("report")
        if isinstance(report, dict) and report and gen.rng.random() < 0.3:
            report[gen.rng.choice(sorted(report))] = gen.rng.choice(PY_ONLY_VALUES)
        return doc
    text = raw.dumps(doc, ensure_ascii=wrapping[0])
    if form == "str":
        return text
    body = wrap(text, wrapping, gen)
    return bytearray(body) if form == "bytearray" else body


WEBHOOK_KINDS = ("skeleton", "json", "mapping", "bytes", "text")


def random_webhook_case(case: int) -> WebhookBody:
    (kind, form, wrapping), gen = unpack(
        case, len(WEBHOOK_KINDS), len(WEBHOOK_FORMS), len(WRAPPINGS)
    )
    chosen = WEBHOOK_KINDS[kind]
    if chosen == "bytes":
        return gen.raw_bytes()
    if chosen == "text":
        return gen.text(100)
    if chosen == "skeleton":
        doc = gen.skeleton(_GOLDEN_DOCS[gen.rng.choice(WEBHOOK_GOLDENS)])
    elif chosen == "mapping":
        doc = {gen.key(): gen.value() for _ in range(gen.rng.randrange(4))}
        if gen.rng.random() < 0.7:
            doc["report"] = {gen.key(): gen.value() for _ in range(gen.rng.randrange(7))}
    else:
        doc = gen.value()
    return _webhook_input(doc, WEBHOOK_FORMS[form], WRAPPINGS[wrapping], gen, _Raw())


def mutated_webhook_case(case: int) -> WebhookBody:
    (golden, mutations, form, wrapping), gen = unpack(
        case, len(WEBHOOK_GOLDENS), MAX_MUTATIONS + 1, len(WEBHOOK_FORMS), len(WRAPPINGS)
    )
    raw = _Raw()
    doc = mutated_document(WEBHOOK_GOLDENS[golden], mutations, gen, raw)
    return _webhook_input(doc, WEBHOOK_FORMS[form], WRAPPINGS[wrapping], gen, raw)


random_webhook_body = cases.map(random_webhook_case)
"""Random bytes, text or mappings, and skeletons of the golden reports."""

mutated_webhook_body = cases.map(mutated_webhook_case)
"""The golden report (int or string ids), mutated, as bytes, str or a mapping."""
