"""The structure function of every model and answer, loaded with the converter.

Each model declares its wire fields here (wire key and lenient parser, see
:func:`._parse.wire_function`); :data:`ANSWERS` maps each answer class of
:mod:`._answers` to its function, and :func:`._parse.register` puts them on
the converter when it is built.  Importing this module needs the model
classes, which is why it is not imported with the package but on the
first parse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from . import _lenient as w
from ._answers import (
    BalanceAnswer,
    BlacklistAnswer,
    BlacklistPage,
    ConsentAnswer,
    ConsentCreateAnswer,
    Done,
    InboxAnswer,
    ReportAnswer,
    ReportsAnswer,
    SendAnswer,
    SendersAnswer,
    SentOrder,
)
from ._parse import _enum, _many, _nested, wire_function
from ._summary import order_summary
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
    OrderReport,
    OrderStatus,
    OrderSummary,
)

__all__ = ["ANSWERS", "delivery_report_of"]

_message_report = wire_function(
    MessageReport, number=("number", w.number), status=("status", _enum(MessageStatus))
)
_order_report = wire_function(
    OrderReport,
    id=("id", w.identifier),
    status=("status", _enum(OrderStatus)),
    total=("total", w.opt_int),
    delivered=("delivered", w.opt_int),
    undelivered=("undelivered", w.opt_int),
    waiting=("waiting", w.opt_int),
    submitted_at=("submitAt", w.opt_timestamp),
    send_at=("sendAt", w.opt_timestamp),
    sender=("sender", w.opt_text),
    price=("price", w.opt_decimal),
    messages=("message", _many(_message_report)),
)
_balance = wire_function(Balance, amount=("amount", w.decimal), sms=("sms", w.integer))
_consent = wire_function(
    Consent,
    # A phone is normalised; an e-mail address passes through unchanged.
    recipient=("recipient", w.number),
    recipient_type=("recipientType", _enum(IysList)),
    type=("type", _enum(ConsentType)),
    status=("status", _enum(ConsentStatus)),
    source=("source", w.text),
    consent_date=("consentDate", w.opt_timestamp),
)
_inbound_message = wire_function(
    InboundMessage,
    id=("id", w.identifier),
    received_at=("date", w.timestamp),
    # Short code (7889), alphanumeric ID or a mobile; only the latter is normalised.
    sender=("sender", w.number),
    number=("number", w.number),
    text=("text", w.text),
)


def _message_id(value: Any, where: str) -> int:
    """A webhook's message id: an integer, never negative (it keys de-duplication)."""
    number = w.integer(value, where)
    if number < 0:
        raise w.Bad(where, "negative id")
    return number


def _raw_status(value: Any, where: str) -> str:
    """The status as sent: a string verbatim, an integer as its digits."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return str(w.integer(value, where))  # at most 18 digits, as for ids
    raise w.Bad(where, f"expected a status code or name, got {w.kind_of(value)}")


delivery_report_of: Final = wire_function(
    DeliveryReport,
    message_id=("id", _message_id),
    order_id=("packet_id", w.identifier),
    status=("status", _enum(DeliveryStatus)),
    raw_status=("status", _raw_status),
    to=("to", w.number),
    body=("body", w.text),
)


def _inbox(o: Any) -> Inbox:
    """Hand-written: ``totalRows`` falls back to the list's length, which no rename says."""
    if o is None or o == [] or o == {}:
        return Inbox(total=0)
    o = w.as_object(o, "")
    messages = w.each(w.as_list(o.get("order"), "order"), _inbound_message, "order")
    total = o.get("totalRows")
    if total is None or total == "":
        return Inbox(total=len(messages), messages=messages)
    return Inbox(total=w.integer(total, "totalRows"), messages=messages)


# --------------------------------------------------------------------------- wire: answers


def _senders(block: Any, where: str) -> tuple[str, ...]:
    """``senders.sender[]``; an account without senders answers ``[]``, ``{}`` or null."""
    if block is None or block == [] or block == {}:
        return ()
    items = w.as_list(w.as_object(block, where).get("sender"), f"{where}.sender")
    return w.each(items, lambda s: w.text(s, ""), f"{where}.sender")


def _optional_consent(block: Any, where: str) -> Consent | None:
    """No record is ``[]``, ``{}``, null or absent; ``[{…}]`` is that one record."""
    records = w.as_list(block, where)
    if not records:
        return None
    if len(records) > 1:
        raise w.Bad(where, f"expected one consent record, got {len(records)}")
    return w.within(where, _consent, records[0])


def _summaries(value: Any, where: str) -> tuple[OrderSummary, ...]:
    return w.each(w.as_list(value, where), order_summary, where)


def _numbers(value: Any, where: str) -> tuple[str, ...]:
    return w.each(w.as_list(value, where), lambda n: w.number(n, ""), where)


_blacklist_block = wire_function(
    BlacklistPage, total=("count", w.integer), numbers=("number", _numbers)
)


def _blacklist_page(block: Any) -> BlacklistPage:
    """``blacklist: []`` (how PHP encodes an empty array) is an empty blacklist."""
    if block == []:
        return BlacklistPage(total=0)
    return _blacklist_block(block)


ANSWERS: Final[dict[type[Any], Callable[[Any], Any]]] = {
    Done: lambda o: Done(),
    SendAnswer: wire_function(
        SendAnswer, order=("order", _nested(wire_function(SentOrder, id=("id", w.identifier))))
    ),
    ReportAnswer: wire_function(ReportAnswer, order=("order", _nested(_order_report))),
    ReportsAnswer: wire_function(
        ReportsAnswer, orders=("orders", _summaries), total=("count", w.opt_int)
    ),
    BalanceAnswer: wire_function(BalanceAnswer, balance=("balance", _nested(_balance))),
    SendersAnswer: wire_function(SendersAnswer, senders=("senders", _senders)),
    BlacklistAnswer: wire_function(
        BlacklistAnswer, blacklist=("blacklist", _nested(_blacklist_page))
    ),
    ConsentAnswer: wire_function(ConsentAnswer, consent=("consent", _optional_consent)),
    InboxAnswer: lambda o: InboxAnswer(orders=w.within("orders", _inbox, o.get("orders"))),
    ConsentCreateAnswer: lambda o: ConsentCreateAnswer(payload=dict(o)),
}
