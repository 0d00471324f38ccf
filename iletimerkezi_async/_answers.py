"""What each endpoint answers: the ``response`` object of its envelope, as types.

Each class mirrors one endpoint's ``response`` (reference §4–§9), field by
field, in Python names; :mod:`._convert` binds each field to its wire key and
lenient parser, and the endpoint table (:mod:`._endpoints`) names the class
an endpoint answers with.  A resource then picks what it returns from the
structured answer, so the path from bytes to model is always
``converter.structure(payload, Answer)``.  NamedTuples, not attrs classes:
they never leave the SDK, and fourteen attrs classes cost about 5 ms of
import time (``python -X importtime``) against 1 ms for these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # annotations only: the model classes load with the first parse
    from .models import Balance, Consent, Inbox, OrderReport, OrderSummary

__all__ = [
    "BalanceAnswer",
    "BlacklistAnswer",
    "BlacklistPage",
    "ConsentAnswer",
    "ConsentCreateAnswer",
    "Done",
    "InboxAnswer",
    "ReportAnswer",
    "ReportsAnswer",
    "SendAnswer",
    "SendersAnswer",
    "SentOrder",
]


class Done(NamedTuple):
    """An answer whose only content is its status (cancel, blacklist writes)."""


class SentOrder(NamedTuple):
    id: str


class SendAnswer(NamedTuple):
    """send-sms: ``order.id`` of the created order."""

    order: SentOrder


class ReportAnswer(NamedTuple):
    """get-report: the order's counters and one page of its recipients."""

    order: OrderReport


class ReportsAnswer(NamedTuple):
    """get-reports: one page of orders; ``total`` (wire ``count``) means different things
    in different doc eras, so it is only checked."""

    orders: tuple[OrderSummary, ...] = ()
    total: int = 0


class BalanceAnswer(NamedTuple):
    balance: Balance


class SendersAnswer(NamedTuple):
    """get-sender: approved sender IDs, verbatim (case and spaces matter to send-sms)."""

    senders: tuple[str, ...] = ()


class BlacklistPage(NamedTuple):
    """``total`` (wire ``count``) is the account's total, not this page's length."""

    total: int
    numbers: tuple[str, ...] = ()


class BlacklistAnswer(NamedTuple):
    blacklist: BlacklistPage


class ConsentAnswer(NamedTuple):
    """consent/show: ``None`` when İYS holds no record."""

    consent: Consent | None = None


class ConsentCreateAnswer(NamedTuple):
    """consent/create: the answer as it came, for the caller to keep."""

    payload: dict[str, Any]


class InboxAnswer(NamedTuple):
    orders: Inbox
