"""One fake iletiMerkezi account: its options and everything it stores.

The state is synchronous and free of aiohttp, so the endpoints can be
unit-tested without sockets; the handler modules change it, the server only
routes to them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from ._duplicates import DuplicateGuard
from ._events import EventLog
from ._models import DeliveryEvent
from ._options import FakeOptions
from ._orders import OrderBook
from ._rate_limit import SendLimit
from ._seeding import Seeding
from ._stores import Blacklist, Consents, Inbox

__all__ = ["Account"]


class Account(Seeding):
    """What one iletiMerkezi account holds, as ``fake.account``.

    Read freely: ``orders`` (id → :class:`OrderSnapshot`), ``blacklist``
    (number → blocked-at), ``consents``, ``inbound``, ``senders``; the live
    ``balance`` and ``sms_credits`` may be assigned.  Seed with the ``add_*``
    methods.
    """

    def __init__(self, options: FakeOptions | None = None) -> None:
        self.options = options if options is not None else FakeOptions()
        self.clock = self.options.clock
        self.balance: Decimal = self.options.balance
        self.sms_credits: int = self.options.sms_credits
        self._senders: list[str] = []
        for name in self.options.senders:
            self.add_sender(name)
        self.orders = OrderBook(self.now)
        self.blacklist = Blacklist()
        self.consents = Consents()
        self.inbound = Inbox()
        self.duplicates = DuplicateGuard()
        self.events = EventLog(self.orders)
        self.send_limit = SendLimit(self.options)

    def now(self) -> datetime:
        """The server's wall time: the fake clock plus ``clock_skew`` (read on every call).

        Everything the server stamps (``submitAt``, blocked-at, inbound and
        consent dates) or compares with its own time (schedules, cancel
        windows, delivery progression, the duplicate guard) uses this, not
        ``clock.now()``.
        """
        return self.clock.now() + timedelta(seconds=self.options.clock_skew)

    def __repr__(self) -> str:
        return f"<Account orders={len(self.orders)} credits={self.sms_credits}>"

    @property
    def senders(self) -> tuple[str, ...]:
        """The approved senders get-sender lists (APITEST is accepted regardless)."""
        return tuple(self._senders)

    def add_sender(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError("a sender must be a non-empty string")
        if name not in self._senders:
            self._senders.append(name)

    def collect_events(self) -> list[DeliveryEvent]:
        """Delivery events (accepted, then delivered/undelivered) due since the last call."""
        return self.events.collect(self.now())
