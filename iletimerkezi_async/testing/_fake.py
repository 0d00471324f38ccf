"""The public facade: :class:`FakeIletiMerkezi` = server + account + webhook sender.

It holds the account (``fake.account``) and the options (``fake.options``)
instead of mirroring their attributes, so an option or a store exists in one
place only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._fake_clock import FakeClock
from ._options import FakeOptions
from ._rules import APITEST
from ._server import FakeServer
from ._state import Account
from ._webhook_sender import WebhookDelivery, WebhookSender

if TYPE_CHECKING:
    from iletimerkezi_async.client import Client

__all__ = ["FakeIletiMerkezi"]


class FakeIletiMerkezi(FakeServer):
    """A stateful local iletiMerkezi server for tests; see the package docstring.

    Use ``async with FakeIletiMerkezi() as fake:`` (or ``await fake.start()`` /
    ``await fake.close()``) and point a client at ``fake.url``.  Every keyword
    argument is a field of :class:`FakeOptions`, kept as ``fake.options``; the
    account state is ``fake.account``.
    """

    __slots__ = ("_sender",)

    def __init__(
        self, api_key: str = "test-key", api_hash: str = "test-hash", **options: Any
    ) -> None:
        settings = FakeOptions.from_keywords({"api_key": api_key, "api_hash": api_hash, **options})
        super().__init__(Account(settings))
        self._sender = WebhookSender(self.account, self._rng)

    async def start(self) -> None:
        """Serve, and start posting delivery reports whenever ``webhook_url`` is set."""
        await super().start()
        await self._sender.start()

    async def close(self) -> None:
        """Stop posting webhooks (abandoning POSTs in flight), then stop serving."""
        await self._sender.close()
        await super().close()

    async def deliver_webhooks(self) -> list[WebhookDelivery]:
        """POST every delivery event due now and wait until all POSTs in flight end.

        Returns this call's deliveries (``.event``, ``.attempts``, ``.status``,
        ``.delivered``, ``.duplicate``).  Events become due with the fake clock,
        so ``fake.advance(fake.options.delivery_delay)`` first to get the final
        statuses.
        """
        return await self._sender.flush()

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every webhook POST made so far (a plain list; clear it freely)."""
        return self._sender.deliveries

    async def __aenter__(self) -> FakeIletiMerkezi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        where = self._url or "not running"
        return f"<FakeIletiMerkezi {where} orders={len(self.account.orders)}>"

    def client(self, **kw: Any) -> Client:
        """An SDK ``Client`` for this fake's credentials and URL (the caller closes it)."""
        from iletimerkezi_async.client import Client

        kw.setdefault("base_url", self.url)
        key = kw.pop("api_key", self.options.api_key)
        hash_ = kw.pop("api_hash", self.options.api_hash)
        return Client(key, hash_, **kw)

    @property
    def clock(self) -> FakeClock:
        return self.account.clock

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move the fake clock forward (and return the new now)."""
        return self.account.clock.advance(seconds)

    # The three seeding hooks design.md binds; the rest are on ``fake.account``.

    def add_order(
        self,
        submitted_at: datetime,
        *,
        recipients: int = 1,
        status: int = 114,
        sender: str = APITEST,
    ) -> str:
        """A finished historical order (naive datetimes are Istanbul time); returns its id."""
        return self.account.add_order(
            submitted_at, recipients=recipients, status=status, sender=sender
        )

    def add_orders(
        self,
        submitted_ats: Iterable[datetime],
        *,
        recipients: int = 1,
        status: int = 114,
        sender: str = APITEST,
    ) -> list[str]:
        """Many historical orders at once (cheap: recipients are synthesised on demand)."""
        return self.account.add_orders(
            submitted_ats, recipients=recipients, status=status, sender=sender
        )

    def add_inbound(
        self,
        text: str,
        *,
        sender: str = "7889",
        number: str = "+905000000000",
        received_at: datetime | None = None,
    ) -> str:
        """An inbound SMS (``received_at`` defaults to the server's now); returns its id."""
        return self.account.add_inbound(text, sender=sender, number=number, received_at=received_at)
