"""Frozen result models and enums.

Ids are ``str`` everywhere (the wire mixes ints and strings), phone numbers are
normalised to ``+90…`` (or E.164), timestamps are aware datetimes in
Europe/Istanbul and money is :class:`~decimal.Decimal`.  An enum value the SDK
does not know yet becomes ``UNKNOWN`` instead of failing the whole response.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Generic, TypeVar

import attrs

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


class _IntCodeEnum(enum.IntEnum):
    """Integer codes that also arrive as numeric strings; unknown codes map to UNKNOWN."""

    @classmethod
    def _missing_(cls, value: object) -> _IntCodeEnum:
        text = value.strip() if isinstance(value, str) else ""
        if text.isascii() and text.lstrip("-").isdigit():
            try:
                return cls(int(text))
            except ValueError:
                pass
        return cls["UNKNOWN"]


class _StrEnum(enum.StrEnum):
    """Wire strings, compared case-insensitively; unknown values map to UNKNOWN."""

    @classmethod
    def _missing_(cls, value: object) -> _StrEnum:
        if isinstance(value, str):
            wanted = value.strip().casefold()
            for member in cls:
                if member.value.casefold() == wanted:
                    return member
        return cls["UNKNOWN"]


class OrderStatus(_IntCodeEnum):
    """``order.status`` of get-report / get-reports."""

    SENDING = 113
    COMPLETED = 114
    """The pipeline finished; it does not mean every message was delivered."""
    FAILED = 115
    """Rejected in pre-validation, or cancelled."""
    UNKNOWN = -1

    @property
    def is_final(self) -> bool:
        return self in (OrderStatus.COMPLETED, OrderStatus.FAILED)


class MessageStatus(_IntCodeEnum):
    """``message[].status`` of get-report."""

    PENDING = 110
    DELIVERED = 111
    UNDELIVERED = 112
    UNKNOWN = -1


class DeliveryStatus(_StrEnum):
    """``report.status`` of a delivery-report webhook."""

    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        return self in (DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED)


class IysList(_StrEnum):
    """The İYS recipient type: individual or merchant."""

    BIREYSEL = "BIREYSEL"
    TACIR = "TACIR"
    UNKNOWN = "UNKNOWN"


class ConsentType(_StrEnum):
    MESAJ = "MESAJ"
    EPOSTA = "EPOSTA"
    ARAMA = "ARAMA"
    UNKNOWN = "UNKNOWN"


class ConsentStatus(_StrEnum):
    ONAY = "ONAY"
    RET = "RET"
    UNKNOWN = "UNKNOWN"


@attrs.frozen(kw_only=True)
class Order:
    """A created send-sms order; ``id`` is the key for reports and cancel."""

    id: str
    recipients: int


@attrs.frozen(kw_only=True)
class MessageReport:
    number: str
    status: MessageStatus

    def __repr__(self) -> str:
        from .phone import mask_number

        return f"MessageReport(number={mask_number(self.number)!r}, status={self.status.name})"


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
    received_at: datetime
    sender: str
    number: str
    text: str

    def matches(self, keyword: str) -> bool:
        """True when the text equals ``keyword`` or ends with it as whole words.

        Carrier prefixes (``"ILT AHKTEST RET"``) do not hide the keyword; the
        comparison is trimmed and Turkish-aware case-folded (``İ``/``ı``).
        """
        from .text import fold_words

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
        from .text import fold_words

        words = fold_words(self.text)
        return words[-1] if words else None

    def matches_any(self, keywords: Iterable[str]) -> str | None:
        """The first of ``keywords`` that :meth:`matches`, as given, or ``None``."""
        return next((k for k in keywords if self.matches(k)), None)

    def is_opt_out(self, keywords: Iterable[str] = ("RET", "IPTAL", "STOP")) -> bool:
        """True for an opt-out reply (``RET``, ``İPTAL``, ``stop``…), prefixes tolerated."""
        return self.matches_any(keywords) is not None

    def __repr__(self) -> str:
        # KVKK: the text and the sender's number stay out of reprs and logs.
        from .phone import mask_number

        return (
            f"InboundMessage(id={self.id!r}, received_at={self.received_at.isoformat()!r}, "
            f"sender={mask_number(self.sender)!r}, number={mask_number(self.number)!r}, "
            f"text=<{len(self.text)} chars>)"
        )


@attrs.frozen(kw_only=True)
class Inbox:
    """``total`` is the account's inbound count (``totalRows``), not this list's length."""

    total: int
    messages: tuple[InboundMessage, ...] = ()


@attrs.frozen(kw_only=True)
class Consent:
    recipient: str
    recipient_type: IysList
    type: ConsentType
    status: ConsentStatus
    source: str
    consent_date: datetime | None = None

    def __repr__(self) -> str:
        from .phone import mask_number

        who = "<e-mail>" if "@" in self.recipient else mask_number(self.recipient)
        return (
            f"Consent(recipient={who!r}, recipient_type={self.recipient_type!s}, "
            f"type={self.type!s}, status={self.status!s}, source={self.source!r}, "
            f"consent_date={self.consent_date!r})"
        )


@attrs.frozen(kw_only=True)
class DeliveryReport:
    """One webhook event: ``message_id`` is one recipient's message, ``order_id`` the order."""

    message_id: int
    order_id: str
    status: DeliveryStatus
    to: str
    body: str

    def __repr__(self) -> str:
        from .phone import mask_number

        return (
            f"DeliveryReport(message_id={self.message_id}, order_id={self.order_id!r}, "
            f"status={self.status.value!r}, to={mask_number(self.to)!r}, "
            f"body=<{len(self.body)} chars>)"
        )


@attrs.frozen(kw_only=True)
class Segments:
    """How a text splits into SMS parts (the B186 suffix already accounted for)."""

    encoding: str
    characters: int
    parts: int
    per_part: int


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
