"""Account state and endpoint logic of the fake server, free of aiohttp.

Everything here is synchronous and driven by a :class:`FakeClock`, so the
behaviour can be reasoned about (and unit-tested) without sockets.  Delivery
progression is computed lazily from the clock whenever it is looked at: there
are no background tasks that could race a test.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from http import HTTPStatus
from types import MappingProxyType
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

import attrs

from iletimerkezi_async.errors import CODES, InvalidRequestError
from iletimerkezi_async.phone import normalize_number
from iletimerkezi_async.text import segments

__all__ = [
    "APITEST",
    "APITEST_TEXT",
    "CARRIER_PREFIXES",
    "ENDPOINTS",
    "ISTANBUL",
    "IYS_SOURCES",
    "Account",
    "ConsentRecord",
    "DeliveryEvent",
    "FakeClock",
    "InboundRecord",
    "OrderMessage",
    "OrderSnapshot",
    "RateBucket",
    "Reply",
    "envelope",
]

ISTANBUL: Final = ZoneInfo("Europe/Istanbul")

ENDPOINTS: Final[tuple[str, ...]] = (
    "send-sms",
    "cancel-order",
    "get-report",
    "get-reports",
    "get-balance",
    "get-sender",
    "get-blacklist",
    "add-blacklist",
    "delete-blacklist",
    "consent/create",
    "consent/show",
    "get-inbox",
)

APITEST: Final = "APITEST"
APITEST_TEXT: Final = "Bu mesaj iletiMerkezi API test mesajidir."
"""The fixed verification text that replaces the body of every APITEST send."""

CARRIER_PREFIXES: Final[frozenset[str]] = frozenset(
    [f"50{d}" for d in range(10)]
    + [f"53{d}" for d in range(10)]
    + [f"54{d}" for d in range(10)]
    + [f"55{d}" for d in range(10)]
    + ["561"]
)
"""Three-digit operator prefixes (after +90) that the blacklist endpoints accept."""

IYS_SOURCES: Final[frozenset[str]] = frozenset(
    {
        "HS_FIZIKSEL_ORTAM",
        "HS_ISLAK_IMZA",
        "HS_WEB",
        "HS_CAGRI_MERKEZI",
        "HS_SOSYAL_MEDYA",
        "HS_EPOSTA",
        "HS_MESAJ",
        "HS_MOBIL",
        "HS_EORTAM",
        "HS_ETKINLIK",
        "HS_2015",
        "HS_ATM",
        "HS_KARAR",
    }
)

MAX_RECIPIENTS: Final = 50_000
MAX_PARTS: Final = 7
MAX_ROWS: Final = 1000
MAX_CONSENTS: Final = 5000
INBOX_CAP: Final = 1000
DUPLICATE_WINDOW: Final = timedelta(seconds=600)
REPORTS_MAX_SPAN: Final = timedelta(days=10)
FIRST_ORDER_ID: Final = 100_000_001

_TIMESTAMP: Final = "%Y-%m-%d %H:%M:%S"
_SEND_MINUTES = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")
_SEND_SECONDS = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}")
_YMD = re.compile(r"\d{4}-\d{2}-\d{2}")
_YMD_HMS = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_NUMERIC = re.compile(r"-?\d+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TURKISH_MOBILE = re.compile(r"\+905\d{9}")

_IYS_LISTS: Final = frozenset({"BIREYSEL", "TACIR"})
_CONSENT_TYPES: Final = frozenset({"MESAJ", "EPOSTA", "ARAMA"})
_CONSENT_STATUSES: Final = frozenset({"ONAY", "RET"})

_STRING_CODE_ENDPOINTS: Final = frozenset({"send-sms", "cancel-order"})


# --------------------------------------------------------------------------- clock


class FakeClock:
    """Real wall time in Europe/Istanbul plus an offset that only grows.

    Tests move it with :meth:`advance` instead of sleeping; it never goes back,
    so everything derived from it (delivery progression, cancel windows, the
    duplicate guard) only moves forward.
    """

    def __init__(self, offset: float = 0.0) -> None:
        if offset < 0:
            raise ValueError("offset must not be negative")
        self._offset = float(offset)

    @property
    def offset(self) -> float:
        """Seconds added to the real time so far."""
        return self._offset

    def now(self) -> datetime:
        """The fake current time, timezone-aware in Europe/Istanbul."""
        return datetime.now(ISTANBUL) + timedelta(seconds=self._offset)

    def monotonic(self) -> float:
        """``time.monotonic()`` plus the offset, so advancing also refills rate buckets."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move the clock forward and return the new :meth:`now`."""
        delta = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        if delta < 0 or math.isnan(delta):
            raise ValueError("the fake clock only moves forward")
        self._offset += delta
        return self.now()

    def __repr__(self) -> str:
        return f"FakeClock(offset={self._offset!r})"


def as_istanbul(value: datetime) -> datetime:
    """Naive datetimes are Istanbul wall time; aware ones are converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=ISTANBUL)
    return value.astimezone(ISTANBUL)


def fmt_timestamp(value: datetime) -> str:
    return value.astimezone(ISTANBUL).strftime(_TIMESTAMP)


# --------------------------------------------------------------------------- rate bucket


class RateBucket:
    """Token bucket counting recipients, like the SDK's own limiter.

    An order larger than the capacity is accepted once the bucket is full and
    drains it, so a 50,000-recipient bulk order is throttled but never
    impossible.  ``grace`` seconds of refill may be borrowed, which absorbs the
    loopback jitter between a client-side bucket that releases a request and
    the moment it reaches the server.
    """

    def __init__(
        self, rate: float, capacity: float, grace: float, now: Callable[[], float]
    ) -> None:
        if rate <= 0 or capacity <= 0 or grace < 0:
            raise ValueError("rate and capacity must be positive and grace non-negative")
        self.rate = float(rate)
        self.capacity = float(capacity)
        self.grace = float(grace)
        self._now = now
        self._tokens = self.capacity
        self._last = now()

    def _refill(self) -> None:
        now = self._now()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now

    @property
    def tokens(self) -> float:
        self._refill()
        return self._tokens

    def try_take(self, cost: int) -> bool:
        """Take ``min(cost, capacity)`` tokens if available (with grace); never waits."""
        self._refill()
        need = min(float(cost), self.capacity)
        if self._tokens + self.grace * self.rate + 1e-9 < need:
            return False
        self._tokens -= need
        return True


# --------------------------------------------------------------------------- records


@attrs.frozen
class OrderMessage:
    """One recipient of an order as the report would show it now."""

    message_id: int
    number: str
    text: str
    status: int


@attrs.frozen
class OrderSnapshot:
    """A read-only copy of a stored order, evaluated at the fake clock's now."""

    id: str
    status: int
    submitted_at: datetime
    send_at: datetime
    sender: str
    iys: str
    iys_list: str | None
    texts: tuple[str, ...]
    submitted_texts: tuple[str, ...]
    recipients: tuple[str, ...]
    messages: tuple[OrderMessage, ...]
    scheduled: bool
    schedule_dropped: bool
    cancelled: bool
    historical: bool
    price: int
    total: int
    delivered: int
    undelivered: int
    waiting: int

    @property
    def text(self) -> str:
        """The (first) text as sent; APITEST orders show the verification text."""
        return self.texts[0] if self.texts else ""


@attrs.frozen
class ConsentRecord:
    brand_code: int
    recipient: str
    recipient_type: str
    type: str
    status: str
    source: str
    consent_date: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "brandCode": self.brand_code,
            "recipient": self.recipient,
            "recipientType": self.recipient_type,
            "type": self.type,
            "status": self.status,
            "source": self.source,
            "consentDate": fmt_timestamp(self.consent_date),
        }


@attrs.frozen
class InboundRecord:
    id: str
    received_at: datetime
    sender: str
    number: str
    text: str


@attrs.frozen
class DeliveryEvent:
    """One webhook-worthy status change of one message (``accepted`` then a final one)."""

    message_id: int
    order_id: str
    status: Literal["accepted", "delivered", "undelivered"]
    to: str
    body: str
    at: datetime

    def payload(self) -> dict[str, Any]:
        """The documented webhook body."""
        return {
            "report": {
                "id": self.message_id,
                "packet_id": int(self.order_id),
                "status": self.status,
                "to": self.to,
                "body": self.body,
            }
        }


class _Order:
    """Mutable stored order; historical ones synthesise their recipients on demand."""

    __slots__ = (
        "cancelled",
        "final_at",
        "first_message_id",
        "fixed_status",
        "id",
        "iys",
        "iys_list",
        "numbers",
        "parts",
        "price",
        "schedule_dropped",
        "scheduled",
        "send_at",
        "sender",
        "submitted_at",
        "submitted_texts",
        "text_of",
        "texts",
        "total",
        "undelivered",
    )

    def __init__(
        self,
        *,
        id: int,
        submitted_at: datetime,
        send_at: datetime,
        final_at: datetime,
        sender: str,
        total: int,
        first_message_id: int,
        iys: str = "0",
        iys_list: str | None = None,
        texts: tuple[str, ...] = (),
        submitted_texts: tuple[str, ...] = (),
        parts: tuple[int, ...] = (),
        numbers: list[str] | None = None,
        text_of: list[int] | None = None,
        undelivered: frozenset[int] = frozenset(),
        fixed_status: int | None = None,
        scheduled: bool = False,
        schedule_dropped: bool = False,
        price: int = 0,
    ) -> None:
        self.id = id
        self.submitted_at = submitted_at
        self.send_at = send_at
        self.final_at = final_at
        self.sender = sender
        self.total = total
        self.first_message_id = first_message_id
        self.iys = iys
        self.iys_list = iys_list
        self.texts = texts
        self.submitted_texts = submitted_texts
        self.parts = parts
        self.numbers = numbers
        self.text_of = text_of
        self.undelivered = undelivered
        self.fixed_status = fixed_status
        self.scheduled = scheduled
        self.schedule_dropped = schedule_dropped
        self.cancelled = False
        self.price = price

    @property
    def historical(self) -> bool:
        return self.fixed_status is not None

    def number(self, index: int) -> str:
        if self.numbers is not None:
            return self.numbers[index]
        return f"+9050{index % 10**8:08d}"

    def text_at(self, index: int) -> str:
        if not self.texts:
            return ""
        return self.texts[self.text_of[index] if self.text_of is not None else 0]

    def not_ready(self, now: datetime) -> bool:
        """Scheduled and not yet due: get-report answers 456."""
        return not self.cancelled and not self.historical and now < self.send_at

    def final(self, now: datetime) -> bool:
        return now >= self.final_at

    def message_status(self, index: int, now: datetime) -> int:
        if self.cancelled:
            return 112
        if self.fixed_status is not None:
            return {113: 110, 114: 111}.get(self.fixed_status, 112)
        if not self.final(now):
            return 110
        return 112 if index in self.undelivered else 111

    def status(self, now: datetime) -> int:
        if self.cancelled:
            return 115
        if self.fixed_status is not None:
            return self.fixed_status
        return 114 if self.final(now) else 113

    def counters(self, now: datetime) -> tuple[int, int, int]:
        """(delivered, undelivered, waiting) for the whole order."""
        status = self.status(now)
        if status == 115:
            return 0, self.total, 0
        if status == 113:
            return 0, 0, self.total
        bad = len(self.undelivered)
        return self.total - bad, bad, 0

    def snapshot(self, now: datetime) -> OrderSnapshot:
        delivered, undelivered, waiting = self.counters(now)
        messages = tuple(
            OrderMessage(
                message_id=self.first_message_id + i,
                number=self.number(i),
                text=self.text_at(i),
                status=self.message_status(i, now),
            )
            for i in range(self.total)
        )
        return OrderSnapshot(
            id=str(self.id),
            status=self.status(now),
            submitted_at=self.submitted_at,
            send_at=self.send_at,
            sender=self.sender,
            iys=self.iys,
            iys_list=self.iys_list,
            texts=self.texts,
            submitted_texts=self.submitted_texts,
            recipients=tuple(m.number for m in messages),
            messages=messages,
            scheduled=self.scheduled,
            schedule_dropped=self.schedule_dropped,
            cancelled=self.cancelled,
            historical=self.historical,
            price=self.price,
            total=self.total,
            delivered=delivered,
            undelivered=undelivered,
            waiting=waiting,
        )


class OrdersView(Mapping[str, OrderSnapshot]):
    """Read-only mapping of order id (str) to a fresh :class:`OrderSnapshot`."""

    def __init__(self, account: Account) -> None:
        self._account = account

    def __getitem__(self, key: str) -> OrderSnapshot:
        if not isinstance(key, str) or not key.isdigit():
            raise KeyError(key)
        order = self._account._orders.get(int(key))
        if order is None:
            raise KeyError(key)
        return order.snapshot(self._account.clock.now())

    def __iter__(self) -> Iterator[str]:
        return (str(i) for i in list(self._account._orders))

    def __len__(self) -> int:
        return len(self._account._orders)

    def __repr__(self) -> str:
        return f"<OrdersView of {len(self)} orders>"


# --------------------------------------------------------------------------- envelopes


class Refusal(Exception):
    """Raised inside an endpoint to answer with an error code and no payload."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(code)


@attrs.frozen
class Reply:
    """What an endpoint answered: the body code doubles as the HTTP status."""

    code: int
    body: dict[str, Any]


def status_message(code: int) -> str:
    if code == 200:
        return "İşlem başarılı"
    info = CODES.get(code)
    if info is not None:
        return info.message
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Hata"


def envelope(
    code: int, payload: Mapping[str, Any] | None = None, *, string_code: bool = False
) -> dict[str, Any]:
    """The response envelope; error envelopes carry ``status`` only."""
    status: dict[str, Any] = {
        "code": str(code) if string_code else code,
        "message": status_message(code),
    }
    response: dict[str, Any] = {"status": status}
    if code == 200 and payload:
        response.update(payload)
    return {"response": response}


# --------------------------------------------------------------------------- parsing helpers


def _int_field(value: object, default: int) -> int:
    """An int given as int or numeric string; anything else is a 400."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise Refusal(400)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _NUMERIC.fullmatch(value.strip()):
        return int(value.strip())
    raise Refusal(400)


def _turkish_mobile(value: object) -> str | None:
    """``+905xxxxxxxxx`` for a Turkish mobile in any accepted spelling, else None."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    try:
        number = normalize_number(value)
    except InvalidRequestError:
        return None
    return number if _TURKISH_MOBILE.fullmatch(number) else None


def _any_number(value: object) -> str | None:
    """Turkish mobile or E.164 international number, else None."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    try:
        return normalize_number(value)
    except InvalidRequestError:
        return None


def carrier_number(value: object) -> str | None:
    """A Turkish mobile with a real operator prefix (blacklist endpoints), else None."""
    number = _turkish_mobile(value)
    if number is None or number[3:6] not in CARRIER_PREFIXES:
        return None
    return number


def _normal_text(text: str) -> str:
    return " ".join(text.split())


def _parse_timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not _YMD_HMS.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, _TIMESTAMP).replace(tzinfo=ISTANBUL)
    except ValueError:
        return None


def _parse_day(value: object) -> date | None:
    if not isinstance(value, str) or not _YMD.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _consent_recipient(value: object) -> str | None:
    """Normalised phone or case-folded e-mail, the key under which consents are stored."""
    if isinstance(value, str) and "@" in value:
        candidate = value.strip()
        return candidate.casefold() if _EMAIL.fullmatch(candidate) else None
    return _turkish_mobile(value)


def _brand_code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


# --------------------------------------------------------------------------- the account


class Account:
    """One iletiMerkezi account: configuration, stored data and every endpoint."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        api_hash: str = "test-hash",
        clock: FakeClock | None = None,
        legacy_types: bool = False,
        api_access: bool = True,
        ip_allowed: bool = True,
        senders: Iterable[str] = (APITEST,),
        balance: Decimal | int | str = Decimal("1000"),
        sms_credits: int = 10_000,
        rate_limit: float | None = 100,
        rate_limit_burst: float | None = None,
        rate_limit_status: int = 503,
        rate_limit_grace: float = 0.05,
        delivery_delay: float = 1.0,
        undeliverable: Iterable[str] = (),
        brand_code: int = 696422,
        iys_subscription: bool = True,
        iys_configured: bool = True,
        reports_page_size: int = 30,
        abroad: bool = False,
        webhook_url: str | None = None,
    ) -> None:
        self.api_key = api_key
        self.api_hash = api_hash
        self.clock = clock if clock is not None else FakeClock()
        self.legacy_types = legacy_types
        self.api_access = api_access
        self.ip_allowed = ip_allowed
        self._senders: list[str] = []
        for name in senders:
            self.add_sender(name)
        self.balance = Decimal(str(balance))
        self.sms_credits = int(sms_credits)
        if rate_limit_status < 400 or rate_limit_status > 599:
            raise ValueError("rate_limit_status must be a 4xx or 5xx code")
        self.rate_limit_status = rate_limit_status
        self._rate_limit_grace = rate_limit_grace
        self._rate_limit: float | None = None
        self._rate_limit_burst: float | None = None
        self._bucket: RateBucket | None = None
        self.configure_rate_limit(rate_limit, rate_limit_burst, rate_limit_grace)
        self.delivery_delay = float(delivery_delay)
        self._undeliverable: set[str] = set()
        for number in undeliverable:
            normal = _any_number(number)
            if normal is None:
                raise ValueError(f"undeliverable: not a phone number: {number!r}")
            self._undeliverable.add(normal)
        self.brand_code = int(brand_code)
        self.iys_subscription = iys_subscription
        self.iys_configured = iys_configured
        if reports_page_size < 1:
            raise ValueError("reports_page_size must be at least 1")
        self.reports_page_size = reports_page_size
        self.abroad = abroad
        self.webhook_url = webhook_url

        self._orders: dict[int, _Order] = {}
        self._order_index: list[tuple[datetime, int]] = []
        self._index_sorted = True
        self._order_ids = itertools.count(FIRST_ORDER_ID)
        self._message_ids = 1_000_000_001
        self._duplicates: dict[frozenset[tuple[str, str]], datetime] = {}
        self._duplicate_queue: deque[tuple[datetime, frozenset[tuple[str, str]], int]] = deque()
        self._guard_of_order: dict[int, frozenset[tuple[str, str]]] = {}
        self._blacklist: dict[str, datetime] = {}
        self._consents: dict[tuple[str, str, str], ConsentRecord] = {}
        self._inbound: list[InboundRecord] = []
        self._inbound_ids = itertools.count(1)
        self._event_stage: dict[int, int] = {}
        self.orders = OrdersView(self)
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "send-sms": self._send_sms,
            "cancel-order": self._cancel_order,
            "get-report": self._get_report,
            "get-reports": self._get_reports,
            "get-balance": self._get_balance,
            "get-sender": self._get_sender,
            "get-blacklist": self._get_blacklist,
            "add-blacklist": self._add_blacklist,
            "delete-blacklist": self._delete_blacklist,
            "consent/create": self._consent_create,
            "consent/show": self._consent_show,
            "get-inbox": self._get_inbox,
        }

    # ----------------------------------------------------------------- configuration

    @property
    def rate_limit(self) -> float | None:
        return self._rate_limit

    @property
    def rate_limit_burst(self) -> float | None:
        return self._rate_limit_burst

    def configure_rate_limit(
        self, rate: float | None, burst: float | None = None, grace: float | None = None
    ) -> None:
        """(Re)build the recipients-per-second bucket; ``rate=None`` disables it."""
        if grace is not None:
            self._rate_limit_grace = grace
        self._rate_limit = rate
        self._rate_limit_burst = burst
        if rate is None:
            self._bucket = None
            return
        capacity = burst if burst is not None else rate
        self._bucket = RateBucket(rate, capacity, self._rate_limit_grace, self.clock.monotonic)

    @property
    def senders(self) -> tuple[str, ...]:
        return tuple(self._senders)

    def add_sender(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError("a sender must be a non-empty string")
        if name not in self._senders:
            self._senders.append(name)

    @property
    def blacklist(self) -> Mapping[str, datetime]:
        return MappingProxyType(self._blacklist)

    @property
    def consents(self) -> Mapping[tuple[str, str, str], ConsentRecord]:
        return MappingProxyType(self._consents)

    @property
    def inbound(self) -> Sequence[InboundRecord]:
        return tuple(self._inbound)

    # ----------------------------------------------------------------- hooks

    def add_order(
        self,
        submitted_at: datetime,
        *,
        recipients: int = 1,
        status: int = 114,
        sender: str = APITEST,
    ) -> str:
        ids = self.add_orders([submitted_at], recipients=recipients, status=status, sender=sender)
        return ids[0]

    def add_orders(
        self,
        submitted_ats: Iterable[datetime],
        *,
        recipients: int = 1,
        status: int = 114,
        sender: str = APITEST,
    ) -> list[str]:
        """Historical orders that stay at ``status`` (113, 114 or 115) forever."""
        if status not in (113, 114, 115):
            raise ValueError("status must be 113, 114 or 115")
        if recipients < 1:
            raise ValueError("recipients must be at least 1")
        ids: list[str] = []
        orders = self._orders
        index = self._order_index
        price = 0 if status == 115 else recipients
        for submitted in submitted_ats:
            at = as_istanbul(submitted)
            order_id = next(self._order_ids)
            order = _Order(
                id=order_id,
                submitted_at=at,
                send_at=at,
                final_at=at,
                sender=sender,
                total=recipients,
                first_message_id=self._message_ids,
                fixed_status=status,
                price=price,
            )
            self._message_ids += recipients
            orders[order_id] = order
            index.append((at, order_id))
            ids.append(str(order_id))
        self._index_sorted = False
        return ids

    def add_inbound(
        self,
        text: str,
        *,
        sender: str = "7889",
        number: str = "+905000000000",
        received_at: datetime | None = None,
    ) -> str:
        at = as_istanbul(received_at) if received_at is not None else self.clock.now()
        record = InboundRecord(
            id=str(next(self._inbound_ids)), received_at=at, sender=sender, number=number, text=text
        )
        self._inbound.append(record)
        return record.id

    def add_blacklist(self, number: str, *, blocked_at: datetime | None = None) -> str:
        normal = _any_number(number)
        if normal is None:
            raise ValueError(f"not a phone number: {number!r}")
        at = as_istanbul(blocked_at) if blocked_at is not None else self.clock.now()
        self._blacklist.setdefault(normal, at)
        return normal

    def add_consent(
        self,
        recipient: str,
        *,
        recipient_type: str = "BIREYSEL",
        type: str = "MESAJ",
        status: str = "ONAY",
        source: str = "HS_WEB",
        consent_date: datetime | None = None,
    ) -> ConsentRecord:
        item: dict[str, Any] = {
            "recipient": recipient,
            "recipientType": recipient_type,
            "type": type,
            "status": status,
            "source": source,
        }
        if consent_date is not None:
            item["consentDate"] = fmt_timestamp(as_istanbul(consent_date))
        record = self._consent_from_item(item)
        if record is None:
            raise ValueError("invalid consent record")
        self._consents[(record.recipient, record.recipient_type, record.type)] = record
        return record

    def collect_events(self) -> list[DeliveryEvent]:
        """Every delivery event that became due since the last call, in time order.

        This is the single place where the progression ``accepted`` →
        ``delivered``/``undelivered`` turns into events, so a webhook sender only
        has to call it.
        """
        now = self.clock.now()
        events: list[DeliveryEvent] = []
        done: list[int] = []
        for order_id, stage in self._event_stage.items():
            order = self._orders[order_id]
            if order.cancelled:
                done.append(order_id)
                continue
            if stage == 0 and now >= order.send_at:
                stage = 1
                events.extend(self._events_for(order, "accepted", order.send_at))
            if stage == 1 and order.final(now):
                stage = 2
                events.extend(self._events_for(order, None, order.final_at))
            self._event_stage[order_id] = stage
            if stage == 2:
                done.append(order_id)
        for order_id in done:
            del self._event_stage[order_id]
        events.sort(key=lambda e: (e.at, e.message_id))
        return events

    def _events_for(
        self, order: _Order, status: Literal["accepted"] | None, at: datetime
    ) -> Iterator[DeliveryEvent]:
        for i in range(order.total):
            final: Literal["accepted", "delivered", "undelivered"]
            if status is not None:
                final = status
            else:
                final = "undelivered" if i in order.undelivered else "delivered"
            yield DeliveryEvent(
                message_id=order.first_message_id + i,
                order_id=str(order.id),
                status=final,
                to=order.number(i),
                body=order.text_at(i),
                at=at,
            )

    # ----------------------------------------------------------------- dispatch

    def string_code(self, endpoint: str | None) -> bool:
        """Legacy send-sms and cancel-order answers carry ``"code": "200"``."""
        return self.legacy_types and endpoint in _STRING_CODE_ENDPOINTS

    def reply(
        self, endpoint: str | None, code: int, payload: Mapping[str, Any] | None = None
    ) -> Reply:
        return Reply(code, envelope(code, payload, string_code=self.string_code(endpoint)))

    def handle(self, endpoint: str, body: object) -> Reply:
        """Answer a parsed request body for a known endpoint (auth included)."""
        try:
            if not isinstance(body, dict):
                raise Refusal(400)
            request = body.get("request")
            if not isinstance(request, dict):
                raise Refusal(400)
            self._authenticate(request)
            payload = self._handlers[endpoint](request)
        except Refusal as refusal:
            return self.reply(endpoint, refusal.code)
        return self.reply(endpoint, 200, payload)

    def _authenticate(self, request: dict[str, Any]) -> None:
        auth = request.get("authentication")
        if not isinstance(auth, dict):
            raise Refusal(401)
        if auth.get("key") != self.api_key or auth.get("hash") != self.api_hash:
            raise Refusal(401)
        if not self.api_access or not self.ip_allowed:
            raise Refusal(401)

    # ----------------------------------------------------------------- send-sms

    def _send_sms(self, request: dict[str, Any]) -> dict[str, Any]:
        order = request.get("order")
        if not isinstance(order, dict):
            raise Refusal(400)
        sender = order.get("sender")
        if not isinstance(sender, str) or not (sender == APITEST or sender in self._senders):
            raise Refusal(450)
        apitest = sender == APITEST

        messages = order.get("message")
        if messages is None:
            raise Refusal(454)
        if isinstance(messages, dict):
            messages = [messages]
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise Refusal(400)
        if not messages:
            raise Refusal(454)
        texts: list[str] = []
        for message in messages:
            text = message.get("text")
            if text is None:
                raise Refusal(454)
            if not isinstance(text, str):
                raise Refusal(400)
            if not text.strip():
                raise Refusal(454)
            texts.append(text)
        if any(segments(text).parts > MAX_PARTS for text in texts):
            raise Refusal(453)

        numbers, text_of = self._recipients(messages)

        iys = "0"
        iys_list: str | None = None
        if not apitest:
            iys = self._iys_flag(order.get("iys"))
            if iys == "1":
                raw_list = order.get("iysList")
                if raw_list not in _IYS_LISTS:
                    raise Refusal(469)
                iys_list = str(raw_list)
                if not self.iys_configured:
                    raise Refusal(470)

        now = self.clock.now()
        send_at, scheduled, dropped = self._send_time(order.get("sendDateTime"), now)

        guard = frozenset(
            (_normal_text(texts[text_of[i] if text_of is not None else 0]), number)
            for i, number in enumerate(numbers)
        )
        self._expire_duplicates(now)
        if guard in self._duplicates:
            raise Refusal(451)

        sent_texts = tuple(APITEST_TEXT for _ in texts) if apitest else tuple(texts)
        parts = tuple(segments(text).parts for text in sent_texts)
        price = parts[0] * len(numbers) if text_of is None else sum(parts[t] for t in text_of)
        if price > self.sms_credits:
            raise Refusal(402)

        if self._bucket is not None and not self._bucket.try_take(len(numbers)):
            raise Refusal(self.rate_limit_status)

        undelivered = frozenset(
            i
            for i, number in enumerate(numbers)
            if number in self._undeliverable or number in self._blacklist
        )
        order_id = next(self._order_ids)
        stored = _Order(
            id=order_id,
            submitted_at=now,
            send_at=send_at,
            final_at=send_at + timedelta(seconds=self.delivery_delay),
            sender=sender,
            total=len(numbers),
            first_message_id=self._message_ids,
            iys=iys,
            iys_list=iys_list,
            texts=sent_texts,
            submitted_texts=tuple(texts),
            parts=parts,
            numbers=numbers,
            text_of=text_of,
            undelivered=undelivered,
            scheduled=scheduled,
            schedule_dropped=dropped,
            price=price,
        )
        self._message_ids += len(numbers)
        self._orders[order_id] = stored
        self._order_index.append((now, order_id))
        self._index_sorted = False
        self.sms_credits -= price
        self._duplicates[guard] = now
        self._duplicate_queue.append((now, guard, order_id))
        self._guard_of_order[order_id] = guard
        self._event_stage[order_id] = 0
        return {"order": {"id": str(order_id)}}

    def _recipients(self, messages: list[dict[str, Any]]) -> tuple[list[str], list[int] | None]:
        raw: list[tuple[object, int]] = []
        for index, message in enumerate(messages):
            block = message.get("receipents")
            if not isinstance(block, dict):
                raise Refusal(452)
            listed = block.get("number")
            if isinstance(listed, str | int) and not isinstance(listed, bool):
                listed = [listed]
            if not isinstance(listed, list) or not listed:
                raise Refusal(452)
            raw.extend((value, index) for value in listed)
            if len(raw) > MAX_RECIPIENTS:
                raise Refusal(452)
        normalise = _any_number if self.abroad else _turkish_mobile
        numbers: list[str] = []
        for value, _ in raw:
            number = normalise(value)
            if number is None:
                raise Refusal(452)
            numbers.append(number)
        if all(number in self._blacklist for number in numbers):
            raise Refusal(452)
        text_of = [index for _, index in raw] if len(messages) > 1 else None
        return numbers, text_of

    @staticmethod
    def _iys_flag(value: object) -> str:
        if value is None:
            return "0"
        if isinstance(value, bool):
            raise Refusal(468)
        if value in ("0", 0):
            return "0"
        if value in ("1", 1):
            return "1"
        raise Refusal(468)

    @staticmethod
    def _send_time(value: object, now: datetime) -> tuple[datetime, bool, bool]:
        """(send_at, scheduled, schedule_dropped) from ``sendDateTime``."""
        if isinstance(value, list):
            if len(value) > 1:
                raise Refusal(457)
            value = value[0] if value else None
        if value is None or value == "":
            return now, False, False
        if not isinstance(value, str):
            raise Refusal(457)
        if _SEND_SECONDS.fullmatch(value):
            try:
                datetime.strptime(value, "%d/%m/%Y %H:%M:%S")
            except ValueError:
                raise Refusal(457) from None
            return now, False, True
        if not _SEND_MINUTES.fullmatch(value):
            raise Refusal(457)
        try:
            at = datetime.strptime(value, "%d/%m/%Y %H:%M").replace(tzinfo=ISTANBUL)
        except ValueError:
            raise Refusal(457) from None
        if at <= now:
            return now, False, False
        return at, True, False

    def _expire_duplicates(self, now: datetime) -> None:
        queue = self._duplicate_queue
        while queue and now - queue[0][0] >= DUPLICATE_WINDOW:
            at, guard, order_id = queue.popleft()
            if self._duplicates.get(guard) == at:
                del self._duplicates[guard]
            self._guard_of_order.pop(order_id, None)

    # ----------------------------------------------------------------- cancel / reports

    def _find_order(self, raw: object) -> _Order:
        if raw is None:
            raise Refusal(400)
        if isinstance(raw, bool):
            raise Refusal(400)
        if isinstance(raw, int):
            order_id = raw
        elif isinstance(raw, str):
            if not raw.strip().isdigit():
                raise Refusal(455)
            order_id = int(raw.strip())
        else:
            raise Refusal(400)
        order = self._orders.get(order_id)
        if order is None:
            raise Refusal(455)
        return order

    def _cancel_order(self, request: dict[str, Any]) -> dict[str, Any]:
        block = request.get("order")
        if not isinstance(block, dict):
            raise Refusal(400)
        order = self._find_order(block.get("id"))
        now = self.clock.now()
        if order.cancelled or order.historical or now >= order.send_at:
            raise Refusal(455)
        order.cancelled = True
        self.sms_credits += order.price
        order.price = 0
        guard = self._guard_of_order.pop(order.id, None)
        if guard is not None and self._duplicates.get(guard) == order.submitted_at:
            del self._duplicates[guard]
        self._event_stage.pop(order.id, None)
        return {}

    def _get_report(self, request: dict[str, Any]) -> dict[str, Any]:
        block = request.get("order")
        if not isinstance(block, dict):
            raise Refusal(400)
        order = self._find_order(block.get("id"))
        page = _int_field(block.get("page"), 1)
        rows = _int_field(block.get("rowCount"), MAX_ROWS)
        if page < 1:
            raise Refusal(464)
        if rows < 1:
            raise Refusal(400)
        rows = min(rows, MAX_ROWS)
        now = self.clock.now()
        if order.not_ready(now):
            raise Refusal(456)
        start = min((page - 1) * rows, order.total)
        stop = min(start + rows, order.total)
        legacy = self.legacy_types
        messages = [
            {
                "number": _legacy_number(order.number(i)) if legacy else order.number(i),
                "status": order.message_status(i, now),
            }
            for i in range(start, stop)
        ]
        price: object = f"{order.price:.4f}".replace(".", ",") if legacy else order.price
        summary = _summary(order, now)
        summary["id"] = order.id if legacy else str(order.id)
        return {"order": {**summary, "price": price, "message": messages}}

    def _sorted_index(self) -> list[tuple[datetime, int]]:
        if not self._index_sorted:
            self._order_index.sort()
            self._index_sorted = True
        return self._order_index

    def _get_reports(self, request: dict[str, Any]) -> dict[str, Any]:
        block = request.get("filter")
        if not isinstance(block, dict):
            raise Refusal(458)
        start = _parse_day(block.get("start"))
        end = _parse_day(block.get("end"))
        if start is None or end is None or start > end or end - start > REPORTS_MAX_SPAN:
            raise Refusal(458)
        raw_page = block.get("page")
        if raw_page is None:
            raw_page = request.get("page")
        page = _int_field(raw_page, 1)
        if page < 1:
            raise Refusal(464)
        low = datetime.combine(start, datetime.min.time(), ISTANBUL)
        high = datetime.combine(end + timedelta(days=1), datetime.min.time(), ISTANBUL)
        index = self._sorted_index()
        first = bisect.bisect_left(index, (low, 0))
        last = bisect.bisect_left(index, (high, 0))
        size = self.reports_page_size
        lo = first + (page - 1) * size
        hi = min(lo + size, last)
        now = self.clock.now()
        orders = []
        for _, order_id in index[lo:hi] if lo < last else ():
            orders.append(_summary(self._orders[order_id], now))
        count: object = str(len(orders)) if self.legacy_types else len(orders)
        return {"count": count, "orders": orders}

    # ----------------------------------------------------------------- account

    def _get_balance(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.legacy_types:
            return {"balance": {"amount": str(self.balance), "sms": str(self.sms_credits)}}
        return {"balance": {"amount": float(self.balance), "sms": self.sms_credits}}

    def _get_sender(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"senders": {"sender": list(self._senders)}}

    # ----------------------------------------------------------------- blacklist

    def _get_blacklist(self, request: dict[str, Any]) -> dict[str, Any]:
        block = request.get("blacklist")
        if block is None:
            block = {}
        if not isinstance(block, dict):
            raise Refusal(400)
        page = _int_field(block.get("page"), 1)
        rows = _int_field(block.get("rowCount"), MAX_ROWS)
        if page < 1:
            raise Refusal(464)
        if rows < 1:
            raise Refusal(400)
        rows = min(rows, MAX_ROWS)
        window = block.get("filter")
        low: datetime | None = None
        high: datetime | None = None
        if window is not None:
            if not isinstance(window, dict):
                raise Refusal(400)
            if window.get("start") not in (None, ""):
                low = _parse_timestamp(window.get("start"))
                if low is None:
                    raise Refusal(400)
            if window.get("end") not in (None, ""):
                high = _parse_timestamp(window.get("end"))
                if high is None:
                    raise Refusal(400)
        entries = sorted(self._blacklist.items(), key=lambda item: item[1])
        matching = [
            number
            for number, at in entries
            if (low is None or at >= low) and (high is None or at <= high)
        ]
        start = (page - 1) * rows
        numbers = matching[start : start + rows]
        count: object = str(len(matching)) if self.legacy_types else len(matching)
        return {"blacklist": {"count": count, "number": numbers}}

    def _blacklist_number(self, request: dict[str, Any]) -> str:
        block = request.get("blacklist")
        if not isinstance(block, dict) or block.get("number") in (None, ""):
            raise Refusal(400)
        number = carrier_number(block.get("number"))
        if number is None:
            raise Refusal(466)
        return number

    def _add_blacklist(self, request: dict[str, Any]) -> dict[str, Any]:
        number = self._blacklist_number(request)
        self._blacklist.setdefault(number, self.clock.now())
        return {}

    def _delete_blacklist(self, request: dict[str, Any]) -> dict[str, Any]:
        number = self._blacklist_number(request)
        if number not in self._blacklist:
            raise Refusal(474)
        del self._blacklist[number]
        return {}

    # ----------------------------------------------------------------- İYS

    def _consent_from_item(self, item: object) -> ConsentRecord | None:
        if not isinstance(item, dict):
            return None
        recipient = _consent_recipient(item.get("recipient"))
        recipient_type = item.get("recipientType")
        kind = item.get("type")
        status = item.get("status")
        source = item.get("source")
        if (
            recipient is None
            or recipient_type not in _IYS_LISTS
            or kind not in _CONSENT_TYPES
            or status not in _CONSENT_STATUSES
            or source not in IYS_SOURCES
        ):
            return None
        is_email = "@" in recipient
        if (kind == "EPOSTA") != is_email:
            return None
        raw_date = item.get("consentDate")
        if raw_date in (None, "") and recipient_type == "TACIR":
            consent_date = self.clock.now().replace(microsecond=0)
        else:
            parsed = _parse_timestamp(raw_date)
            if parsed is None:
                return None
            consent_date = parsed
        return ConsentRecord(
            brand_code=self.brand_code,
            recipient=recipient,
            recipient_type=str(recipient_type),
            type=str(kind),
            status=str(status),
            source=str(source),
            consent_date=consent_date,
        )

    def _consent_create(self, request: dict[str, Any]) -> dict[str, Any]:
        if not self.iys_subscription:
            raise Refusal(403)
        block = request.get("consent")
        if not isinstance(block, dict):
            raise Refusal(400)
        if _brand_code(block.get("brandCode")) != self.brand_code:
            raise Refusal(422)
        items = block.get("list")
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_CONSENTS:
            raise Refusal(422)
        records = []
        for item in items:
            record = self._consent_from_item(item)
            if record is None:
                raise Refusal(422)
            records.append(record)
        for record in records:
            self._consents[(record.recipient, record.recipient_type, record.type)] = record
        return {}

    def _consent_show(self, request: dict[str, Any]) -> dict[str, Any]:
        if not self.iys_subscription:
            raise Refusal(403)
        block = request.get("consent")
        if not isinstance(block, dict):
            raise Refusal(400)
        recipient = _consent_recipient(block.get("recipient"))
        recipient_type = block.get("recipientType")
        kind = block.get("type")
        if recipient is None or recipient_type not in _IYS_LISTS or kind not in _CONSENT_TYPES:
            raise Refusal(422)
        if _brand_code(block.get("brandCode")) != self.brand_code:
            return {"consent": []}
        record = self._consents.get((recipient, str(recipient_type), str(kind)))
        if record is not None:
            return {"consent": record.to_wire()}
        keys = [key for key in self._consents if key[0] == recipient]
        if not keys:
            raise Refusal(422)
        if (
            recipient_type == "TACIR"
            and kind == "MESAJ"
            and not any(key[1] == "TACIR" for key in keys)
        ):
            return {"consent": []}
        raise Refusal(422)

    # ----------------------------------------------------------------- inbox

    def _get_inbox(self, request: dict[str, Any]) -> dict[str, Any]:
        ordered = sorted(self._inbound, key=lambda r: (r.received_at, int(r.id)))
        newest = ordered[-INBOX_CAP:]
        return {
            "orders": {
                "totalRows": str(len(ordered)),
                "order": [
                    {
                        "id": r.id,
                        "date": fmt_timestamp(r.received_at),
                        "sender": r.sender,
                        "number": r.number,
                        "text": r.text,
                    }
                    for r in newest
                ],
            }
        }


def _legacy_number(number: str) -> int:
    """The older docs' report numbers: an int without ``+90`` (or without ``+``)."""
    if number.startswith("+90"):
        return int(number[3:])
    return int(number.lstrip("+"))


def _summary(order: _Order, now: datetime) -> dict[str, Any]:
    """The order fields get-report and get-reports share (get-reports' int id)."""
    delivered, undelivered, waiting = order.counters(now)
    return {
        "id": order.id,
        "status": order.status(now),
        "total": order.total,
        "delivered": delivered,
        "undelivered": undelivered,
        "waiting": waiting,
        "submitAt": fmt_timestamp(order.submitted_at),
        "sendAt": fmt_timestamp(order.send_at),
        "sender": order.sender,
    }
