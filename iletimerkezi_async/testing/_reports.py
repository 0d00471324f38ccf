"""Report endpoints: one order's messages, page by page, and the orders of a date window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from ._envelope import Refusal
from ._fake_clock import ISTANBUL, fmt_timestamp
from ._orders import StoredOrder
from ._registry import handler
from ._rules import int_field, page_and_rows, parse_day
from ._state import Account

__all__: list[str] = []

REPORTS_MAX_SPAN: Final = timedelta(days=10)


@handler("get-report")
def get_report(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    block = request.get("order")
    if not isinstance(block, dict):
        raise Refusal(400)
    order = account.orders.find(block.get("id"))
    page, rows = page_and_rows(block)
    now = account.now()
    if order.not_ready(now):
        raise Refusal(456)
    start = min((page - 1) * rows, order.total)
    stop = min(start + rows, order.total)
    legacy = account.options.legacy_types
    messages = [
        {
            "number": _legacy_number(order.number(i)) if legacy else order.number(i),
            "status": order.message_status(i, now),
        }
        for i in range(start, stop)
    ]
    price: object = f"{order.price:.4f}".replace(".", ",") if legacy else order.price
    summary = _summary(order, now)
    summary["id"] = order.id if legacy else str(order.id)
    return {"order": {**summary, "price": price, "message": messages}}


@handler("get-reports")
def get_reports(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    block = request.get("filter")
    if not isinstance(block, dict):
        raise Refusal(458)
    start = parse_day(block.get("start"))
    end = parse_day(block.get("end"))
    if start is None or end is None or start > end or end - start > REPORTS_MAX_SPAN:
        raise Refusal(458)
    raw_page = block.get("page")
    if raw_page is None:
        raw_page = request.get("page")
    page = int_field(raw_page, 1)
    if page < 1:
        raise Refusal(464)
    low = datetime.combine(start, datetime.min.time(), ISTANBUL)
    high = datetime.combine(end + timedelta(days=1), datetime.min.time(), ISTANBUL)
    now = account.now()
    page_orders = account.orders.listed_page(
        low, high, now, page, account.options.reports_page_size
    )
    orders = [_summary(order, now) for order in page_orders]
    count: object = str(len(orders)) if account.options.legacy_types else len(orders)
    return {"count": count, "orders": orders}


def _legacy_number(number: str) -> int:
    """The older docs' report numbers: an int without ``+90`` (or without ``+``)."""
    if number.startswith("+90"):
        return int(number[3:])
    return int(number.lstrip("+"))


def _summary(order: StoredOrder, now: datetime) -> dict[str, Any]:
    """The order fields get-report and get-reports share (get-reports' int id)."""
    delivered, undelivered, waiting = order.counters(now)
    return {
        "id": order.id,
        "status": order.status(now),
        "total": order.total,
        "delivered": delivered,
        "undelivered": undelivered,
        "waiting": waiting,
        "submitAt": fmt_timestamp(order.submitted_at),
        "sendAt": fmt_timestamp(order.send_at),
        "sender": order.sender,
    }
