"""Blacklist endpoints: list (filtered by blocked-at, paged), add, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ._envelope import Refusal
from ._registry import handler
from ._rules import carrier_number, page_and_rows, parse_timestamp
from ._state import Account

__all__: list[str] = []


@handler("get-blacklist")
def get_blacklist(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    block = request.get("blacklist")
    if block is None:
        block = {}
    if not isinstance(block, dict):
        raise Refusal(400)
    page, rows = page_and_rows(block)
    low, high = _window(block.get("filter"))
    matching = [
        number
        for number, at in account.blacklist.oldest_first()
        if (low is None or at >= low) and (high is None or at <= high)
    ]
    start = (page - 1) * rows
    numbers = matching[start : start + rows]
    count: object = str(len(matching)) if account.options.legacy_types else len(matching)
    return {"blacklist": {"count": count, "number": numbers}}


def _window(window: object) -> tuple[datetime | None, datetime | None]:
    """``filter.start`` / ``filter.end``, either optional; a bad format is 400."""
    if window is None:
        return None, None
    if not isinstance(window, dict):
        raise Refusal(400)
    return _bound(window.get("start")), _bound(window.get("end"))


def _bound(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_timestamp(value)
    if parsed is None:
        raise Refusal(400)
    return parsed


def _number(request: dict[str, Any]) -> str:
    block = request.get("blacklist")
    if not isinstance(block, dict) or block.get("number") in (None, ""):
        raise Refusal(400)
    number = carrier_number(block.get("number"))
    if number is None:
        raise Refusal(466)
    return number


@handler("add-blacklist")
def add_blacklist(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    account.blacklist.block(_number(request), account.now())
    return {}


@handler("delete-blacklist")
def delete_blacklist(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    if not account.blacklist.unblock(_number(request)):
        raise Refusal(474)
    return {}
