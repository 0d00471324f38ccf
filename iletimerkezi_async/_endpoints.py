"""Every endpoint, declared once: name, path, retry class, request body, answer type.

A resource method is one ``await transport.call(ENDPOINT, ...)``: the
transport builds the body with ``build``, posts it to ``path`` under the
rules of ``retry`` and returns ``converter.structure(response, answer)``.
Adding an endpoint means a line here, its resource method and its handler in
the fake server (``iletimerkezi_async.testing``); nothing else knows names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, ParamSpec, TypeVar

import attrs

from . import _wire
from ._answers import (
    BalanceAnswer,
    BlacklistAnswer,
    ConsentAnswer,
    ConsentCreateAnswer,
    Done,
    InboxAnswer,
    ReportAnswer,
    ReportsAnswer,
    SendAnswer,
    SendersAnswer,
)
from .retry import RetryClass

__all__ = [
    "ADD_BLACKLIST",
    "ALL",
    "CANCEL_ORDER",
    "CONSENT_CREATE",
    "CONSENT_SHOW",
    "DELETE_BLACKLIST",
    "GET_BALANCE",
    "GET_BLACKLIST",
    "GET_INBOX",
    "GET_REPORT",
    "GET_REPORTS",
    "GET_SENDER",
    "SEND_SMS",
    "Endpoint",
]

P = ParamSpec("P")
A = TypeVar("A")


@attrs.frozen
class Endpoint(Generic[P, A]):
    """One endpoint of the API; ``build`` is a pure function of the call's arguments."""

    name: str
    retry: RetryClass
    build: Callable[P, _wire.Request] = attrs.field(repr=False)
    answer: type[A] = attrs.field(repr=False)
    meanings: Mapping[int, str] = attrs.field(factory=dict, repr=False, kw_only=True)
    """What a body code means on this endpoint, where the table's wording is for another."""
    path: str = attrs.field(init=False)

    @path.default
    def _path(self) -> str:
        return f"/v1/{self.name}/json"


SEND_SMS = Endpoint("send-sms", RetryClass.SEND, _wire.send_sms, SendAnswer)
CANCEL_ORDER = Endpoint("cancel-order", RetryClass.WRITE, _wire.cancel_order, Done)
GET_REPORT = Endpoint(
    "get-report",
    RetryClass.READ,
    _wire.get_report,
    ReportAnswer,
    # The table's 455 also covers a cancel that came too late, which a report is not.
    meanings={455: "no such order on this account (a wrong id, or the order was removed)"},
)
GET_REPORTS = Endpoint("get-reports", RetryClass.READ, _wire.get_reports, ReportsAnswer)
GET_BALANCE = Endpoint("get-balance", RetryClass.READ, _wire.get_balance, BalanceAnswer)
GET_SENDER = Endpoint("get-sender", RetryClass.READ, _wire.get_sender, SendersAnswer)
GET_BLACKLIST = Endpoint("get-blacklist", RetryClass.READ, _wire.get_blacklist, BlacklistAnswer)
ADD_BLACKLIST = Endpoint("add-blacklist", RetryClass.IDEMPOTENT, _wire.add_blacklist, Done)
DELETE_BLACKLIST = Endpoint("delete-blacklist", RetryClass.WRITE, _wire.delete_blacklist, Done)
CONSENT_CREATE = Endpoint(
    "consent/create", RetryClass.WRITE, _wire.consent_create, ConsentCreateAnswer
)
CONSENT_SHOW = Endpoint("consent/show", RetryClass.READ, _wire.consent_show, ConsentAnswer)
GET_INBOX = Endpoint("get-inbox", RetryClass.READ, _wire.get_inbox, InboxAnswer)

ALL: tuple[Endpoint[..., Any], ...] = (
    SEND_SMS,
    CANCEL_ORDER,
    GET_REPORT,
    GET_REPORTS,
    GET_BALANCE,
    GET_SENDER,
    GET_BLACKLIST,
    ADD_BLACKLIST,
    DELETE_BLACKLIST,
    CONSENT_CREATE,
    CONSENT_SHOW,
    GET_INBOX,
)
"""In the reference's order; tests walk it to cover every endpoint."""
