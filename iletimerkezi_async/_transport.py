"""One request at a time: limiter, POST, decode, the retry loop, logging.

The transport knows nothing of an endpoint's fields: it gets an
:class:`~iletimerkezi_async._endpoints.Endpoint` and the call's arguments and
returns the structured answer.  Whether to try again is decided by
:func:`~iletimerkezi_async.retry.decide`; the loop only sleeps and repeats.
It is the only module that touches aiohttp's request API (the one seam is
:meth:`Transport._post`), and it turns every aiohttp, socket and JSON
exception into one of ours.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import importlib.util
import logging
import platform
import ssl as _ssl
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar

import aiohttp
from multidict import CIMultiDict

from ._log import get_logger
from ._parse import structure
from ._scrub import scrub
from ._tls import check_ssl, request_context, system_context
from ._version import __version__
from ._wire import decode, encoder
from .clock import SYSTEM_CLOCK, Clock
from .errors import (
    APIError,
    ClientClosedError,
    ConfigurationError,
    IletiMerkeziError,
    ResponseFormatError,
)
from .ratelimit import RateLimiter
from .retry import (
    Failure,
    Outcome,
    RetryClass,
    RetryPolicy,
    Unreadable,
    decide,
    parse_retry_after,
)

if TYPE_CHECKING:
    from ._endpoints import Endpoint
    from ._otel import Call, Telemetry
    from ._wire import Request

P = ParamSpec("P")
A = TypeVar("A")

__all__ = ["ClientClosedError", "Transport", "check_ssl"]

log = get_logger("iletimerkezi_async")
_DEBUG: Final = logging.DEBUG

USER_AGENT = (
    f"iletimerkezi-async/{__version__} aiohttp/{aiohttp.__version__} "
    f"python/{platform.python_version()}"
)


# A CIMultiDict, so aiohttp merges it as is instead of converting a dict on every
# request; aiohttp only reads it.
_HEADERS: Final = CIMultiDict(
    {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
)


@functools.cache
def load_telemetry() -> Telemetry | None:
    """Spans and metrics when OpenTelemetry's API is installed, else None (nothing imported).

    Decided once per process; ``opentelemetry`` is looked up, not imported,
    until it is known to be there.
    """
    try:
        if importlib.util.find_spec("opentelemetry") is None:
            return None
        from ._otel import Telemetry
    except ImportError:
        return None
    return Telemetry()


def order_id(answer: object) -> int | str | None:
    """``answer.order.id`` when the answer names an order (a send's), else None.

    For log records and spans, without the transport knowing any answer's type.
    """
    found = getattr(getattr(answer, "order", None), "id", None)
    return found if isinstance(found, int | str) and not isinstance(found, bool) else None


def _classify(exc: BaseException) -> Failure:
    """Whether a failed attempt may have reached the server (what decides a send's retry)."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return Failure(text="TLS verification failed", maybe_sent=False, transient=False)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Failure(text=f"could not connect ({type(exc).__name__})", maybe_sent=False)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return Failure(text="timed out while connecting", maybe_sent=False)
    if isinstance(exc, asyncio.TimeoutError):
        return Failure(text="timed out waiting for the answer", maybe_sent=True)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return Failure(text="the server closed the connection without answering", maybe_sent=True)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return Failure(text="the answer was cut off", maybe_sent=True)
    if isinstance(exc, aiohttp.InvalidURL):
        return Failure(text="invalid URL", maybe_sent=False, transient=False)
    return Failure(text=f"connection failed ({type(exc).__name__})", maybe_sent=True)


class Watch:
    """What a caller may need to know of a call in flight when it is cancelled."""

    __slots__ = ("written",)

    def __init__(self) -> None:
        self.written = False


_UNWATCHED: Final = Watch()
"""The watch of every call nobody watches: written by all of them, read by none
(telemetry, which reads one, gets a watch of its own)."""


class _Pool:
    """The session a transport and its views share, made lazily inside the running loop."""

    __slots__ = ("closed", "owned", "session")

    def __init__(self, session: aiohttp.ClientSession | None) -> None:
        self.session = session
        self.owned = session is None
        self.closed = False


class Transport:
    """Owns (or borrows) the aiohttp session and runs the retry loop."""

    def __init__(
        self,
        *,
        api_key: str,
        api_hash: str,
        base_url: str,
        session: aiohttp.ClientSession | None,
        timeout: aiohttp.ClientTimeout,
        retry: RetryPolicy,
        limiter: RateLimiter | None,
        ssl: _ssl.SSLContext | None = None,
        clock: Clock = SYSTEM_CLOCK,
        pool: _Pool | None = None,
    ) -> None:
        self._key = api_key
        self._hash = api_hash
        self._secrets = (api_key, api_hash)
        self._encode = encoder(api_key, api_hash)
        self.base_url = base_url.rstrip("/")
        self._view = pool is not None
        self._pool = pool if pool is not None else _Pool(session)
        # A borrowed session's default headers are its owner's: ours go with each request.
        self._headers = None if self._pool.owned else _HEADERS
        self.timeout = timeout
        self.retry = retry
        self.limiter = limiter
        self._ssl = check_ssl(ssl)
        self.clock = clock
        self._closed = False
        self._telemetry = load_telemetry()

    def with_options(
        self,
        *,
        timeout: aiohttp.ClientTimeout,
        retry: RetryPolicy,
        limiter: RateLimiter | None,
    ) -> Transport:
        """A view with its own timeout, retry policy and limiter on this one's session.

        Closing the view closes only the view; closing this one ends both.
        """
        return Transport(
            api_key=self._key,
            api_hash=self._hash,
            base_url=self.base_url,
            session=None,
            timeout=timeout,
            retry=retry,
            limiter=limiter,
            ssl=self._ssl,
            clock=self.clock,
            pool=self._pool,
        )

    def digest_key(self, purpose: str) -> bytes:
        """A key derived from the credentials (HMAC of ``purpose`` under the hash).

        For digests that must not be reversible by whoever reads where they
        are stored (a campaign ledger's phone-number digests) without the
        account's credentials; the hash itself never leaves this object.
        """
        return hmac.new(self._hash.encode(), purpose.encode(), hashlib.sha256).digest()

    @property
    def closed(self) -> bool:
        return self._closed or self._pool.closed

    @property
    def owns_session(self) -> bool:
        return self._pool.owned and not self._view

    def _get_session(self) -> aiohttp.ClientSession:
        pool = self._pool
        if self._closed or pool.closed:
            raise ClientClosedError("this Client is closed; create a new one")
        session = pool.session
        if session is None:
            # Created here, inside the running loop, never at construction time.
            asyncio.get_running_loop()
            # Our headers as its defaults: aiohttp copies them per request in C,
            # where headers given per request are merged one by one in Python.
            session = pool.session = aiohttp.ClientSession(headers=_HEADERS)
        elif not pool.owned and session.closed:
            # Only a borrowed session can be closed behind our back: an owned one
            # is closed by close() alone, which marks the pool closed first.
            raise ConfigurationError("the aiohttp session given to the Client is closed")
        return session

    async def close(self) -> None:
        """Close an owned session (a borrowed one is left to its owner); idempotent.

        A view only closes itself: the session belongs to the transport it came from.
        """
        if self._closed:
            return
        self._closed = True
        if self._view:
            return
        pool = self._pool
        pool.closed = True
        session, pool.session = pool.session, None
        if session is not None and pool.owned and not session.closed:
            await session.close()

    async def _post(self, url: str, body: bytes) -> tuple[int, bytes, float | None]:
        session = self._get_session()
        tls = system_context() if self._ssl is None else request_context(self._ssl)
        # Per request, so a borrowed session gets them too; raise_for_status=False
        # because the body's code decides, even if the session was built to raise.
        async with session.post(
            url,
            data=body,
            headers=self._headers,
            timeout=self.timeout,
            allow_redirects=False,
            raise_for_status=False,
            ssl=tls,
        ) as resp:
            raw = await resp.read()
            after = resp.headers.get("Retry-After")
            return resp.status, raw, parse_retry_after(after) if after else None

    async def call(self, endpoint: Endpoint[P, A], *args: P.args, **kwargs: P.kwargs) -> A:
        """``endpoint``'s answer to the request built from the arguments, retried by its rules.

        :meth:`call_watched` for a caller that does not watch: the same steps,
        without a watch of its own unless telemetry reads it.
        """
        request = endpoint.build(*args, **kwargs)
        self._get_session()  # fail fast when closed, before the limiter takes tokens
        telemetry = self._telemetry
        if telemetry is not None and (telemetry.active or telemetry.ready()):
            return await telemetry.observe(self._run, Watch(), endpoint, request)
        return await self._run(_UNWATCHED, endpoint, request, None)

    async def call_watched(
        self, watch: Watch, endpoint: Endpoint[P, A], *args: P.args, **kwargs: P.kwargs
    ) -> A:
        """:meth:`call`, keeping ``watch.written`` true while a request may have reached
        the server and no answer has said otherwise (what a cancelled send must know)."""
        request = endpoint.build(*args, **kwargs)
        self._get_session()  # fail fast when closed, before the limiter takes tokens
        # The API installed but no provider (fastapi pulls the API in): no span work.
        telemetry = self._telemetry
        if telemetry is not None and (telemetry.active or telemetry.ready()):
            return await telemetry.observe(self._run, watch, endpoint, request)
        return await self._run(watch, endpoint, request, None)

    async def _run(
        self, watch: Watch, endpoint: Endpoint[..., A], request: Request, obs: Call | None
    ) -> A:
        """The limiter and the retry loop; ``obs`` (telemetry's view of the call) or None.

        Each attempt is awaited here, not in a coroutine of its own: an answer
        on the first attempt (nearly every call) then passes through one frame
        of the SDK between the caller and aiohttp.  What follows a failed
        attempt is :meth:`_back_off`'s, where :func:`decide` rules.
        """
        body = self._encode(request.body)
        url = self.base_url + endpoint.path
        if request.cost and self.limiter is not None:
            if obs is None:
                await self.limiter.acquire(request.cost)
            else:
                await obs.acquire(self.limiter, request.cost)
        attempt = 0
        while True:
            attempt += 1
            watch.written = True  # from here on, the bytes may be on their way
            # The timing exists for the debug lines only: skip both when they are off.
            started = self._sending(endpoint, attempt) if log.isEnabledFor(_DEBUG) else None
            try:
                answered = await self._post(url, body)
            except IletiMerkeziError:
                raise
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                outcome: Outcome = self._unanswered(endpoint, attempt, exc, started)
                retry_after = None
            else:
                elapsed = None if started is None else (time.perf_counter() - started) * 1000
                answer, failed, retry_after = self._answered(
                    endpoint, attempt, request.body, answered, elapsed
                )
                if failed is None:
                    return answer  # type: ignore[no-any-return]
                outcome = failed
            await self._back_off(watch, endpoint, attempt, outcome, retry_after, obs)

    async def _back_off(
        self,
        watch: Watch,
        endpoint: Endpoint[..., Any],
        attempt: int,
        outcome: Outcome,
        retry_after: float | None,
        obs: Call | None,
    ) -> None:
        """After a failed attempt: raise :func:`decide`'s error, or sleep before the next."""
        verdict = decide(endpoint.name, endpoint.retry, attempt, outcome)
        attempts = self.retry.attempts
        if not verdict.retry or attempt >= attempts:
            raise verdict.error from None
        if endpoint.retry is RetryClass.SEND:
            watch.written = False  # a send is retried only when it was not processed
        delay = self.retry.delay(attempt, retry_after)
        if obs is not None:
            obs.retry(attempt + 1, delay)
        log.info(
            "%s: %s; retrying in %.2f s (attempt %d/%d)",
            endpoint.name,
            verdict.error,
            delay,
            attempt + 1,
            attempts,
            extra={"endpoint": endpoint.name, "attempt": attempt + 1},
        )
        await self.clock.sleep(delay)

    def _sending(self, endpoint: Endpoint[..., Any], attempt: int) -> float:
        """Log attempt number ``attempt`` at DEBUG; the time it starts, for the answer's line."""
        extra = {"endpoint": endpoint.name, "attempt": attempt}
        log.debug("→ %s attempt %d/%d", endpoint.name, attempt, self.retry.attempts, extra=extra)
        return time.perf_counter()

    def _unanswered(
        self, endpoint: Endpoint[..., Any], attempt: int, exc: BaseException, started: float | None
    ) -> Failure:
        """No answer came: whether the request may have reached the server (for :func:`decide`)."""
        failure = _classify(exc)
        extra = None if started is None else {"endpoint": endpoint.name, "attempt": attempt}
        log.debug("← %s failed: %s", endpoint.name, failure.text, extra=extra)
        return failure

    def _answered(
        self,
        endpoint: Endpoint[..., Any],
        attempt: int,
        request: Mapping[str, Any],
        answered: tuple[int, bytes, float | None],
        elapsed: float | None,
    ) -> tuple[Any, Outcome | None, float | None]:
        """What :meth:`_post` returned: the structured answer, or what went wrong (for
        :func:`decide`), and the Retry-After that goes with it.

        ``request`` (the body's blocks) is what the server's text is scrubbed of,
        with the credentials, before it reaches an error; ``elapsed`` (ms) is
        None when DEBUG is off, and then nothing is logged.
        """
        status, raw, retry_after = answered
        try:
            response = decode(
                raw,
                endpoint=endpoint.name,
                http_status=status,
                retry_after=retry_after,
                scrub=functools.partial(scrub, self._secrets, request),
                meanings=endpoint.meanings,
            )
        except APIError as exc:
            if elapsed is not None:
                line = "← %s HTTP %d code %d in %.1f ms"
                _answer_line(endpoint, attempt, line, status, exc.code, elapsed)
            return None, exc, retry_after
        except ResponseFormatError as exc:
            if elapsed is not None:
                line = "← %s HTTP %d unreadable in %.1f ms"
                _answer_line(endpoint, attempt, line, status, elapsed)
            return None, Unreadable(error=exc), retry_after
        try:
            answer = structure(endpoint, response)
        except ResponseFormatError as exc:
            return None, Unreadable(error=exc, accepted=True), None
        if elapsed is not None:
            line = "← %s HTTP %d code 200 in %.1f ms"
            _answer_line(endpoint, attempt, line, status, elapsed, answer=answer)
        return answer, None, None


def _answer_line(
    endpoint: Endpoint[..., Any], attempt: int, line: str, *args: object, answer: object = None
) -> None:
    """The DEBUG line of an answer, with the order id when the answer names one."""
    extra: dict[str, object] = {"endpoint": endpoint.name, "attempt": attempt}
    found = order_id(answer)
    if found is not None:
        extra["order_id"] = found
    log.debug(line, endpoint.name, *args, extra=extra)
