"""The endpoint registry: each handler module registers its endpoints by name.

Routing, the list of valid fault targets and the legacy string-code rule are
all read from here, so an endpoint exists in exactly one place: the
``@handler`` line above its function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

if TYPE_CHECKING:
    from ._state import Account

__all__ = ["Endpoint", "Handler", "handler", "registered"]

Handler: TypeAlias = "Callable[[Account, dict[str, Any]], dict[str, Any]]"
"""Takes the account and the ``request`` object; returns the payload or raises Refusal."""


@attrs.frozen
class Endpoint:
    name: str
    handle: Handler
    string_code: bool
    """Legacy mode answers ``"code": "200"`` as a string on this endpoint."""


_REGISTRY: dict[str, Endpoint] = {}


def handler(name: str, *, string_code: bool = False) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``POST /v1/{name}/json``."""

    def register(fn: Handler) -> Handler:
        if name in _REGISTRY:
            raise RuntimeError(f"endpoint {name!r} registered twice")
        _REGISTRY[name] = Endpoint(name, fn, string_code)
        return fn

    return register


def registered() -> dict[str, Endpoint]:
    """Every endpoint registered so far, in registration order."""
    return dict(_REGISTRY)
