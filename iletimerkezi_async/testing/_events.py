"""Delivery events: the one place where the order progression becomes webhooks.

Each sent order moves through two stages (``accepted`` at ``sendAt``, then its
final status); collecting emits each stage once, so the background webhook
sender and a test calling ``collect_events()`` never see an event twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Literal

from ._models import DeliveryEvent
from ._orders import OrderBook, StoredOrder

__all__ = ["EventLog"]

_WAITING, _ACCEPTED, _DONE = 0, 1, 2


class EventLog:
    """Which stage each sent order has been reported at."""

    def __init__(self, orders: OrderBook) -> None:
        self._orders = orders
        self._stage: dict[int, int] = {}

    def track(self, order_id: int) -> None:
        self._stage[order_id] = _WAITING

    def forget(self, order_id: int) -> None:
        self._stage.pop(order_id, None)

    def collect(self, now: datetime) -> list[DeliveryEvent]:
        """Every event due at ``now`` and not collected before, in time order."""
        events: list[DeliveryEvent] = []
        for order_id, stage in list(self._stage.items()):
            order = self._orders.stored(order_id)
            if order is None or order.cancelled:
                del self._stage[order_id]
                continue
            if stage == _WAITING and now >= order.send_at:
                stage = _ACCEPTED
                events.extend(_events_for(order, "accepted", order.send_at))
            if stage == _ACCEPTED and order.final(now):
                stage = _DONE
                events.extend(_events_for(order, None, order.final_at))
            if stage == _DONE:
                del self._stage[order_id]
            else:
                self._stage[order_id] = stage
        events.sort(key=lambda e: (e.at, e.message_id))
        return events


def _events_for(
    order: StoredOrder, status: Literal["accepted"] | None, at: datetime
) -> Iterator[DeliveryEvent]:
    for i in range(order.total):
        final: Literal["accepted", "delivered", "undelivered"]
        if status is not None:
            final = status
        else:
            final = "undelivered" if i in order.undelivered else "delivered"
        yield DeliveryEvent(
            message_id=order.first_message_id + i,
            order_id=str(order.id),
            status=final,
            to=order.number(i),
            body=order.text_at(i),
            at=at,
        )
