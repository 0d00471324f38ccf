"""OpenTelemetry spans and metrics for each API call (the ``[otel]`` extra).

Imported only by :func:`iletimerkezi_async._transport.load_telemetry`, and
only when ``opentelemetry`` can be found, so without the extra nothing of
OpenTelemetry is imported and a call pays one ``is not None`` test.  It uses
the global providers (``trace.get_tracer``, ``metrics.get_meter``): until an
application installs an SDK they are OpenTelemetry's no-op proxies.

What is recorded is names and counts only: the endpoint, attempts, the
number of recipients, an order id, an exception's class name and waits.
Never a credential, a phone number, a message text or an error's message
(``record_exception`` is off: a message may quote the server).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from opentelemetry import metrics, trace
from opentelemetry.metrics import _internal as _metrics_internal
from opentelemetry.trace import SpanKind, Status, StatusCode

from ._transport import order_id
from ._version import __version__
from .errors import SendOutcomeUnknownError
from .retry import RetryClass

if TYPE_CHECKING:
    from ._endpoints import Endpoint
    from ._transport import Watch
    from ._wire import Request
    from .ratelimit import RateLimiter

__all__ = ["Call", "Telemetry"]

A = TypeVar("A")

_SCOPE: Final = "iletimerkezi_async"
ENDPOINT: Final = "iletimerkezi.endpoint"
OUTCOME: Final = "iletimerkezi.outcome"


class Call:
    """One call in flight: its span and attempt count, fed by the transport's loop."""

    __slots__ = ("attempts", "endpoint", "span", "telemetry")

    def __init__(self, telemetry: Telemetry, span: trace.Span, endpoint: str) -> None:
        self.telemetry = telemetry
        self.span = span
        self.endpoint = endpoint
        self.attempts = 1

    async def acquire(self, limiter: RateLimiter, cost: int) -> None:
        """``limiter.acquire(cost)``, timed: a span event and the wait histogram."""
        self.attempts = 0  # none yet, should the wait be cancelled
        started = time.perf_counter()
        await limiter.acquire(cost)
        waited = time.perf_counter() - started
        self.attempts = 1
        self.span.add_event("iletimerkezi.limiter.wait", {"seconds": waited})
        self.telemetry.limiter_wait.record(waited, {ENDPOINT: self.endpoint})

    def retry(self, attempt: int, delay: float) -> None:
        """Attempt number ``attempt`` follows after ``delay`` seconds."""
        self.attempts = attempt
        self.span.add_event("iletimerkezi.retry", {"attempt": attempt, "delay": delay})


_UNKNOWN: Final = object()
# Whether this API version keeps its providers in these module globals (decided
# once): then the per-call check is two global reads, not a call into the API.
_GLOBALS: Final = (
    getattr(trace, "_TRACER_PROVIDER", _UNKNOWN) is not _UNKNOWN
    and getattr(_metrics_internal, "_METER_PROVIDER", _UNKNOWN) is not _UNKNOWN
)


def _configured() -> bool:
    """Whether a real tracer or meter provider is installed, by the API's public functions.

    For API versions without the globals :meth:`Telemetry.ready` reads:
    ``get_tracer_provider()`` reads the environment on every call, which would
    cost each API call about as much as the rest of the telemetry.
    """
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return True
    return type(metrics.get_meter_provider()).__name__ != "_ProxyMeterProvider"


class Telemetry:
    """The tracer and instruments, made once per process from the global providers."""

    def __init__(self) -> None:
        self.active = False
        self.tracer = trace.get_tracer(_SCOPE, __version__)
        meter = metrics.get_meter(_SCOPE, __version__)
        self.requests = meter.create_counter(
            "iletimerkezi.client.requests", unit="{request}", description="API calls by outcome"
        )
        self.duration = meter.create_histogram(
            "iletimerkezi.client.duration",
            unit="s",
            description="Time of an API call, limiter wait and retries included",
        )
        self.recipients = meter.create_counter(
            "iletimerkezi.sms.recipients",
            unit="{recipient}",
            description="Recipients of sends the API accepted",
        )
        self.unknown_outcomes = meter.create_counter(
            "iletimerkezi.sms.unknown_outcomes",
            unit="{send}",
            description="Sends whose outcome is unknown (SendOutcomeUnknownError or cancelled)",
        )
        self.limiter_wait = meter.create_histogram(
            "iletimerkezi.limiter.wait", unit="s", description="Time spent in the send limiter"
        )

    def ready(self) -> bool:
        """Whether calls are traced: a provider is installed (cheap; checked per call).

        Callers test ``active`` first: once a provider is set it stays for the
        process, so a traced call pays one attribute read, not this call.
        """
        if self.active:
            return True
        if _GLOBALS:
            # The API's own globals: None until a real provider is installed.
            tracer = trace._TRACER_PROVIDER  # noqa: SLF001
            if tracer is None and _metrics_internal._METER_PROVIDER is None:  # noqa: SLF001
                return False
        elif not _configured():
            return False
        self.active = True
        return True

    async def observe(
        self,
        run: Callable[[Watch, Endpoint[..., A], Request, Call | None], Awaitable[A]],
        watch: Watch,
        endpoint: Endpoint[..., A],
        request: Request,
    ) -> A:
        """``run(watch, endpoint, request, call)`` inside a client span, counted."""
        name = endpoint.name
        attributes: dict[str, str | int] = {ENDPOINT: name}
        if request.cost:
            attributes["iletimerkezi.recipients"] = request.cost
        started = time.perf_counter()
        outcome = "ok"
        with self.tracer.start_as_current_span(
            f"iletimerkezi {name}",
            kind=SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            call = Call(self, span, name)
            try:
                answer = await run(watch, endpoint, request, call)
            except BaseException as exc:
                outcome = self._failed(span, exc, watch, endpoint)
                raise
            finally:
                span.set_attribute("iletimerkezi.attempts", call.attempts)
                labels = {ENDPOINT: name}
                self.duration.record(time.perf_counter() - started, labels)
                self.requests.add(1, {ENDPOINT: name, OUTCOME: outcome})
            found = order_id(answer)
            if found is not None:
                span.set_attribute("iletimerkezi.order_id", found)
            if request.cost:
                self.recipients.add(request.cost, labels)
            return answer

    def _failed(
        self, span: trace.Span, exc: BaseException, watch: Watch, endpoint: Endpoint[..., Any]
    ) -> str:
        """Mark the span failed (class name only); the outcome label for the counter."""
        span.set_attribute("error.type", type(exc).__name__)
        span.set_status(Status(StatusCode.ERROR))
        # A send cancelled after its request may have been written is unknown too.
        unknown = isinstance(exc, SendOutcomeUnknownError) or (
            not isinstance(exc, Exception) and endpoint.retry is RetryClass.SEND and watch.written
        )
        if unknown:
            self.unknown_outcomes.add(1, {ENDPOINT: endpoint.name})
            return "unknown"
        return "error" if isinstance(exc, Exception) else "cancelled"
