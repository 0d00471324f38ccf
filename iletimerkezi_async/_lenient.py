"""Lenient parsers for wire values, one per field kind (reference §12 and §14).

The same field arrives as int, numeric string or comma-decimal string
depending on the endpoint and the docs' era, so each kind of field has one
parser that takes every typing the API has used and refuses the rest with a
:class:`Bad` naming the wire path (never the value: it may be a phone number
or message text).  The converter binds them to model fields in
:mod:`._convert`; nothing here knows a model or an endpoint.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, TypeVar

from ._enums import ConsentStatus, ConsentType, DeliveryStatus, IysList, MessageStatus, OrderStatus
from .clock import ISTANBUL
from .phone import normalize_lenient

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)


class Bad(ValueError):
    """A shape problem at ``where`` (a wire path); a ValueError so cattrs hooks behave normally."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}" if where else what)
        self.where = where
        self.what = what

    def inside(self, prefix: str) -> Bad:
        if not prefix:
            return self
        return Bad(f"{prefix}.{self.where}" if self.where else prefix, self.what)


def kind_of(value: object) -> str:
    # Type names only: values may be phone numbers or message text (KVKK).
    return "null" if value is None else type(value).__name__


def missing(exc: KeyError) -> str:
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


def integer(value: Any, where: str) -> int:
    """Counters and codes: int, integral float, or a numeric string such as ``" 5 "``.

    At most 18 digits whatever the wire type, as for strings: a parsed mapping
    (a webhook body) may hold an int too large for ``str()``, which would make
    the model's repr, and every log line showing it, raise.
    """
    kind = type(value)
    if kind is int:
        if -_INT_LIMIT < value < _INT_LIMIT:
            return value  # type: ignore[no-any-return]
        raise Bad(where, "integer out of range (more than 18 digits)")
    if kind is str:
        if value.isdigit() and value.isascii() and len(value) <= 18:
            return int(value)  # what the regex below accepts, in a third of the time
        text = value.strip()
        if _INT_RE.fullmatch(text):
            return int(text)
    elif kind is float:
        if value.is_integer() and -_INT_LIMIT < value < _INT_LIMIT:
            return int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        return integer(int(value), where)  # an int subclass such as an IntEnum
    raise Bad(where, f"expected an integer, got {kind_of(value)}")


def decimal(value: Any, where: str) -> Decimal:
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
    raise Bad(where, f"expected a decimal number, got {kind_of(value)}")


def identifier(value: Any, where: str) -> str:
    """Ids are strings in the SDK, whichever of int or str the endpoint sends."""
    kind = type(value)
    if kind is str:
        text = value.strip()
        if text:
            return text  # type: ignore[no-any-return]
        raise Bad(where, "empty id")
    if kind is int or (isinstance(value, int) and not isinstance(value, bool)):
        try:
            return str(int(value))
        except ValueError:  # beyond sys.get_int_max_str_digits()
            raise Bad(where, "id is not a plausible number") from None
    raise Bad(where, f"expected an id (string or integer), got {kind_of(value)}")


def text(value: Any, where: str) -> str:
    if type(value) is str:
        return value
    raise Bad(where, f"expected a string, got {kind_of(value)}")


def opt_text(value: Any, where: str) -> str | None:
    if value is None or type(value) is str:
        return value
    raise Bad(where, f"expected a string, got {kind_of(value)}")


def number(value: Any, where: str) -> str:
    """A phone number, normalised when valid; short codes and sender IDs pass through."""
    kind = type(value)
    if kind is int and value < 0:
        # str(-5051234567) would pass through as "-5051234567", which reads as a
        # valid mobile but is not the normalised "+90…" the models promise.
        raise Bad(where, "expected a phone number, got a negative integer")
    if kind is str or kind is int:
        number = normalize_lenient(value)
        if number:
            return number
        raise Bad(where, "empty number")
    raise Bad(where, f"expected a phone number (string or integer), got {kind_of(value)}")


def timestamp(value: Any, where: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` (``T`` and a fraction tolerated) in Europe/Istanbul."""
    if type(value) is str:
        hit = TIMESTAMP_CACHE.get(value)
        if hit is not None:
            return hit
        return parse_timestamp(value, where)
    raise Bad(where, f"expected 'YYYY-MM-DD HH:MM:SS', got {kind_of(value)}")


# Timestamps repeat within a page (submitAt == sendAt, orders of the same
# second) and datetimes are immutable, so parsed values are shared.
TIMESTAMP_CACHE: Final[dict[str, datetime]] = {}
_TIMESTAMP_CACHE_SIZE: Final = 4096
_fromisoformat: Final = datetime.fromisoformat
_EPOCH: Final = datetime(2000, 1, 1)
AWARE_EPOCH: Final = datetime(2000, 1, 1, tzinfo=ISTANBUL)
"""``AWARE_EPOCH + (naive - _EPOCH)`` is ``naive`` in Istanbul (see :func:`parse_timestamp`)."""


def parse_timestamp(value: str, where: str) -> datetime:
    # The exact wire shape is recognised by its separators (positions 4, 7,
    # 10, 13, 16) in one slice, far cheaper than the regex; fromisoformat
    # then checks the digits (and with those separators in place it accepts
    # exactly what the regex does).  Anything else must pass the regex.
    text = value
    if len(text) != 19 or text[4:17:3] not in ("-- ::", "--T::"):
        text = text.strip()
        if not _TIMESTAMP_RE.fullmatch(text):
            raise Bad(where, "expected 'YYYY-MM-DD HH:MM:SS'")
    try:
        naive = _fromisoformat(text)
    except ValueError:
        raise Bad(where, "not a valid calendar date and time") from None
    # Wall-clock arithmetic keeps the aware epoch's tzinfo and gives fold 0:
    # the same datetime as combine(naive, naive.time(), ISTANBUL), without
    # combine()'s keyword parsing (and several times faster than replace()).
    aware = AWARE_EPOCH + (naive - _EPOCH)
    if len(TIMESTAMP_CACHE) >= _TIMESTAMP_CACHE_SIZE:
        TIMESTAMP_CACHE.clear()
    TIMESTAMP_CACHE[value] = aware
    return aware


def opt_timestamp(value: Any, where: str) -> datetime | None:
    if type(value) is str:
        hit = TIMESTAMP_CACHE.get(value)
        if hit is not None:
            return hit
        if value == "" or value == _ZERO_TIMESTAMP:
            return None
        return parse_timestamp(value, where)
    if value is None:
        return None
    raise Bad(where, f"expected 'YYYY-MM-DD HH:MM:SS', got {kind_of(value)}")


SMALL_COUNTS: Final[dict[str, int]] = {str(n): n for n in range(1000)}
"""``"0"`` … ``"999"`` to their ints: the counts most orders carry, looked up.

A table fixed at import, not a cache: each key is the canonical spelling of
its value, which :func:`integer` would read the same; any other spelling
(``"007"``, ``" 7"``, ``"1000"``) takes the general path.
"""


def opt_int(value: Any, where: str) -> int:
    kind = type(value)
    if kind is int:
        return value  # type: ignore[no-any-return]
    if kind is str:
        small = SMALL_COUNTS.get(value)
        if small is not None:
            return small
        if value.isdigit() and value.isascii() and len(value) <= 18:
            return int(value)  # the legacy shape's counters, as integer() would read them
    if value is None or value == "":
        return 0
    return integer(value, where)


def opt_decimal(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    return decimal(value, where)


def value_table(cls: type[E]) -> dict[object, E]:
    return {member.value: member for member in cls}


def code_table(cls: type[E]) -> dict[object, E]:
    """Codes as ints and as the numeric strings older answers send (what ``_missing_`` does)."""
    return {**value_table(cls), **{str(member.value): member for member in cls}}


ORDER_STATUS: Final = code_table(OrderStatus)
MESSAGE_STATUS: Final = code_table(MessageStatus)
DELIVERY_STATUS: Final[dict[object, DeliveryStatus]] = {
    **value_table(DeliveryStatus),
    # get-report's numeric codes for the same states (reference §5); an older
    # SDK assumed webhooks send them, so accept them if they ever do.
    110: DeliveryStatus.ACCEPTED,
    111: DeliveryStatus.DELIVERED,
    112: DeliveryStatus.UNDELIVERED,
    "110": DeliveryStatus.ACCEPTED,
    "111": DeliveryStatus.DELIVERED,
    "112": DeliveryStatus.UNDELIVERED,
}
TABLES: Final[dict[type[enum.Enum], dict[object, Any]]] = {
    OrderStatus: ORDER_STATUS,
    MessageStatus: MESSAGE_STATUS,
    DeliveryStatus: DELIVERY_STATUS,
    IysList: value_table(IysList),
    ConsentType: value_table(ConsentType),
    ConsentStatus: value_table(ConsentStatus),
}


def enum_member(cls: type[E], table: Mapping[object, E], value: Any, where: str) -> E:
    """Known values by table lookup; anything else through the enum's lenient ``_missing_``."""
    kind = type(value)
    if kind is int or kind is str:
        member = table.get(value)
        if member is not None:
            return member
        return cls(value.strip() if kind is str else value)
    raise Bad(where, f"expected a status code or name, got {kind_of(value)}")


def as_list(value: Any, where: str) -> list[Any]:
    """A list field, as PHP and XML-minded encoders send one (reference §12, §14).

    ``[]``, ``{}`` and null are none; an object whose keys are all indexes
    (``{"0": …, "1": …}``, PHP's non-sequential array) is its values in index
    order; any other single value (an object, a string) is a list of one,
    as an encoder that collapses one-element lists sends it.  Each element
    is still checked by its own parser.
    """
    if type(value) is list:
        return value
    if value is None or value == {} or value == []:
        return []
    if isinstance(value, Mapping):
        keys = list(value)
        if all(type(k) is str and k.isascii() and k.isdigit() and len(k) < 10 for k in keys):
            return [value[k] for k in sorted(keys, key=int)]
    return [value]


def as_object(value: Any, where: str) -> Mapping[str, Any]:
    if type(value) is dict or isinstance(value, Mapping):
        return value
    raise Bad(where, f"expected an object, got {kind_of(value)}")


def each(items: list[Any], parse: Callable[[Any], T], where: str) -> tuple[T, ...]:
    try:
        return tuple(map(parse, items))
    except (Bad, KeyError):
        pass
    # Parse again item by item only to say which one was wrong.
    out: list[T] = []
    for i, item in enumerate(items):
        try:
            out.append(parse(item))
        except Bad as exc:
            raise exc.inside(f"{where}[{i}]") from None
        except KeyError as exc:
            raise Bad(f"{where}[{i}]", missing(exc)) from None
    return tuple(out)


def within(where: str, parse: Callable[[Any], T], value: Any) -> T:
    try:
        return parse(value)
    except Bad as exc:
        raise exc.inside(where) from None
    except KeyError as exc:
        raise Bad(where, missing(exc)) from None
