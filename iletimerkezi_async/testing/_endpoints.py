"""The complete endpoint table: importing this module registers every handler.

The server asks this module three things: which endpoint a path names, how
an endpoint answers a body, and how it answers an error it never processed
(a fault, a 404), with the right legacy code type.
"""

from __future__ import annotations

import re
from typing import Any, Final

from . import _account, _blacklist, _inbox, _iys, _reports, _sms  # noqa: F401 (they register)
from ._envelope import Refusal, Reply, envelope
from ._registry import Endpoint, registered
from ._state import Account

__all__ = ["ENDPOINTS", "dispatch", "endpoint_of_path", "error_reply", "resolve_endpoint"]

_TABLE: Final[dict[str, Endpoint]] = registered()
ENDPOINTS: Final[tuple[str, ...]] = tuple(_TABLE)
_PATH: Final = re.compile(r"/v1/(?P<endpoint>.+)/json")


def endpoint_of_path(path: str) -> str | None:
    """The endpoint name of a JSON API path, or None for anything else."""
    match = _PATH.fullmatch(path)
    if match is None or match["endpoint"] not in _TABLE:
        return None
    return match["endpoint"]


def resolve_endpoint(path: str) -> str:
    """Accept the endpoint name, its ``/v1/…/json`` path, ``…/json``, or ``"*"``."""
    if path == "*":
        return path
    candidate = path.strip().removeprefix("/")
    if candidate.startswith("v1/"):
        candidate = candidate[3:] if candidate.endswith("/json") else ""
    candidate = candidate.removesuffix("/json")
    if candidate not in _TABLE:
        raise ValueError(f"unknown endpoint {path!r}; expected one of {', '.join(ENDPOINTS)}")
    return candidate


def error_reply(account: Account, endpoint: str | None, code: int) -> Reply:
    """The error envelope, with a string code where legacy mode wants one."""
    return _reply(account, endpoint, code, None)


def dispatch(account: Account, endpoint: str, body: object) -> Reply:
    """Answer a parsed request body for a known endpoint (authentication included)."""
    try:
        request = _request_of(body)
        _authenticate(account, request)
        payload = _TABLE[endpoint].handle(account, request)
    except Refusal as refusal:
        return _reply(account, endpoint, refusal.code, None)
    return _reply(account, endpoint, 200, payload)


def _reply(
    account: Account, endpoint: str | None, code: int, payload: dict[str, Any] | None
) -> Reply:
    known = _TABLE.get(endpoint) if endpoint is not None else None
    string_code = account.options.legacy_types and known is not None and known.string_code
    return Reply(code, envelope(code, payload, string_code=string_code))


def _request_of(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Refusal(400)
    request = body.get("request")
    if not isinstance(request, dict):
        raise Refusal(400)
    return request


def _authenticate(account: Account, request: dict[str, Any]) -> None:
    options = account.options
    auth = request.get("authentication")
    if not isinstance(auth, dict):
        raise Refusal(401)
    if auth.get("key") != options.api_key or auth.get("hash") != options.api_hash:
        raise Refusal(401)
    if not options.api_access or not options.ip_allowed:
        raise Refusal(401)
