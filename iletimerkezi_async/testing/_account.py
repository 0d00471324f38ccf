"""Account endpoints: balance and approved senders."""

from __future__ import annotations

from typing import Any

from ._registry import handler
from ._state import Account

__all__: list[str] = []


@handler("get-balance")
def get_balance(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    if account.options.legacy_types:
        return {"balance": {"amount": str(account.balance), "sms": str(account.sms_credits)}}
    return {"balance": {"amount": float(account.balance), "sms": account.sms_credits}}


@handler("get-sender")
def get_sender(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    return {"senders": {"sender": list(account.senders)}}
