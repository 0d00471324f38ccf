"""Argument checks that run before any network I/O.

Each failure is an :class:`InvalidRequestError` naming the argument and the
rule, so a refused call costs no request, no credit and no rate budget.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from ._enums import ConsentStatus, ConsentType, IysList
from .clock import ISTANBUL
from .errors import InvalidRequestError
from .phone import normalize_number
from .text import MAX_PARTS, Segments, _check_text, has_visible, segments

__all__ = [
    "EARLIEST_CONSENT",
    "EARLIEST_DAY",
    "MAX_ID_DIGITS",
    "MAX_RECIPIENTS",
    "brand_code",
    "enum_value",
    "iys_list",
    "number",
    "numbers",
    "order_id",
    "page",
    "schedule",
    "sender",
    "text",
]

MAX_RECIPIENTS = 50_000
"""Recipients one send-sms request may carry."""

EARLIEST_DAY = date(2000, 1, 1)
"""No iletiMerkezi order or blacklist entry is older than this (the service is younger)."""

EARLIEST_CONSENT = date(1900, 1, 1)
"""An İYS consent date before this is a typo or a placeholder, not a consent."""

MAX_ID_DIGITS = 19
"""Digits an order id or brand code may have: those of a signed 64-bit integer."""

_SENDER = re.compile(r"[A-Za-z0-9 ]{1,11}")
_TURKISH = set("çğıİşöüÇĞŞÖÜ")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SOURCE = re.compile(r"(HS|IYS)_[A-Z0-9_]+")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def numbers(to: str | int | Iterable[str | int], *, field: str = "to") -> list[str]:
    """Normalised, de-duplicated recipients (first occurrence kept), 1 to 50,000 of them.

    Duplicates are dropped because the API counts (and bills) every entry.
    """
    if isinstance(to, bool):
        raise InvalidRequestError(field, "must be a phone number or an iterable of them")
    if isinstance(to, str | int):
        return [normalize_number(to, field=field)]
    if isinstance(to, bytes | bytearray | dict) or not isinstance(to, Iterable):
        raise InvalidRequestError(field, "must be a phone number or an iterable of them")
    seen: dict[str, None] = {}
    for i, item in enumerate(to):
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise InvalidRequestError(f"{field}[{i}]", "must be a phone number string")
        seen.setdefault(normalize_number(item, field=f"{field}[{i}]"), None)
        if len(seen) > MAX_RECIPIENTS:
            raise InvalidRequestError(
                field,
                f"at most {MAX_RECIPIENTS:,} recipients per order; use sms.send_bulk() for more",
            )
    if not seen:
        raise InvalidRequestError(field, "needs at least one recipient")
    return list(seen)


def number(value: object, *, field: str = "number") -> str:
    """Exactly one phone number, normalised; a list or other iterable is refused.

    For endpoints that take one number per request (add-blacklist,
    delete-blacklist): taking the first of several would leave the rest
    undone without a word.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidRequestError(
            field, "must be one phone number (a string), not a list; call once per number"
        )
    return normalize_number(value, field=field)


def sender(value: object, default: str | None) -> str:
    """1–11 ASCII letters, digits or spaces; it must equal an approved sender exactly."""
    if value is None:
        value = default
    if value is None:
        raise InvalidRequestError(
            "sender", "is required (pass sender= or set Client(default_sender=...))"
        )
    if not isinstance(value, str):
        raise InvalidRequestError("sender", "must be a string")
    if not value:
        raise InvalidRequestError("sender", "must not be empty")
    if len(value) > 11:
        raise InvalidRequestError("sender", "must be at most 11 characters")
    if any(ch in _TURKISH for ch in value):
        raise InvalidRequestError("sender", "must not contain Turkish letters (ç ğ ı İ ö ş ü)")
    if not _SENDER.fullmatch(value):
        raise InvalidRequestError("sender", "may hold only ASCII letters, digits and spaces")
    if value != value.strip():
        raise InvalidRequestError(
            "sender", "must not start or end with a space (it must match the approved name)"
        )
    return value


def text(value: object, *, field: str = "text") -> Segments:
    """Valid Unicode, something visible, and at most seven SMS parts in its encoding.

    A text of only invisible characters (zero-width spaces, direction marks,
    a BOM) would be sent and billed as an empty-looking SMS.
    """
    body = _check_text(value, field)
    if not has_visible(body):
        raise InvalidRequestError(
            field,
            "must not be empty or only invisible characters "
            "(spaces, zero-width spaces, direction marks, a BOM)",
        )
    seg = segments(body)
    if seg.parts > MAX_PARTS:
        raise InvalidRequestError(
            field,
            f"is {seg.parts} SMS parts in {seg.encoding} ({seg.characters} characters); "
            f"at most {MAX_PARTS} are allowed",
        )
    return seg


def schedule(when: object, now: datetime) -> datetime | None:
    """A timezone-aware moment at least the next whole minute ahead.

    The API schedules to the minute (seconds are dropped), so a time within
    the current minute would be in the past by the time it is read.
    """
    if when is None:
        return None
    if not isinstance(when, datetime):
        raise InvalidRequestError("send_at", "must be a datetime")
    if when.tzinfo is None or when.utcoffset() is None:
        raise InvalidRequestError(
            "send_at",
            "must be timezone-aware (e.g. datetime(..., tzinfo=ZoneInfo('Europe/Istanbul')))",
        )
    if _istanbul(when) is None:
        raise InvalidRequestError("send_at", "is too far in the past or future to schedule")
    minute = when.replace(second=0, microsecond=0)
    if minute <= now:
        raise InvalidRequestError(
            "send_at", "must be in the future (the API schedules to the whole minute)"
        )
    return minute


def iys_list(value: object) -> str | None:
    """``None`` for a transactional message, else the İYS list of a commercial one."""
    if value is None:
        return None
    return enum_value(value, IysList, "iys")


def enum_value(value: object, enum_type: Any, field: str) -> str:
    """The wire string of a known member (case-insensitive); UNKNOWN is refused."""
    allowed = [m.value for m in enum_type if m.name != "UNKNOWN"]
    if isinstance(value, str):
        member = enum_type(value)
        if member.name != "UNKNOWN":
            return str(member.value)
    raise InvalidRequestError(field, f"must be one of {', '.join(allowed)}")


def consent_type(value: object, field: str = "type") -> str:
    return enum_value(value, ConsentType, field)


def consent_status(value: object, field: str = "status") -> str:
    return enum_value(value, ConsentStatus, field)


def recipient(value: object, field: str = "recipient") -> str:
    """A Turkish mobile (``+905…``) or an e-mail address (for EPOSTA consents).

    İYS is the Turkish registry: an international number is refused here, as
    the server would refuse it, instead of failing a chunk half-way.
    """
    if isinstance(value, str) and "@" in value:
        return _email(value.strip(), field)
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidRequestError(field, "must be a phone number or an e-mail address")
    number = normalize_number(value, field=field)
    if not number.startswith("+90"):
        raise InvalidRequestError(
            field, "must be a Turkish mobile (+905xxxxxxxxx); İYS holds no other numbers"
        )
    return number


MAX_EMAIL = 254
"""The longest e-mail address (RFC 5321's path limit less the angle brackets)."""


def _email(address: str, field: str) -> str:
    """``address`` when it looks like an e-mail address with nothing invisible in it.

    A zero-width space, a direction mark or a control character would be
    stored in İYS as part of the address, which then matches no real one.
    """
    if len(address) > MAX_EMAIL:
        raise InvalidRequestError(
            field, f"must be an e-mail address of at most {MAX_EMAIL} characters"
        )
    if any(unicodedata.category(ch)[0] in "CZ" for ch in address):
        raise InvalidRequestError(
            field,
            "must be an e-mail address without spaces, control or invisible characters "
            "(zero-width spaces, direction marks)",
        )
    if not _EMAIL.fullmatch(address):
        raise InvalidRequestError(field, "must be a phone number or an e-mail address")
    return address


def consent_recipient(value: object, consent_type: str, field: str = "recipient") -> str:
    """:func:`recipient`, matched to the consent type: e-mail for EPOSTA, else a phone number.

    İYS refuses an EPOSTA consent for a phone number and a MESAJ or ARAMA
    consent for an e-mail address, so the pair is checked before any request.
    """
    address = recipient(value, field)
    is_email = "@" in address
    if consent_type == ConsentType.EPOSTA.value and not is_email:
        raise InvalidRequestError(field, "must be an e-mail address for an EPOSTA consent")
    if consent_type != ConsentType.EPOSTA.value and is_email:
        raise InvalidRequestError(
            field,
            "must be a phone number for MESAJ and ARAMA consents "
            "(an e-mail address only goes with EPOSTA)",
        )
    return address


MAX_SOURCE = 40
"""Characters an İYS source code may have (the longest known, HS_FIZIKSEL_ORTAM, has 17)."""


def source(value: object, field: str = "source") -> str:
    if not isinstance(value, str) or len(value) > MAX_SOURCE or not _SOURCE.fullmatch(value):
        raise InvalidRequestError(
            field, "must be an İYS source code such as HS_WEB, HS_FIZIKSEL_ORTAM or HS_EORTAM"
        )
    return value


def consent_date(
    value: object, *, recipient_type: str, now: datetime, field: str
) -> datetime | None:
    """Aware and not in the future; only a TACIR consent may leave it out."""
    if value is None:
        if recipient_type == IysList.TACIR.value:
            return None
        raise InvalidRequestError(field, "is required for BIREYSEL consents")
    if not isinstance(value, datetime):
        raise InvalidRequestError(field, "must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidRequestError(field, "must be timezone-aware")
    local = _istanbul(value)
    if local is None or local.date() < EARLIEST_CONSENT:
        raise InvalidRequestError(field, f"must not be before {EARLIEST_CONSENT.isoformat()}")
    if value > now + timedelta(minutes=1):
        raise InvalidRequestError(field, "must not be in the future")
    return value


def _id_digits(value: object) -> str | None:
    """The ASCII digits of a positive id of at most ``MAX_ID_DIGITS``, else None.

    ``str.isdigit()`` also accepts ``"١٢٣"``, ``"１２３"`` and ``"²"`` (and
    ``int()`` then converts the first two and raises on the third), and a
    5,000-digit string makes ``int()`` raise, so only ``[0-9]`` is accepted.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if 0 < value < 10**MAX_ID_DIGITS else None
    if isinstance(value, str):
        digits = value.strip()
        if len(digits) <= MAX_ID_DIGITS and _ASCII_DIGITS.fullmatch(digits) and digits.strip("0"):
            return digits
    return None


def brand_code(value: object) -> int:
    """The account's İYS brand code: a positive integer (or its ASCII digits as a string)."""
    digits = _id_digits(value)
    if digits is None:
        raise InvalidRequestError(
            "brand_code", f"must be a positive integer (at most {MAX_ID_DIGITS} ASCII digits)"
        )
    return int(digits)


def order_id(value: object, field: str = "order_id") -> str:
    """Order ids are ASCII digits (at most ``MAX_ID_DIGITS``); ints are sent as strings."""
    digits = _id_digits(value)
    if digits is None:
        raise InvalidRequestError(
            field, f"must be an order id (1 to {MAX_ID_DIGITS} ASCII digits, not 0)"
        )
    return digits


MAX_PAGE = 1_000_000
"""The highest page asked for.  An order holds at most 50,000 recipients, so even at one
recipient per page no report has a page past 50,000; a million leaves room to spare."""


def page(value: object, field: str = "page") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE:
        raise InvalidRequestError(
            field, f"must be an integer of at least 1 and at most {MAX_PAGE:,}"
        )
    return value


def page_size(value: object, field: str = "page_size", *, maximum: int = 1000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InvalidRequestError(field, f"must be an integer from 1 to {maximum}")
    return value


def seconds(value: object, field: str, *, maximum: float | None = None) -> float:
    """A positive, finite number of seconds (an int or float, not a bool), up to ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequestError(field, "must be a number of seconds")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float's range
        number = math.inf
    if not math.isfinite(number) or number <= 0:
        raise InvalidRequestError(field, "must be positive and finite")
    if maximum is not None and number > maximum:
        raise InvalidRequestError(field, f"must be at most {maximum:,g} seconds")
    return number


def _istanbul(value: datetime) -> datetime | None:
    """``value`` in Istanbul time, or None when that is outside ``datetime``'s range."""
    try:
        return value.astimezone(ISTANBUL)
    except (OverflowError, ValueError):
        return None


_TOO_EARLY = f"must not be before {EARLIEST_DAY.isoformat()} (iletiMerkezi holds nothing older)"


def day(value: object, field: str) -> date:
    """A ``date`` (not a datetime) from :data:`EARLIEST_DAY` on."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidRequestError(field, "must be a datetime.date")
    if value < EARLIEST_DAY:
        raise InvalidRequestError(field, _TOO_EARLY)
    return value


def aware(value: object, field: str) -> datetime | None:
    """``None``, or an aware datetime from :data:`EARLIEST_DAY` on (Istanbul time)."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidRequestError(field, "must be a timezone-aware datetime")
    local = _istanbul(value)
    if local is None:
        raise InvalidRequestError(field, "is outside the range of dates that can be sent")
    if local.date() < EARLIEST_DAY:
        raise InvalidRequestError(field, _TOO_EARLY)
    return value
