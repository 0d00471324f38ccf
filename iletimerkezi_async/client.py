"""The async session: settings, lifecycle, and the endpoint groups.

Like aiobotocore's ``httpsession``, the client either owns its
:class:`aiohttp.ClientSession` (created lazily inside the running loop and
closed by :meth:`Client.close`) or borrows one you pass in (never closed by the
client, so it can be shared with the rest of your app).
"""

from __future__ import annotations

import ipaddress
import math
import os
import ssl as _ssl
from collections.abc import Callable
from types import TracebackType
from typing import Final

import aiohttp
from yarl import URL

from ._transport import Transport
from .clock import SYSTEM_CLOCK, Clock, SystemClock
from .errors import ClientClosedError, ConfigurationError, InvalidRequestError
from .pending import PendingSend
from .ratelimit import RateLimiter
from .resources import (
    AccountResource,
    BlacklistResource,
    InboxResource,
    IysResource,
    ReportsResource,
    SmsResource,
)
from .resources._base import Settings
from .retry import RetryPolicy
from .slidingwindow import SlidingWindowLimiter

__all__ = ["DEFAULT_BASE_URL", "Client", "ClientClosedError"]

DEFAULT_BASE_URL: Final = "https://api.iletimerkezi.com"
ENV_KEY: Final = "ILETIMERKEZI_API_KEY"
ENV_HASH: Final = "ILETIMERKEZI_API_HASH"


class _Default:
    def __repr__(self) -> str:
        return "SlidingWindowLimiter(limit=100, window=1, margin=0.02, burst=10, warmup=0.5)"


_DEFAULT_LIMITER: Final = _Default()


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: str) -> str:
    try:
        url = URL(base_url)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"base_url is not a URL: {exc}") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise ConfigurationError("base_url must be an https:// URL with a host")
    if url.scheme == "http" and not _is_loopback(url.host):
        raise ConfigurationError(
            "base_url must use https://; plain http:// is allowed only for loopback hosts "
            "(the local fake server), since the body carries your credentials"
        )
    if url.user or url.password or url.query_string or url.fragment:
        raise ConfigurationError("base_url must not carry credentials, a query or a fragment")
    return str(url).rstrip("/")


def _check_timeout(timeout: object) -> aiohttp.ClientTimeout:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float | aiohttp.ClientTimeout):
        raise ConfigurationError("timeout must be seconds or an aiohttp.ClientTimeout")
    if isinstance(timeout, aiohttp.ClientTimeout):
        return timeout
    if not math.isfinite(timeout) or timeout <= 0:
        raise ConfigurationError("timeout must be a positive, finite number of seconds")
    return aiohttp.ClientTimeout(total=float(timeout))


def _check_limiter(limiter: object) -> RateLimiter | None:
    if limiter is not None and not isinstance(limiter, RateLimiter):
        raise ConfigurationError("send_limiter must have an async acquire(cost) method")
    return limiter


def _check_retry(retry: object) -> RetryPolicy:
    if not isinstance(retry, RetryPolicy):
        raise ConfigurationError("retry must be a RetryPolicy")
    return retry


class Client:
    """One session with the iletiMerkezi API.

    Credentials default to ``ILETIMERKEZI_API_KEY`` and ``ILETIMERKEZI_API_HASH``.
    Use it as ``async with Client() as client:`` or call :meth:`close` yourself.
    ``send_limiter`` holds ``sms.send*`` to the account's 100 recipients per
    second (by default its own
    :class:`~iletimerkezi_async.slidingwindow.SlidingWindowLimiter`: at most
    100 in any second at the server, 98/s sustained; pass ``None`` to turn it
    off, or a shared limiter for several clients); ``default_sender`` is used
    when a send names no sender.
    ``clock`` is what retry backoff, ``reports.wait``, ``inbox.poll``, the
    default limiter and ``send_at`` checks wait on and read the time from
    (tests pass ``iletimerkezi_async.testing.VirtualClock``).
    ``on_send_unknown`` (sync or async) gets the :class:`PendingSend` of every
    send whose outcome is unknown, including one whose caller was cancelled
    (or hit an outer ``asyncio.timeout``) after its request was written, so
    an app records them in one place; what it raises is logged, never raised.
    """

    def __init__(
        self,
        api_key: str | None = None,
        api_hash: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        timeout: float | aiohttp.ClientTimeout = 30.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 (frozen, safe to share)
        send_limiter: RateLimiter | _Default | None = _DEFAULT_LIMITER,
        default_sender: str | None = None,
        ssl: _ssl.SSLContext | None = None,
        clock: Clock = SYSTEM_CLOCK,
        on_send_unknown: Callable[[PendingSend], object] | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(ENV_KEY)
        hash_ = api_hash if api_hash is not None else os.environ.get(ENV_HASH)
        missing = [
            f"{name} (or {env})"
            for name, value, env in (("api_key", key, ENV_KEY), ("api_hash", hash_, ENV_HASH))
            if not value or not value.strip()
        ]
        if missing:
            raise ConfigurationError(f"missing credentials: {', '.join(missing)}")
        assert key is not None
        assert hash_ is not None
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError("session must be an aiohttp.ClientSession")
        timeout = _check_timeout(timeout)
        retry = _check_retry(retry)
        if not isinstance(clock, Clock):
            raise ConfigurationError("clock must be a Clock (monotonic(), now(), async sleep())")
        if isinstance(send_limiter, _Default):
            # At most 100 recipients in any 1.02 s of grants, so that any 1 s at
            # the server holds at most 100 (docs/rate-limiting.md).  The system
            # clock keeps the limiter on the loop's own timers.
            limiter_clock = None if type(clock) is SystemClock else clock
            send_limiter = SlidingWindowLimiter(clock=limiter_clock)
        else:
            send_limiter = _check_limiter(send_limiter)
        if default_sender is not None:
            from . import _validate

            try:
                _validate.sender(default_sender, None)
            except InvalidRequestError as exc:
                raise ConfigurationError(f"default_sender: {exc.rule}") from None
        if on_send_unknown is not None and not callable(on_send_unknown):
            raise ConfigurationError("on_send_unknown must be a callable (sync or async) or None")
        self._settings = Settings(default_sender=default_sender, on_send_unknown=on_send_unknown)
        self._transport = Transport(
            api_key=key.strip(),
            api_hash=hash_.strip(),
            base_url=_check_base_url(base_url),
            session=session,
            timeout=timeout,
            retry=retry,
            limiter=send_limiter,
            ssl=ssl,
            clock=clock,
        )
        self._attach()

    def _attach(self) -> None:
        parts = (self._transport, self._settings)
        self.sms = SmsResource(*parts)
        self.reports = ReportsResource(*parts)
        self.account = AccountResource(*parts)
        self.blacklist = BlacklistResource(*parts)
        self.iys = IysResource(*parts)
        self.inbox = InboxResource(*parts)

    def with_options(
        self,
        *,
        timeout: float | aiohttp.ClientTimeout | None = None,
        retry: RetryPolicy | None = None,
        send_limiter: RateLimiter | _Default | None = _DEFAULT_LIMITER,
    ) -> Client:
        """A view of this client with its own ``timeout`` and ``retry`` (``None``: keep these).

        ``send_limiter`` replaces the limiter of the view's sends (``None``:
        none, for a caller that acquires the shared limiter itself before
        sending, as a campaign does); left out, the view shares this one's.

        The view shares the session, the send limiter, the clock, the credentials
        and the settings, so it is cheap (make one per call site, as
        openai-python's ``with_options``); closing it does not close this
        client, while closing this client ends the view too.  Options are
        checked here, before any request.
        """
        transport = self._transport.with_options(
            timeout=self._transport.timeout if timeout is None else _check_timeout(timeout),
            retry=self._transport.retry if retry is None else _check_retry(retry),
            limiter=self._transport.limiter
            if isinstance(send_limiter, _Default)
            else _check_limiter(send_limiter),
        )
        # A new instance of this class, put together from this one's parts rather
        # than through __init__ (which would resolve credentials and build a transport).
        view = Client.__new__(Client)
        view._settings = self._settings  # noqa: SLF001
        view._transport = transport  # noqa: SLF001
        view._attach()  # noqa: SLF001
        return view

    def digest_key(self, purpose: str) -> bytes:
        """A 32-byte key derived from the credentials (HMAC-SHA256 of ``purpose`` under the hash).

        Campaign ledgers key their phone-number digests with it, so what they
        store cannot be reversed without the account's credentials; the key
        cannot be turned back into the hash.
        """
        if not isinstance(purpose, str) or not purpose:
            raise InvalidRequestError("purpose", "must be a non-empty string")
        return self._transport.digest_key(purpose)

    @property
    def default_sender(self) -> str | None:
        """The sender of sends that name none."""
        return self._settings.default_sender

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def retry(self) -> RetryPolicy:
        return self._transport.retry

    @property
    def send_limiter(self) -> RateLimiter | None:
        return self._transport.limiter

    @property
    def closed(self) -> bool:
        return self._transport.closed

    @property
    def clock(self) -> Clock:
        """What every wait and time read of this client goes through (``clock=``)."""
        return self._transport.clock

    def __repr__(self) -> str:
        # Never the key or the hash, not even a prefix.
        state = "closed" if self.closed else "open"
        owner = "owned" if self._transport.owns_session else "borrowed"
        return (
            f"<Client {self.base_url} {state}, {owner} session, "
            f"default_sender={self.default_sender!r}>"
        )

    async def close(self) -> None:
        """Close the owned HTTP session; safe to call twice. A borrowed session stays open."""
        await self._transport.close()

    async def __aenter__(self) -> Client:
        if self.closed:
            raise ClientClosedError("this Client is closed; create a new one")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
