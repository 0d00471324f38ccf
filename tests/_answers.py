"""Each endpoint's answer parsed the way the transport parses it, for parser tests.

The transport structures every decoded ``response`` with
``_parse.structure(endpoint, payload)``; these name what a resource then
returns, so parser tests read as the old one-function-per-endpoint calls.
"""

from __future__ import annotations

from typing import Any

from iletimerkezi_async import _endpoints as api
from iletimerkezi_async._parse import delivery_report, structure
from iletimerkezi_async.models import Balance, Consent, Inbox, Order, OrderReport, OrderSummary

__all__ = [
    "balance",
    "blacklist_page",
    "consent",
    "delivery_report",
    "inbox",
    "order",
    "order_report",
    "order_summaries",
    "senders",
]


def order(payload: Any, *, recipients: int) -> Order:
    return Order(id=structure(api.SEND_SMS, payload).order.id, recipients=recipients)


def order_report(payload: Any) -> OrderReport:
    return structure(api.GET_REPORT, payload).order


def order_summaries(payload: Any) -> tuple[OrderSummary, ...]:
    return structure(api.GET_REPORTS, payload).orders


def balance(payload: Any) -> Balance:
    return structure(api.GET_BALANCE, payload).balance


def senders(payload: Any) -> tuple[str, ...]:
    return structure(api.GET_SENDER, payload).senders


def blacklist_page(payload: Any) -> tuple[int, tuple[str, ...]]:
    page = structure(api.GET_BLACKLIST, payload).blacklist
    return page.total, page.numbers


def consent(payload: Any) -> Consent | None:
    return structure(api.CONSENT_SHOW, payload).consent


def inbox(payload: Any) -> Inbox:
    return structure(api.GET_INBOX, payload).orders
