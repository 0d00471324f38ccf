"""Response payloads → models, accepting every wire typing the API has used.

The same field arrives as int, numeric string or comma-decimal string
depending on the endpoint and the docs' era (reference §12/§14), so each field
kind has one lenient parser, registered on :data:`converter` as a hook.  The
model structure functions are written by hand and bound at import: a
1,000-order get-reports page is on the hot path of every dashboard export,
and direct calls beat generated code plus per-call dispatch.  Every shape
problem, whatever its cause, leaves this module as
:class:`~iletimerkezi_async.errors.ResponseFormatError`.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

import attrs
import cattrs

from .errors import ResponseFormatError
from .models import (
    Balance,
    Consent,
    ConsentStatus,
    ConsentType,
    DeliveryReport,
    DeliveryStatus,
    InboundMessage,
    Inbox,
    IysList,
    MessageReport,
    MessageStatus,
    Order,
    OrderReport,
    OrderStatus,
    OrderSummary,
)
from .phone import normalize_lenient

__all__ = [
    "ISTANBUL",
    "balance",
    "blacklist_page",
    "consent",
    "converter",
    "delivery_report",
    "inbox",
    "order",
    "order_report",
    "order_summaries",
    "parse_timestamp",
    "senders",
]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

ISTANBUL: Final = ZoneInfo("Europe/Istanbul")
"""Wire timestamps carry no zone; the API is Turkish local time."""


class _Bad(ValueError):
    """A shape problem at ``where`` (a wire path); a ValueError so cattrs hooks behave normally."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}" if where else what)
        self.where = where
        self.what = what

    def inside(self, prefix: str) -> _Bad:
        if not prefix:
            return self
        return _Bad(f"{prefix}.{self.where}" if self.where else prefix, self.what)


def _kind(value: object) -> str:
    # Type names only: values may be phone numbers or message text (KVKK).
    return "null" if value is None else type(value).__name__


def _missing(exc: KeyError) -> str:
    key = exc.args[0] if exc.args else "?"
    return f"missing key {str(key)[:40]!r}"


# --------------------------------------------------------------------------- scalars

_INT_RE: Final = re.compile(r"[+-]?[0-9]{1,18}")
_INT_LIMIT: Final = 10**18
_DECIMAL_RE: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_TIMESTAMP_RE: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
)
# MySQL's "no date"; a PHP backend may send it for an unset optional timestamp.
_ZERO_TIMESTAMP: Final = "0000-00-00 00:00:00"


def _int(value: Any, where: str) -> int:
    """Counters and codes: int, integral float, or a numeric string such as ``" 5 "``.

    At most 18 digits whatever the wire type, as for strings: a parsed mapping
    (a webhook body) may hold an int too large for ``str()``, which would make
    the model's repr, and every log line showing it, raise.
    """
    kind = type(value)
    if kind is int:
        if -_INT_LIMIT < value < _INT_LIMIT:
            return value  # type: ignore[no-any-return]
        raise _Bad(where, "integer out of range (more than 18 digits)")
    if kind is str:
        text = value.strip()
        if _INT_RE.fullmatch(text):
            return int(text)
    elif kind is float:
        if value.is_integer() and -_INT_LIMIT < value < _INT_LIMIT:
            return int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        return _int(int(value), where)  # an int subclass such as an IntEnum
    raise _Bad(where, f"expected an integer, got {_kind(value)}")


def _decimal(value: Any, where: str) -> Decimal:
    """Money: int, float (through ``str`` so 10.584 stays exact), ``"1.5"`` or ``"0,0000"``."""
    kind = type(value)
    if kind is int:
        return Decimal(value)
    if kind is float:
        if math.isfinite(value):
            return Decimal(str(value))
    elif kind is str:
        text = value.strip()
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if _DECIMAL_RE.fullmatch(text):
            return Decimal(text)
    elif isinstance(value, Decimal):
        if value.is_finite():
            return value
    elif isinstance(value, int) and not isinstance(value, bool):
        return Decimal(int(value))
    raise _Bad(where, f"expected a decimal number, got {_kind(value)}")


def _id(value: Any, where: str) -> str:
    """Ids are strings in the SDK, whichever of int or str the endpoint sends."""
    kind = type(value)
    if kind is str:
        text = value.strip()
        if text:
            return text  # type: ignore[no-any-return]
        raise _Bad(where, "empty id")
    if kind is int or (isinstance(value, int) and not isinstance(value, bool)):
        try:
            return str(int(value))
        except ValueError:  # beyond sys.get_int_max_str_digits()
            raise _Bad(where, "id is not a plausible number") from None
    raise _Bad(where, f"expected an id (string or integer), got {_kind(value)}")


def _text(value: Any, where: str) -> str:
    if type(value) is str:
        return value
    raise _Bad(where, f"expected a string, got {_kind(value)}")


def _opt_text(value: Any, where: str) -> str | None:
    if value is None or type(value) is str:
        return value
    raise _Bad(where, f"expected a string, got {_kind(value)}")


def _number(value: Any, where: str) -> str:
    """A phone number, normalised when valid; short codes and sender IDs pass through."""
    kind = type(value)
    if kind is int and value < 0:
        # str(-5051234567) would pass through as "-5051234567", which reads as a
        # valid mobile but is not the normalised "+90…" the models promise.
        raise _Bad(where, "expected a phone number, got a negative integer")
    if kind is str or kind is int:
        number = normalize_lenient(value)
        if number:
            return number
        raise _Bad(where, "empty number")
    raise _Bad(where, f"expected a phone number (string or integer), got {_kind(value)}")


def _timestamp(value: Any, where: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` (``T`` and a fraction tolerated) in Europe/Istanbul."""
    if type(value) is str:
        hit = _TIMESTAMP_CACHE.get(value)
        if hit is not None:
            return hit
        return _parse_timestamp(value, where)
    raise _Bad(where, f"expected 'YYYY-MM-DD HH:MM:SS', got {_kind(value)}")


# Timestamps repeat within a page (submitAt == sendAt, orders of the same
# second) and datetimes are immutable, so parsed values are shared.
_TIMESTAMP_CACHE: Final[dict[str, datetime]] = {}
_TIMESTAMP_CACHE_SIZE: Final = 4096
_SEPARATORS: Final = frozenset({"-- ::", "--T::"})
_fromisoformat: Final = datetime.fromisoformat
_combine: Final = datetime.combine


def _parse_timestamp(value: str, where: str) -> datetime:
    # The exact wire shape is recognised by its separators (positions 4, 7,
    # 10, 13, 16) in one slice, far cheaper than the regex; fromisoformat
    # then checks the digits.  Anything else must pass the regex.
    text = value
    if len(text) != 19 or text[4:17:3] not in _SEPARATORS:
        text = text.strip()
        if not _TIMESTAMP_RE.fullmatch(text):
            raise _Bad(where, "expected 'YYYY-MM-DD HH:MM:SS'")
    try:
        naive = _fromisoformat(text)
    except ValueError:
        raise _Bad(where, "not a valid calendar date and time") from None
    # combine() is several times faster than naive.replace(tzinfo=...).
    aware = _combine(naive.date(), naive.time(), ISTANBUL)
    if len(_TIMESTAMP_CACHE) >= _TIMESTAMP_CACHE_SIZE:
        _TIMESTAMP_CACHE.clear()
    _TIMESTAMP_CACHE[value] = aware
    return aware


def _opt_timestamp(value: Any, where: str) -> datetime | None:
    if type(value) is str:
        hit = _TIMESTAMP_CACHE.get(value)
        if hit is not None:
            return hit
        if value == "" or value == _ZERO_TIMESTAMP:
            return None
        return _parse_timestamp(value, where)
    if value is None:
        return None
    raise _Bad(where, f"expected 'YYYY-MM-DD HH:MM:SS', got {_kind(value)}")


def _opt_int(value: Any, where: str) -> int:
    if type(value) is int:
        return value
    if value is None or value == "":
        return 0
    return _int(value, where)


def _opt_decimal(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    return _decimal(value, where)


def _table(cls: type[E]) -> dict[object, E]:
    return {member.value: member for member in cls}


def _code_table(cls: type[E]) -> dict[object, E]:
    """Codes as ints and as the numeric strings older answers send (what ``_missing_`` does)."""
    return {**_table(cls), **{str(member.value): member for member in cls}}


_ORDER_STATUS: Final = _code_table(OrderStatus)
_MESSAGE_STATUS: Final = _code_table(MessageStatus)
_DELIVERY_STATUS: Final[dict[object, DeliveryStatus]] = {
    **_table(DeliveryStatus),
    # get-report's numeric codes for the same states (reference §5); an older
    # SDK assumed webhooks send them, so accept them if they ever do.
    110: DeliveryStatus.ACCEPTED,
    111: DeliveryStatus.DELIVERED,
    112: DeliveryStatus.UNDELIVERED,
    "110": DeliveryStatus.ACCEPTED,
    "111": DeliveryStatus.DELIVERED,
    "112": DeliveryStatus.UNDELIVERED,
}
_TABLES: Final[dict[type[enum.Enum], dict[object, Any]]] = {
    OrderStatus: _ORDER_STATUS,
    MessageStatus: _MESSAGE_STATUS,
    DeliveryStatus: _DELIVERY_STATUS,
    IysList: _table(IysList),
    ConsentType: _table(ConsentType),
    ConsentStatus: _table(ConsentStatus),
}


def _enum(cls: type[E], table: Mapping[object, E], value: Any, where: str) -> E:
    """Known values by table lookup; anything else through the enum's lenient ``_missing_``."""
    kind = type(value)
    if kind is int or kind is str:
        member = table.get(value)
        if member is not None:
            return member
        return cls(value.strip() if kind is str else value)
    raise _Bad(where, f"expected a status code or name, got {_kind(value)}")


def _list(value: Any, where: str) -> list[Any]:
    """A list field; PHP encodes an empty array as ``[]`` or ``{}``, and null means none."""
    if type(value) is list:
        return value
    if value is None or value == {}:
        return []
    raise _Bad(where, f"expected a list, got {_kind(value)}")


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if type(value) is dict or isinstance(value, Mapping):
        return value
    raise _Bad(where, f"expected an object, got {_kind(value)}")


def _each(items: list[Any], parse: Callable[[Any], T], where: str) -> tuple[T, ...]:
    try:
        return tuple(map(parse, items))
    except (_Bad, KeyError):
        pass
    # Parse again item by item only to say which one was wrong.
    out: list[T] = []
    for i, item in enumerate(items):
        try:
            out.append(parse(item))
        except _Bad as exc:
            raise exc.inside(f"{where}[{i}]") from None
        except KeyError as exc:
            raise _Bad(f"{where}[{i}]", _missing(exc)) from None
    return tuple(out)


def _within(where: str, parse: Callable[[Any], T], value: Any) -> T:
    try:
        return parse(value)
    except _Bad as exc:
        raise exc.inside(where) from None
    except KeyError as exc:
        raise _Bad(where, _missing(exc)) from None


# --------------------------------------------------------------------------- models


def _message_report(o: Any) -> MessageReport:
    o = _object(o, "")
    return MessageReport(
        number=_number(o["number"], "number"),
        status=_enum(MessageStatus, _MESSAGE_STATUS, o["status"], "status"),
    )


def _plain_attrs(cls: type[Any]) -> bool:
    """Whether attrs' ``__init__`` of ``cls`` only stores its arguments in slots."""
    return "__slots__" in vars(cls) and not (
        hasattr(cls, "__attrs_pre_init__")
        or hasattr(cls, "__attrs_post_init__")
        or any(
            f.validator or f.converter or not f.init or f.alias != f.name for f in attrs.fields(cls)
        )
    )


def _summary_constructor() -> Callable[..., OrderSummary]:
    """``OrderSummary(...)`` with positional arguments in field order, twice as fast.

    attrs' ``__init__`` of a frozen class takes keywords and stores each field
    through ``object.__setattr__``; writing the slot descriptors directly
    builds the same object (same type, fields, equality and hash) in half the
    time, which matters at 1,000 models a page.  Should the class ever gain a
    validator, converter or init hook, the real constructor is used instead.
    """
    names = tuple(f.name for f in attrs.fields(OrderSummary))
    if not _plain_attrs(OrderSummary):

        def build(*values: Any) -> OrderSummary:
            return OrderSummary(**dict(zip(names, values, strict=True)))

        return build
    slots = vars(OrderSummary)
    setters = [slots[name].__set__ for name in names]
    set_id, set_status, set_total, set_ok, set_bad, set_wait, set_submit, set_send, set_by = setters
    new = object.__new__

    def make(
        id: str,
        status: OrderStatus,
        total: int,
        delivered: int,
        undelivered: int,
        waiting: int,
        submitted_at: datetime | None,
        send_at: datetime | None,
        sender: str | None,
    ) -> OrderSummary:
        summary: OrderSummary = new(OrderSummary)
        set_id(summary, id)
        set_status(summary, status)
        set_total(summary, total)
        set_ok(summary, delivered)
        set_bad(summary, undelivered)
        set_wait(summary, waiting)
        set_submit(summary, submitted_at)
        set_send(summary, send_at)
        set_by(summary, sender)
        return summary

    return make


_new_summary: Final = _summary_constructor()


def _order_summary(o: Any) -> OrderSummary:
    # The hot path (1,000 per get-reports page): the common wire types are
    # taken inline and only the rest goes through the general parsers.
    if type(o) is not dict:
        o = _object(o, "")
    get = o.get
    value = o["id"]
    id_ = str(value) if type(value) is int else _id(value, "id")
    value = o["status"]
    status = _ORDER_STATUS.get(value) if type(value) is int else None
    if status is None:
        status = _enum(OrderStatus, _ORDER_STATUS, value, "status")
    total = get("total")
    if type(total) is not int:
        total = _opt_int(total, "total")
    delivered = get("delivered")
    if type(delivered) is not int:
        delivered = _opt_int(delivered, "delivered")
    undelivered = get("undelivered")
    if type(undelivered) is not int:
        undelivered = _opt_int(undelivered, "undelivered")
    waiting = get("waiting")
    if type(waiting) is not int:
        waiting = _opt_int(waiting, "waiting")
    submit = get("submitAt")
    submitted_at = _TIMESTAMP_CACHE.get(submit) if type(submit) is str else None
    if submitted_at is None:
        submitted_at = _opt_timestamp(submit, "submitAt")
    send = get("sendAt")
    if send == submit:  # usually the same string: parse it once
        send_at = submitted_at
    else:
        send_at = _TIMESTAMP_CACHE.get(send) if type(send) is str else None
        if send_at is None:
            send_at = _opt_timestamp(send, "sendAt")
    sender = get("sender")
    if sender is not None and type(sender) is not str:
        sender = _opt_text(sender, "sender")
    return _new_summary(
        id_, status, total, delivered, undelivered, waiting, submitted_at, send_at, sender
    )


def _order_report(o: Any) -> OrderReport:
    o = _object(o, "")
    submit = o.get("submitAt")
    send = o.get("sendAt")
    submitted_at = _opt_timestamp(submit, "submitAt")
    return OrderReport(
        id=_id(o["id"], "id"),
        status=_enum(OrderStatus, _ORDER_STATUS, o["status"], "status"),
        total=_opt_int(o.get("total"), "total"),
        delivered=_opt_int(o.get("delivered"), "delivered"),
        undelivered=_opt_int(o.get("undelivered"), "undelivered"),
        waiting=_opt_int(o.get("waiting"), "waiting"),
        submitted_at=submitted_at,
        send_at=submitted_at if send == submit else _opt_timestamp(send, "sendAt"),
        sender=_opt_text(o.get("sender"), "sender"),
        price=_opt_decimal(o.get("price"), "price"),
        messages=_each(_list(o.get("message"), "message"), _message_report, "message"),
    )


def _balance(o: Any) -> Balance:
    if type(o) is not dict:
        o = _object(o, "")
    return Balance(amount=_decimal(o["amount"], "amount"), sms=_int(o["sms"], "sms"))


def _consent(o: Any) -> Consent:
    o = _object(o, "")
    return Consent(
        # A phone is normalised; an e-mail address passes through unchanged.
        recipient=_number(o["recipient"], "recipient"),
        recipient_type=_enum(IysList, _TABLES[IysList], o["recipientType"], "recipientType"),
        type=_enum(ConsentType, _TABLES[ConsentType], o["type"], "type"),
        status=_enum(ConsentStatus, _TABLES[ConsentStatus], o["status"], "status"),
        source=_text(o["source"], "source"),
        consent_date=_opt_timestamp(o.get("consentDate"), "consentDate"),
    )


def _inbound_message(o: Any) -> InboundMessage:
    o = _object(o, "")
    return InboundMessage(
        id=_id(o["id"], "id"),
        received_at=_timestamp(o["date"], "date"),
        # Short code (7889), alphanumeric ID or a mobile; only the latter is normalised.
        sender=_number(o["sender"], "sender"),
        number=_number(o["number"], "number"),
        text=_text(o["text"], "text"),
    )


def _inbox(o: Any) -> Inbox:
    if o is None or o == [] or o == {}:
        return Inbox(total=0)
    o = _object(o, "")
    messages = _each(_list(o.get("order"), "order"), _inbound_message, "order")
    total = o.get("totalRows")
    if total is None or total == "":
        return Inbox(total=len(messages), messages=messages)
    return Inbox(total=_int(total, "totalRows"), messages=messages)


def _delivery_report(o: Any) -> DeliveryReport:
    o = _object(o, "")
    return DeliveryReport(
        message_id=_int(o["id"], "id"),
        order_id=_id(o["packet_id"], "packet_id"),
        status=_enum(DeliveryStatus, _DELIVERY_STATUS, o["status"], "status"),
        to=_number(o["to"], "to"),
        body=_text(o["body"], "body"),
    )


# --------------------------------------------------------------------------- converter

converter: Final = cattrs.Converter()
"""The package's one converter: the lenient field hooks plus the model functions above."""


def _scalar_hook(parse: Callable[[Any, str], T]) -> Callable[[Any, Any], T]:
    def hook(value: Any, _type: Any) -> T:
        return parse(value, "")

    return hook


def _model_hook(parse: Callable[[Any], T]) -> Callable[[Any, Any], T]:
    def hook(value: Any, _type: Any) -> T:
        return _within("", parse, value)

    return hook


def _enum_hook(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    table = _TABLES.get(cls)
    if table is None:
        table = _TABLES.setdefault(cls, _table(cls))
    member: enum.Enum = _enum(cls, table, value, "")
    return member


converter.register_structure_hook(int, _scalar_hook(_int))
converter.register_structure_hook(Decimal, _scalar_hook(_decimal))
converter.register_structure_hook(Decimal | None, _scalar_hook(_opt_decimal))
converter.register_structure_hook(str, _scalar_hook(_id))
converter.register_structure_hook(datetime, _scalar_hook(_timestamp))
converter.register_structure_hook(datetime | None, _scalar_hook(_opt_timestamp))
# cattrs dispatches on the MRO first, so the enum bases must be registered
# explicitly or the str/int hooks above would claim StrEnum/IntEnum fields.
for _base in (enum.Enum, enum.IntEnum, enum.StrEnum):
    converter.register_structure_hook(_base, _enum_hook)
for _cls, _parse in (
    (MessageReport, _message_report),
    (OrderReport, _order_report),
    (OrderSummary, _order_summary),
    (Balance, _balance),
    (Consent, _consent),
    (InboundMessage, _inbound_message),
    (Inbox, _inbox),
    (DeliveryReport, _delivery_report),
):
    converter.register_structure_hook(_cls, _model_hook(_parse))
del _base, _cls, _parse


# --------------------------------------------------------------------------- public

_SHAPE_ERRORS: Final = (
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    ArithmeticError,  # decimal.InvalidOperation, OverflowError
    AttributeError,
    RecursionError,
    cattrs.BaseValidationError,
)


def _guard(endpoint: str, payload: object, parse: Callable[[Mapping[str, Any]], T]) -> T:
    """Run ``parse`` and turn any failure into :class:`ResponseFormatError`."""
    # A decoded body is a dict: skip the (Python-level) ABC check for it.
    if type(payload) is not dict and not isinstance(payload, Mapping):
        raise ResponseFormatError(
            f"{endpoint}: expected a JSON object, got {_kind(payload)}", endpoint=endpoint
        )
    try:
        return parse(payload)
    except _Bad as exc:
        raise ResponseFormatError(f"{endpoint}: {exc}", endpoint=endpoint) from None
    except KeyError as exc:
        raise ResponseFormatError(f"{endpoint}: {_missing(exc)}", endpoint=endpoint) from exc
    except _SHAPE_ERRORS as exc:
        raise ResponseFormatError(
            f"{endpoint}: unexpected response shape ({type(exc).__name__})", endpoint=endpoint
        ) from exc


def order(payload: object, *, recipients: int) -> Order:
    """send-sms: the created order; ``recipients`` is what the caller sent, not echoed back."""

    def parse(p: Mapping[str, Any]) -> Order:
        return Order(
            id=_within("order", lambda o: _id(_object(o, "")["id"], "id"), p["order"]),
            recipients=recipients,
        )

    return _guard("send-sms", payload, parse)


def order_report(payload: object) -> OrderReport:
    """get-report, 2026 shape or the older ``id``/``status``/``message[]``-only one."""
    return _guard("get-report", payload, lambda p: _within("order", _order_report, p["order"]))


def order_summaries(payload: object) -> tuple[OrderSummary, ...]:
    """get-reports: one page; ``count`` is only checked, its meaning differs between doc eras."""

    def parse(p: Mapping[str, Any]) -> tuple[OrderSummary, ...]:
        _opt_int(p.get("count"), "count")
        return _each(_list(p.get("orders"), "orders"), _order_summary, "orders")

    return _guard("get-reports", payload, parse)


def balance(payload: object) -> Balance:
    """get-balance: ``amount`` as an exact Decimal whether it came as 10.584 or "10.584"."""
    return _guard("get-balance", payload, lambda p: _within("balance", _balance, p["balance"]))


def senders(payload: object) -> tuple[str, ...]:
    """get-sender: approved sender IDs, verbatim (case and spaces matter to send-sms)."""

    def parse(p: Mapping[str, Any]) -> tuple[str, ...]:
        block = p.get("senders")
        if block is None or block == [] or block == {}:
            return ()
        items = _list(_object(block, "senders").get("sender"), "senders.sender")
        return _each(items, lambda s: _text(s, ""), "senders.sender")

    return _guard("get-sender", payload, parse)


def blacklist_page(payload: object) -> tuple[int, tuple[str, ...]]:
    """get-blacklist: the account's total ``count`` and this page's numbers."""

    def parse(p: Mapping[str, Any]) -> tuple[int, tuple[str, ...]]:
        block = _object(p["blacklist"], "blacklist")
        count = _within("blacklist", lambda b: _int(b["count"], "count"), block)
        items = _list(block.get("number"), "blacklist.number")
        return count, _each(items, lambda n: _number(n, ""), "blacklist.number")

    return _guard("get-blacklist", payload, parse)


def consent(payload: object) -> Consent | None:
    """iys-check: ``None`` when there is no record (``[]``, ``{}``, null or absent)."""

    def parse(p: Mapping[str, Any]) -> Consent | None:
        block = p.get("consent")
        if block is None or block == [] or block == {}:
            return None
        return _within("consent", _consent, block)

    return _guard("consent/show", payload, parse)


def inbox(payload: object) -> Inbox:
    """get-inbox: ``total`` is the account's ``totalRows``, not the length of this list."""
    return _guard("get-inbox", payload, lambda p: _within("orders", _inbox, p.get("orders")))


def delivery_report(report: object) -> DeliveryReport:
    """The inner ``report`` object of a delivery-report webhook."""
    return _guard("webhook", report, _delivery_report)


def parse_timestamp(s: object) -> datetime | None:
    """A wire timestamp as an aware Europe/Istanbul datetime; empty or null is ``None``."""
    try:
        return _opt_timestamp(s, "")
    except _Bad as exc:
        raise ResponseFormatError(f"timestamp: {exc}") from None
