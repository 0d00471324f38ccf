"""Frozen values the fake hands to tests: snapshots of what it stores, and events.

They are copies, so a test can keep one across ``advance`` and compare it
with a later look without the fake changing it underneath.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import attrs

from ._fake_clock import fmt_timestamp

__all__ = ["ConsentRecord", "DeliveryEvent", "InboundRecord", "OrderMessage", "OrderSnapshot"]


@attrs.frozen
class OrderMessage:
    """One recipient of an order as the report would show it now."""

    message_id: int
    number: str
    text: str
    status: int


@attrs.frozen
class OrderSnapshot:
    """A read-only copy of a stored order, evaluated at the server's now (``Account.now``)."""

    id: str
    status: int
    submitted_at: datetime
    send_at: datetime
    sender: str
    iys: str
    iys_list: str | None
    texts: tuple[str, ...]
    submitted_texts: tuple[str, ...]
    recipients: tuple[str, ...]
    messages: tuple[OrderMessage, ...]
    scheduled: bool
    schedule_dropped: bool
    cancelled: bool
    historical: bool
    price: int
    total: int
    delivered: int
    undelivered: int
    waiting: int

    @property
    def text(self) -> str:
        """The (first) text as sent; APITEST orders show the verification text."""
        return self.texts[0] if self.texts else ""


@attrs.frozen
class ConsentRecord:
    brand_code: int
    recipient: str
    recipient_type: str
    type: str
    status: str
    source: str
    consent_date: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "brandCode": self.brand_code,
            "recipient": self.recipient,
            "recipientType": self.recipient_type,
            "type": self.type,
            "status": self.status,
            "source": self.source,
            "consentDate": fmt_timestamp(self.consent_date),
        }


@attrs.frozen
class InboundRecord:
    id: str
    received_at: datetime
    sender: str
    number: str
    text: str


@attrs.frozen
class DeliveryEvent:
    """One webhook-worthy status change of one message (``accepted`` then a final one)."""

    message_id: int
    order_id: str
    status: Literal["accepted", "delivered", "undelivered"]
    to: str
    body: str
    at: datetime

    def payload(self) -> dict[str, Any]:
        """The documented webhook body."""
        return {
            "report": {
                "id": self.message_id,
                "packet_id": int(self.order_id),
                "status": self.status,
                "to": self.to,
                "body": self.body,
            }
        }
