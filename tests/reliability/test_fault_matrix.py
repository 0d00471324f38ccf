"""Every endpoint × every injected fault ends in success-after-retry or the documented error.

The expectations are the retry rules of ``docs/errors.md`` written out as a
table (:data:`RULES`): for each fault and retry class, what the caller gets,
how many attempts reach the server, and how many of them the server
*processed* (ran the action: created an order, cancelled, blocked…).  Each
endpoint belongs to one retry class (:data:`ENDPOINTS`), so a cell's
expectation is ``RULES[fault][endpoint.retry_class]``; nothing in a cell is
special-cased.

Every cell runs against a fresh fake over real loopback HTTP under a hang
guard, and any exception must be an ``IletiMerkeziError`` of exactly the
expected class (a subclass does not pass: ``TransportError`` is not
``SendOutcomeUnknownError``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

import iletimerkezi_async as im
from iletimerkezi_async.retry import RetryClass
from iletimerkezi_async.testing import FakeIletiMerkezi

from ._support import ATTEMPTS, fast_retry, guarded

IST = ZoneInfo("Europe/Istanbul")
TIMEOUT = 5.0
"""The client's per-attempt timeout in the cells without a stall: far above any answer's
time on loopback, even on a machine busy with other test runs."""
STALL_TIMEOUT = 0.6
"""The client's per-attempt timeout in the two stall cells; the attempt after the stall
must answer within it."""
STALL = 0.8
"""A stall longer than ``STALL_TIMEOUT``.  The fake sleeps in the same event loop and starts
after the client's timer, so the client always gives up first; kept short because
closing the fake waits for a stalled handler."""
FOREVER = 100
"""``times=`` for a fault that outlasts any retry policy."""

READ, IDEMPOTENT, WRITE, SEND = (
    RetryClass.READ,
    RetryClass.IDEMPOTENT,
    RetryClass.WRITE,
    RetryClass.SEND,
)
OK = None
"""Expected outcome: the call returns normally."""


@attrs.frozen
class Expect:
    """One cell's outcome: ``error`` (exact class, or ``OK``), attempts sent, attempts processed."""

    error: type[im.IletiMerkeziError] | None
    attempts: int
    processed: int


# ---------------------------------------------------------------------- the rules
#
# Faults, as the fake injects them (each hits the first request of the call):
#   503_once / 503_forever  JSON 503 envelope, not processed (once / on every attempt)
#   429_once                JSON 429 envelope (throttled), not processed
#   500_json                JSON 500 envelope, not processed (but only 503 says so)
#   500_html                a proxy's HTML 500 page, not processed
#   500_html_after          processed, then the HTML 500 page
#   reset_before            connection closed without an answer, not processed
#   reset_after             processed, then the connection closed without an answer
#   timeout                 stalls past the client timeout; the client has gone, so not processed
#   timeout_after           processed, then stalls past the client timeout
#   invalid_json / truncated / empty
#                           processed, HTTP 200 with a body that is not the envelope
#   wrong_content_type      processed, the real envelope served as text/plain (must be accepted)
#
# From the client's side, everything except a 503 or 429 envelope and a wrong content type is
# ambiguous: it cannot know whether the action ran.  READ and IDEMPOTENT repeat anyway;
# WRITE raises; SEND raises SendOutcomeUnknownError and never resends.

RULES: dict[str, dict[RetryClass, Expect]] = {
    "503_once": {
        READ: Expect(OK, 2, 1),
        IDEMPOTENT: Expect(OK, 2, 1),
        WRITE: Expect(OK, 2, 1),
        SEND: Expect(OK, 2, 1),
    },
    "503_forever": {
        READ: Expect(im.ServiceUnavailableError, ATTEMPTS, 0),
        IDEMPOTENT: Expect(im.ServiceUnavailableError, ATTEMPTS, 0),
        WRITE: Expect(im.ServiceUnavailableError, ATTEMPTS, 0),
        SEND: Expect(im.ServiceUnavailableError, ATTEMPTS, 0),
    },
    "429_once": {
        READ: Expect(OK, 2, 1),
        IDEMPOTENT: Expect(OK, 2, 1),
        WRITE: Expect(OK, 2, 1),
        SEND: Expect(OK, 2, 1),
    },
    "500_json": {
        READ: Expect(OK, 2, 1),
        IDEMPOTENT: Expect(OK, 2, 1),
        WRITE: Expect(im.ServiceUnavailableError, 1, 0),
        SEND: Expect(im.SendOutcomeUnknownError, 1, 0),
    },
    "500_html": {
        READ: Expect(OK, 2, 1),
        IDEMPOTENT: Expect(OK, 2, 1),
        WRITE: Expect(im.ServiceUnavailableError, 1, 0),
        SEND: Expect(im.SendOutcomeUnknownError, 1, 0),
    },
    "500_html_after": {
        READ: Expect(OK, 2, 2),
        IDEMPOTENT: Expect(OK, 2, 2),
        WRITE: Expect(im.ServiceUnavailableError, 1, 1),
        SEND: Expect(im.SendOutcomeUnknownError, 1, 1),
    },
    "reset_before": {
        READ: Expect(OK, 2, 1),
        IDEMPOTENT: Expect(OK, 2, 1),
        WRITE: Expect(im.TransportError, 1, 0),
        SEND: Expect(im.SendOutcomeUnknownError, 1, 0),
    },
    "reset_after": {
        READ: Expect(OK, 2, 2),
        IDEMPOTENT: Expect(OK, 2, 2),
        WRITE: Expect(im.TransportError, 1, 1),
        SEND: Expect(im.SendOutcomeUnknownError, 1, 1),
    },
    "timeout": {
        READ: Expect(OK, 2, 1),
        IDEMPOTENT: Expect(OK, 2, 1),
        WRITE: Expect(im.TransportError, 1, 0),
        SEND: Expect(im.SendOutcomeUnknownError, 1, 0),
    },
    "timeout_after": {
        READ: Expect(OK, 2, 2),
        IDEMPOTENT: Expect(OK, 2, 2),
        WRITE: Expect(im.TransportError, 1, 1),
        SEND: Expect(im.SendOutcomeUnknownError, 1, 1),
    },
    "invalid_json": {
        READ: Expect(OK, 2, 2),
        IDEMPOTENT: Expect(OK, 2, 2),
        WRITE: Expect(im.ResponseFormatError, 1, 1),
        SEND: Expect(im.SendOutcomeUnknownError, 1, 1),
    },
    "truncated": {
        READ: Expect(OK, 2, 2),
        IDEMPOTENT: Expect(OK, 2, 2),
        WRITE: Expect(im.ResponseFormatError, 1, 1),
        SEND: Expect(im.SendOutcomeUnknownError, 1, 1),
    },
    "empty": {
        READ: Expect(OK, 2, 2),
        IDEMPOTENT: Expect(OK, 2, 2),
        WRITE: Expect(im.ResponseFormatError, 1, 1),
        SEND: Expect(im.SendOutcomeUnknownError, 1, 1),
    },
    "wrong_content_type": {
        READ: Expect(OK, 1, 1),
        IDEMPOTENT: Expect(OK, 1, 1),
        WRITE: Expect(OK, 1, 1),
        SEND: Expect(OK, 1, 1),
    },
}

INJECT: dict[str, Callable[[FakeIletiMerkezi, str], None]] = {
    "503_once": lambda f, p: f.fail(p, status=503, times=1),
    "503_forever": lambda f, p: f.fail(p, status=503, times=FOREVER),
    "429_once": lambda f, p: f.fail(p, status=429, times=1),
    "500_json": lambda f, p: f.fail(p, status=500, times=1),
    "500_html": lambda f, p: f.malform(p, "html"),
    "500_html_after": lambda f, p: f.malform(p, "html_after"),
    "reset_before": lambda f, p: f.drop(p, when="before"),
    "reset_after": lambda f, p: f.drop(p, when="after"),
    "timeout": lambda f, p: f.stall(p, STALL, when="before"),
    "timeout_after": lambda f, p: f.stall(p, STALL, when="after"),
    "invalid_json": lambda f, p: f.malform(p, "invalid_json"),
    "truncated": lambda f, p: f.malform(p, "truncated"),
    "empty": lambda f, p: f.malform(p, "empty"),
    "wrong_content_type": lambda f, p: f.malform(p, "wrong_content_type"),
}
assert INJECT.keys() == RULES.keys()


# ---------------------------------------------------------------------- the endpoints

NUMBER = "+905051234567"
OTHER = "+905321234567"
BRAND = 696422
WINDOW = (date(2025, 3, 1), date(2025, 3, 10))


@attrs.frozen
class Endpoint:
    """One resource method: how to prepare the fake, call it, and see what it did."""

    name: str
    path: str
    retry_class: RetryClass
    setup: Callable[[FakeIletiMerkezi, im.Client], Awaitable[dict[str, Any]]]
    call: Callable[[im.Client, dict[str, Any]], Awaitable[Any]]
    check: Callable[[Any, FakeIletiMerkezi, dict[str, Any]], None]
    """Asserts a normal return is right."""
    effect: Callable[[FakeIletiMerkezi, dict[str, Any]], int] | None = None
    """For writes: how many times the action shows in the fake's state."""
    pages: int = 1
    """Requests a clean call makes (a paginated walk asks past its first page)."""


async def _nothing(fake: FakeIletiMerkezi, client: im.Client) -> dict[str, Any]:
    return {}


async def _scheduled_order(fake: FakeIletiMerkezi, client: im.Client) -> dict[str, Any]:
    later = datetime.now(IST) + timedelta(hours=2)
    order = await client.sms.send(NUMBER, "Yarin gorusmek uzere", sender="ACME", send_at=later)
    return {"order": order.id}


async def _historical_order(fake: FakeIletiMerkezi, client: im.Client) -> dict[str, Any]:
    oid = fake.add_order(datetime(2025, 3, 5, 12, 0), recipients=5)
    return {"order": oid, "numbers": list(fake.account.orders[oid].recipients)}


async def _window_orders(fake: FakeIletiMerkezi, client: im.Client) -> dict[str, Any]:
    ids = fake.add_orders([datetime(2025, 3, d, 9, 30) for d in (1, 4, 10)])
    fake.add_orders([datetime(2025, 2, 28, 23, 0), datetime(2025, 3, 11, 0, 5)])  # outside
    return {"ids": ids}


async def _blacklisted(fake: FakeIletiMerkezi, client: im.Client) -> dict[str, Any]:
    base = datetime(2025, 1, 1, 8, 0)
    numbers = [
        fake.account.add_blacklist(n, blocked_at=base + timedelta(minutes=i))
        for i, n in enumerate([NUMBER, OTHER, "+905441112233"])
    ]
    return {"numbers": numbers}


async def _consent(fake: FakeIletiMerkezi, client: im.Client) -> dict[str, Any]:
    fake.account.add_consent(NUMBER, consent_date=datetime(2025, 1, 2, 10, 0))
    return {}


async def _inbound(fake: FakeIletiMerkezi, client: im.Client) -> dict[str, Any]:
    return {"ids": [fake.add_inbound("EVET"), fake.add_inbound("HAYIR")]}


def _orders_made(fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> int:
    return len(fake.account.orders)


def _check_order(recipients: int) -> Callable[[Any, FakeIletiMerkezi, dict[str, Any]], None]:
    def check(order: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
        assert isinstance(order, im.Order)
        assert order.recipients == recipients
        assert order.id in fake.account.orders

    return check


def _check_cancelled(result: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
    assert result is None and fake.account.orders[ctx["order"]].cancelled


def _check_report(report: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
    assert isinstance(report, im.OrderReport)
    assert (report.id, report.total) == (ctx["order"], 5)
    assert [m.number for m in report.messages] == ctx["numbers"]


def _check_equal(key: str) -> Callable[[Any, FakeIletiMerkezi, dict[str, Any]], None]:
    def check(result: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
        assert result == ctx[key]

    return check


def _check_balance(balance: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
    assert isinstance(balance, im.Balance) and balance.sms == fake.account.sms_credits


def _check_senders(senders: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
    assert senders == ["APITEST", "ACME"]


def _check_blocked(result: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
    assert result is None and NUMBER in fake.account.blacklist


def _check_unblocked(result: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
    assert result is None and NUMBER not in fake.account.blacklist


def _check_registered(result: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
    assert isinstance(result, list) and len(result) == 1
    assert fake.account.consents[(OTHER, "BIREYSEL", "MESAJ")].status == "RET"


def _check_consent(consent: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
    assert isinstance(consent, im.Consent)
    assert (consent.recipient, consent.status) == (NUMBER, im.ConsentStatus.ONAY)


def _check_inbox(inbox: Any, fake: FakeIletiMerkezi, ctx: dict[str, Any]) -> None:
    assert isinstance(inbox, im.Inbox)
    assert inbox.total == 2 and [m.id for m in inbox.messages] == ctx["ids"]


async def _walk(paginator: im.Paginator[Any], key: Callable[[Any], Any]) -> list[Any]:
    async with paginator:
        return [key(item) async for item in paginator]


CONSENT = im.Consent(
    recipient=OTHER,
    recipient_type=im.IysList.BIREYSEL,
    type=im.ConsentType.MESAJ,
    status=im.ConsentStatus.RET,
    source="HS_WEB",
    consent_date=datetime(2025, 2, 1, 9, 0, tzinfo=IST),
)

ENDPOINTS = [
    Endpoint(
        "send",
        "send-sms",
        SEND,
        _nothing,
        lambda c, ctx: c.sms.send("5051234567", "Kodunuz 4821", sender="ACME"),
        _check_order(1),
        _orders_made,
    ),
    Endpoint(
        "send_many",
        "send-sms",
        SEND,
        _nothing,
        lambda c, ctx: c.sms.send_many(
            {"5051234567": "Merhaba Ali", "5321234567": "Merhaba Ayse"}, sender="ACME"
        ),
        _check_order(2),
        _orders_made,
    ),
    Endpoint(
        "cancel",
        "cancel-order",
        WRITE,
        _scheduled_order,
        lambda c, ctx: c.sms.cancel(ctx["order"]),
        _check_cancelled,
        lambda f, ctx: int(f.account.orders[ctx["order"]].cancelled),
    ),
    Endpoint(
        "reports_get",
        "get-report",
        READ,
        _historical_order,
        lambda c, ctx: c.reports.get(ctx["order"]),
        _check_report,
    ),
    Endpoint(
        "reports_list",
        "get-reports",
        READ,
        _window_orders,
        lambda c, ctx: _walk(c.reports.list(*WINDOW), lambda o: o.id),
        _check_equal("ids"),
        pages=2,  # page 1, then the empty page 2 that ends the window
    ),
    Endpoint(
        "reports_messages",
        "get-report",
        READ,
        _historical_order,
        lambda c, ctx: _walk(c.reports.messages(ctx["order"], page_size=2), lambda m: m.number),
        _check_equal("numbers"),
        pages=3,  # 5 recipients, 2 per page
    ),
    Endpoint(
        "balance", "get-balance", READ, _nothing, lambda c, ctx: c.account.balance(), _check_balance
    ),
    Endpoint(
        "senders", "get-sender", READ, _nothing, lambda c, ctx: c.account.senders(), _check_senders
    ),
    Endpoint(
        "blacklist_add",
        "add-blacklist",
        IDEMPOTENT,
        _nothing,
        lambda c, ctx: c.blacklist.add("0505 123 45 67"),
        _check_blocked,
        lambda f, ctx: int(NUMBER in f.account.blacklist),
    ),
    Endpoint(
        "blacklist_remove",
        "delete-blacklist",
        WRITE,
        _blacklisted,
        lambda c, ctx: c.blacklist.remove("5051234567"),
        _check_unblocked,
        lambda f, ctx: int(NUMBER not in f.account.blacklist),
    ),
    Endpoint(
        "blacklist_list",
        "get-blacklist",
        READ,
        _blacklisted,
        lambda c, ctx: _walk(c.blacklist.list(page_size=2), str),
        _check_equal("numbers"),
        pages=2,
    ),
    Endpoint(
        "iys_register",
        "consent/create",
        WRITE,
        _nothing,
        lambda c, ctx: c.iys.register(BRAND, [CONSENT]),
        _check_registered,
        lambda f, ctx: int((OTHER, "BIREYSEL", "MESAJ") in f.account.consents),
    ),
    Endpoint(
        "iys_check",
        "consent/show",
        READ,
        _consent,
        lambda c, ctx: c.iys.check(BRAND, NUMBER),
        _check_consent,
    ),
    Endpoint(
        "inbox_list", "get-inbox", READ, _inbound, lambda c, ctx: c.inbox.list(), _check_inbox
    ),
]
BY_NAME = {e.name: e for e in ENDPOINTS}

CELLS = [
    pytest.param(endpoint.name, fault, id=f"{endpoint.name}-{fault}")
    for endpoint in ENDPOINTS
    for fault in RULES
]


def test_the_table_covers_every_resource_method_and_retry_class() -> None:
    """A new resource method or retry class must get a row here, not slip past the matrix."""
    public = {
        f"{resource}.{name}"
        for resource in ("sms", "reports", "account", "blacklist", "iys", "inbox")
        for name in dir(getattr(im.Client("k", "h"), resource))
        if not name.startswith("_")
    }
    # Covered elsewhere: send_bulk (cancellation here; its chunks are sms.send requests,
    # tests/test_send_bulk.py for failures), reports.wait (a loop of reports.get) and
    # inbox.poll (cancellation here; tests/test_inbox_poll.py for transient failures),
    # sms.resolve (reads of get-reports/get-report/get-blacklist, as reports.list and
    # reports.messages here; tests/test_resolve.py: a failure is never taken for "absent").
    covered_elsewhere = {"sms.send_bulk", "reports.wait", "inbox.poll", "sms.resolve"}
    named = {
        "sms.send",
        "sms.send_many",
        "sms.cancel",
        "reports.get",
        "reports.list",
        "reports.messages",
        "account.balance",
        "account.senders",
        "blacklist.add",
        "blacklist.remove",
        "blacklist.list",
        "iys.register",
        "iys.check",
        "inbox.list",
    }
    assert public == named | covered_elsewhere
    unprefixed = {"send": "sms.send", "send_many": "sms.send_many", "cancel": "sms.cancel",
                  "balance": "account.balance", "senders": "account.senders"}  # fmt: skip
    rows = [unprefixed.get(e.name, e.name.replace("_", ".", 1)) for e in ENDPOINTS]
    assert sorted(rows) == sorted(named)
    assert {e.retry_class for e in ENDPOINTS} == set(RetryClass)
    assert all(set(row) == set(RetryClass) for row in RULES.values())
    assert len(CELLS) >= 150


@pytest.mark.parametrize(("endpoint_name", "fault"), CELLS)
async def test_cell(endpoint_name: str, fault: str) -> None:
    endpoint = BY_NAME[endpoint_name]
    expect = RULES[fault][endpoint.retry_class]
    async with (
        FakeIletiMerkezi(senders=("APITEST", "ACME"), rate_limit=None) as fake,
        fake.client(
            retry=fast_retry(),
            timeout=STALL_TIMEOUT if fault.startswith("timeout") else TIMEOUT,
            send_limiter=None,
        ) as client,
    ):
        ctx = await endpoint.setup(fake, client)
        fake.requests.clear()
        effect_before = endpoint.effect(fake, ctx) if endpoint.effect else 0
        INJECT[fault](fake, endpoint.path)

        error: BaseException | None = None
        result: Any = None
        try:
            result = await guarded(endpoint.call(client, ctx))
        except Exception as exc:
            error = exc

        sent = fake.sent_requests(endpoint.path)  # records; .processed is read at the end
        # The client is still usable afterwards: its pool was not poisoned by the fault.
        fake.reset_faults()
        assert (await guarded(client.account.balance())).sms == fake.account.sms_credits
    assert client.closed
    # The fake is closed, and closing waited for any stalled handler (which then saw
    # that the client had gone), so what the records and the state say now is final.
    processed = sum(r.processed for r in sent)
    if expect.error is OK:
        assert error is None, f"expected success, got {error!r}"
        endpoint.check(result, fake, ctx)
        clean = endpoint.pages - 1  # the pages after the faulted first one
        assert len(sent) == expect.attempts + clean
        assert processed == expect.processed + clean
    else:
        assert isinstance(error, im.IletiMerkeziError), f"raw exception {error!r}"
        assert type(error) is expect.error, f"expected {expect.error.__name__}, got {error!r}"
        assert len(sent) == expect.attempts
        assert processed == expect.processed
        if isinstance(error, im.TransportError):
            assert error.maybe_sent is True
    if endpoint.effect is not None:
        # The action shows in the fake's state exactly when a processed attempt ran it
        # (adding to the blacklist twice is one entry: the endpoint is idempotent).
        assert endpoint.effect(fake, ctx) - effect_before == min(processed, 1)
        if endpoint.retry_class is SEND:
            assert len(fake.account.orders) == processed  # never two orders for one send
