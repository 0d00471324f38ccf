"""The aiohttp side of the fake: routing, request log, fault injection, lifecycle.

The account logic lives in the handler modules; this module only turns HTTP
into calls on them and, when a fault is queued, answers the way a broken
server or network would.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Mapping
from typing import Any, Final

from aiohttp import web
from multidict import CIMultiDict

from ._control import Control
from ._endpoints import dispatch, endpoint_of_path, error_reply, resolve_endpoint
from ._envelope import Reply
from ._faults import MALFORM_KINDS, Fault, FaultQueue, MalformKind, When
from ._requests import RecordedRequest
from ._state import Account

__all__ = ["FakeServer"]

_HTML_500: Final = (
    b"<html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1></body></html>"
)
_MAX_BODY: Final = 64 * 1024 * 1024


def _parse_json(raw: bytes) -> tuple[Any, bool]:
    try:
        return json.loads(raw.decode("utf-8")), True
    except (UnicodeDecodeError, ValueError):
        return None, False


def _dump(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


class FakeServer:
    """A real aiohttp server on loopback in front of an :class:`Account`.

    Slotted, so assigning a setting that moved to ``fake.options`` or
    ``fake.account`` fails loudly instead of doing nothing.
    """

    __slots__ = (
        "_control",
        "_faults",
        "_port",
        "_rng",
        "_runner",
        "_url",
        "account",
        "options",
        "requests",
    )

    def __init__(self, account: Account) -> None:
        self.account = account
        self.options = account.options
        self.requests: list[RecordedRequest] = []
        self._port = self.options.port
        self._rng = random.Random(self.options.seed)  # noqa: S311 (fault injection, not crypto)
        self._faults = FaultQueue()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._control = Control(self)

    # ----------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash or ``/v1``."""
        if self._url is None:
            raise RuntimeError("the fake server is not running; use 'async with' or start()")
        return self._url

    @property
    def port(self) -> int:
        """The bound port once started (a restart binds it again); ``options.port`` before."""
        return self._port

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def latency(self) -> float:
        """Seconds added before every answer (``fake.options.latency``)."""
        return self.options.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.options.latency = seconds

    async def start(self) -> None:
        """Bind and serve (a restart reuses the port); a second call while running does nothing."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=_MAX_BODY)
        # The control API first: its requests never reach the log or the faults.
        app.router.add_route("*", "/_fake/{name}", self._control.handle)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.25)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.options.host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        host, port = str(address[0]), int(address[1])
        self._port = port
        shown = f"[{host}]" if ":" in host else host
        self._url = f"http://{shown}:{port}"

    async def close(self) -> None:
        """Stop serving (in-flight stalls are cancelled); safe to call twice."""
        runner, self._runner = self._runner, None
        self._url = None
        if runner is not None:
            await runner.cleanup()

    # ----------------------------------------------------------------- fault hooks

    def fail(
        self, path: str, status: int = 503, times: int = 1, *, retry_after: float | None = None
    ) -> None:
        """The next ``times`` requests to ``path`` get ``status`` (JSON envelope), unprocessed."""
        if not 400 <= status <= 599:
            raise ValueError("status must be a 4xx or 5xx code")
        self._faults.add(
            resolve_endpoint(path), Fault("fail", times, status=status, retry_after=retry_after)
        )

    def drop(self, path: str, when: When = "before", times: int = 1) -> None:
        """Close the connection without an answer, before or after processing."""
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        self._faults.add(resolve_endpoint(path), Fault("drop", times, when=when))

    def malform(self, path: str, kind: MalformKind, times: int = 1) -> None:
        """Answer with a body the SDK cannot (or, for wrong_content_type, should) parse."""
        if kind not in MALFORM_KINDS:
            raise ValueError(
                f"unknown malform kind {kind!r}; expected one of {sorted(MALFORM_KINDS)}"
            )
        self._faults.add(resolve_endpoint(path), Fault("malform", times, malform=kind))

    def stall(self, path: str, seconds: float, times: int = 1, *, when: When = "before") -> None:
        """Sleep ``seconds`` before answering, for client timeouts.

        ``when="before"`` sleeps first and then processes only if the client is
        still connected; ``when="after"`` processes first (the order exists) and
        then sleeps.
        """
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        self._faults.add(resolve_endpoint(path), Fault("stall", times, seconds=seconds, when=when))

    def pending_faults(self, path: str) -> int:
        """How many queued one-shot faults are left for ``path``."""
        return self._faults.pending(resolve_endpoint(path))

    def reset_faults(self) -> None:
        """Forget every queued fault and set ``fault_rate`` to 0 (``latency`` stays)."""
        self._faults.clear()
        self.options.fault_rate = 0.0

    def sent_requests(self, endpoint: str) -> list[RecordedRequest]:
        """The recorded requests to one endpoint, in arrival order."""
        name = resolve_endpoint(endpoint)
        if name == "*":
            return [r for r in self.requests if r.endpoint is not None]
        return [r for r in self.requests if r.endpoint == name]

    # ----------------------------------------------------------------- handling

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrival = time.monotonic()
        endpoint = endpoint_of_path(request.path)
        raw = await request.read()
        body, parsed = _parse_json(raw)
        record = RecordedRequest(
            time=arrival,
            method=request.method,
            path=endpoint if endpoint is not None else request.path,
            endpoint=endpoint,
            body=body,
            headers=CIMultiDict(request.headers),
            raw=raw,
        )
        self.requests.append(record)
        if request.method != "POST" or endpoint is None:
            return await self._answer(request, record, error_reply(self.account, endpoint, 404))
        fault = self._faults.take(endpoint)
        rate = self.options.fault_rate
        if fault is None and rate > 0 and self._rng.random() < rate:
            fault = Fault("fail", 1, status=503)
        if fault is None:
            return await self._answer(request, record, self._process(record, endpoint, parsed))
        record.fault = fault.label
        return await self._inject(request, record, endpoint, parsed, fault)

    async def _inject(
        self,
        request: web.Request,
        record: RecordedRequest,
        endpoint: str,
        parsed: bool,
        fault: Fault,
    ) -> web.StreamResponse:
        if fault.kind == "fail":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            reply = error_reply(self.account, endpoint, fault.status)
            return await self._answer(request, record, reply, headers)
        if fault.kind == "stall":
            return await self._stall(request, record, endpoint, parsed, fault)
        if fault.kind == "drop":
            return await self._drop(request, record, endpoint, parsed, fault)
        return await self._malformed(request, record, endpoint, parsed, fault.malform)

    async def _stall(
        self,
        request: web.Request,
        record: RecordedRequest,
        endpoint: str,
        parsed: bool,
        fault: Fault,
    ) -> web.StreamResponse:
        if fault.when == "after":
            reply = self._process(record, endpoint, parsed)
            await asyncio.sleep(fault.seconds)
            return await self._answer(request, record, reply)
        await asyncio.sleep(fault.seconds)
        if _gone(request):
            return web.Response(status=204)
        return await self._answer(request, record, self._process(record, endpoint, parsed))

    async def _drop(
        self,
        request: web.Request,
        record: RecordedRequest,
        endpoint: str,
        parsed: bool,
        fault: Fault,
    ) -> web.StreamResponse:
        if fault.when == "after":
            self._process(record, endpoint, parsed)
        if self.options.latency > 0:
            await asyncio.sleep(self.options.latency)
        transport = request.transport
        if transport is not None:
            transport.close()
        return web.Response(status=204)

    def _process(self, record: RecordedRequest, endpoint: str, parsed: bool) -> Reply:
        record.processed = True
        if not parsed:
            return error_reply(self.account, endpoint, 400)
        return dispatch(self.account, endpoint, record.body)

    async def _malformed(
        self, request: web.Request, record: RecordedRequest, endpoint: str, parsed: bool, kind: str
    ) -> web.StreamResponse:
        if kind == "html":
            return await self._raw(request, record, 500, _HTML_500, "text/html")
        reply = self._process(record, endpoint, parsed)
        if kind == "html_after":
            return await self._raw(request, record, 500, _HTML_500, "text/html")
        full = _dump(reply.body)
        if kind == "invalid_json":
            return await self._raw(request, record, 200, b'{"response": {', "application/json")
        if kind == "truncated":
            return await self._raw(request, record, 200, full[: len(full) // 2], "application/json")
        if kind == "empty":
            return await self._raw(request, record, 200, b"", "application/json")
        return await self._raw(request, record, reply.code, full, "text/plain")

    async def _answer(
        self,
        request: web.Request,
        record: RecordedRequest,
        reply: Reply,
        headers: Mapping[str, str] | None = None,
    ) -> web.StreamResponse:
        return await self._raw(
            request, record, reply.code, _dump(reply.body), "application/json", headers
        )

    async def _raw(
        self,
        request: web.Request,
        record: RecordedRequest,
        status: int,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> web.StreamResponse:
        if self.options.latency > 0:
            await asyncio.sleep(self.options.latency)
        if not _gone(request):
            record.status = status
        return web.Response(
            status=status,
            body=body,
            content_type=content_type,
            charset="utf-8",
            headers=headers,
        )
