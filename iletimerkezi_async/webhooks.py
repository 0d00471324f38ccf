"""Delivery-report webhooks (reference §5): a parser and a small aiohttp app.

The endpoint is unauthenticated input (no signature is documented), so the app
hides behind an unguessable path token compared in constant time, refuses
anything but a well-formed report, answers fast, de-duplicates
``(message_id, status)`` and never lets a late ``accepted`` downgrade a final
state.  Error messages and logs never carry the phone number or message text.
"""

from __future__ import annotations

import asyncio
import enum
import hmac
import inspect
import json
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Final, NamedTuple

from aiohttp import web

from . import _parse
from ._log import get_logger
from .errors import ResponseFormatError, WebhookPayloadError
from .models import DeliveryReport, DeliveryStatus, status_text

__all__ = ["DEFAULT_PATH", "create_app", "handle", "parse"]

DEFAULT_PATH: Final = "/iletimerkezi/webhook/{token}"
_PLACEHOLDER: Final = "{token}"
_SEEN_MAX: Final = 100_000

log = get_logger("iletimerkezi_async.webhooks")

OnReport = Callable[[DeliveryReport], object]
"""A callback taking one report; it may return an awaitable, which is awaited."""

_Key = tuple[int, DeliveryStatus, str]
"""``(message_id, status, raw)``: ``raw`` tells unknown statuses apart and is empty otherwise."""


def _key(report: DeliveryReport) -> _Key:
    unknown = report.status is DeliveryStatus.UNKNOWN
    return (report.message_id, report.status, report.raw_status if unknown else "")


def parse(body: bytes | bytearray | str | Mapping[str, object]) -> DeliveryReport:
    """One webhook body as a report; any other input is :class:`WebhookPayloadError`.

    A status the SDK does not know yet is ``DeliveryStatus.UNKNOWN``, its wire
    value kept in ``raw_status``: refusing it would lose the report for good.
    """
    payload: object
    if isinstance(body, bytes | bytearray):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookPayloadError("webhook: body is not UTF-8") from None
    if isinstance(body, str):
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            raise WebhookPayloadError("webhook: body is not valid JSON") from None
    else:
        payload = body
    if not isinstance(payload, Mapping):
        raise WebhookPayloadError("webhook: expected a JSON object")
    if "report" not in payload:
        raise WebhookPayloadError("webhook: missing key 'report'")
    try:
        report = _parse.delivery_report(payload["report"])
    except ResponseFormatError as exc:
        # _convert's messages name fields and types only, never values.
        raise WebhookPayloadError(str(exc)) from None
    return report


def handle(body: bytes) -> DeliveryReport:
    """Framework-neutral entry point: the raw request body as a report."""
    return parse(body)


class _State:
    """Per-app de-duplication: seen ``(id, status)`` and ids with a final status, both LRU."""

    def __init__(self, limit: int = _SEEN_MAX) -> None:
        self.limit = limit
        self.seen: OrderedDict[_Key, None] = OrderedDict()
        self.final: OrderedDict[int, None] = OrderedDict()
        self.pending: dict[_Key, asyncio.Future[bool]] = {}
        self.strays: set[asyncio.Future[object]] = set()
        """Callbacks cancelled at their deadline that have not finished yet."""

    def skip(self, report: DeliveryReport) -> bool:
        """True for a duplicate or for ``accepted`` after a final status of that message."""
        key = _key(report)
        if key in self.seen:
            self.seen.move_to_end(key)
            return True
        if report.status is DeliveryStatus.ACCEPTED and report.message_id in self.final:
            self.final.move_to_end(report.message_id)
            return True
        return False

    def record(self, report: DeliveryReport) -> None:
        self.seen[_key(report)] = None
        while len(self.seen) > self.limit:
            self.seen.popitem(last=False)
        if report.status.is_final:
            self.final[report.message_id] = None
            self.final.move_to_end(report.message_id)
            while len(self.final) > self.limit:
                self.final.popitem(last=False)


class _Outcome(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    LATE = "late"


_STATE: Final = web.AppKey("iletimerkezi_webhook_state", _State)


def _reply(status: int, ok: bool, error: str | None = None) -> web.Response:
    body: dict[str, object] = {"ok": ok}
    if error is not None:
        body["error"] = error
    return web.json_response(body, status=status)


class _TokenPath:
    """``path`` with its ``{token}`` filled by the secret, matched in constant time."""

    def __init__(self, path: str, token: str) -> None:
        self.prefix, self.suffix = path.split(_PLACEHOLDER)
        self.secret = token.encode("utf-8")

    def matches(self, request_path: str) -> bool:
        prefix, suffix = self.prefix, self.suffix
        if not (
            len(request_path) >= len(prefix) + len(suffix)
            and request_path.startswith(prefix)
            and request_path.endswith(suffix)
        ):
            return False
        candidate = request_path[len(prefix) : len(request_path) - len(suffix)]
        return hmac.compare_digest(candidate.encode("utf-8"), self.secret)


class _Limits(NamedTuple):
    max_body: int
    body_timeout: float | None
    handler_timeout: float | None


def _check_timeout(name: str, value: float | None) -> None:
    if value is not None and not (isinstance(value, int | float) and 0 < value < math.inf):
        raise ValueError(f"{name} must be a positive number of seconds or None")


def _check_options(token: str, path: str, limits: _Limits) -> None:
    if not token:
        raise ValueError("token must be a non-empty string")
    if path.count(_PLACEHOLDER) != 1:
        raise ValueError("path must contain '{token}' exactly once")
    if not path.startswith("/"):
        raise ValueError("path must start with '/'")
    if limits.max_body < 1:
        raise ValueError("max_body must be positive")
    _check_timeout("body_timeout", limits.body_timeout)
    _check_timeout("handler_timeout", limits.handler_timeout)


async def _read_body(request: web.Request, max_body: int) -> bytes | None:
    """The whole body, or ``None`` as soon as it is known to exceed ``max_body``."""
    length = request.content_length
    if length is not None and length > max_body:
        return None
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.readany():
        size += len(chunk)
        if size > max_body:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _hang_up(request: web.Request, status: int, error: str) -> web.StreamResponse:
    """Answer and close the connection now, without draining a body still arriving."""
    response = _reply(status, False, error)
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    if request.transport is not None:
        request.transport.close()  # sends what is buffered, then closes
    return response


def _forget(strays: set[asyncio.Future[object]]) -> Callable[[asyncio.Future[object]], None]:
    def done(task: asyncio.Future[object]) -> None:
        strays.discard(task)
        if not task.cancelled() and task.exception() is not None:
            late = type(task.exception()).__name__
            log.error("webhook on_report raised %s after its deadline", late)

    return done


async def _await_within(
    result: Awaitable[object], allowed: float | None, strays: set[asyncio.Future[object]]
) -> bool:
    """Await ``on_report``'s awaitable; ``False`` when it still runs after ``allowed`` s.

    The request never waits past the deadline: the late call is cancelled and
    left to finish on its own (a callback that ignores the cancellation cannot
    hold the answer).  Exceptions propagate.
    """
    task = asyncio.ensure_future(result)
    try:
        done, _ = await asyncio.wait({task}, timeout=allowed)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if done:
        if task.cancelled():
            raise RuntimeError("on_report was cancelled")
        task.result()
        return True
    task.cancel()
    strays.add(task)
    task.add_done_callback(_forget(strays))
    return False


async def _call(
    on_report: OnReport, report: DeliveryReport, state: _State, allowed: float | None
) -> _Outcome:
    """Run the callback (sync or async); a failure or a missed deadline is logged."""
    try:
        result = on_report(report)
        if inspect.isawaitable(result) and not await _await_within(result, allowed, state.strays):
            log.error(
                "webhook on_report still running after %s s; cancelled (message_id=%s, status=%s)",
                allowed,
                report.message_id,
                report.status.value,
            )
            return _Outcome.LATE
    except Exception as exc:
        log.error(
            "webhook on_report raised %s (message_id=%s, status=%s)",
            type(exc).__name__,
            report.message_id,
            report.status.value,
        )
        return _Outcome.FAILED
    return _Outcome.OK


_ANSWERS: Final = {
    _Outcome.OK: (200, None),
    _Outcome.FAILED: (500, "report handler failed"),
    _Outcome.LATE: (503, "report handler timed out"),
}


async def _deliver(
    state: _State, report: DeliveryReport, on_report: OnReport, allowed: float | None
) -> web.Response:
    key = _key(report)
    if (waiting := state.pending.get(key)) is not None:
        # The same event is being handled right now (for at most one
        # deadline): share its outcome, or take over when it failed.
        if await asyncio.shield(waiting):
            return _reply(200, True)
        if key in state.pending:
            # Another copy took over first.  No second wait: a chain of them
            # could hold this request for many deadlines.
            return _reply(503, False, "report is being handled again")
    if state.skip(report):
        return _reply(200, True)
    done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    state.pending[key] = done
    outcome = _Outcome.FAILED
    try:
        outcome = await _call(on_report, report, state, allowed)
    finally:
        ok = outcome is _Outcome.OK
        if ok:
            state.record(report)
        # Cleared on every outcome, so a redelivery waiting behind it is handled.
        del state.pending[key]
        done.set_result(ok)
    status, error = _ANSWERS[outcome]
    return _reply(status, ok, error)


async def _cancel_strays(app: web.Application) -> None:
    strays = app[_STATE].strays
    for task in strays:
        task.cancel()
    if strays:
        await asyncio.wait(set(strays), timeout=1.0)


def create_app(
    on_report: OnReport,
    *,
    token: str,
    path: str = DEFAULT_PATH,
    max_body: int = 65536,
    body_timeout: float | None = 10.0,
    handler_timeout: float | None = 10.0,
) -> web.Application:
    """An aiohttp app accepting delivery reports by ``POST`` to ``path`` with ``token`` in it.

    ``body_timeout``: seconds for the whole body to arrive once the headers
    have; later, the request is answered 503 and the connection closed.
    ``handler_timeout``: seconds an async ``on_report`` may take; later, it is
    cancelled and the request answered 503 (so the provider retries) and not
    marked as seen.  ``None`` turns either off.  Header and connection limits
    belong to the server (see ``docs/webhooks.md``).
    """
    limits = _Limits(max_body, body_timeout, handler_timeout)
    _check_options(token, path, limits)
    secret_path = _TokenPath(path, token)

    async def endpoint(request: web.Request) -> web.StreamResponse:
        # One catch-all route: a wrong path, a wrong token and a wrong method all
        # look the same (404), so the route is not revealed.
        if not secret_path.matches(request.path) or request.method != "POST":
            return _reply(404, False, "not found")
        try:
            async with asyncio.timeout(limits.body_timeout):
                body = await _read_body(request, limits.max_body)
        except TimeoutError:
            log.warning("webhook: body not received within %s s; closed", limits.body_timeout)
            return await _hang_up(request, 503, "body not received in time")
        if body is None:
            return _reply(413, False, "body too large")
        try:
            report = parse(body)
        except WebhookPayloadError as exc:
            return _reply(400, False, str(exc))
        if report.status is DeliveryStatus.UNKNOWN:
            log.warning(
                "webhook: unknown status %s handed over as UNKNOWN (message_id=%s)",
                status_text(report.raw_status),
                report.message_id,
            )
        return await _deliver(request.app[_STATE], report, on_report, limits.handler_timeout)

    app = web.Application()
    app[_STATE] = _State()
    app.on_cleanup.append(_cancel_strays)
    app.router.add_route("*", "/{tail:.*}", endpoint)
    return app
