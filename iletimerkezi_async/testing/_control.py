"""The control API: drive a running fake over HTTP, from any language.

Served by the fake's own loopback server, outside ``/v1``:

``POST /_fake/inbound`` ``{"text", "sender"?, "number"?}``
    adds an inbound message (``fake.add_inbound``); answers ``{"id"}``.
``POST /_fake/orders`` ``{"count", "days"?}``
    seeds ``count`` finished orders from the last ``days`` (30) days; answers ``{"ids"}``.
``POST /_fake/fail`` ``{"path", "status"?, "times"?}``
    queues a fault (``fake.fail``); answers ``{"endpoint", "pending"}``.
``GET /_fake/requests``
    the request log, credentials starred; answers ``{"requests": [...]}``.

Only loopback clients are answered (anyone else gets 403, whatever host the
fake is bound to); a body that is not a JSON object, an unknown field or a
wrong value is a 400 with a message.  Control requests are never recorded in
``fake.requests`` and never get faults or latency.
"""

from __future__ import annotations

import ipaddress
import json
import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from ._endpoints import resolve_endpoint
from ._history import seed_orders

if TYPE_CHECKING:
    from ._server import FakeServer

__all__ = ["PREFIX", "Control", "is_loopback"]

PREFIX: Final = "/_fake/"
_MAX_SEEDED: Final = 100_000


class BadRequest(ValueError):
    """A control request the fake cannot act on: answered 400 with this message."""


def is_loopback(remote: str | None) -> bool:
    """Whether a peer address (``request.remote``) is this machine's loopback."""
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _answer(status: int, body: Mapping[str, Any]) -> web.Response:
    text = json.dumps(body, ensure_ascii=False)
    return web.json_response(text=text, status=status)


def _error(status: int, message: str) -> web.Response:
    return _answer(status, {"error": message})


def _fields(payload: Mapping[str, Any], known: tuple[str, ...]) -> None:
    unknown = sorted(set(payload) - set(known))
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(known)}")


def _str(payload: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = payload.get(name, default)
    if value is None:
        raise BadRequest(f"{name!r} is required")
    if not isinstance(value, str):
        raise BadRequest(f"{name!r} must be a string")
    return value


def _int(payload: Mapping[str, Any], name: str, default: int | None = None) -> int:
    value = payload.get(name, default)
    if value is None:
        raise BadRequest(f"{name!r} is required")
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name!r} must be an integer")
    return value


def _number(payload: Mapping[str, Any], name: str, default: float) -> float:
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{name!r} must be a number")
    return float(value)


class Control:
    """The ``/_fake/…`` handlers of one :class:`FakeServer`."""

    def __init__(self, server: FakeServer) -> None:
        self._server = server
        # Its own generator, so seeding through the API leaves fault_rate's sequence alone.
        self._rng = random.Random(server.options.seed)  # noqa: S311 (test data, not crypto)
        self._routes: dict[str, tuple[str, Callable[[Mapping[str, Any]], dict[str, Any]]]] = {
            "inbound": ("POST", self._inbound),
            "orders": ("POST", self._orders),
            "fail": ("POST", self._fail),
            "requests": ("GET", self._requests),
        }

    async def handle(self, request: web.Request) -> web.Response:
        if not is_loopback(request.remote):
            return _error(403, "the control API answers loopback clients only")
        route = self._routes.get(request.match_info.get("name", ""))
        if route is None:
            known = ", ".join(PREFIX + name for name in self._routes)
            return _error(404, f"no such control endpoint; known: {known}")
        method, action = route
        if request.method != method:
            response = _error(405, f"use {method}")
            response.headers["Allow"] = method
            return response
        try:
            payload = await self._payload(request) if method == "POST" else {}
            return _answer(200, action(payload))
        except BadRequest as exc:
            return _error(400, str(exc))

    @staticmethod
    async def _payload(request: web.Request) -> Mapping[str, Any]:
        try:
            payload = json.loads((await request.read()).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise BadRequest("the body must be a JSON object") from None
        if not isinstance(payload, dict):
            raise BadRequest("the body must be a JSON object")
        return payload

    def _inbound(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        _fields(payload, ("text", "sender", "number"))
        text = _str(payload, "text")
        sender = _str(payload, "sender", "7889")
        number = _str(payload, "number", "+905000000000")
        return {"id": self._server.account.add_inbound(text, sender=sender, number=number)}

    def _orders(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        _fields(payload, ("count", "days"))
        count = _int(payload, "count")
        days = _number(payload, "days", 30.0)
        if not 1 <= count <= _MAX_SEEDED:
            raise BadRequest(f"'count' must be between 1 and {_MAX_SEEDED}")
        if not 0 < days <= 3650:
            raise BadRequest("'days' must be more than 0 and at most 3650")
        return {"ids": seed_orders(self._server.account, count, days, self._rng)}

    def _fail(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        _fields(payload, ("path", "status", "times"))
        path = _str(payload, "path")
        status = _int(payload, "status", 503)
        times = _int(payload, "times", 1)
        try:
            endpoint = resolve_endpoint(path)
            self._server.fail(endpoint, status, times)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        return {"endpoint": endpoint, "pending": self._server.pending_faults(endpoint)}

    def _requests(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        return {"requests": [record.as_json() for record in self._server.requests]}
