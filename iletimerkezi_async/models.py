"""Frozen result models and enums.

Ids are ``str`` everywhere (the wire mixes ints and strings), phone numbers are
normalised to ``+90…`` (or E.164), timestamps are aware datetimes in
Europe/Istanbul and money is :class:`~decimal.Decimal`.  An enum value the SDK
does not know yet becomes ``UNKNOWN`` instead of failing the whole response.

The enums live in :mod:`._enums` (re-exported here, their documented home):
the package imports them eagerly and this module, whose attrs classes are
most of the package's import time, only when a model is first needed.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Final, Generic, TypeVar

import attrs

from ._enums import (
    ConsentStatus,
    ConsentType,
    DeliveryStatus,
    IysList,
    MessageStatus,
    OrderStatus,
)
from .phone import mask_number
from .text import Segments, fold_words

__all__ = [
    "Balance",
    "Consent",
    "ConsentStatus",
    "ConsentType",
    "DeliveryReport",
    "DeliveryStatus",
    "InboundMessage",
    "Inbox",
    "IysList",
    "MessageReport",
    "MessageStatus",
    "Order",
    "OrderReport",
    "OrderStatus",
    "OrderSummary",
    "Page",
    "Segments",
]

T = TypeVar("T")


# Field formatters for the attrs-generated reprs.  KVKK: phone numbers are
# masked and message texts reduced to their length, so reprs (which end up in
# logs and tracebacks) never hold personal data.
def _masked(number: str) -> str:
    return repr(mask_number(number))


def _recipient(recipient: str) -> str:
    """An İYS recipient: a phone number (masked) or an e-mail address (hidden)."""
    return repr("<e-mail>" if "@" in recipient else mask_number(recipient))


def _length(text: str) -> str:
    return f"<{len(text)} chars>"


def _name(member: enum.Enum) -> str:
    return member.name


def _str(member: enum.Enum) -> str:
    return str(member)


def _value(member: enum.Enum) -> str:
    return repr(member.value)


_STATUS_WORD: Final = re.compile(r"[A-Za-z][A-Za-z0-9 _.-]{0,31}|[0-9]{1,4}")


def status_text(raw: str) -> str:
    """A provider's status string for a repr or a log: shown only when it looks like one.

    It is unauthenticated input, so anything else (a phone number, a long text)
    is reduced to its length.
    """
    return repr(raw) if _STATUS_WORD.fullmatch(raw) else f"<{len(raw)} chars>"


def _isoformat(when: datetime) -> str:
    return repr(when.isoformat())


@attrs.frozen(kw_only=True)
class Order:
    """A created send-sms order; ``id`` is the key for reports and cancel."""

    id: str
    recipients: int


@attrs.frozen(kw_only=True)
class MessageReport:
    number: str = attrs.field(repr=_masked)
    status: MessageStatus = attrs.field(repr=_name)


@attrs.frozen(kw_only=True)
class OrderReport:
    """One page of get-report: the order's counters plus this page's recipients.

    Counters are for the whole order and provisional while ``waiting > 0``.
    """

    id: str
    status: OrderStatus
    total: int = 0
    delivered: int = 0
    undelivered: int = 0
    waiting: int = 0
    submitted_at: datetime | None = None
    send_at: datetime | None = None
    sender: str | None = None
    price: Decimal | None = None
    messages: tuple[MessageReport, ...] = ()


@attrs.frozen(kw_only=True)
class OrderSummary:
    """One order of get-reports (no price, no recipients)."""

    id: str
    status: OrderStatus
    total: int = 0
    delivered: int = 0
    undelivered: int = 0
    waiting: int = 0
    submitted_at: datetime | None = None
    send_at: datetime | None = None
    sender: str | None = None


@attrs.frozen(kw_only=True)
class Balance:
    """``amount`` is the TL balance; ``sms`` the credit count (an estimate on TL accounts)."""

    amount: Decimal
    sms: int


@attrs.frozen(kw_only=True)
class InboundMessage:
    """One inbound SMS; ``sender`` may be a short code, ``number`` is your receiving number."""

    id: str
    received_at: datetime = attrs.field(repr=_isoformat)
    sender: str = attrs.field(repr=_masked)
    number: str = attrs.field(repr=_masked)
    text: str = attrs.field(repr=_length)

    def matches(self, keyword: str) -> bool:
        """True when the text equals ``keyword`` or ends with it as whole words.

        Carrier prefixes (``"ILT AHKTEST RET"``) do not hide the keyword; the
        comparison is trimmed and Turkish-aware case-folded (``İ``/``ı``).
        """
        wanted = fold_words(keyword)
        if not wanted:
            return False
        words = fold_words(self.text)
        return len(words) >= len(wanted) and words[-len(wanted) :] == wanted

    @property
    def keyword(self) -> str | None:
        """The last word of the folded text (``"ILT AHKTEST RET"`` → ``"ret"``), or ``None``.

        Carriers put their own words first, so the sender's keyword is last.
        """
        words = fold_words(self.text)
        return words[-1] if words else None

    def matches_any(self, keywords: Iterable[str]) -> str | None:
        """The first of ``keywords`` that :meth:`matches`, as given, or ``None``."""
        return next((k for k in keywords if self.matches(k)), None)

    def is_opt_out(self, keywords: Iterable[str] = ("RET", "IPTAL", "STOP")) -> bool:
        """True for an opt-out reply (``RET``, ``İPTAL``, ``stop``…), prefixes tolerated."""
        return self.matches_any(keywords) is not None


@attrs.frozen(kw_only=True)
class Inbox:
    """``total`` is the account's inbound count (``totalRows``), not this list's length."""

    total: int
    messages: tuple[InboundMessage, ...] = ()


@attrs.frozen(kw_only=True)
class Consent:
    recipient: str = attrs.field(repr=_recipient)
    recipient_type: IysList = attrs.field(repr=_str)
    type: ConsentType = attrs.field(repr=_str)
    status: ConsentStatus = attrs.field(repr=_str)
    source: str
    consent_date: datetime | None = None


@attrs.frozen(kw_only=True)
class DeliveryReport:
    """One webhook event: ``message_id`` is one recipient's message, ``order_id`` the order.

    ``raw_status`` is ``report.status`` exactly as it was sent (an integer as
    its digits); it tells a status the SDK does not know yet (``status`` is
    then ``UNKNOWN``) from another.  It defaults to ``status.value``.
    """

    message_id: int
    order_id: str
    status: DeliveryStatus = attrs.field(repr=_value)
    to: str = attrs.field(repr=_masked)
    body: str = attrs.field(repr=_length)
    raw_status: str = attrs.field(
        default=attrs.Factory(lambda self: self.status.value, takes_self=True),
        repr=status_text,
    )


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a paginated walk.

    ``number`` is the 1-based page within its window; ``window`` the
    ``(start, end)`` filter dates for get-reports (``None`` elsewhere);
    ``cursor`` the opaque token that resumes right after this page.
    """

    items: tuple[T, ...]
    number: int
    cursor: str
    window: tuple[str, str] | None = None
    total: int | None = None
