"""The inbox endpoint: reading is non-destructive and capped at the newest 1000."""

from __future__ import annotations

from typing import Any, Final

from ._fake_clock import fmt_timestamp
from ._registry import handler
from ._state import Account

__all__: list[str] = []

INBOX_CAP: Final = 1000


@handler("get-inbox")
def get_inbox(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    ordered = account.inbound.oldest_first()
    return {
        "orders": {
            "totalRows": str(len(ordered)),
            "order": [
                {
                    "id": r.id,
                    "date": fmt_timestamp(r.received_at),
                    "sender": r.sender,
                    "number": r.number,
                    "text": r.text,
                }
                for r in ordered[-INBOX_CAP:]
            ],
        }
    }
