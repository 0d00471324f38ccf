"""The public facade: :class:`FakeIletiMerkezi` = server + account + test hooks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from ._server import FakeServer
from ._state import (
    APITEST,
    Account,
    ConsentRecord,
    DeliveryEvent,
    FakeClock,
    InboundRecord,
    OrderSnapshot,
)
from ._webhook_sender import WebhookDelivery, WebhookOptions, WebhookSender

if TYPE_CHECKING:
    from iletimerkezi_async.client import Client

__all__ = ["FakeIletiMerkezi"]

T = TypeVar("T")


class _AccountAttribute(Generic[T]):
    """A read/write attribute of the fake that lives on its :class:`Account`."""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> _AccountAttribute[T]: ...

    @overload
    def __get__(self, obj: FakeIletiMerkezi, owner: type[Any]) -> T: ...

    def __get__(self, obj: FakeIletiMerkezi | None, owner: type[Any]) -> T | _AccountAttribute[T]:
        if obj is None:
            return self
        value: T = getattr(obj.account, self._name)
        return value

    def __set__(self, obj: FakeIletiMerkezi, value: T) -> None:
        setattr(obj.account, self._name, value)


class FakeIletiMerkezi(FakeServer):
    """A stateful local iletiMerkezi server for tests; see the package docstring.

    Use ``async with FakeIletiMerkezi() as fake:`` (or ``await fake.start()`` /
    ``await fake.close()``) and point a client at ``fake.url``.  Every option is
    also a settable attribute, so a test can flip ``fake.api_access = False``
    half-way through.
    """

    api_key = _AccountAttribute[str]()
    api_hash = _AccountAttribute[str]()
    legacy_types = _AccountAttribute[bool]()
    api_access = _AccountAttribute[bool]()
    ip_allowed = _AccountAttribute[bool]()
    balance = _AccountAttribute[Decimal]()
    sms_credits = _AccountAttribute[int]()
    rate_limit_status = _AccountAttribute[int]()
    delivery_delay = _AccountAttribute[float]()
    brand_code = _AccountAttribute[int]()
    iys_subscription = _AccountAttribute[bool]()
    iys_configured = _AccountAttribute[bool]()
    reports_page_size = _AccountAttribute[int]()
    abroad = _AccountAttribute[bool]()
    webhook_url = _AccountAttribute[str | None]()

    def __init__(
        self,
        api_key: str = "test-key",
        api_hash: str = "test-hash",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: FakeClock | None = None,
        legacy_types: bool = False,
        api_access: bool = True,
        ip_allowed: bool = True,
        senders: Iterable[str] = (APITEST,),
        balance: Decimal | int | str = Decimal("1000"),
        sms_credits: int = 10_000,
        rate_limit: float | None = 100,
        rate_limit_burst: float | None = None,
        rate_limit_status: int = 503,
        rate_limit_grace: float = 0.05,
        delivery_delay: float = 1.0,
        undeliverable: Iterable[str] = (),
        brand_code: int = 696422,
        iys_subscription: bool = True,
        iys_configured: bool = True,
        reports_page_size: int = 30,
        abroad: bool = False,
        webhook_url: str | None = None,
        webhook_concurrency: int = 100,
        webhook_retries: int = 3,
        webhook_retry_delay: float = 0.05,
        webhook_timeout: float = 5.0,
        webhook_interval: float = 0.05,
        webhook_duplicates: float = 0.0,
        webhook_reorder: bool = False,
        seed: int | None = None,
        fault_rate: float = 0.0,
        latency: float = 0.0,
    ) -> None:
        account = Account(
            api_key=api_key,
            api_hash=api_hash,
            clock=clock,
            legacy_types=legacy_types,
            api_access=api_access,
            ip_allowed=ip_allowed,
            senders=senders,
            balance=balance,
            sms_credits=sms_credits,
            rate_limit=rate_limit,
            rate_limit_burst=rate_limit_burst,
            rate_limit_status=rate_limit_status,
            rate_limit_grace=rate_limit_grace,
            delivery_delay=delivery_delay,
            undeliverable=undeliverable,
            brand_code=brand_code,
            iys_subscription=iys_subscription,
            iys_configured=iys_configured,
            reports_page_size=reports_page_size,
            abroad=abroad,
            webhook_url=webhook_url,
        )
        super().__init__(
            account, host=host, port=port, seed=seed, fault_rate=fault_rate, latency=latency
        )
        if not 0.0 <= webhook_duplicates <= 1.0:
            raise ValueError("webhook_duplicates is a probability between 0 and 1")
        self.webhooks = WebhookOptions(
            concurrency=webhook_concurrency,
            retries=webhook_retries,
            retry_delay=webhook_retry_delay,
            timeout=webhook_timeout,
            interval=webhook_interval,
            duplicates=webhook_duplicates,
            reorder=webhook_reorder,
        )
        self._sender = WebhookSender(account, self.webhooks, self._rng)

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
        so ``fake.advance(delivery_delay)`` first to get the final statuses.
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
        key = kw.pop("api_key", self.api_key)
        hash_ = kw.pop("api_hash", self.api_hash)
        return Client(key, hash_, **kw)

    # ----------------------------------------------------------------- clock

    @property
    def clock(self) -> FakeClock:
        return self.account.clock

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move the fake clock forward (and return the new now)."""
        return self.account.clock.advance(seconds)

    # ----------------------------------------------------------------- rate limit

    @property
    def rate_limit(self) -> float | None:
        """Recipients per second for send-sms; ``None`` disables the bucket."""
        return self.account.rate_limit

    @rate_limit.setter
    def rate_limit(self, value: float | None) -> None:
        self.account.configure_rate_limit(value, self.account.rate_limit_burst)

    @property
    def rate_limit_burst(self) -> float | None:
        """Bucket capacity in recipients; ``None`` means equal to ``rate_limit``."""
        return self.account.rate_limit_burst

    @rate_limit_burst.setter
    def rate_limit_burst(self, value: float | None) -> None:
        self.account.configure_rate_limit(self.account.rate_limit, value)

    # ----------------------------------------------------------------- state hooks

    @property
    def orders(self) -> Mapping[str, OrderSnapshot]:
        """Every stored order by id, evaluated at the fake clock's now (read-only)."""
        return self.account.orders

    @property
    def blacklist(self) -> Mapping[str, datetime]:
        """Blacklisted ``+90…`` numbers and when they were blocked (read-only, live)."""
        return self.account.blacklist

    @property
    def consents(self) -> Mapping[tuple[str, str, str], ConsentRecord]:
        """İYS records keyed by (recipient, recipientType, type) (read-only, live)."""
        return self.account.consents

    @property
    def inbound(self) -> Sequence[InboundRecord]:
        """Inbound messages in the order they were added."""
        return self.account.inbound

    @property
    def senders(self) -> tuple[str, ...]:
        """The approved senders get-sender lists (APITEST is accepted regardless)."""
        return self.account.senders

    def add_sender(self, name: str) -> None:
        self.account.add_sender(name)

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
        """An inbound SMS (``received_at`` defaults to the fake now); returns its id."""
        return self.account.add_inbound(text, sender=sender, number=number, received_at=received_at)

    def add_blacklist(self, number: str, *, blocked_at: datetime | None = None) -> str:
        """Put a number on the blacklist without a request; returns it normalised."""
        return self.account.add_blacklist(number, blocked_at=blocked_at)

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
        return self.account.add_consent(
            recipient,
            recipient_type=recipient_type,
            type=type,
            status=status,
            source=source,
            consent_date=consent_date,
        )

    def collect_events(self) -> list[DeliveryEvent]:
        """Delivery events (accepted, then delivered/undelivered) due since the last call."""
        return self.account.collect_events()
