"""The aiohttp side of the fake: routing, request log, fault injection, lifecycle.

The account logic lives in :mod:`._state`; this module only turns HTTP into
calls on it and, when a fault is queued, answers the way a broken server or
network would.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections import deque
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs
from aiohttp import web
from multidict import CIMultiDict

from ._state import ENDPOINTS, Account, Reply

__all__ = [
    "MALFORM_KINDS",
    "EndpointPath",
    "FakeServer",
    "RecordedRequest",
    "endpoint_of_path",
    "resolve_endpoint",
]

MalformKind = Literal[
    "html", "invalid_json", "truncated", "empty", "wrong_content_type", "html_after"
]
MALFORM_KINDS: Final[frozenset[str]] = frozenset(
    {"html", "invalid_json", "truncated", "empty", "wrong_content_type", "html_after"}
)
When = Literal["before", "after"]

_PATH = re.compile(r"/v1/(?P<endpoint>[a-z/-]+)/json")
_HTML_500: Final = (
    b"<html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1></body></html>"
)
_MAX_BODY: Final = 64 * 1024 * 1024


def endpoint_of_path(path: str) -> str | None:
    """The short endpoint name of a JSON API path, or None for anything else."""
    match = _PATH.fullmatch(path)
    if match is None or match["endpoint"] not in ENDPOINTS:
        return None
    return match["endpoint"]


def resolve_endpoint(path: str) -> str:
    """Accept ``"send-sms"``, ``"/v1/send-sms/json"``, ``"send-sms/json"`` or ``"*"``."""
    if path == "*":
        return path
    candidate = path.strip().removeprefix("/")
    if candidate.startswith("v1/"):
        candidate = candidate[3:] if candidate.endswith("/json") else ""
    candidate = candidate.removesuffix("/json")
    if candidate not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {path!r}; expected one of {', '.join(ENDPOINTS)}")
    return candidate


class EndpointPath(str):
    """The full request path (``"/v1/send-sms/json"``) that also equals ``"send-sms"``.

    Tests may compare with either spelling.  Hashing follows the full path, so
    in sets and dict keys only the full path matches.
    """

    endpoint: str | None

    def __new__(cls, path: str, endpoint: str | None = None) -> EndpointPath:
        self = super().__new__(cls, path)
        self.endpoint = endpoint
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        plain = str(other)
        return plain == str(self) or (self.endpoint is not None and plain == self.endpoint)

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return not self.__eq__(other)

    __hash__ = str.__hash__


@attrs.define
class RecordedRequest:
    """One request as the fake saw it.

    ``time`` is ``time.monotonic()`` at arrival; ``status`` is the HTTP status
    answered (None when the connection was dropped or the client had left);
    ``fault`` names the injected fault, if any; ``headers`` look-ups ignore
    case; ``processed`` tells whether the account logic ran (so whether an
    order may exist).  The repr stars the credentials in ``body``.
    """

    time: float
    method: str
    path: EndpointPath
    endpoint: str | None
    body: Any = attrs.field(repr=lambda body: repr(_without_secrets(body)))
    headers: Mapping[str, str] = attrs.field(repr=False)
    raw: bytes = attrs.field(default=b"", repr=False)
    status: int | None = None
    fault: str | None = None
    processed: bool = False


@attrs.define
class _Fault:
    kind: Literal["fail", "drop", "malform", "stall"]
    times: int
    status: int = 503
    when: When = "before"
    malform: str = ""
    seconds: float = 0.0
    retry_after: float | None = None

    @property
    def label(self) -> str:
        if self.kind == "fail":
            return f"fail:{self.status}"
        if self.kind == "malform":
            return f"malform:{self.malform}"
        return f"{self.kind}:{self.when}"


class _FaultQueue:
    """Per-endpoint FIFO of one-shot faults; the wildcard ``*`` queue comes second."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[_Fault]] = {}

    def add(self, endpoint: str, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        self._queues.setdefault(endpoint, deque()).append(fault)

    def take(self, endpoint: str) -> _Fault | None:
        for key in (endpoint, "*"):
            queue = self._queues.get(key)
            if queue:
                fault = queue[0]
                fault.times -= 1
                if fault.times == 0:
                    queue.popleft()
                return attrs.evolve(fault, times=1)
        return None

    def pending(self, endpoint: str) -> int:
        return sum(f.times for f in self._queues.get(endpoint, ()))

    def clear(self) -> None:
        self._queues.clear()


def _without_secrets(body: Any) -> Any:
    """The body with the credentials starred, so reprs in test failures stay clean."""
    try:
        auth = body["request"]["authentication"]
    except (KeyError, TypeError, IndexError):
        return body
    if not isinstance(auth, dict):
        return body
    starred = {k: "***" if k in ("key", "hash") else v for k, v in auth.items()}
    return {**body, "request": {**body["request"], "authentication": starred}}


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
    """A real aiohttp server on loopback in front of an :class:`Account`."""

    def __init__(
        self,
        account: Account,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
        fault_rate: float = 0.0,
        latency: float = 0.0,
    ) -> None:
        self.account = account
        self.host = host
        self.port = port
        self.fault_rate = fault_rate
        self.latency = latency
        self.requests: list[RecordedRequest] = []
        self._rng = random.Random(seed)  # noqa: S311 (fault injection, not cryptography)
        self._faults = _FaultQueue()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    # ----------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash or ``/v1``."""
        if self._url is None:
            raise RuntimeError("the fake server is not running; use 'async with' or start()")
        return self._url

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        """Bind and serve; a second call while running does nothing."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.25)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        host, port = str(address[0]), int(address[1])
        self.port = port
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
            resolve_endpoint(path), _Fault("fail", times, status=status, retry_after=retry_after)
        )

    def drop(self, path: str, when: When = "before", times: int = 1) -> None:
        """Close the connection without an answer, before or after processing."""
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        self._faults.add(resolve_endpoint(path), _Fault("drop", times, when=when))

    def malform(self, path: str, kind: MalformKind, times: int = 1) -> None:
        """Answer with a body the SDK cannot (or, for wrong_content_type, should) parse."""
        if kind not in MALFORM_KINDS:
            raise ValueError(
                f"unknown malform kind {kind!r}; expected one of {sorted(MALFORM_KINDS)}"
            )
        self._faults.add(resolve_endpoint(path), _Fault("malform", times, malform=kind))

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
        self._faults.add(resolve_endpoint(path), _Fault("stall", times, seconds=seconds, when=when))

    def pending_faults(self, path: str) -> int:
        """How many queued one-shot faults are left for ``path``."""
        return self._faults.pending(resolve_endpoint(path))

    def reset_faults(self) -> None:
        """Forget every queued fault and set ``fault_rate`` to 0 (``latency`` stays)."""
        self._faults.clear()
        self.fault_rate = 0.0

    def sent_requests(self, endpoint: str) -> list[RecordedRequest]:
        """The recorded requests to one endpoint, in arrival order."""
        name = resolve_endpoint(endpoint)
        if name == "*":
            return [r for r in self.requests if r.endpoint is not None]
        return [r for r in self.requests if r.endpoint == name]

    # ----------------------------------------------------------------- handling

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrival = time.monotonic()
        path = request.path
        endpoint = endpoint_of_path(path)
        raw = await request.read()
        body, parsed = _parse_json(raw)
        record = RecordedRequest(
            time=arrival,
            method=request.method,
            path=EndpointPath(path, endpoint),
            endpoint=endpoint,
            body=body,
            headers=CIMultiDict(request.headers),
            raw=raw,
        )
        self.requests.append(record)
        if request.method != "POST" or endpoint is None:
            return await self._answer(request, record, self.account.reply(endpoint, 404))

        fault = self._faults.take(endpoint)
        if fault is None and self.fault_rate > 0 and self._rng.random() < self.fault_rate:
            fault = _Fault("fail", 1, status=503)
        if fault is None:
            return await self._answer(request, record, self._process(record, endpoint, parsed))
        record.fault = fault.label

        if fault.kind == "fail":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            reply = self.account.reply(endpoint, fault.status)
            return await self._answer(request, record, reply, headers)
        if fault.kind == "stall":
            if fault.when == "after":
                reply = self._process(record, endpoint, parsed)
                await asyncio.sleep(fault.seconds)
                return await self._answer(request, record, reply)
            await asyncio.sleep(fault.seconds)
            if _gone(request):
                return web.Response(status=204)
            return await self._answer(request, record, self._process(record, endpoint, parsed))
        if fault.kind == "drop":
            if fault.when == "after":
                self._process(record, endpoint, parsed)
            if self.latency > 0:
                await asyncio.sleep(self.latency)
            transport = request.transport
            if transport is not None:
                transport.close()
            return web.Response(status=204)
        return await self._malformed(request, record, endpoint, parsed, fault.malform)

    def _process(self, record: RecordedRequest, endpoint: str, parsed: bool) -> Reply:
        record.processed = True
        if not parsed:
            return self.account.reply(endpoint, 400)
        return self.account.handle(endpoint, record.body)

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
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if not _gone(request):
            record.status = status
        return web.Response(
            status=status,
            body=body,
            content_type=content_type,
            charset="utf-8",
            headers=headers,
        )
