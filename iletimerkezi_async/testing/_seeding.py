"""Putting data into the account without a request.

Seeds go through the same validation as the endpoints that would have stored
them, so a test cannot seed a state the real service could never be in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ._fake_clock import as_istanbul, fmt_timestamp
from ._models import ConsentRecord
from ._options import FakeOptions
from ._orders import OrderBook, StoredOrder
from ._rules import APITEST, any_number, consent_from_item
from ._stores import Blacklist, Consents, Inbox

__all__ = ["Seeding"]


class Seeding:
    """The ``add_*`` hooks of :class:`~._state.Account`."""

    options: FakeOptions
    now: Callable[[], datetime]
    """The server's time (``Account.now``): what the seeds default to."""
    orders: OrderBook
    blacklist: Blacklist
    consents: Consents
    inbound: Inbox

    def add_order(
        self,
        submitted_at: datetime,
        *,
        recipients: int = 1,
        status: int = 114,
        sender: str = APITEST,
    ) -> str:
        """A finished historical order (naive datetimes are Istanbul time); returns its id."""
        ids = self.add_orders([submitted_at], recipients=recipients, status=status, sender=sender)
        return ids[0]

    def add_orders(
        self,
        submitted_ats: Iterable[datetime],
        *,
        recipients: int = 1,
        status: int = 114,
        sender: str = APITEST,
    ) -> list[str]:
        """Historical orders that stay at ``status`` (113, 114 or 115) forever."""
        if status not in (113, 114, 115):
            raise ValueError("status must be 113, 114 or 115")
        if recipients < 1:
            raise ValueError("recipients must be at least 1")
        ids: list[str] = []
        price = 0 if status == 115 else recipients
        for submitted in submitted_ats:
            at = as_istanbul(submitted)
            order_id, first_message_id = self.orders.next_ids(recipients)
            self.orders.store(
                StoredOrder(
                    id=order_id,
                    submitted_at=at,
                    send_at=at,
                    final_at=at,
                    sender=sender,
                    total=recipients,
                    first_message_id=first_message_id,
                    fixed_status=status,
                    price=price,
                )
            )
            ids.append(str(order_id))
        return ids

    def add_inbound(
        self,
        text: str,
        *,
        sender: str = "7889",
        number: str = "+905000000000",
        received_at: datetime | None = None,
    ) -> str:
        """An inbound SMS (``received_at`` defaults to the server's now); returns its id."""
        at = as_istanbul(received_at) if received_at is not None else self.now()
        return self.inbound.add(received_at=at, sender=sender, number=number, text=text)

    def add_blacklist(self, number: str, *, blocked_at: datetime | None = None) -> str:
        """Put a number on the blacklist without a request; returns it normalised."""
        normal = any_number(number)
        if normal is None:
            raise ValueError(f"not a phone number: {number!r}")
        at = as_istanbul(blocked_at) if blocked_at is not None else self.now()
        self.blacklist.block(normal, at)
        return normal

    def add_consent(
        self,
        recipient: str,
        *,
        recipient_type: str = "BIREYSEL",
        type: str = "MESAJ",
        status: str = "ONAY",
        source: str = "HS_WEB",
        consent_date: datetime | None = None,
    ) -> ConsentRecord:
        """Store an İYS record without a request (validated like consent/create)."""
        item: dict[str, Any] = {
            "recipient": recipient,
            "recipientType": recipient_type,
            "type": type,
            "status": status,
            "source": source,
        }
        if consent_date is not None:
            item["consentDate"] = fmt_timestamp(as_istanbul(consent_date))
        record = consent_from_item(item, brand=self.options.brand_code, now=self.now())
        if record is None:
            raise ValueError("invalid consent record")
        self.consents.store(record)
        return record
