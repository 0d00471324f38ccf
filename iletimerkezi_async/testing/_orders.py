"""The order store: orders as submitted, with their status computed from the clock.

Nothing here runs in the background: every status is derived from the fake
clock when it is looked at, so no task can race a test that just advanced it.
Historical orders (seeded in bulk) synthesise their recipients on demand,
which keeps a million of them cheap.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

import attrs

from ._envelope import Refusal
from ._models import OrderMessage, OrderSnapshot

__all__ = ["FIRST_ORDER_ID", "OrderBook", "StoredOrder"]

FIRST_ORDER_ID = 100_000_001
FIRST_MESSAGE_ID = 1_000_000_001


@attrs.define(kw_only=True, slots=True)
class StoredOrder:
    """An order as stored; only ``cancelled`` and ``price`` change after creation."""

    id: int
    submitted_at: datetime
    send_at: datetime
    final_at: datetime
    sender: str
    total: int
    first_message_id: int
    iys: str = "0"
    iys_list: str | None = None
    texts: tuple[str, ...] = ()
    submitted_texts: tuple[str, ...] = ()
    parts: tuple[int, ...] = ()
    numbers: list[str] | None = None
    text_of: list[int] | None = None
    undelivered: frozenset[int] = frozenset()
    fixed_status: int | None = None
    scheduled: bool = False
    schedule_dropped: bool = False
    cancelled: bool = False
    price: int = 0
    listed_at: datetime | None = None
    """When get-reports starts to show it (``reports_delay``); None: from submission."""

    @property
    def historical(self) -> bool:
        return self.fixed_status is not None

    def number(self, index: int) -> str:
        if self.numbers is not None:
            return self.numbers[index]
        return f"+9050{index % 10**8:08d}"

    def text_at(self, index: int) -> str:
        if not self.texts:
            return ""
        return self.texts[self.text_of[index] if self.text_of is not None else 0]

    def not_ready(self, now: datetime) -> bool:
        """Scheduled and not yet due: get-report answers 456."""
        return not self.cancelled and not self.historical and now < self.send_at

    def final(self, now: datetime) -> bool:
        return now >= self.final_at

    def message_status(self, index: int, now: datetime) -> int:
        if self.cancelled:
            return 112
        if self.fixed_status is not None:
            return {113: 110, 114: 111}.get(self.fixed_status, 112)
        if not self.final(now):
            return 110
        return 112 if index in self.undelivered else 111

    def status(self, now: datetime) -> int:
        if self.cancelled:
            return 115
        if self.fixed_status is not None:
            return self.fixed_status
        return 114 if self.final(now) else 113

    def counters(self, now: datetime) -> tuple[int, int, int]:
        """(delivered, undelivered, waiting) for the whole order."""
        status = self.status(now)
        if status == 115:
            return 0, self.total, 0
        if status == 113:
            return 0, 0, self.total
        bad = len(self.undelivered)
        return self.total - bad, bad, 0

    def snapshot(self, now: datetime) -> OrderSnapshot:
        delivered, undelivered, waiting = self.counters(now)
        messages = tuple(
            OrderMessage(
                message_id=self.first_message_id + i,
                number=self.number(i),
                text=self.text_at(i),
                status=self.message_status(i, now),
            )
            for i in range(self.total)
        )
        return OrderSnapshot(
            id=str(self.id),
            status=self.status(now),
            submitted_at=self.submitted_at,
            send_at=self.send_at,
            sender=self.sender,
            iys=self.iys,
            iys_list=self.iys_list,
            texts=self.texts,
            submitted_texts=self.submitted_texts,
            recipients=tuple(m.number for m in messages),
            messages=messages,
            scheduled=self.scheduled,
            schedule_dropped=self.schedule_dropped,
            cancelled=self.cancelled,
            historical=self.historical,
            price=self.price,
            total=self.total,
            delivered=delivered,
            undelivered=undelivered,
            waiting=waiting,
        )


class OrderBook(Mapping[str, OrderSnapshot]):
    """Every order; read as a mapping it gives fresh snapshots by ``str`` id.

    Snapshots are evaluated at ``now()``, the server's time (``Account.now``).

    The endpoints reach the stored orders through :meth:`find`, :meth:`stored`
    and :meth:`listed_page`; ids and message ids are handed out here so that
    seeded and sent orders share one sequence.
    """

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._orders: dict[int, StoredOrder] = {}
        self._index: list[tuple[datetime, int]] = []
        self._index_sorted = True
        self._listed_at: dict[int, datetime] = {}
        self._ids = itertools.count(FIRST_ORDER_ID)
        self._next_message_id = FIRST_MESSAGE_ID

    def __getitem__(self, key: str) -> OrderSnapshot:
        if not isinstance(key, str) or not key.isdigit():
            raise KeyError(key)
        order = self._orders.get(int(key))
        if order is None:
            raise KeyError(key)
        return order.snapshot(self._now())

    def __iter__(self) -> Iterator[str]:
        return (str(i) for i in list(self._orders))

    def __len__(self) -> int:
        return len(self._orders)

    def __repr__(self) -> str:
        return f"<OrderBook of {len(self)} orders>"

    def next_ids(self, recipients: int) -> tuple[int, int]:
        """A fresh order id and the first of ``recipients`` fresh message ids."""
        first = self._next_message_id
        self._next_message_id += recipients
        return next(self._ids), first

    def store(self, order: StoredOrder) -> None:
        self._orders[order.id] = order
        self._index.append((order.submitted_at, order.id))
        self._index_sorted = False
        if order.listed_at is not None:
            self._listed_at[order.id] = order.listed_at

    def stored(self, order_id: int) -> StoredOrder | None:
        return self._orders.get(order_id)

    def find(self, raw: object) -> StoredOrder:
        """The order a request's ``id`` names: 400 when missing or odd, 455 when unknown."""
        if raw is None or isinstance(raw, bool) or not isinstance(raw, int | str):
            raise Refusal(400)
        if isinstance(raw, str):
            if not raw.strip().isdigit():
                raise Refusal(455)
            raw = int(raw.strip())
        order = self._orders.get(raw)
        if order is None:
            raise Refusal(455)
        return order

    def by_submission(self) -> list[tuple[datetime, int]]:
        """``(submitted_at, id)`` of every order, sorted (sorted lazily, once per change)."""
        if not self._index_sorted:
            self._index.sort()
            self._index_sorted = True
        return self._index

    def listed_page(
        self, low: datetime, high: datetime, now: datetime, page: int, size: int
    ) -> list[StoredOrder]:
        """Page ``page`` (``size`` per page) of the orders get-reports shows at ``now``.

        Those submitted in ``[low, high)``, by ``submitAt`` then id.  Orders
        still inside their ``reports_delay`` are left out before paging, as a
        lagging replica would not have them at all.
        """
        index: list[tuple[datetime, int]] = self.by_submission()
        first = bisect.bisect_left(index, (low, 0))
        last = bisect.bisect_left(index, (high, 0))
        hidden = {order_id for order_id, at in self._listed_at.items() if at > now}
        if hidden:
            index = [entry for entry in index[first:last] if entry[1] not in hidden]
            first, last = 0, len(index)
        lo = first + (page - 1) * size
        hi = min(lo + size, last)
        return [self._orders[order_id] for _, order_id in index[lo:hi]] if lo < last else []
